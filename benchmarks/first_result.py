"""Time to first result: `newsetl ingest one.txt` against a bare spaCy script doing the same parse.

Both run as fresh processes, as a user runs them, on one small article (the seed by default):

- bare:  python -c "import spacy; nlp = spacy.load(model); nlp(text)" (the same model package);
- ours:  newsetl ingest DIR --db NEW.duckdb --no-progress (a new warehouse each time: the whole
         first run, the snapshot published). With no Prefect server to report to, a small input
         runs without Prefect (the default, --prefect auto);
- re-run: the same command again on the same warehouse (nothing new to parse);
- ours, --prefect always: the first run as a Prefect flow run, on Prefect's temporary server;
- then ours and its re-run again while a `newsetl server` runs with the same Prefect home (the
  runs report to it as flow runs), once it has been up for --settle seconds.

The gazetteer's cache (flows/runtime/cache.py) starts empty in a new folder: the first run builds it.
"cold" is the first run of each in this process's life (files may still be in the page cache from
earlier work on the machine); "warm" the median of the next runs. Each command is timed after
--pause seconds of quiet (bare and ours alike): on two cores, a run that follows the previous one at
once shares the CPU with the server still storing that run's logs and events (measured: 5.0 s or
6.0 s at random without the pause). Figures are printed, never asserted.
Usage: python -m benchmarks.first_result [--runs 3] [--file ARTICLE] [--no-server] [--settle 30] [--pause 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))
NEWSETL = Path(sys.executable).parent / "newsetl"
BARE = (
    "import sys, spacy; nlp = spacy.load(sys.argv[1]); doc = nlp(open(sys.argv[2], encoding='utf-8').read()); "
    "print(len(doc.ents))"
)


PAUSE = [0.0]  # seconds of quiet before each timed command (--pause)


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    time.sleep(PAUSE[0])  # the Prefect server stores the last run's logs and events meanwhile
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - t0
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({done.returncode}): {done.stderr[-1500:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each after the cold one (default 3)")
    parser.add_argument("--file", type=Path, default=SEED, help="the article (default: the seed)")
    parser.add_argument("--no-server", action="store_true", help="skip the runs beside a running `newsetl server`")
    parser.add_argument(
        "--settle", type=float, default=30.0,
        help="seconds to let the server finish starting its services before timing (default 30)",
    )  # fmt: skip
    parser.add_argument(
        "--pause", type=float, default=5.0,
        help="seconds of quiet before each timed command, for bare and ours alike (default 5): a first result "
        "is asked of an idle machine, not of one still storing the previous run",
    )  # fmt: skip
    args = parser.parse_args(argv)
    PAUSE[0] = args.pause

    from transforms.nlp import default_model

    model = os.environ.get("NEWSETL_MODEL") or default_model()
    work = Path(tempfile.mkdtemp(prefix="newsetl-first-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSETL_", "PREFECT_API_URL"))}
    env["PREFECT_HOME"] = str(work / "prefect")
    env["NEWSETL_CACHE_DIR"] = str(work / "cache")
    (work / "in").mkdir()
    shutil.copy(args.file, work / "in" / args.file.name)
    words = len(args.file.read_text(encoding="utf-8").split())
    bare: list[float] = []
    ours: list[float] = []
    rerun: list[float] = []
    flow_run: list[float] = []
    served: list[float] = []
    served_rerun: list[float] = []
    try:
        for i in range(args.runs + 1):
            bare.append(_timed([sys.executable, "-c", BARE, model, str(work / "in" / args.file.name)], work, env))
            db = work / f"w{i}.duckdb"
            command = [str(NEWSETL), "ingest", "in", "--db", str(db), "--no-progress"]
            ours.append(_timed(command, work, env))
            rerun.append(_timed(command, work, env))
            always = [str(NEWSETL), "ingest", "in", "--db", str(work / f"p{i}.duckdb"), "--no-progress"]
            flow_run.append(_timed([*always, "--prefect", "always"], work, env))
            print(
                f"run {i + 1}: bare {bare[-1]:.1f} s, ours {ours[-1]:.1f} s, re-run {rerun[-1]:.1f} s, "
                f"--prefect always {flow_run[-1]:.1f} s",
                flush=True,
            )
        if not args.no_server:
            from flows.runtime import server

            stack = server.start(work / "prefect", server.free_port())
            # A server just started runs its services' first rounds (and the worker its first polls) on
            # the same two cores; one that is "running" has been up for a while.
            time.sleep(args.settle)
            try:
                for i in range(args.runs + 1):
                    db = work / f"s{i}.duckdb"
                    command = [str(NEWSETL), "ingest", "in", "--db", str(db), "--no-progress"]
                    served.append(_timed(command, work, env))
                    served_rerun.append(_timed(command, work, env))
                    print(f"beside a server, run {i + 1}: ours {served[-1]:.1f} s, re-run {served_rerun[-1]:.1f} s")
            finally:
                server.stop(stack)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def warm(xs: list[float]) -> float:
        return statistics.median(xs[1:]) if len(xs) > 1 else xs[0]

    print(f"\nfirst result on {args.file.name} ({words:,} words), model {model}")
    print(f"{'':26}{'cold':>8}{'warm':>8}{'warm / bare':>13}")
    rows = [("bare spaCy", bare), ("ours", ours), ("ours, re-run", rerun), ("ours, --prefect always", flow_run)]
    rows += [("ours, server running", served), ("ours, re-run, server", served_rerun)] if served else []
    for name, xs in rows:
        print(f"{name:26}{xs[0]:>7.1f}s{warm(xs):>7.1f}s{warm(xs) / warm(bare):>12.1f}x")
    print("(target: ours within 3x of bare, warm)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
