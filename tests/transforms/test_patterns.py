import re

from hypothesis import given
from hypothesis import strategies as st

from transforms.patterns import one_of_words

WORDS = st.lists(st.text(alphabet="abcsdy", min_size=1, max_size=6), min_size=1, max_size=12)
TEXT = st.text(alphabet="abcsdy .,-'\n", max_size=80)


def test_shared_prefixes_are_written_once() -> None:
    assert one_of_words(["said", "says", "say"]) == "sa(?:id|y(?:s)?)"
    assert one_of_words(["report", "reported", "reports"]) == "report(?:ed|s)?"
    assert re.fullmatch(one_of_words(["a.b", "a+"]), "a.b") and not re.fullmatch(one_of_words(["a.b"]), "axb")


def test_no_words_match_nothing() -> None:
    assert re.search(one_of_words([]), "anything") is None


@given(WORDS, TEXT)
def test_whole_words_match_as_the_plain_alternation_does(words: list[str], text: str) -> None:
    plain = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    for tail in (r"\b", r"\s+"):
        want = [m.span() for m in re.finditer(rf"\b(?:{plain}){tail}", text, re.I)]
        got = [m.span() for m in re.finditer(rf"\b(?:{one_of_words(words)}){tail}", text, re.I)]
        assert got == want
