"""The warehouse's file and disk failing, and readers on the live file: one line, never a traceback;
the run recorded `failed` with its reason (by the next run when the disk is too full to write it);
the snapshot never left behind. Real files on real (small, read-only) filesystems, real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from flows.config.errors import NewsetlError
from flows.ingest import ingest
from flows.store import exports, warehouse
from tests.conftest import ROOT, SEED, corpus_records, ingest_cmd


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` (root only, as in CI); unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True, capture_output=True)


def corpus(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in corpus_records("fakes_syria", limit=n)), encoding="utf-8")
    return path


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("newsetl: error: "), done.stderr[-2000:]
    return last


def runs(db: Path) -> list[tuple[str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT status, error FROM ingest_runs ORDER BY started_at").fetchall()


def test_a_full_disk_is_one_line_and_the_run_is_recorded_failed(tmp_path: Path, proc_env: dict[str, str]) -> None:
    src = corpus(tmp_path / "wires.jsonl", 80)
    with small_disk(tmp_path / "disk", "3m") as disk:
        db = disk / "w.duckdb"
        full = subprocess.run(ingest_cmd(src, db), cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=600)
        assert full.returncode == 1
        assert "No space left on device" in one_line_error(full)
        assert "cannot rollback" not in full.stderr
        remount(disk, "size=64m")  # space freed: the next run records why the last one failed, then loads the rest
        again = subprocess.run(ingest_cmd(src, db), cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr[-2000:]
        (first, error), (second, _) = runs(db)
        assert first == "failed" and "No space left on device" in (error or "")
        assert second == "completed"
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 80


def test_a_failed_publish_fails_the_run_and_the_next_run_publishes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / SEED.name).write_bytes(SEED.read_bytes())
    db = tmp_path / "w.duckdb"
    with small_disk(tmp_path / "bi", "256k") as bi:
        with pytest.raises(NewsetlError, match="publishing the readers' snapshot .* No space left on device"):
            ingest(paths=[str(inbox)], db=str(db), export_dir=str(bi))
        assert runs(db)[-1][0] == "failed" and "No space left on device" in (runs(db)[-1][1] or "")
        assert not [p.name for p in bi.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".parquet-")]
        assert exports.current_snapshot(db, bi) is None
        remount(bi, "size=64m")
        again = ingest(paths=[str(inbox)], db=str(db), export_dir=str(bi))  # nothing changed, published all the same
        assert again["status"] == "completed" and again["unchanged"] == 1
        assert exports.current_snapshot(db, bi) == bi / "warehouse.duckdb"
        with duckdb.connect(str(bi / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("SELECT status FROM v_ingest_runs ORDER BY started_at").fetchall() == [
                ("failed",),
                ("completed",),
            ]


def test_two_warehouses_in_one_folder_keep_their_own_snapshots(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Gunmen killed 12 villagers near Hawija on Monday, police said.", encoding="utf-8")
    b.write_text("Five soldiers were wounded in Mosul, the army said.", encoding="utf-8")
    main_db, other_db = tmp_path / "warehouse.duckdb", tmp_path / "other.duckdb"
    ingest(paths=[str(a)], db=str(main_db))
    ingest(paths=[str(a), str(b)], db=str(other_db))
    assert exports.current_snapshot(main_db, tmp_path / "exports") == tmp_path / "exports" / "warehouse.duckdb"
    assert exports.current_snapshot(other_db, tmp_path / "exports-other") is not None
    for snap, n in (
        (tmp_path / "exports" / "warehouse.duckdb", 1),
        (tmp_path / "exports-other" / "warehouse.duckdb", 2),
    ):
        with duckdb.connect(str(snap), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM v_articles").fetchall()[0][0] == n
    # One folder, one warehouse: a second warehouse told to publish there is refused, not mixed in.
    with pytest.raises(NewsetlError, match="holds the readers' snapshot of .*warehouse.duckdb"):
        ingest(paths=[str(b)], db=str(other_db), export_dir=str(tmp_path / "exports"))
    # A write to the live file that published nothing (here: a run without export) makes it not current.
    ingest(paths=[str(b)], db=str(main_db), export=False)
    assert exports.current_snapshot(main_db, tmp_path / "exports") is None


def test_a_read_only_folder_is_one_line(tmp_path: Path, proc_env: dict[str, str]) -> None:
    with small_disk(tmp_path / "ro", "8m") as ro:
        db = ro / "w.duckdb"
        with warehouse.connect(db) as con:
            warehouse.ensure_schema(con)
        remount(ro, "ro")
        for where in (db, ro / "new.duckdb"):
            done = subprocess.run(
                ingest_cmd(SEED, where), cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode in (1, 2)
            assert "Read-only file system" in one_line_error(done)
        # Readers still read a warehouse on read-only media.
        done = run_cli(["sql", "SELECT count(*) AS n FROM v_articles", "--db", str(db)], proc_env)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "scrambled"])
def test_a_damaged_warehouse_is_one_line_for_every_command(
    damage: str, tmp_path: Path, proc_env: dict[str, str]
) -> None:
    db = tmp_path / "w.duckdb"
    if damage == "garbage":
        db.write_bytes(os.urandom(300_000))
    else:
        with warehouse.connect(db) as con:
            warehouse.ensure_schema(con)
            con.execute(
                "INSERT INTO articles (article_id, source_id, text, body_start, body_end, content_sha256, "
                "extractor_version, ingested_at, run_id) SELECT 'a' || range, 's' || range, repeat('y', 300), 0, 1, "
                "'h' || range, 'v', now(), 'r' FROM range(20000)"
            )
        data = bytearray(db.read_bytes())
        if damage == "truncated":
            data = data[: len(data) // 2]
        else:  # blocks in the middle overwritten, the header intact: DuckDB's checksums catch it
            middle = len(data) // 2
            data[middle : middle + 200 * 4096] = os.urandom(len(data[middle : middle + 200 * 4096]))
        db.write_bytes(bytes(data))
    for args in (
        ["ingest", str(SEED), "--db", str(db), "--no-progress", "--no-export"],
        ["sql", "SELECT sum(length(text)) FROM articles", "--db", str(db)],
        ["report", "--db", str(db), "--out", str(tmp_path / "r.html")],
        ["rebuild", "--db", str(db), "--no-progress"],
    ):
        done = run_cli(args, proc_env)
        # A query that never touches the damaged blocks may well succeed; nothing ends in a traceback.
        assert "Traceback" not in done.stderr, (args, done.stderr[-3000:])
        if args[0] == "ingest" or done.returncode != 0:
            assert done.returncode in (1, 2), (args, done.stderr[-2000:])
            one_line_error(done)


READER = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
    "print('open', flush=True); time.sleep(float(sys.argv[2])); con.close()"
)


def test_a_reader_on_the_live_file_is_waited_for(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Gunmen killed 12 villagers near Hawija on Monday, police said.", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest(paths=[str(src)], db=str(db), export=False)
    (src / "b.txt").write_text("Five soldiers were wounded in Mosul, the army said.", encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "4"], stdout=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    result = ingest(paths=[str(src)], db=str(db), export=False)  # waits for the reader, then loads
    reader.wait(timeout=60)
    assert result["status"] == "completed" and result["new"] == 1
    assert [s for s, _ in runs(db)] == ["completed", "completed"]


def stderr_so_far(lines: list[str]) -> str:
    return "".join(lines)


def open_reader(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, opened in a moment when the run has the file closed (between steps)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return duckdb.connect(str(db), read_only=True)
        except duckdb.IOException:
            assert time.monotonic() < deadline
            time.sleep(0.001)


def refused(db: Path) -> bool:
    """Whether a reader is turned away at once (the file is open for writing in another process)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        return "lock" in str(exc).lower()
    return False


