"""The `newsetl` command: `ingest` runs the ingest flow (a Prefect flow run, or the same steps
without Prefect for a small run with no server there: `--prefect`), `sql` queries the warehouse
read-only, and the rest."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from flows.config.errors import NewsetlError
from flows.config.settings import LAUNCH_SETTINGS, add_flags, from_flags
from transforms.inputs import READERS, SUFFIXES

# The settings each command takes as flags (made from the settings' fields: names, help, defaults).
INGEST_SETTINGS = (
    "db",
    "batch_size",
    "nlp_batch_size",
    "model",
    "workers",
    "task_runner",
    "dask_address",
    "max_file_mb",
    "lock_timeout",
    "export",
    "export_dir",
    "duckdb_memory_mb",
    "prefect",
)
REBUILD_SETTINGS = tuple(n for n in INGEST_SETTINGS if n not in {"task_runner", "dask_address", "max_file_mb"})
READ_SETTINGS = ("db", "export_dir")  # sql, report: which file, and where its readers' snapshot is
DEFAULT_PORT = 4200  # `newsetl server` and `trigger`: Prefect's own default

_LIVE_HELP = (
    "read the live warehouse file, not its readers' snapshot (by default the snapshot is read whenever it shows "
    "the live file as it is, and while an ingest is writing it)"
)


def _formats() -> str:
    names = [f"{r.name} ({', '.join(r.suffixes)})" for r in dict.fromkeys(READERS.values())]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _reader_flags(parser: argparse.ArgumentParser) -> None:
    """What every reading command takes: which warehouse and snapshot (settings), and --live."""
    add_flags(parser, READ_SETTINGS)
    parser.add_argument("--live", action="store_true", help=_LIVE_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description="Turn news articles into a DuckDB warehouse of articles, sentences, entities and figures.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser(
        "ingest",
        help="ingest articles into the warehouse (the flow 'ingest': a Prefect flow run, or without Prefect)",
        description=f"Ingest articles from {_formats()} files. Re-running on the same input changes nothing; "
        "an edited file replaces its article's rows.",
    )
    ing.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"directory (walked for {', '.join('*' + s for s in SUFFIXES)}), file or glob; "
        "default: NEWSETL_PATHS if set, else seeds/",
    )
    add_flags(ing, INGEST_SETTINGS)
    ing.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar over batches (default: when the terminal is interactive)",
    )

    sql = sub.add_parser(
        "sql",
        help="run a read-only SQL query on the warehouse and print a table",
        description="Run reading SQL (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) on the "
        "warehouse file and nothing else; any other statement, or reading another file or the network, is refused "
        "(exit 2). The views v_articles, v_sentences, v_entity_mentions, v_entities, v_figures, v_ingest_runs and "
        "v_rejects are the interface.",
    )
    sql.add_argument("query", nargs="?", help='e.g. "SELECT surface, category, actor FROM v_figures"')
    sql.add_argument(
        "--file",
        "-f",
        help="run the query in this file instead, or a ready query by its name, e.g. killed_by_place "
        "(the ready ones are sql/queries/*.sql)",
    )
    _reader_flags(sql)
    sql.add_argument("--max-rows", type=int, default=100, help="rows to print at most (default 100)")

    sch = sub.add_parser(
        "schema",
        help="print the data dictionary: every contract view and column, its type and what it holds",
        description="Print what the warehouse's views (and with --tables, its base tables) hold, column by "
        "column, from the comments every run writes into it (sql/dictionary.csv). BI tools show the same "
        "comments through SQLAlchemy's reflection; duckdb_columns() has them in SQL.",
    )
    sch.add_argument("names", nargs="*", metavar="NAME", help="only these views or tables, e.g. v_figures")
    sch.add_argument("--tables", action="store_true", help="the base tables too")
    sch.add_argument("--markdown", action="store_true", help="as Markdown tables (for a wiki or a README)")
    _reader_flags(sch)

    shw = sub.add_parser(
        "show",
        help="one article with its figures, entities and sentence boundaries marked",
        description="Print an article's body with its figures (numbered, their columns listed below), entity "
        "mentions (coloured by label) and sentence starts marked; --html writes the same as a page.",
    )
    shw.add_argument("article", metavar="ARTICLE", help="an article_id, a source_id or a source_key")
    shw.add_argument("--html", metavar="FILE", help="write a self-contained HTML page instead, e.g. article.html")
    _reader_flags(shw)

    exp = sub.add_parser(
        "export",
        help="write one view (optionally filtered) to a CSV, Parquet or JSON-lines file",
        description="Write a contract view to a file, from the readers' snapshot (or --live), streaming: "
        "memory holds one batch of rows whatever the view's size. The file appears whole or not at all.",
    )
    exp.add_argument("view", metavar="VIEW", help="a contract view, e.g. v_figures (`newsetl schema` lists them)")
    exp.add_argument("--out", "-o", required=True, help="the file to write, e.g. figures.csv")
    exp.add_argument(
        "--format", choices=("csv", "parquet", "jsonl"), help="default: from --out's suffix (.csv, .parquet, .jsonl)"
    )
    exp.add_argument("--where", help="keep rows matching this SQL condition, e.g. \"category = 'killed'\"")
    _reader_flags(exp)
    exp.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None, help="show a progress bar over the rows"
    )

    reb = sub.add_parser(
        "rebuild",
        help="re-derive sentences, entities and figures from the stored text after an extractor upgrade",
        description="Parse again, from the text stored in the warehouse, every article made by another "
        "extractor version (no source files needed); articles already at this version are skipped. "
        "What changed is in v_figure_changes and v_version_changes.",
    )
    add_flags(reb, REBUILD_SETTINGS)
    reb.add_argument("--force", action="store_true", help="re-derive every article, even those at this version")
    reb.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None, help="show a progress bar")

    mig = sub.add_parser(
        "migrate",
        help="bring an older warehouse file to this version's schema (ingest and rebuild do it too)",
    )
    add_flags(mig, ("db",))

    srv = sub.add_parser(
        "server",
        help="run scheduled ingests: a Prefect server on 127.0.0.1, the work pool, the deployments and a worker",
        description="Start a real Prefect server on 127.0.0.1, create the process work pool 'newsetl-local', "
        "deploy prefect.yaml (ingest/hourly on inbox/, ingest/on-demand) and start a worker. Runs in the "
        "foreground; Ctrl-C stops every process it started.",
    )
    srv.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the server's port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    srv.add_argument("--home", help="Prefect's state directory (default: PREFECT_HOME, else .prefect in the project)")

    rep = sub.add_parser(
        "report",
        help="write a self-contained HTML page with charts of the warehouse",
        description="Figures by category over time, places with the most figures (map and table), top sources: "
        "one HTML file with inline SVG, readable offline.",
    )
    _reader_flags(rep)
    rep.add_argument("--out", "-o", default="report.html", help="the HTML file to write (default report.html)")

    trg = sub.add_parser(
        "trigger",
        help="start a run of a deployment on the running server and wait for it",
        description="Start a run of ingest/<DEPLOYMENT> on the server `newsetl server` started; paths and db "
        "can be given for this run only.",
    )
    trg.add_argument("deployment", help="hourly or on-demand (or flow/deployment)")
    trg.add_argument("paths", nargs="*", metavar="PATH", help="inputs for this run (default: the deployment's)")
    trg.add_argument("--db", help="warehouse for this run (default: the deployment's)")
    trg.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the server's port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    trg.add_argument("--no-wait", dest="wait", action="store_false", help="return once the run is created")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "ingest": _ingest,
        "rebuild": _rebuild,
        "migrate": _migrate,
        "sql": _sql,
        "schema": _schema,
        "export": _export,
        "show": _show,
        "report": _report,
        "server": _server,
        "trigger": _trigger,
    }
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # `newsetl schema | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except NewsetlError as exc:
        print(f"newsetl: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        from flows.runtime.processes import Interrupted

        if isinstance(exc, Interrupted):  # ingest, rebuild: recorded, lock released, every process stopped
            print(f"newsetl: {exc}: the batches loaded are kept; run again to do the rest", file=sys.stderr)
            return exc.exit_code
        print("newsetl: interrupted", file=sys.stderr)
        return 130


def ingest_settings(args: argparse.Namespace) -> Any:
    """`newsetl ingest`'s settings: its flags and paths over the environment over the defaults."""
    return from_flags(args, INGEST_SETTINGS, paths=args.paths or None)


