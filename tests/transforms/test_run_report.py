from __future__ import annotations

from transforms.run_report import MAX_REJECTS, run_markdown

RUN = {
    "status": "completed",
    "run_id": "abcdef1234567890",
    "db": "w.duckdb",
    "seconds": 3.25,
    "new": 2,
    "updated": 0,
    "unchanged": 1,
    "duplicate": 0,
    "rejected": 1,
}


def test_counts_timings_rejects_and_figures() -> None:
    md = run_markdown(
        RUN,
        {"articles": 2, "figures": 3},
        {"articles": 3, "figures": 4, "rejects": 1},
        [("bad.bin", "binary", "not | text")],
        [
            {
                "surface": "500 to 1,000",
                "category": "fighters",
                "value_low": 500.0,
                "value_high": 1000.0,
                "actor": "ISIS",
                "location": "Abu Kamal",
                "attributed_to": "the coalition",
                "source_id": "a.txt",
            }
        ],
        {"parse": 2.5, "load": 0.25},
    )
    assert md.startswith("# ingest completed: run abcdef123456")
    assert "| articles | 2 | 3 |" in md and "| rejects | 0 | 1 |" in md
    assert "| parse | 2.50 |" in md
    assert "| bad.bin | binary | not \\| text |" in md  # a pipe in a value does not break the table
    assert "| 500 to 1,000 | fighters | 500 | 1,000 | ISIS | Abu Kamal | the coalition | a.txt |" in md


def test_empty_run_says_so_and_long_reject_lists_are_cut() -> None:
    md = run_markdown(RUN, {}, {"articles": 0}, [(f"f{i}", "empty", "") for i in range(MAX_REJECTS + 5)], [], {})
    assert "No new figures." in md and "5 more in v_rejects." in md
    assert md.count("| empty |") == MAX_REJECTS
