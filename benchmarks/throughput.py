"""End-to-end ingest throughput against the spaCy model's own limit; figures printed, never asserted.

    .venv/bin/python -m benchmarks.throughput [--docs 10000 [--docs 50000]] [--workers N] [--keep DIR]

For each size: builds a corpus from ../shared/corpora/all_articles.jsonl (held-out articles left
out), replicated with distinct ids and a distinct last line (so no copy is a byte-identical
duplicate the pipeline would skip), then in fresh processes:

1. `newsetl ingest` of the corpus into a new warehouse (the real CLI and flow, Prefect's ephemeral
   server), with its per-stage seconds (discover, plan, parse, load, record, publish);
2. the same command again on the unchanged corpus;
3. bare `nlp.pipe` over the same texts with the same model, components and process count, once
   before the ingest and once after: the machine drifts between them, so the ratio is taken
   against their mean.

Peak RSS is per process (the kernel's high-water mark), for the flow's process, the parse workers
and Prefect's temporary server; the largest of them is the figure to compare across sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def build_corpus(n: int, path: Path) -> int:
    """n records, cycling through the corpus; returns the number of words."""
    reserved = set((SHARED / "gold" / "reserved.txt").read_text().split())
    with open(SHARED / "corpora" / "all_articles.jsonl", encoding="utf-8") as fh:
        base = [r for r in map(json.loads, fh) if r["id"] not in reserved]
    words = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            rec = dict(base[i % len(base)])
            copy = i // len(base)
            if copy:
                rec["id"] = f"{rec['id']}~{copy}"
                rec["text"] = rec["text"] + f"\n\n(Archive copy {copy}.)"
            words += len(rec["text"].split())
            out.write(json.dumps(rec) + "\n")
    return words


def run_ingest(corpus: Path, db: Path, workers: int, home: Path) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    cmd = [
        sys.executable,
        "-m",
        "flows.cli.main",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "--workers",
        str(workers),
        "--no-progress",
    ]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        peaks = watch_peak_rss(proc)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 3):
        sys.exit(f"ingest failed ({proc.returncode}): {stderr[-2000:]}")
    flow_seconds = float(re.search(r"completed in ([\d.]+) s", stdout).group(1))  # type: ignore[union-attr]
    stages = dict(
        (k, float(v))
        for k, v in re.findall(r"(\w+) ([\d.]+)", re.search(r"seconds: (.*)", stdout).group(1))  # type: ignore[union-attr]
    )
    return {"wall": wall, "flow": flow_seconds, "stages": stages, "summary": stdout, "rss": peaks}


def watch_peak_rss(proc: subprocess.Popen) -> dict[str, float]:
    """Peak resident memory (MiB) per role, the flow's process, parse workers and Prefect's server,
    from the kernel's high-water mark (VmHWM) of each process, read twice a second until the run ends."""
    peaks: dict[str, float] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_descendants(proc.pid)]:
            role, hwm = _role(pid, proc.pid), _hwm_mib(pid)
            if role and hwm:
                peaks[role] = max(peaks.get(role, 0.0), hwm)
        time.sleep(0.5)
    return peaks


def _descendants(root: int) -> list[int]:
    parent_of: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent_of[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    out, frontier = [], [root]
    while frontier:
        kids = [pid for pid, ppid in parent_of.items() if ppid in frontier]
        out += kids
        frontier = kids
    return out


def _role(pid: int, flow_pid: int) -> str | None:
    if pid == flow_pid:
        return "flow"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if b"spawn_main" in cmdline:
        return "parse worker"
    if b"uvicorn" in cmdline or b"prefect" in cmdline:
        return "Prefect server"
    return None


def _hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_bare(corpus: Path, workers: int) -> float:
    """Seconds of bare nlp.pipe over the corpus texts, in a fresh process (model load excluded)."""
    code = (
        "import json, sys, time\n"
        "from transforms.nlp import load_pipeline\n"
        "nlp = load_pipeline()\n"
        "texts = [json.loads(l)['text'] for l in open(sys.argv[1], encoding='utf-8')]\n"
        "t = time.perf_counter()\n"
        "for _ in nlp.pipe(texts, batch_size=64, n_process=int(sys.argv[2])): pass\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(workers)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from flows.runtime.parallel import default_workers

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, action="append", help="corpus size; repeat for several (default 10000)")
    ap.add_argument("--workers", type=int, default=default_workers(), help="parse processes, both sides")
    ap.add_argument("--keep", type=Path, help="keep corpora and warehouses in this directory")
    args = ap.parse_args()
    sizes = args.docs or [10_000]
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, workers {args.workers}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            corpus = work / f"corpus_{n}.jsonl"
            words = build_corpus(n, corpus)
            db = work / f"bench_{n}.duckdb"
            for stale in work.glob(f"bench_{n}.duckdb*"):
                stale.unlink()
            # Bare nlp.pipe before and after the ingest: the machine drifts 10-25 % over the minutes
            # between them, so the ratio is taken against their mean, and both are printed.
            bare_before = run_bare(corpus, args.workers)
            first = run_ingest(corpus, db, args.workers, work / "prefect")
            again = run_ingest(corpus, db, args.workers, work / "prefect")
            bare_after = run_bare(corpus, args.workers)
            bare = (bare_before + bare_after) / 2
            print(f"\n## {n:,} documents, {words:,} words")
            print(
                f"ingest: {first['flow']:.1f} s in the flow ({first['wall']:.1f} s with Prefect start-up): "
                f"{n / first['flow']:,.1f} docs/s, {words / first['flow']:,.0f} words/s"
            )
            print("  stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in first["stages"].items()))
            print(
                f"  peak RSS: largest process {max(first['rss'].values()):,.0f} MiB ("
                + ", ".join(f"{role} {mib:,.0f}" for role, mib in sorted(first["rss"].items()))
                + ")"
            )
            print(
                f"bare nlp.pipe, same model, components and {args.workers} processes: {bare:.1f} s, "
                f"{words / bare:,.0f} words/s (mean of {bare_before:.1f} s before the ingest and "
                f"{bare_after:.1f} s after)"
            )
            print(f"ratio ingest / bare: {bare / first['flow']:.2f}")
            print(
                f"re-run on the unchanged corpus: {again['flow']:.1f} s in the flow ({again['wall']:.1f} s wall), "
                f"{100 * again['flow'] / first['flow']:.1f} % of the first run"
            )
            print("  stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in again["stages"].items()))


if __name__ == "__main__":
    main()
