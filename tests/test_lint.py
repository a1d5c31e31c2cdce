"""The code stays lint- and type-clean: ruff and mypy as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff() -> None:
    out = _run("ruff", "check", "flows", "transforms", "sql", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout[-3000:]


def test_mypy() -> None:
    out = _run("mypy")
    assert out.returncode == 0, out.stdout[-3000:]
