"""The progress bar's estimate (flows/cli/main.py Estimate) and the small first batch that feeds it
(flows/pipeline.py), pure: no model, no Prefect run."""

from __future__ import annotations

from flows.cli.main import Estimate
from flows.pipeline import FIRST_BATCH, _batch_size


def test_no_estimate_before_a_document_is_parsed() -> None:
    e = Estimate()
    e.update(0, 804, 0, 0, now=100.0)  # the first chunk planned: nothing parsed yet
    assert e.eta() == "eta: estimating" and e.rate() == ""


def test_estimate_from_the_first_documents() -> None:
    e = Estimate()
    e.update(0, 800, 0, 0, now=100.0)
    e.update(16, 800, 8_000, 16, now=102.0)  # the first small batch: 16 documents in 2 s
    assert e.eta() == "eta 0:01:38"  # 784 left at 8 documents a second
    assert e.rate() == "4,000 words/s"
    e.update(800, 800, 392_000, 800, now=190.0)
    assert e.eta() == ""  # done


def test_documents_done_without_a_parse_do_not_make_the_estimate_optimistic() -> None:
    """Unchanged documents, in the first chunk or any later one, are done but not parsed."""
    e = Estimate()
    e.update(700, 3000, 0, 0, now=0.0)  # the first chunk: 700 unchanged
    assert e.eta() == "eta: estimating"
    e.update(1700, 3000, 0, 0, now=1.0)  # the second chunk: 1,000 more unchanged, still nothing parsed
    assert e.eta() == "eta: estimating"
    e.update(1716, 3000, 5_000, 16, now=9.0)  # 16 parsed in 9 s
    assert e.eta() == "eta 0:12:02"  # 1,284 left at 16 per 9 s


def test_a_run_with_many_documents_to_parse_starts_with_a_small_batch() -> None:
    assert [_batch_size(256, n, to_parse=804) for n in range(3)] == [FIRST_BATCH, 256, 256]
    assert _batch_size(8, 0, to_parse=804) == 8  # never larger than asked
    # what fits one batch stays one batch (parsed in this process, no pool started), however many
    # inputs the run read: an hourly run over a large inbox with 20 new files parses 20 here
    assert _batch_size(256, 0, to_parse=256) == 256 and _batch_size(256, 0, to_parse=20) == 256
