"""Shared fixtures: one Prefect test harness per session (it costs about 15 s), the real spaCy
model, and a warehouse built once from the seed and the dev articles by the real flow.

Tests are marked as they are collected (`pytest_collection_modifyitems`):
- `model`: needs the spaCy model (the `nlp` fixture, the dev warehouse, or a real run of the flow:
  everything under tests/flows/ and tests/sql/, the golden and packaging tests);
- `prefect`: runs a flow in this process, so it gets the session's Prefect test harness (pure
  tests never start it).
`pytest -m "not model"` runs the pure rules alone, in seconds; `make test` runs everything, and
keeps the model's tests together on the test processes (`--dist loadgroup` groups)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_4f7eed6f056feed8.txt"
GOLD = SHARED / "gold" / "dev.jsonl"
PROJECT_GOLD = Path(__file__).parent / "gold" / "figures.jsonl"
RESERVED = set((SHARED / "gold" / "reserved.txt").read_text().split()) if SHARED.exists() else set()

# Prefect state for the test session stays out of the user's home and the project's .prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="newsetl-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
for var in [v for v in os.environ if v.startswith("NEWSETL_")]:
    del os.environ[var]  # a developer's own settings must not change what the tests see


def corpus_records(name: str, ids: set[str] | None = None, limit: int | None = None) -> list[dict]:
    """Articles of a shared corpus, never the held-out ones in reserved.txt."""
    out = []
    path = SHARED / "corpora" / (f"{name}.jsonl" if name == "all_articles" else f"{name}/articles.jsonl")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in RESERVED or (ids is not None and rec["id"] not in ids):
                continue
            out.append(rec)
            if limit is not None and len(out) >= limit:
                break
    return out


def dev_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def project_gold() -> list[dict]:
    """Figures we labelled ourselves on corpus articles, in the format of ../shared/gold/dev.jsonl."""
    return [json.loads(line) for line in PROJECT_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def nlp():
    from transforms.nlp import load_pipeline

    return load_pipeline()


# Whole files of real runs (they load the model in this process or in the runs they start).
_RUNS = ("tests/flows/", "tests/sql/", "tests/test_golden.py", "tests/test_packaging.py")
# Of those, the files that run a flow in this process (the others run `newsetl` as a subprocess).
_IN_PROCESS = ("tests/flows/", "tests/sql/", "tests/test_golden.py")
_MODEL_FIXTURES = {"nlp", "dev_warehouse"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        fixtures = set(getattr(item, "fixturenames", ()))
        if where.startswith(_RUNS) or fixtures & _MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if where.startswith(_IN_PROCESS) or "dev_warehouse" in fixtures:
            item.add_marker(pytest.mark.prefect)


@pytest.fixture(autouse=True)
def _harness_for_flows(request: pytest.FixtureRequest) -> None:
    """The session's Prefect harness, started by the first test that runs a flow in this process.
    A session- or module-scoped fixture that runs a flow is set up before this one: it asks for
    `prefect_harness` itself (dev_warehouse, robustness's baseline, test_flags's runs)."""
    if request.node.get_closest_marker("prefect") is not None:
        request.getfixturevalue("prefect_harness")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def fresh_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty warehouse at this version's schema (no run, no model); read only."""
    from flows.store import warehouse

    db = tmp_path_factory.mktemp("fresh") / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
    return db


@pytest.fixture(scope="session")
def dev_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus the dev-gold corpus articles, as the CLI would be given them."""
    folder = tmp_path_factory.mktemp("dev_input")
    shutil.copy(SEED, folder / SEED.name)
    ids = {g["source_id"] for g in dev_gold()}
    records = corpus_records("re3d", ids=ids)
    with open(folder / "dev.jsonl", "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
    # Our own labelled articles (tests/gold/figures.jsonl), then a spread of real reporting
    # (upper-case MUC wires, FA-KES casualty news) for the data tests.
    ours = {g["source_id"] for g in project_gold()}
    extra = (
        corpus_records("re3d", ids=ours)
        + corpus_records("fakes_syria", ids=ours)
        + corpus_records("muc34", ids=ours)
        + corpus_records("fakes_syria", limit=15)
        + corpus_records("muc34", limit=15)
        + corpus_records("re3d", limit=10)
    )
    written = set(ids)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for rec in extra:
            if rec["id"] not in written:
                written.add(rec["id"])
                fh.write(json.dumps(rec) + "\n")
    return folder


@pytest.fixture(scope="session")
def dev_warehouse(dev_input: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    from flows.ingest import ingest

    db = tmp_path_factory.mktemp("wh") / "dev.duckdb"
    result = ingest(paths=[str(dev_input)], db=str(db))
    assert result["status"] == "completed"
    return db


@pytest.fixture
def proc_env(tmp_path: Path) -> dict[str, str]:
    """For `newsetl` subprocesses: they talk to the session's Prefect test server, so none starts
    its own (10-20 s); a developer's NEWSETL_* settings stay out."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSETL_")}
    env.update(PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_HOME=str(tmp_path / "prefect"))
    return env


def ingest_cmd(src: Path, db: Path, *extra: str) -> list[str]:
    """`newsetl ingest` as a subprocess: batches of 8, no progress bar, no snapshot; `extra` flags added."""
    return [
        sys.executable,
        "-m",
        "flows.cli.main",
        "ingest",
        str(src),
        "--db",
        str(db),
        "--batch-size",
        "8",
        *extra,
        "--no-progress",
        "--no-export",
    ]


def listening_addresses(pid: int) -> dict[tuple[str, int], str]:
    """Every TCP socket listening, and every UDP socket bound, in process `pid` and all its
    descendants: (local address, port) -> the process's command line."""
    import psutil  # comes with distributed

    root = psutil.Process(pid)
    found: dict[tuple[str, int], str] = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            conns = proc.net_connections(kind="inet")
            cmd = " ".join(proc.cmdline())[:200]
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        for c in conns:
            if c.status == psutil.CONN_LISTEN or (c.type == 2 and c.laddr):  # 2: SOCK_DGRAM
                found[(c.laddr.ip, c.laddr.port)] = cmd
    return found


LOOPBACK = {"127.0.0.1", "::1"}
