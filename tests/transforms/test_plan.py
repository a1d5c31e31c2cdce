from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.articles import RawDocument, article_id_for
from transforms.ids import sha256_text
from transforms.plan import Known, Plan, Planner, plan_ingest

V = "test"


def doc(sid: str, text: str) -> RawDocument:
    return RawDocument(sid, text, origin=sid)


def test_new_unchanged_updated_duplicate() -> None:
    known = Known(
        by_source={"a": (article_id_for("a"), sha256_text("A"), V), "b": (article_id_for("b"), sha256_text("B"), V)},
        by_hash={sha256_text("A"): article_id_for("a"), sha256_text("B"): article_id_for("b")},
    )
    plan = plan_ingest([doc("a", "A"), doc("b", "B2"), doc("c", "C"), doc("d", "A"), doc("e", "C")], known, V)
    assert (plan.new, plan.updated, plan.unchanged, plan.duplicate) == (1, 1, 1, 2)
    assert [d.source_id for d in plan.to_parse] == ["b", "c"]
    links = {lk.source_id: lk.article_id for lk in plan.links}
    assert links["d"] == article_id_for("a") and links["e"] == article_id_for("c")


def test_new_extractor_version_reparses() -> None:
    known = Known(
        by_source={"a": (article_id_for("a"), sha256_text("A"), "old")}, by_hash={sha256_text("A"): article_id_for("a")}
    )
    plan = plan_ingest([doc("a", "A")], known, V)
    assert plan.updated == 1 and len(plan.to_parse) == 1


def test_source_edited_into_a_copy_of_another_is_retired() -> None:
    known = Known(
        by_source={"a": (article_id_for("a"), sha256_text("A"), V), "b": (article_id_for("b"), sha256_text("B"), V)},
        by_hash={sha256_text("A"): article_id_for("a"), sha256_text("B"): article_id_for("b")},
    )
    plan = plan_ingest([doc("b", "A")], known, V)
    assert plan.duplicate == 1 and plan.retire == [article_id_for("b")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["A", "B", "C", "D"])), max_size=30),
    st.integers(1, 8),
)
def test_planning_in_chunks_decides_as_planning_at_once(given_docs: list[tuple[str, str]], size: int) -> None:
    # The flow plans a chunk at a time as it streams: a copy must be found across chunks too.
    seen: set[str] = set()
    docs = [doc(sid, text) for sid, text in given_docs if not (sid in seen or seen.add(sid))]  # ids are unique
    known = Known(by_source={"a": (article_id_for("a"), sha256_text("A"), V)}, by_hash={sha256_text("A"): "art_a"})
    whole = plan_ingest(docs, known, V)
    planner, run, parsed = Planner(known, V), Plan(), []
    for i in range(0, len(docs), size):
        chunk = planner.plan(docs[i : i + size])
        run.absorb(chunk)
        parsed += chunk.to_parse
    assert parsed == whole.to_parse and run.links == whole.links and run.retire == whole.retire
    assert (run.new, run.updated, run.unchanged, run.duplicate) == (
        whole.new,
        whole.updated,
        whole.unchanged,
        whole.duplicate,
    )