def rebuild_settings(args: argparse.Namespace) -> Any:
    return from_flags(args, REBUILD_SETTINGS)


def flow_parameters(settings: Any, names: Sequence[str] = ("paths", *INGEST_SETTINGS)) -> dict[str, Any]:
    """What the flow is given: the settings named, but for those of how the command starts it."""
    return settings.parameters([n for n in names if n not in LAUNCH_SETTINGS])


def _ingest(args: argparse.Namespace) -> int:
    from flows.config.settings import check_model, prefect_environment
    from flows.readers.sources import expand_paths

    # Fail on bad settings and missing inputs before Prefect starts its server (10-20 s).
    settings = ingest_settings(args)
    found = expand_paths(settings.paths)
    check_model(settings.model)
    small = _small(found.files)
    prefect_environment()
    with_prefect = _with_prefect(settings, small)
    _check_warehouse(settings)
    run: Callable[[Any], dict[str, Any]]
    if with_prefect:
        from flows.cli.console import quiet_expected_tracebacks
        from flows.ingest import ingest

        quiet_expected_tracebacks()
        flow_fn: Any = ingest
        if settings.task_runner == "dask":
            from flows.runtime.dask_runner import task_runner

            flow_fn = ingest.with_options(task_runner=task_runner(settings.dask_address, settings.workers))

        def run(_: Any) -> dict[str, Any]:
            with _short_run(small):
                return flow_fn(**flow_parameters(settings))

    else:
        from flows import pipeline

        def run(logger: Any) -> dict[str, Any]:
            return pipeline.ingest(settings, logger)

    # Waiting for another ingest happens here, before the flow: giving up is one line, not a traceback.
    with _running(settings, with_prefect, args.progress) as logger:
        result = run(logger)
    print(format_summary(result))
    return exit_code(result)


