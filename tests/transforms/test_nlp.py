"""Long texts parsed in pieces: the cut (pure, property-tested) and the merged Doc (real model)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from transforms.nlp import PIECE_CHARS, parse, pieces


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab .\n!"')), max_size=400), st.integers(min_value=4, max_value=60))
def test_pieces_join_back_and_stay_under_the_size(text: str, size: int) -> None:
    parts = pieces(text, size)
    assert "".join(parts) == text
    assert all(0 < len(p) <= size for p in parts) or parts == [""]


def test_pieces_are_cut_at_paragraphs_first_then_lines_then_sentences() -> None:
    para = "One sentence here. Another one here.\n"
    text = (para * 3 + "\n") * 4
    parts = pieces(text, len(para) * 4)
    assert all(p.endswith("\n\n") for p in parts[:-1])
    lines = pieces(para * 10, len(para) * 3 + 5)
    assert all(p.endswith(".\n") for p in lines[:-1])
    sentences = pieces("Short one. " * 20, 50)
    assert all(p.endswith(". ") for p in sentences[:-1])
    assert pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # no break at all: cut anywhere


def test_a_text_over_spacys_limit_is_one_doc_with_its_exact_text(nlp) -> None:
    seed = SEED.read_text(encoding="utf-8")
    text = "\n\n".join([seed] * (nlp.max_length // len(seed) + 2))
    assert len(text) > nlp.max_length and len(pieces(text)) > 10
    doc = next(parse(nlp, [text]))
    assert doc.text == text
    assert all(text[e.start_char : e.end_char] == e.text for e in doc.ents)
    assert all(text[s.start_char : s.end_char] == s.text for s in doc.sents)
    assert len(PIECE_CHARS * "x") < nlp.max_length


def test_an_article_over_the_size_limit_is_rejected_unparsed(nlp) -> None:
    from transforms.articles import RawDocument
    from transforms.pipeline import parse_batch_safely

    docs = [
        RawDocument("a", "Ten people died in Homs.", origin="f.jsonl:1"),
        RawDocument("b", "x " * 60, origin="f.jsonl:2"),
    ]
    batch, rejects = parse_batch_safely(nlp, docs, max_chars=100)
    assert batch.articles.get_column("source_id").to_list() == ["a"]
    assert [(r.source, r.reason) for r in rejects] == [("f.jsonl:2", "too_long")]
    assert "120 characters, over the 100" in rejects[0].detail


def test_figure_sentences_parse_while_another_thread_parses_articles(nlp) -> None:
    """One worker parses two batches at once in threads on the same model: the dependency parse of
    one never switches the other's components (it once left articles without sentence boundaries)."""
    from concurrent.futures import ThreadPoolExecutor

    from transforms.nlp import parse, parse_sentences

    texts = ["Gunmen killed 12 guards in Kessa.\nThe army said 40 raiders fled."] * 40

    def articles() -> list[int]:
        return [len(list(d.sents)) for d in parse(nlp, texts, batch_size=8)]

    def trees() -> list[str]:
        return [d[1].dep_ for d in parse_sentences(nlp, ["Gunmen killed 12 guards in Kessa."] * 40, batch_size=8)]

    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            a, t = pool.submit(articles), pool.submit(trees)
            assert set(a.result()) == {2} and set(t.result()) == {"ROOT"}
    assert "parser" not in nlp.pipe_names