def test_a_reader_that_stays_fails_the_run_with_one_line(tmp_path: Path, proc_env: dict[str, str]) -> None:
    """A reader arrives mid-run: while the run loads its batches it holds the file, so the reader is
    refused at once; it gets in between two later steps and stays past NEWSETL_LOCK_TIMEOUT, and the
    run gives up, says so in one line, and is recorded failed with the reason (once the reader has
    gone); its loaded batches stay."""
    src = corpus(tmp_path / "wires.jsonl", 64)
    db = tmp_path / "w.duckdb"
    env = {**proc_env, "NEWSETL_LOCK_TIMEOUT": "3"}
    cmd = ingest_cmd(src, db, "--workers", "1")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    reader: duckdb.DuckDBPyConnection | None = None
    refused_while_loading = None
    deadline = time.monotonic() + 600
    for line in proc.stderr:
        lines.append(line)
        if reader is None and "batch 1:" in line and "gave up" not in stderr_so_far(lines):
            refused_while_loading = refused(db)  # seven of the eight batches still to load
            reader = open_reader(db)  # between two of the run's steps
        elif reader is not None and "gave up after 3 s" in line:
            reader.close()  # gone: the run can write why it failed
            reader = None
        assert time.monotonic() < deadline
    proc.wait(timeout=120)
    stderr = "".join(lines)
    assert refused_while_loading is True
    assert proc.returncode == 1, stderr[-3000:]
    assert "is open in another process" in stderr and "waiting up to 3 s" in stderr
    assert "in use by another process" in stderr.strip().splitlines()[-1] and "Traceback" not in stderr
    [(status, error)] = runs(db)
    assert status == "failed" and "in use by another process" in (error or "")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 64


