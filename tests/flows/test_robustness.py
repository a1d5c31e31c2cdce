"""Bad input, near-duplicates, SIGKILL at several points, two runs at once: every input accounted
for, nothing twice, and the warehouse always opens. Real processes, real signals, real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from stat import S_IFCHR

import duckdb
import pytest

from flows.cli.main import main
from flows.ingest import ingest
from tests.conftest import ROOT, SEED, corpus_records, ingest_cmd

TABLES = ("articles", "sentences", "entity_mentions", "figures", "article_sources")
KEYS = {
    "articles": "article_id",
    "sentences": "article_id, sentence_index",
    "figures": "figure_id",
    "article_sources": "source_id",
}
STORY = (
    "BEIRUT (Reuters) - Air strikes killed at least 23 civilians in the eastern Syrian town of Albu Kamal "
    "on Tuesday, the Syrian Observatory for Human Rights said. The monitor said the dead included six "
    "children and that more than 40 people were wounded. The town is held by Islamic State fighters. "
    "Residents said the strikes hit a market and a school where families had sheltered.\n"
)


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def duplicated_keys(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM (SELECT {k} FROM {t} GROUP BY ALL HAVING count(*) > 1)").fetchall()[
                0
            ][0]
            for t, k in KEYS.items()
        }


def data_test_failures(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for sql in sorted((ROOT / "sql" / "tests").glob("*.sql")):
            n = len(con.execute(sql.read_text(encoding="utf-8")).fetchall())
            if n:
                out[sql.stem] = n
        return out


def bad_corpus(folder: Path, outside: Path) -> int:
    """Every kind of input the issue names; returns how many inputs (files and JSON lines) it holds."""
    folder.mkdir()
    outside.mkdir()
    (folder / "good.txt").write_text(STORY, encoding="utf-8")
    (folder / "bom_crlf.md").write_bytes(b"\xef\xbb\xbf" + b"# Mosul\r\n\r\nFive soldiers were killed in Mosul.\r\n")
    (folder / "utf16.txt").write_bytes("Three people were wounded in Raqqa, a doctor said.".encode("utf-16"))
    (folder / "latin1.txt").write_bytes("Caf\xe9 bombing: 14 people were killed in Homs, police said.".encode("cp1252"))
    (folder / "page.html").write_text(
        "<html><head><title>Strike on Idlib</title><meta name='author' content='Jane Doe'></head><body>"
        "<nav>Home | World</nav><article><p>An air strike killed 11 people in Idlib province on Sunday, "
        "rescue workers said, and wounded at least 20 more.</p></article><footer>(c) News</footer></body></html>",
        encoding="utf-8",
    )
    (folder / "nav_only.htm").write_text("<html><body><nav>Home | World</nav></body></html>", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "big.txt").write_text("Seven fighters were killed. " * 60_000, encoding="utf-8")  # 1.7 MB
    (folder / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (outside / "secret.txt").write_text("Nine people were killed.", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "copy_of_good.txt").write_bytes((folder / "good.txt").read_bytes())  # byte-identical
    # The same wire story re-published under another dateline and footer: near-identical.
    (folder / "syndicated.txt").write_text(
        STORY.replace("BEIRUT (Reuters) - ", "BEIRUT, Nov 7 (Reuters) - ") + "\n(Reporting by Staff)\n",
        encoding="utf-8",
    )
    lines = [
        json.dumps({"id": "w1", "text": "Four people were killed in Deir ez-Zor.", "extra": {"k": 1}}),
        json.dumps({"id": "w2", "title": "no text"}),
        "{this is not json",
        json.dumps({"text": "no id here"}),
        json.dumps({"id": "w3", "text": "Twelve fighters were captured near Hasakah.", "published": "yesterday"}),
        json.dumps({"id": "bom_crlf.md", "text": "Shares its source id with a file read earlier: kept apart."}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 14 + len(lines)  # 14 files besides the JSON-lines file (the link and the .csv count)


def test_mixed_good_and_bad_inputs_all_accounted_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    n_inputs = bad_corpus(tmp_path / "in", tmp_path / "outside")
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("NEWSETL_MAX_FILE_MB", "1")
    code = main(["ingest", str(tmp_path / "in"), "--db", str(db), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 3 and "Traceback" not in out + err  # completed, but something was rejected
    first = _summary(out)
    assert (
        first["inputs"]
        == n_inputs
        == first["new"] + first["updated"] + first["unchanged"] + first["duplicate"] + first["rejected"]
    )
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(con.execute("SELECT reason, count(*) FROM v_rejects GROUP BY reason").fetchall())
        loaded = {r[0] for r in con.execute("SELECT source_id FROM v_articles").fetchall()}
        names = {r[0] for r in con.execute("SELECT source_id FROM article_sources").fetchall()}
        html = con.execute("SELECT title, author, metadata FROM v_articles WHERE source_id = 'page.html'").fetchall()
        clusters = dict(con.execute("SELECT source_id, dup_cluster_id FROM v_articles").fetchall())
    assert reasons == {
        "no_main_text": 1,
        "empty": 2,
        "binary": 1,
        "too_large": 1,
        "unsupported_type": 1,
        "symlink": 1,
        "missing_text": 1,
        "bad_json": 1,
        "missing_id": 1,
    }
    # A record whose id is another input's file name is a document of its own, and the summary says so.
    assert "source ids shared by different inputs: 2" in out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM v_articles WHERE source_id = 'bom_crlf.md'").fetchall() == [(2,)]
    # The byte-identical pair is one article under the name read first, the other name kept with it.
    assert loaded == {
        "copy_of_good.txt",
        "bom_crlf.md",
        "utf16.txt",
        "latin1.txt",
        "page.html",
        "syndicated.txt",
        "w1",
        "w3",
    }
    assert {"good.txt", "copy_of_good.txt"} <= names
    assert html[0][:2] == ("Strike on Idlib", "Jane Doe") and json.loads(html[0][2])["format"] == "html"
    assert clusters["syndicated.txt"] == clusters["copy_of_good.txt"] != clusters["w1"]  # the same story, flagged
    assert data_test_failures(db) == {}

    code = main(["ingest", str(tmp_path / "in"), "--db", str(db), "--no-progress"])
    again = _summary(capsys.readouterr().out)
    assert code == 3 and (again["new"], again["updated"]) == (0, 0)
    assert again["unchanged"] + again["duplicate"] == first["new"] + first["duplicate"]


def _summary(out: str) -> dict[str, int]:
    [line] = [ln for ln in out.splitlines() if ln.strip().startswith("inputs:")]
    total, parts = line.split("=")
    found = {"inputs": int(total.split(":")[1])}
    for part in parts.split("+"):
        n, name = part.split()
        found[name] = int(n)
    return found


def test_near_copies_share_a_cluster_in_figures(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "b.txt").write_text("UPDATED: " + STORY, encoding="utf-8")
    (folder / "c.txt").write_text("Gunmen killed 12 villagers near Hawija on Monday, police said.", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest(paths=[str(folder)], db=str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        per_story = con.execute(
            "SELECT count(*), count(DISTINCT dup_cluster_id) FROM v_figures WHERE category = 'killed'"
        ).fetchall()[0]
        pairs = con.execute("SELECT count(*) FROM v_near_duplicates").fetchall()[0][0]
    n_figures, n_stories = per_story
    assert n_figures % 2 == 1 and n_stories == 2 and pairs == 2  # each figure of the story twice; one pair, both ways


# --- processes -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wire_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("wires") / "wires.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for rec in corpus_records("fakes_syria", limit=64):
            fh.write(json.dumps(rec) + "\n")
    return src


@pytest.fixture(scope="module")
def baseline(wire_corpus: Path, prefect_harness: None) -> Path:
    """The warehouse of one uninterrupted run of the wire corpus: what every broken run must end equal to.
    Built once for the module; only read."""
    db = wire_corpus.parent / "baseline.duckdb"
    assert ingest(paths=[str(wire_corpus)], db=str(db), export=False)["status"] == "completed"
    return db


def _run_and_kill(cmd: list[str], env: dict[str, str], when: str, delay: float = 0.0) -> str:
    """Start an ingest, SIGKILL it `delay` s after a log line containing `when`; returns its log."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: list[str] = []
    killed = threading.Event()

    children: list[int] = []

    def kill_later() -> None:
        time.sleep(delay)
        children.extend(_children(proc.pid))
        proc.send_signal(signal.SIGKILL)
        killed.set()

    assert proc.stdout is not None
    for line in proc.stdout:
        log.append(line)
        if when in line and not killed.is_set():
            threading.Thread(target=kill_later, daemon=True).start()
            killed.set()
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL, "".join(log)[-3000:]
    # Its parse workers (and anything else it started) do not outlive it: no orphan holds a model.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)]
    return "".join(log)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"  # a zombie has exited


