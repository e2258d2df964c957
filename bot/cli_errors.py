"""How the ``dxbot`` command fails: one line naming the file and the problem, never a traceback."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import click

_HINTS = {
    "file is not a database": "not a SQLite database (corrupt, or another kind of file)",
    "database disk image is malformed": "the database is damaged (restore a backup, or move it away and re-ingest)",
    "attempt to write a readonly database": "read-only: dxbot needs to write to it (check the file's and the directory's permissions)",
    "unable to open database file": "cannot be opened (does the directory exist, and may dxbot write there?)",
    "database is locked": "locked by another process for too long",
}


def database_problem(exc: sqlite3.Error) -> str:
    text = str(exc)
    return next((hint for key, hint in _HINTS.items() if key in text), text)


class Dxbot(click.Group):
    """The command group: turns a database or input-encoding failure into one clear line (exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            raise click.ClickException(f"{_db_path(ctx)}: {database_problem(exc)}") from exc
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"input is not UTF-8 text (byte {exc.start}): {exc.reason}") from exc


def _db_path(ctx: click.Context) -> str:
    settings = ctx.obj
    return str(getattr(settings, "db_path", "the database"))


def read_plan_file(path: Path) -> str:
    """The plan as text, or a ClickException naming the path and what is wrong with it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from exc
    if b"\x00" in data[:65536]:
        raise click.ClickException(f"{path}: a binary file, not the plan's text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {exc.start}); convert it first, e.g. iconv -f SHIFT_JIS -t UTF-8") from exc


def check_time(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Option callback: an ISO 8601 date or time, else a usage error (exit 2) that shows the form."""
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time, e.g. 2027-05-01 or "
                                 "2027-05-01T09:00+09:00") from None
    return value
