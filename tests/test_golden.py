"""Golden test: the shared scorer on a warehouse built by the real flow from the seed and dev articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_entities_score(dev_warehouse: Path) -> None:
    # The small model types some places as people or organisations; a gazetteer is the next step.
    assert score("entities", dev_warehouse)["entities"]["f1"] >= 0.7
