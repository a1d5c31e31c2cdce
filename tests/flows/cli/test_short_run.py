"""A run on small inputs sends Prefect no flow-run heartbeats (their thread costs up to 1 s at the end of
a run of a few seconds); a run on larger inputs keeps them."""

from __future__ import annotations

from pathlib import Path

from flows.cli.main import SMALL_INPUT_BYTES, _short_run, _small
from flows.readers.sources import expand_paths


def test_small_inputs_are_told_apart_by_their_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x" * 1000, encoding="utf-8")
    assert _small(expand_paths([str(tmp_path)]).files)
    (tmp_path / "b.jsonl").write_text("x" * SMALL_INPUT_BYTES, encoding="utf-8")
    assert not _small(expand_paths([str(tmp_path)]).files)
    assert _small([])  # nothing to read: a run of a second


def test_a_short_run_has_no_heartbeat_and_a_long_one_keeps_prefects() -> None:
    from prefect.settings import get_current_settings

    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None  # Prefect's own default (180 s)
    with _short_run(True):
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
    with _short_run(False):
        assert get_current_settings().flows.heartbeat_frequency == default
