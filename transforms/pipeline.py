"""One batch of raw documents in, the warehouse's row frames out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from functools import lru_cache
from typing import Any

import polars as pl
from spacy.language import Language

from transforms import EXTRACTOR_VERSION
from transforms.aliases import load_aliases
from transforms.articles import PIPELINE_LANGUAGE, Article, RawDocument, build_article, load_language_identifier
from transforms.claims import annotate
from transforms.dedup import simhash
from transforms.entities import Mention, extract_mentions
from transforms.figures import Figure, extract_figures, figure_sentences
from transforms.gazetteer import load_gazetteer
from transforms.inputs import Reject
from transforms.nlp import common_words, parse, parse_sentences, stop_words
from transforms.rows import ARTICLE_SCHEMA, FIGURE_SCHEMA, FROM_FIELDS, MENTION_SCHEMA, SENTENCE_SCHEMA, ParsedBatch
from transforms.sentences import Sentence, sentence_index_at, sentences_in_body
from transforms.truecase import shouting, truecase


def parse_batch(nlp: Language, docs: list[RawDocument], nlp_batch_size: int = 64) -> ParsedBatch:
    """Parse a batch of documents into the rows of the four content tables."""
    articles = [build_article(d) for d in docs]
    rows: dict[str, dict[str, list[Any]]] = {k: defaultdict(list) for k in ("a", "s", "m", "f")}
    # The extractors are English: an article in another language is stored, with no rows of its own.
    english = [a for a in articles if a.language == PIPELINE_LANGUAGE]
    for article in articles:
        if article.language != PIPELINE_LANGUAGE:
            _article_rows(article, [], [], [], rows)
    model_texts = [_for_the_model(nlp, a.text) for a in english]
    spacy_docs = parse(nlp, model_texts, batch_size=nlp_batch_size)
    read: list[tuple[list[Sentence], list[Mention], list[int]]] = []
    for article, model_text, spacy_doc in zip(english, model_texts, spacy_docs, strict=True):
        body = (article.body_start, article.body_end)
        sentences = sentences_in_body(spacy_doc, article.text, body)
        mentions = extract_mentions(spacy_doc, article.text, body, model_text=model_text)
        read.append((sentences, mentions, figure_sentences(sentences)))
    # The dependency parser only on the sentences that hold a figure, all of the batch's at once.
    wanted = [
        model_text[sentences[i].start : sentences[i].end]
        for model_text, (sentences, _, indices) in zip(model_texts, read, strict=True)
        for i in indices
    ]
    trees = iter(parse_sentences(nlp, wanted, batch_size=max(nlp_batch_size, 256)))
    for article, (sentences, mentions, indices) in zip(english, read, strict=True):
        parsed = {i: next(trees) for i in indices}
        figures = extract_figures(article.article_id, article.text, sentences, mentions, parsed)
        figures = annotate(article.text, article.published_at, sentences, mentions, figures)
        _article_rows(article, sentences, mentions, figures, rows)
    return ParsedBatch(
        articles=_frame(rows["a"], ARTICLE_SCHEMA),
        sentences=_frame(rows["s"], SENTENCE_SCHEMA),
        mentions=_frame(rows["m"], MENTION_SCHEMA),
        figures=_frame(rows["f"], FIGURE_SCHEMA),
    )


def _frame(columns: dict[str, list[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame({name: columns.get(name, []) for name in schema}, schema=schema)


# The longest article parsed. A long text is parsed in pieces (transforms.nlp.parse), but the
# merged Doc and the extractors' rows grow with it: a 5 MB article peaks at about 1 GB per worker
# (0.4 GB of it the model), so 20 MB stays near 3 GB; past that a worker could exhaust memory.
MAX_ARTICLE_CHARS = 20_000_000


def parse_batch_safely(
    nlp: Language, docs: list[RawDocument], nlp_batch_size: int = 64, max_chars: int = MAX_ARTICLE_CHARS
) -> tuple[ParsedBatch, list[Reject]]:
    """As `parse_batch`, but a document that breaks the parser is rejected alone, with the error,
    instead of failing its whole batch (and run); one longer than `max_chars` is rejected unparsed."""
    too_long = [
        Reject(
            d.origin or d.source_id,
            "too_long",
            f"{len(d.text):,} characters, over the {max_chars:,} an article may have: split it into articles",
        )
        for d in docs
        if len(d.text) > max_chars
    ]
    if too_long:
        docs = [d for d in docs if len(d.text) <= max_chars]
        batch, failed = parse_batch_safely(nlp, docs, nlp_batch_size, max_chars)
        return batch, too_long + failed
    try:
        return parse_batch(nlp, docs, nlp_batch_size), []
    except Exception:  # noqa: BLE001 - find the culprit below; the rest of the batch is kept
        pass
    parsed: list[ParsedBatch] = []
    rejects: list[Reject] = []
    for doc in docs:
        try:
            parsed.append(parse_batch(nlp, [doc], nlp_batch_size))
        except Exception as exc:  # noqa: BLE001
            rejects.append(Reject(doc.origin or doc.source_id, "parse_failed", f"{type(exc).__name__}: {exc}"[:300]))
    return concat_batches(parsed), rejects


def concat_batches(batches: list[ParsedBatch]) -> ParsedBatch:
    def cat(frames: list[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
        return pl.concat(frames) if frames else pl.DataFrame(schema=schema)

    return ParsedBatch(
        articles=cat([b.articles for b in batches], ARTICLE_SCHEMA),
        sentences=cat([b.sentences for b in batches], SENTENCE_SCHEMA),
        mentions=cat([b.mentions for b in batches], MENTION_SCHEMA),
        figures=cat([b.figures for b in batches], FIGURE_SCHEMA),
    )


def _for_the_model(nlp: Language, text: str) -> str:
    """Shouted text recased (same length, so offsets hold); other text as it is."""
    if not any(shouting(line) for line in text.splitlines()):
        return text
    return truecase(text, common_words(nlp), _place_words(), stop_words())


def warm_up_resources(nlp: Language) -> None:
    """Load what parsing needs besides the model (about 5 s), so the first batch does not pay for it."""
    load_gazetteer()
    load_aliases()
    load_language_identifier()
    common_words(nlp)
    _place_words()


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    return load_gazetteer().name_words(100_000)


def _article_rows(
    article: Article,
    sentences: list[Sentence],
    mentions: list[Mention],
    figures: list[Figure],
    rows: dict[str, dict[str, list[Any]]],
) -> None:
    """The article's row, and its sentences, mentions and figures (none for an article not parsed),
    appended column by column (a frame is built from columns several times faster than from rows)."""
    body = (article.body_start, article.body_end)
    aid = article.article_id
    a = rows["a"]
    for field in _ARTICLE_FIELDS:
        a[field].append(getattr(article, field))
    a["extractor_version"].append(EXTRACTOR_VERSION)
    a["n_words"].append(len(article.text[body[0] : body[1]].split()))
    a["simhash"].append(simhash(article.text[body[0] : body[1]]))
    _extend(rows["s"], aid, sentences, FROM_FIELDS["sentences"])
    m = rows["m"]
    _extend(m, aid, mentions, FROM_FIELDS["entity_mentions"])
    m["sentence_index"].extend(sentence_index_at(sentences, x.start) for x in mentions)
    m["entity_name"].extend(x.entity_name or x.canonical_name for x in mentions)
    _extend(rows["f"], aid, figures, FROM_FIELDS["figures"])


def _extend(columns: dict[str, list[Any]], aid: str, items: Sequence[object], fields: dict[str, str]) -> None:
    columns["article_id"].extend([aid] * len(items))
    for column, field in fields.items():
        columns[column].extend(getattr(x, field) for x in items)


_ARTICLE_FIELDS = [f.name for f in fields(Article)]