def test_sigkill_at_any_point_then_one_rerun_equals_an_uninterrupted_run(
    tmp_path: Path, proc_env: dict[str, str], wire_corpus: Path, baseline: Path
) -> None:
    db = tmp_path / "killed.duckdb"
    cmd = ingest_cmd(wire_corpus, db)
    _run_and_kill(cmd, proc_env, "batch 2:")  # between batches (or in the third's parse)
    _run_and_kill(cmd, proc_env, "Task run 'parse-batch", delay=0.05)  # as the next batch loads
    _run_and_kill(cmd, proc_env, "close-run")  # the run's outcome is written; killed while leaving its artifact
    for _ in range(2):  # the warehouse opens after every kill; the data tests hold at every stage
        assert data_test_failures(db) == {}
    final = subprocess.run(cmd, cwd=ROOT, env=proc_env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-3000:]

    assert counts(db) == counts(baseline)
    assert all(n == 0 for n in duplicated_keys(db).values())
    assert data_test_failures(db) == {}
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = [r[0] for r in con.execute("SELECT status FROM v_ingest_runs ORDER BY started_at").fetchall()]
    assert statuses == ["interrupted", "interrupted", "completed", "completed"]


def test_two_ingests_at_once_leave_the_counts_of_one(
    tmp_path: Path, proc_env: dict[str, str], wire_corpus: Path, baseline: Path
) -> None:
    db = tmp_path / "twice.duckdb"
    cmd = ingest_cmd(wire_corpus, db)
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=proc_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e[-2000:] for _, e in outs]
    news = sorted(_summary(o)["new"] for o, _ in outs)
    assert news == [0, 64]  # one loaded everything, the other waited its turn and found it done
    assert any("waiting for it to finish" in e or "will wait" in e for _, e in outs)
    assert counts(db) == counts(baseline) and all(n == 0 for n in duplicated_keys(db).values())


