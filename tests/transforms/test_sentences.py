from __future__ import annotations

from tests.conftest import SEED, dev_gold
from transforms.articles import RawDocument, build_article
from transforms.sentences import sentence_index_at, sentences_in_body


def _sentences(nlp, text: str):
    art = build_article(RawDocument("t.txt", text, origin="t.txt"))
    return sentences_in_body(nlp(art.text), art.text, (art.body_start, art.body_end))


def test_seed_sentences_match_gold(nlp) -> None:
    [gold] = [g for g in dev_gold() if g["source_id"] == SEED.name]
    got = [s.text for s in _sentences(nlp, SEED.read_text(encoding="utf-8"))]
    assert got == gold["sentences"]


def test_offsets_slice_back_and_are_ordered(nlp) -> None:
    text = SEED.read_text(encoding="utf-8")
    sents = _sentences(nlp, text)
    for i, s in enumerate(sents):
        assert s.index == i and text[s.start : s.end] == s.text and s.text == s.text.strip()
        assert i == 0 or sents[i - 1].end <= s.start
        assert sentence_index_at(sents, s.start) == i


def test_hard_wrapped_lines_do_not_split_a_sentence(nlp) -> None:
    sents = _sentences(nlp, "The U.S.-led \ncoalition\n conducted five airstrikes.\nNext headline")
    assert [s.text for s in sents] == ["The U.S.-led \ncoalition\n conducted five airstrikes.", "Next headline"]
