"""Golden test: the shared scorer on a warehouse built by the real flow from the seed and dev articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import GOLD, SHARED


def score(mode: str, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score.py"), mode, "--db", str(db), "--gold", str(GOLD)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-2])


def test_sentences_f1(dev_warehouse: Path) -> None:
    assert score("sentences", dev_warehouse)["sentences"]["f1"] >= 0.97


def test_figures_no_false_figure_and_full_recall_on_dev(dev_warehouse: Path) -> None:
    result = score("figures", dev_warehouse)
    assert result["articles_missing"] == []
    assert result["figures"]["fp"] == 0
    assert result["figures"]["recall"] >= 0.9
    acc = result["attribute_accuracy"]
    assert acc["qualifier"] == 1.0 and acc["category"] >= 0.9


def test_entities_score(dev_warehouse: Path) -> None:
    # The small model types some places as people or organisations; a gazetteer is the next step.
    assert score("entities", dev_warehouse)["entities"]["f1"] >= 0.7