def test_a_second_ingest_gives_up_with_a_clear_message(tmp_path: Path, proc_env: dict[str, str]) -> None:
    from flows.store.lock import run_lock

    shutil.copy(SEED, tmp_path / SEED.name)
    db = tmp_path / "w.duckdb"
    with run_lock(db, timeout=0):  # as if a long ingest were running
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli.main", "ingest", str(tmp_path / SEED.name), "--db", str(db)],
            cwd=ROOT,
            env={**proc_env, "NEWSETL_LOCK_TIMEOUT": "1"},
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("newsetl: error:") and "another ingest" in last and "NEWSETL_LOCK_TIMEOUT" in last
    assert "Traceback" not in done.stderr


def test_bad_lines_special_files_and_bad_bytes_are_rejects_and_the_run_completes(
    tmp_path: Path, proc_env: dict[str, str]
) -> None:
    """Issue 14: none of these may fail or hang the run; each is one reject, or read with a note."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(STORY, encoding="utf-8")
    (folder / "bad_byte.txt").write_bytes(STORY.replace("Syrian", "Syrián", 1).encode().replace(b"town", b"t\xffwn", 1))
    lines = [
        json.dumps(
            {"id": "ok1", "text": "Four people were killed in Deir ez-Zor.", "published": "0001-01-01T00:00:00+05:00"}
        ),
        '{"id": ' + "7" * 5000 + ', "text": "A number too long for Python."}',
        "[" * 100_000,
        '{"id": "lone", "text": "Caf\\ud800 bombing in Homs."}',
        json.dumps({"id": "ok2", "text": "Twelve fighters were captured near Hasakah."}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.mkfifo(folder / "p.txt")
    os.mkfifo(folder / "q.jsonl")
    specials = 2
    try:
        os.mknod(folder / "z.txt", S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero under a text name
        specials += 1
    except PermissionError:
        pass
    (folder / "sub" / "loop").symlink_to("..")
    db = tmp_path / "w.duckdb"
    done = subprocess.run(ingest_cmd(folder, db), cwd=ROOT, env=proc_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 3 and "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    summary = _summary(done.stdout)
    n_inputs = 2 + len(lines) + specials + 1  # two text files, the lines, the special files, the link
    assert summary["inputs"] == n_inputs == sum(v for k, v in summary.items() if k != "inputs")
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(con.execute("SELECT reason, count(*) FROM v_rejects GROUP BY reason").fetchall())
        meta = dict(con.execute("SELECT source_id, metadata FROM v_articles").fetchall())
        text = con.execute("SELECT text FROM v_articles WHERE source_id = 'bad_byte.txt'").fetchone()
    assert reasons == {"bad_json": 2, "bad_text": 1, "not_a_file": specials, "symlink": 1}
    assert set(meta) == {"good.txt", "bad_byte.txt", "ok1", "ok2"} and summary["rejected"] == sum(reasons.values())
    assert json.loads(meta["ok1"]) == {"published_raw": "0001-01-01T00:00:00+05:00"}
    assert json.loads(meta["bad_byte.txt"]) == {"encoding": "utf-8", "invalid_bytes": 1}
    assert text is not None and "Syrián" in text[0] and "t\ufffdwn" in text[0]