def _with_prefect(settings: Any, small: bool, verb: str = "ingest") -> bool:
    """Whether the run is a Prefect flow run (`--prefect`): always, never, or, by default, whenever a
    Prefect server is there to report to (PREFECT_API_URL, a running `newsetl server`), for inputs
    over SMALL_INPUT_BYTES (a run long enough that 6 s of starting Prefect's temporary server do not
    matter, and one to follow in its UI), for a rebuild, and for Dask, which runs Prefect's tasks. A
    small run with no server there is a plain run: the same steps and the same record in the
    warehouse, 6 s sooner, and not shown in any Prefect UI (it says so). A Prefect API that is named
    but does not answer is one line, before any work (a small run goes on without Prefect)."""
    from flows.config.errors import PrefectUnreachable, SettingsInvalid
    from flows.runtime import processes

    dask = verb == "ingest" and settings.task_runner == "dask"
    if settings.prefect == "never":
        if dask:
            raise SettingsInvalid(
                "task_runner=dask (--task-runner, NEWSETL_TASK_RUNNER) runs parse batches as Prefect tasks: "
                "it cannot be used with prefect=never (--prefect, NEWSETL_PREFECT)"
            )
        return False
    auto_and_small = settings.prefect == "auto" and small and verb == "ingest" and not dask
    api = processes.configured_api_url()
    if api is not None and not processes.answers(api):
        if auto_and_small:
            _say(f"the Prefect API at {api} does not answer: this {verb} runs without Prefect (recorded in the "
                 "warehouse, v_ingest_runs, not in a Prefect UI)")  # fmt: skip
            return False
        never = "" if dask else ", or pass --prefect never"
        raise PrefectUnreachable(
            f"the Prefect API at {api} (PREFECT_API_URL in Prefect's settings) does not answer: start that "
            f"server, or take PREFECT_API_URL out of the environment, .env, prefect.toml or the profile for a "
            f"temporary one{never}"
        )
    if settings.prefect == "always" or not auto_and_small or api is not None:
        return True
    if processes.running_newsetl_server():  # a running `newsetl server` with this Prefect home
        return True
    _say(
        f"this {verb} runs without Prefect (a small input, and no Prefect server to report to): recorded in the "
        "warehouse (v_ingest_runs), not in a Prefect UI; `newsetl server` or --prefect always make it a flow run"
    )
    return False


