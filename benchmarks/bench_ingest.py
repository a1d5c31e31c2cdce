"""Throughput of the parse and load path, printed as figures (never asserted in tests).

    .venv/bin/python benchmarks/bench_ingest.py [--docs N] [--batch-size N] [--flow]

Reads real articles from ../shared/corpora/all_articles.jsonl (held-out articles excluded),
parses them with the production pipeline, bulk-loads the rows into a fresh DuckDB file, and with
--flow also runs the whole `ingest` flow (Prefect ephemeral server) on the same input.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def load_records(n: int) -> list[dict]:
    reserved = set((SHARED / "gold" / "reserved.txt").read_text().split())
    out = []
    with open(SHARED / "corpora" / "all_articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] not in reserved:
                out.append(rec)
            if len(out) >= n:
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=400, help="articles to parse (default 400)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--flow", action="store_true", help="also time the whole Prefect flow")
    args = ap.parse_args()

    from flows.store import warehouse
    from transforms.articles import RawDocument
    from transforms.nlp import load_pipeline
    from transforms.pipeline import parse_batch, warm_up_resources

    records = load_records(args.docs)
    docs = [RawDocument(r["id"], r["text"], title=r.get("title"), origin="bench.jsonl") for r in records]
    t0 = time.perf_counter()
    nlp = load_pipeline()
    print(f"model load: {time.perf_counter() - t0:.2f} s ({', '.join(nlp.pipe_names)})")
    t0 = time.perf_counter()
    warm_up_resources(nlp)
    print(f"gazetteer, alias list and recasing words: {time.perf_counter() - t0:.2f} s (once per process)")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        parse_s = load_s = 0.0
        words = rows = figures = 0
        with warehouse.connect(db) as con:
            warehouse.ensure_schema(con)
            for i in range(0, len(docs), args.batch_size):
                t = time.perf_counter()
                batch = parse_batch(nlp, docs[i : i + args.batch_size])
                parse_s += time.perf_counter() - t
                t = time.perf_counter()
                warehouse.load_batch(con, batch, "bench", datetime.now(UTC).replace(tzinfo=None))
                load_s += time.perf_counter() - t
                words += int(batch.articles.get_column("n_words").sum() or 0)
                rows += sum(batch.row_counts.values())
                figures += batch.figures.height
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"parsed {len(docs)} articles, {words:,} words in {parse_s:.1f} s: {words / parse_s:,.0f} words/s")
        print(f"loaded {rows:,} rows ({figures:,} figures) in {load_s:.2f} s: {rows / load_s:,.0f} rows/s")
        print(f"peak RSS: {rss:,.0f} MiB")

        if args.flow:
            from flows.config.settings import prefect_environment

            prefect_environment()
            from flows.ingest import ingest

            src = Path(tmp) / "in.jsonl"
            src.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
            t = time.perf_counter()
            result = ingest(paths=[str(src)], db=str(Path(tmp) / "flow.duckdb"), batch_size=args.batch_size)
            total = time.perf_counter() - t
            print(
                f"flow: {result['new']} articles in {total:.1f} s wall ({result['seconds']:.1f} s in flow), "
                f"{result['words'] / total:,.0f} words/s end to end"
            )


if __name__ == "__main__":
    main()
