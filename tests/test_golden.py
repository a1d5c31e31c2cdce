"""Golden test: the shared scorer on a warehouse built by the real flow from the seed and dev articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOLD, PROJECT_GOLD, RESERVED, SHARED, corpus_records, project_gold


def score(mode: str, db: Path, gold: Path = GOLD) -> dict:
    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), mode, "--db", str(db), "--gold", str(gold)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-2])


def test_sentences_f1(dev_warehouse: Path) -> None:
    assert score("sentences", dev_warehouse)["sentences"]["f1"] >= 0.97


def test_figures_on_dev_meet_the_acceptance_bar(dev_warehouse: Path) -> None:
    result = score("figures", dev_warehouse)
    assert result["articles_missing"] == []
    assert result["figures"]["f1"] >= 0.95
    acc = result["attribute_accuracy"]
    assert acc["qualifier"] >= 0.95 and acc["category"] >= 0.95
    assert min(acc["actor"], acc["location"], acc["attributed_to"]) >= 0.85


def test_figures_on_our_own_labelled_articles(dev_warehouse: Path) -> None:
    """CENTCOM strike reports, a UK statement, Wikipedia, FA-KES casualty news and upper-case MUC wires
    (tests/gold/figures.jsonl)."""
    result = score("figures", dev_warehouse, PROJECT_GOLD)
    assert result["articles_missing"] == []
    assert result["figures"]["f1"] >= 0.95
    acc = result["attribute_accuracy"]
    assert acc["qualifier"] >= 0.95 and acc["category"] >= 0.95
    # Lower than dev's bar on purpose: these include the hard cases (an actor named a paragraph earlier).
    assert min(acc["actor"], acc["location"], acc["attributed_to"]) >= 0.8


def test_our_gold_is_honest() -> None:
    """No held-out article, and every labelled span slices back to its anchor in the corpus text."""
    for rec in project_gold():
        assert rec["source_id"] not in RESERVED
        article = corpus_records(rec["corpus"], ids={rec["source_id"]})[0]  # FA-KES repeats some ids, same text
        for fig in rec["figures"]:
            lo, hi = fig["span"]
            assert article["text"][lo:hi] == fig["anchor"]


def test_entities_on_the_seed_meet_the_acceptance_bar(dev_warehouse: Path) -> None:
    assert score("entities", dev_warehouse)["entities"]["f1"] >= 0.95


def _warehouse_of(records: list[dict], tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    from flows.ingest import ingest

    folder = tmp_path_factory.mktemp(name)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = folder / f"{name}.duckdb"
    assert ingest(paths=[str(folder / f"{name}.jsonl")], db=str(db))["status"] == "completed"
    return db


def test_entities_on_re3d(tmp_path_factory: pytest.TempPathFactory) -> None:
    # The held-out articles are left out here; see the README for the measured figures and the
    # re3d conventions (countries as organisations, "I" as a person) that cap this score.
    db = _warehouse_of(corpus_records("re3d"), tmp_path_factory, "re3d")
    result = score("re3d", db, SHARED / "corpora" / "re3d" / "entities.jsonl")
    assert result["entities"]["f1"] >= 0.65


def test_entities_on_conll2003_beat_the_naive_model_on_every_type(tmp_path_factory: pytest.TempPathFactory) -> None:
    gold = SHARED / "corpora" / "conll2003" / "conll2003_testb_docs.jsonl"
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = score("conll", _warehouse_of(records, tmp_path_factory, "conll"), gold)
    assert result["mentions"]["f1"] >= 0.65
    naive = {"PER": 0.67, "ORG": 0.35, "LOC": 0.75, "MISC": 0.61}
    for label, floor in naive.items():
        assert result["per_type"][label]["f1"] >= floor, label


EVENT_DATES = Path(__file__).parent / "gold" / "event_dates.jsonl"


def test_event_dates_hand_check(nlp) -> None:
    """50 killed figures of FA-KES articles, their event dates labelled by hand (tests/gold/event_dates.jsonl,
    drawn at random from a warehouse of the corpus): at least 90 % right. Right means true at the
    precision given: a day label inside the figure's period, which is a day or a week; a week label
    overlapping it."""
    from datetime import date

    from transforms.articles import RawDocument
    from transforms.dates import period
    from transforms.inputs import read_jsonl_line
    from transforms.pipeline import parse_batch

    labels = [json.loads(line) for line in EVENT_DATES.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = {g["source_id"] for g in labels}
    assert not ids & RESERVED
    docs = {}
    for rec in corpus_records("fakes_syria", ids=ids):
        doc = read_jsonl_line(json.dumps(rec), 1, "fakes")
        assert isinstance(doc, RawDocument)
        docs[doc.source_id] = doc  # FA-KES repeats some ids, with the same text
    batch = parse_batch(nlp, list(docs.values()))
    article_of = dict(zip(batch.articles["source_id"], batch.articles["article_id"], strict=True))
    figures = {(r["article_id"], r["char_start"]): r for r in batch.figures.to_dicts()}
    right, wrong = 0, []
    for g in labels:
        got = figures[(article_of[g["source_id"]], g["char_start"])]
        truth = period(date.fromisoformat(g["event_date"]), g["precision"])
        ok = got["event_date"] is not None and got["event_date_precision"] in ("day", "week")
        if ok:
            lo, hi = period(got["event_date"], got["event_date_precision"])
            ok = (lo <= truth[0] <= hi) if g["precision"] == "day" else (lo <= truth[1] and truth[0] <= hi)
        right += ok
        if not ok:
            wrong.append(
                (g["source_id"], g["surface"], g["event_date"], got["event_date"], got["event_date_precision"])
            )
    assert right / len(labels) >= 0.9, wrong