@contextmanager
def _running(settings: Any, with_prefect: bool, progress: bool | None) -> Iterator[Any]:
    """Around an ingest or a rebuild: its processes, the warehouse's lock, its log (the logger of a
    run without Prefect, else None) and its progress bar (on a terminal, unless --progress says)."""
    from flows.runtime.progress import reporting_to
    from flows.store.lock import run_lock

    show = sys.stderr.isatty() if progress is None else progress
    with (
        _run_processes(with_prefect, settings.workers),
        run_lock(settings.db, settings.lock_timeout, _say),
        _run_log(with_prefect) as logger,
        _progress_bar(show) as bar,
        reporting_to(bar),
    ):
        yield logger


def _run_log(with_prefect: bool) -> Any:
    """The log of a run without Prefect, on the console as Prefect's flow-run lines would be, for the
    length of the run (a flow run logs through Prefect's own)."""
    from flows.cli.console import log_to_console

    return nullcontext(None) if with_prefect else log_to_console()


EXIT_REJECTED = 3
# Inputs of at most this many bytes (a few hundred news articles) make a run of seconds to a minute.
SMALL_INPUT_BYTES = 1_000_000


def _small(files: list[Any]) -> bool:
    total = 0
    for f in files:
        with suppress(OSError):
            total += f.path.stat().st_size
        if total > SMALL_INPUT_BYTES:
            return False
    return True


