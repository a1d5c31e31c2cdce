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


def keyed(key: str, text: str, sid: str | None = None) -> RawDocument:
    return RawDocument(sid or key.rsplit("/", 1)[-1], text, origin=key, source_key=key)


def test_a_name_is_unchanged_only_while_its_article_holds_its_text() -> None:
    """a and b held X in a's article; a is edited: b can no longer count on a's article."""
    a, x = article_id_for("/i/a.txt"), sha256_text("X")
    known = Known(by_source={"/i/a.txt": (a, x, V), "/i/b.txt": (a, x, V)}, by_hash={x: a})
    plan = plan_ingest([keyed("/i/a.txt", "Y"), keyed("/i/b.txt", "X")], known, V)
    assert plan.updated == 2 and plan.unchanged == 0
    assert [(d.source_key, d.article_id) for d in plan.to_parse] == [
        ("/i/a.txt", a),
        ("/i/b.txt", article_id_for("/i/b.txt")),
    ]
    # In the other order, b is planned first, against a's article as it still is; the load re-homes
    # X before replacing a's text (flows.store.warehouse._rehome_names), so nothing needs parsing for b.
    plan = plan_ingest([keyed("/i/b.txt", "X"), keyed("/i/a.txt", "Y")], known, V)
    assert (plan.unchanged, plan.updated) == (1, 1) and [d.source_key for d in plan.to_parse] == ["/i/a.txt"]


def test_inputs_sharing_a_source_id_are_told_apart_by_their_keys() -> None:
    known = Known(by_source={}, by_hash={}, source_ids={"story.txt": ("/d0/story.txt",)})
    planner = Planner(known, V)
    plan = planner.plan([keyed("/d1/story.txt", "X"), keyed("/d2/story.txt", "Y"), keyed("/d3/other.txt", "Z")])
    assert plan.new == 3 and len({d.article_id for d in plan.to_parse}) == 3
    assert planner.shared_ids() == [("story.txt", ["/d1/story.txt", "/d2/story.txt", "/d0/story.txt"])]


def test_an_article_made_before_source_keys_stays_its_owners() -> None:
    legacy, x = article_id_for("a.txt"), sha256_text("X")
    known = Known(by_source={"/i/a.txt": (legacy, x, V)}, by_hash={x: legacy}, owners={legacy: "/i/a.txt"})
    assert plan_ingest([keyed("/i/a.txt", "X")], known, V).unchanged == 1
    edited = plan_ingest([keyed("/i/a.txt", "Y")], known, V)
    assert edited.updated == 1 and edited.to_parse[0].article_id == legacy


def test_a_text_whose_parse_failed_is_not_a_holder_for_later_copies() -> None:
    planner = Planner(Known(by_source={}, by_hash={}), V)
    [first] = planner.plan([keyed("/i/c.txt", "X")]).to_parse
    planner.forget(sha256_text("X"), first.article_id or "")
    later = planner.plan([keyed("/i/e.txt", "X")])
    assert later.new == 1 and later.duplicate == 0
