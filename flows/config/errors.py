"""Expected failures: each carries one line for the user, printed without a traceback."""

from __future__ import annotations


class NewsetlError(Exception):
    """Base of every failure the user can fix; the CLI prints it as one line and exits non-zero."""

    exit_code = 1


class SettingsInvalid(NewsetlError):
    exit_code = 2


class InputNotFound(NewsetlError):
    exit_code = 2


class WarehouseMissing(NewsetlError):
    pass


class WarehouseLocked(NewsetlError):
    pass


class WarehouseUnusable(NewsetlError):
    """The warehouse file cannot be opened or written: damaged, not a DuckDB file, a read-only
    folder, a full disk."""


class QueryFailed(NewsetlError):
    pass


class QueryRefused(NewsetlError):
    """`newsetl sql` was given a statement that does more than read the warehouse."""

    exit_code = 2


class PrefectUnreachable(NewsetlError):
    """The Prefect API a flow run would report to (PREFECT_API_URL) does not answer."""