@contextmanager
def _short_run(short: bool) -> Iterator[None]:
    """A run on small inputs sends Prefect no flow-run heartbeats. Prefect beats every 180 s (30 s at
    least) to tell a crashed run from a live one, from a thread it joins when the run ends, which
    waits out that thread's one-second sleep: up to 1 s added to a run of a few seconds that would
    only ever send its first beat. Long runs keep them."""
    if not short:
        yield
        return
    import prefect.settings as prefect_settings

    with prefect_settings.temporary_settings({prefect_settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def exit_code(result: dict[str, Any]) -> int:
    """0: every input loaded or unchanged; 3: the run completed but some inputs were rejected; 1: failed."""
    if result.get("status") != "completed":
        return 1
    return EXIT_REJECTED if result.get("rejected") else 0


@contextmanager
def _run_processes(with_prefect: bool = True, workers: int = 1) -> Iterator[None]:
    """Every process of the run ends with it (its own temporary Prefect server, parse workers, Dask
    processes), however it ends; Ctrl-C and SIGTERM stop it in seconds, the run recorded. A run
    without Prefect runs its submitted steps on threads of its own, as Prefect's task runner would."""
    from flows.runtime import parallel, processes, steps

    orchestrated = processes.prefect_api(say=_say) if with_prefect else steps.without_prefect(workers + 1)
    with processes.lifeline(), processes.interruptible(_say, with_prefect), orchestrated:
        try:
            yield
        finally:
            parallel.shutdown()  # idle workers leave now (an interrupt has killed them already)


def _say(message: str) -> None:
    print(f"newsetl: {message}", file=sys.stderr, flush=True)


def _check_warehouse(settings: Any) -> None:
    """Before Prefect starts: another ingest means waiting for the lock (the flow does that); another
    process reading the file (a notebook, a BI tool on the live warehouse) is waited for, up to
    NEWSETL_LOCK_TIMEOUT; a file that cannot be opened at all is an error now, not later."""
    from flows.store.lock import WarehouseBusy, holder, run_lock
    from flows.store.warehouse import check_writable, wait_for_readers

    db = settings.db
    wait_for_readers(settings.lock_timeout, _say)
    try:
        with run_lock(db, timeout=0):  # held only for the check, so two starting runs do not trip on it
            check_writable(db)
    except WarehouseBusy:
        print(f"newsetl: another ingest is writing {db} ({holder(db)}): this one will wait for it", file=sys.stderr)


def _rebuild(args: argparse.Namespace) -> int:
    from flows.config.settings import check_model, prefect_environment
    from flows.store.warehouse import connect

    settings = rebuild_settings(args)
    check_model(settings.model)
    with connect(settings.db, read_only=True):
        pass  # a missing warehouse is one clear line, before Prefect starts
    # A rebuild's size is known only inside the run: by default it is a flow run (a server, or a
    # temporary one), like an ingest of more than a few articles.
    prefect_environment()
    with_prefect = _with_prefect(settings, small=False, verb="rebuild")
    _check_warehouse(settings)
    run: Callable[[Any], dict[str, Any]]
    if with_prefect:
        from flows.cli.console import quiet_expected_tracebacks
        from flows.ingest import rebuild

        quiet_expected_tracebacks()

        def run(_: Any) -> dict[str, Any]:
            return rebuild(**flow_parameters(settings, REBUILD_SETTINGS), force=args.force)

    else:
        from flows import pipeline

        def run(logger: Any) -> dict[str, Any]:
            return pipeline.rebuild(settings, logger, args.force)

    with _running(settings, with_prefect, args.progress) as logger:
        result = run(logger)
    print(format_summary(result, verb="rebuild"))
    changes = _version_changes(settings.db)
    if changes:
        print(changes)
    return exit_code(result)


def _version_changes(db: Path) -> str:
    from flows.store.warehouse import run_query

    cols, rows = run_query(db, "SELECT * EXCLUDE (first_changed_at) FROM v_version_changes ORDER BY last_changed_at")
    return "figure changes by extractor version:\n" + format_table(cols, rows) if rows else ""


def _migrate(args: argparse.Namespace) -> int:
    from flows.store.migrations import SCHEMA_VERSION, migrate
    from flows.store.warehouse import connect

    settings = from_flags(args, ("db",))
    with connect(settings.db, read_only=True):
        pass
    with connect(settings.db) as con:
        before = migrate(con)
    print(f"newsetl: {settings.db} is at schema {SCHEMA_VERSION} (was {before})")
    return 0


@contextmanager
def _progress_bar(show: bool) -> Iterator[Callable[[int, int, int, int], None]]:
    """A bar over the inputs, advanced chunk by chunk and batch by batch, with words per second."""
    if not show:
        yield lambda done, total, words, parsed: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, force_terminal=True)
    columns = (
        TextColumn("parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("inputs"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar, _quiet_run_console():
        task = bar.add_task("parse", total=None, rate="", eta="eta: estimating")
        estimate = Estimate()

        def report(done: int, total: int, batch_words: int, parsed: int) -> None:
            estimate.update(done, total, batch_words, parsed, time.perf_counter())
            bar.update(task, completed=done, total=total, rate=estimate.rate(), eta=estimate.eta(), refresh=True)

        try:
            yield report
        finally:
            bar.update(task, eta="")  # done, stopped or nothing to do: no estimate left on screen


class Estimate:
    """Words per second and the time left, from the documents parsed so far: the first report (the
    first chunk planned, or a rebuild's count) starts the clock, so Prefect's start-up is left out;
    inputs done without a parse (unchanged, duplicate) never count as parsed; and the first batch of
    a run is small (flows/ingest.py FIRST_BATCH), so an estimate shows after a few documents. The
    first estimate carries the start of the parse workers and is on the long side."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.done = self.total = self.words = self.parsed = 0
        self.seconds = 0.0

    def update(self, done: int, total: int, batch_words: int, parsed: int, now: float) -> None:
        if self.started is None:
            self.started = now
        self.done, self.total, self.parsed, self.seconds = done, total, parsed, now - self.started
        self.words += batch_words

    def rate(self) -> str:
        return f"{self.words / self.seconds:,.0f} words/s" if self.seconds > 0 and self.words else ""

    def eta(self) -> str:
        if self.total and self.done >= self.total:
            return ""
        if self.parsed <= 0 or self.seconds <= 0:
            return "eta: estimating"
        left = round(max(self.total - self.done, 0) * self.seconds / self.parsed)
        return f"eta {left // 3600}:{left % 3600 // 60:02d}:{left % 60:02d}"


@contextmanager
def _quiet_run_console() -> Iterator[None]:
    """While the bar is drawn, the run's console lines (Prefect's: one per task) would tear it;
    warnings still show."""
    import logging

    from flows.cli.console import console_handlers

    levels = {h: h.level for h in console_handlers()}
    for h in levels:
        h.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for h, level in levels.items():
            h.setLevel(level)


def format_summary(s: dict[str, Any], verb: str = "ingest") -> str:
    rows = s.get("rows", {})
    totals = s.get("totals", {})
    tables = ("articles", "sentences", "entity_mentions", "figures")
    lines = [
        f"{verb} {s['status']} in {s['seconds']:.1f} s -> {s['db']} (run {s['run_id'][:12]})",
        f"  files seen: {s['files_seen']}"
        + (f" ({s['files_ignored']} hidden files skipped)" if s["files_ignored"] else ""),
        # Every input (a file, or a JSON line) is accounted for: the parts add up to the whole.
        f"  inputs: {s['inputs']} = {s['new']} new + {s['updated']} updated + {s['unchanged']} unchanged + "
        f"{s['duplicate']} duplicate + {s['rejected']} rejected",
        *_not_english(s),
        "  rows written: " + ", ".join(f"{t} {rows.get(t, 0):,}" for t in tables),
        "  warehouse now: " + ", ".join(f"{t} {totals.get(t, 0):,}" for t in tables),
    ]
    if s.get("shared_ids"):
        lines.append(
            f"  source ids shared by different inputs: {s['shared_ids']} (kept as separate documents; "
            "v_article_sources.source_key tells them apart)"
        )
    if s.get("timings"):
        lines.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in s["timings"].items()))
    if s.get("published"):
        lines.append(f"  readers' snapshot: {s['published']} (and parquet/ beside it)")
    if s["rejected"]:
        lines.append('  see rejects: newsetl sql "SELECT * FROM v_rejects ORDER BY rejected_at DESC"')
    return "\n".join(lines)


def _not_english(s: dict[str, Any]) -> list[str]:
    """Articles stored but not parsed (the extractors are English), by language, most first."""
    langs = sorted(s.get("not_english", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if not langs:
        return []
    each = ", ".join(f"{lang} {n}" for lang, n in langs)
    return [f"  not English (stored, not parsed): {sum(n for _, n in langs)} ({each})"]


def _server(args: argparse.Namespace) -> int:
    import os
    import signal
    from pathlib import Path

    from flows.config.errors import InputNotFound
    from flows.config.settings import IN_CHECKOUT, PROJECT_DIR, prefect_home

    if not IN_CHECKOUT:
        raise InputNotFound(
            f"`newsetl server` deploys prefect.yaml from a checkout of newsetl; this newsetl is installed in "
            f"{PROJECT_DIR}, which has none: run the newsetl of a checkout (its .venv/bin/newsetl, or `make serve`)"
        )
    from flows.runtime import server

    home = Path(args.home or os.environ.get("PREFECT_HOME") or prefect_home()).resolve()
    stack = server.start(home, args.port, echo=lambda msg: print(f"newsetl: {msg}", flush=True))
    # A scheduler or service manager stops us with SIGTERM: stop the stack as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(ready_message(args.port, stack.api_url, stack.logs), flush=True)
    try:
        while True:
            for name, proc in stack.processes.items():
                if proc.poll() is not None:
                    print(f"newsetl: error: the {name} exited ({proc.returncode}); see {stack.logs}", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("newsetl: stopping the worker and the server", flush=True)
        return 0
    finally:
        server.stop(stack)


def ready_message(port: int, api_url: str, logs: Path) -> str:
    """What `newsetl server` says once its stack is up; the commands it shows reach this server."""
    on = "" if port == DEFAULT_PORT else f" --port {port}"
    return (
        f"newsetl: ready. UI and API: http://127.0.0.1:{port} (logs in {logs})\n"
        f"  run now:      newsetl trigger hourly{on}      (or: PREFECT_API_URL={api_url} "
        "prefect deployment run ingest/hourly)\n"
        "  new articles: copy them into inbox/; ingest/hourly runs at minute 0 of every hour (UTC)\n"
        "  stop:         Ctrl-C"
    )


def _trigger(args: argparse.Namespace) -> int:
    from flows.runtime import server

    deployment = args.deployment if "/" in args.deployment else f"ingest/{args.deployment}"
    api = f"http://{server.HOST}:{args.port}/api"
    if not server.port_in_use(args.port):
        raise server.ServerFailed(f"no Prefect server on {api}: start one with `newsetl server`")
    params: dict[str, Any] = {}
    if args.paths:
        params["paths"] = [str(Path(p).resolve()) for p in args.paths]  # the worker runs in the project dir
    if args.db:
        params["db"] = str(Path(args.db).resolve())
    run_id = server.trigger(api, deployment, params)
    print(f"newsetl: started {deployment}, flow run {run_id}")
    if not args.wait:
        return 0
    state = server.wait_for(api, run_id, timeout=24 * 3600)
    print(f"newsetl: flow run {run_id} {state}")
    return 0 if state == "COMPLETED" else 1


def _report(args: argparse.Namespace) -> int:
    from flows.cli.report import write_report

    settings = from_flags(args, READ_SETTINGS)
    db = _file_to_read(settings, args.live)
    _warn_if_old(db)
    out = Path(args.out)
    data = write_report(db, out)
    print(
        f"newsetl: wrote {out} ({data.totals['articles']:,} articles, {data.totals['figures']:,} figures, "
        f"{len(data.places)} places, {len(data.sources)} sources)"
    )
    return 0


def _sql(args: argparse.Namespace) -> int:
    from flows.store.warehouse import run_query

    settings = from_flags(args, READ_SETTINGS)
    query = _query_text(args.query, args.file)
    db = _file_to_read(settings, args.live)
    _warn_if_old(db)
    columns, rows = run_query(db, query)
    print(format_table(columns, rows, args.max_rows))
    return 0


def _show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from flows.cli.show import article_marks, render_terminal, write_html
    from flows.store.warehouse import connect_sealed
    from transforms.show import render_html

    settings = from_flags(args, READ_SETTINGS)
    db = _file_to_read(settings, args.live)
    _warn_if_old(db)
    with connect_sealed(db) as con:
        article, sentences, mentions, figures = article_marks(con, args.article)
    if args.html:
        out = Path(args.html)
        write_html(out, render_html(article, sentences, mentions, figures))
        print(f"newsetl: wrote {out} (article {article['article_id']}, {len(figures)} figures, {len(mentions)} mentions)")
        return 0
    console = Console(soft_wrap=False)
    console.print(render_terminal(article, sentences, mentions, figures, colour=console.is_terminal))
    return 0


def _export(args: argparse.Namespace) -> int:
    from flows.cli.export import FORMATS, export_view
    from flows.config.errors import InputNotFound

    settings = from_flags(args, READ_SETTINGS)
    out = Path(args.out)
    if out.is_dir():
        raise InputNotFound(f"--out {out} is a directory: give a file name, e.g. {out / (args.view + '.csv')}")
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputNotFound(f"give --format ({', '.join(FORMATS)}): {out.name!r} does not say which")
    db = _file_to_read(settings, args.live)
    _warn_if_old(db)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    with _rows_bar(show, f"export {args.view}") as bar:
        rows = export_view(db, args.view, fmt, out, args.where, bar, protected=(settings.db, settings.exports))
    print(f"newsetl: wrote {out} ({rows:,} rows of {args.view}, {fmt})")
    return 0


@contextmanager
def _rows_bar(show: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    if not show:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("rows"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True, force_terminal=True)) as bar:
        task = bar.add_task("rows", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _schema(args: argparse.Namespace) -> int:
    from flows.config.errors import InputNotFound
    from flows.store.warehouse import connect_sealed, data_dictionary
    from sql import describe

    settings = from_flags(args, READ_SETTINGS)
    db = _file_to_read(settings, args.live)
    _warn_if_old(db)
    with connect_sealed(db) as con:
        rows = data_dictionary(con, tables=args.tables or any(not n.startswith("v_") for n in args.names))
    known = {r[0] for r in rows}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        raise InputNotFound(f"no such view or table: {unknown[0]!r} (there are: {', '.join(sorted(known))})")
    if args.names:
        rows = [r for r in rows if r[0] in args.names]
    # A warehouse from before the dictionary (readers do not migrate) has no comments yet: this
    # newsetl's own words for them.
    rows = [(o, oc or describe(o) or "", c, t, cc or describe(o, c) or "") for o, oc, c, t, cc in rows]
    print(format_dictionary(rows, markdown=args.markdown))
    return 0


def format_dictionary(rows: list[tuple[str, str, str, str, str]], markdown: bool = False) -> str:
    """The dictionary as text: each object, what it holds, then its columns (name, type, meaning)."""
    out: list[str] = []
    objects = list(dict.fromkeys(r[0] for r in rows))
    for obj in objects:
        cols = [r for r in rows if r[0] == obj]
        if markdown:
            out += [f"### {obj}", "", cols[0][1], "", "| column | type | meaning |", "|---|---|---|"]
            out += [f"| {c} | {t} | {m.replace('|', '/')} |" for _, _, c, t, m in cols]
        else:
            width = max(len(c) for _, _, c, _, _ in cols)
            kind = max(len(t) for _, _, _, t, _ in cols)
            out += [f"{obj}: {cols[0][1]}"]
            out += [f"  {c.ljust(width)}  {t.ljust(kind)}  {m}" for _, _, c, t, m in cols]
        out.append("")
    return "\n".join(out).rstrip()


def _file_to_read(settings: Any, live: bool) -> Path:
    """What a reader opens: the readers' snapshot while it shows the live file as it is (so readers
    never compete with a run), else the live file; while an ingest is writing, the snapshot as last
    published, with a note. `--live` always reads the live file."""
    from flows.store import exports
    from flows.store.lock import holder

    if live:
        return Path(settings.db)
    current = exports.current_snapshot(settings.db, settings.exports)
    if current is not None:
        return current
    writer = holder(settings.db)
    last = exports.snapshot_of(settings.db, settings.exports)
    if writer is not None and last is not None:
        print(
            f"newsetl: note: an ingest is writing {settings.db} ({writer}): reading its readers' snapshot {last}, "
            "which does not have that run's rows yet (--live waits for nothing and may find the file busy)",
            file=sys.stderr,
        )
        return last
    return Path(settings.db)


def _warn_if_old(db: Path) -> None:
    """Readers do not migrate (they open read-only): they say what to run instead."""
    from flows.store.migrations import check
    from flows.store.warehouse import connect_sealed

    with connect_sealed(db) as con:
        message = check(con, str(db))
    if message:
        print(f"newsetl: warning: {message}", file=sys.stderr)


def _query_text(query: str | None, file: str | None) -> str:
    from flows.config.errors import InputNotFound
    from sql import ready_queries

    ready = ready_queries()
    names = ", ".join(ready)
    if (query is None) == (file is None):
        raise InputNotFound(f"give either a query or --file FILE or --file NAME of a ready query ({names})")
    if file is None:
        return str(query)
    path = Path(file)
    if not path.is_file() and path.parent == Path("."):  # a bare name: a ready query
        path = ready.get(path.stem if path.suffix == ".sql" else file, path)
    if not path.is_file():
        raise InputNotFound(f"no such query file or ready query: {file!r} (the ready queries: {names})")
    return path.read_text(encoding="utf-8")


def format_table(columns: list[str], rows: list[tuple[Any, ...]], max_rows: int = 100) -> str:
    if not columns:
        return "(no result)"
    shown = [[_cell(v) for v in row] for row in rows[:max_rows]]
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), line]
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    more = f", {len(rows) - max_rows} not shown (--max-rows)" if len(rows) > max_rows else ""
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    text = str(value).replace("\n", "\\n")
    return text if len(text) <= 80 else text[:77] + "..."


# Commands that load the model and the parse cache: after them, the interpreter's teardown frees
# millions of objects one at a time.
_LOADED_COMMANDS = ("ingest", "rebuild")


def console() -> None:
    """The `newsetl` command (and `python -m flows.cli.main`): `main`, then exit. After `ingest` and
    `rebuild`, once the command has returned (its warehouse and files closed, its worker processes
    stopped), the exit handlers run (Prefect's log and event workers drain, temporary folders go),
    then the process ends at once instead of freeing the model, the gazetteer's 174,233 places and
    the rest object by object: 0.6 s of a 4.8 s first result. Tests call `main`, which never exits."""
    code = main()
    if sys.argv[1:2] and sys.argv[1] in _LOADED_COMMANDS:
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:
    import atexit
    import threading

    for thread in threading.enumerate():  # as the interpreter would: wait for non-daemon threads
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # Prefect's drains, logging.shutdown, weakref finalizers of temp folders
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):  # a closed pipe (`| head`) has nothing left to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