@contextmanager
def held(db: Path) -> Iterator[None]:
    """The live file held open for writing by another process until the block ends."""
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdin is not None and proc.stdout.readline().strip() == "open"
    try:
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def test_sql_and_report_read_the_snapshot_while_it_is_current(tmp_path: Path, capsys) -> None:
    """Readers never compete with a run: while the snapshot shows the live file as it is, they read
    the snapshot; once the live file moves on, the live file; while an ingest writes, the snapshot."""
    from flows.cli.main import main
    from flows.store.lock import run_lock

    a = tmp_path / "a.txt"
    a.write_text("Gunmen killed 12 villagers near Hawija on Monday, police said.", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest(paths=[str(a)], db=str(db))
    count = ["sql", "SELECT count(*) AS n FROM v_articles", "--db", str(db)]
    with held(db):  # another process writes the live file: only the snapshot can be read
        assert main(count) == 0
        assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.html")]) == 0
        assert main([*count, "--live"]) == 1
    assert "in use by another process" in capsys.readouterr().err
    b = tmp_path / "b.txt"
    b.write_text("Five soldiers were wounded in Mosul, the army said.", encoding="utf-8")
    ingest(paths=[str(b)], db=str(db), export=False)  # the live file moves on, the snapshot does not
    capsys.readouterr()
    assert main(count) == 0 and "2" in capsys.readouterr().out.splitlines()[2]
    with run_lock(db, timeout=0), held(db):  # an ingest is writing it: its last snapshot
        assert main(count) == 0
        out = capsys.readouterr()
        assert out.out.splitlines()[2].strip() == "1" and "an ingest is writing" in out.err


def test_report_writes_only_an_html_page_and_says_why_not_in_one_line(
    tmp_path: Path, dev_warehouse: Path, capsys
) -> None:
    from flows.cli.main import main

    live = tmp_path / "w.duckdb"
    live.write_bytes(b"not to be overwritten")
    (tmp_path / "folder.html").mkdir()
    for out in (live, tmp_path / "folder.html", Path("/proc/x.html")):
        assert main(["report", "--db", str(dev_warehouse), "--out", str(out), "--live"]) in (1, 2)
        err = capsys.readouterr().err
        assert err.startswith("newsetl: error: ") and len(err.strip().splitlines()) == 1, err
    assert live.read_bytes() == b"not to be overwritten"
    with small_disk(tmp_path / "ro", "1m") as ro:
        remount(ro, "ro")
        assert main(["report", "--db", str(dev_warehouse), "--out", str(ro / "r.html"), "--live"]) == 1
        assert "Read-only file system" in capsys.readouterr().err
