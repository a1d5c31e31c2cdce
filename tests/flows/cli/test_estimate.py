"""The progress bar's estimate (flows/cli/main.py Estimate) and the small first batches that feed it
(flows/ingest.py), pure: no model, no Prefect run."""

from __future__ import annotations

from flows.cli.main import Estimate
from flows.ingest import FIRST_BATCH, _batch_size


def test_no_estimate_before_a_document_is_parsed() -> None:
    e = Estimate()
    e.update(0, 804, 0, now=100.0)  # the first chunk planned: nothing parsed yet
    assert e.eta() == "eta: estimating" and e.rate() == ""


def test_estimate_from_the_first_documents() -> None:
    e = Estimate()
    e.update(0, 800, 0, now=100.0)
    e.update(16, 800, 8_000, now=102.0)  # the first small batch: 16 documents in 2 s
    assert e.eta() == "eta 0:01:38"  # 784 left at 8 documents a second
    assert e.rate() == "4,000 words/s"
    e.update(800, 800, 400_000, now=190.0)
    assert e.eta() == ""  # done


def test_unchanged_documents_do_not_make_the_estimate_optimistic() -> None:
    """A re-run finds 700 documents unchanged in its first chunk: only the parsed ones set the pace."""
    e = Estimate()
    e.update(700, 800, 0, now=0.0)
    assert e.eta() == "eta: estimating"
    e.update(710, 800, 5_000, now=10.0)
    assert e.eta() == "eta 0:01:30"  # 90 left at one a second


def test_a_run_of_many_batches_starts_with_a_small_one() -> None:
    assert [_batch_size(256, n, expected=804) for n in range(3)] == [FIRST_BATCH, 256, 256]
    assert _batch_size(8, 0, expected=804) == 8  # never larger than asked
    # a run that fits one batch keeps it whole (parsed in this process, no pool started)
    assert _batch_size(256, 0, expected=256) == 256 and _batch_size(256, 0, expected=3) == 256
