"""Opening the state: the knowledge base's SQLite file with the state migrated into it (the
embedded default), or PostgreSQL for several hosts (``DXBOT_DATABASE_URL``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlite_utils import Database

from knowledge.store import open_knowledge
from state.migrations import LATEST, current_version, migrate
from state.statedb import PostgresState, StateDB, as_state


def connect(path: str | Path | None = None, *, memory: bool = False) -> Database:
    """The knowledge base (``knowledge.store.open_knowledge``) with the state's tables migrated into
    the same file: the embedded default keeps its state there, and every host's local file holds
    the plan's own evaluations and aliases in the state's tables."""
    db = open_knowledge(path, memory=memory)
    migrate(as_state(db))
    return db


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgresql", "postgres"}  # type: ignore[union-attr]


def open_state(url: str | None, *, sqlite_db: Any, migrate_now: bool = True) -> StateDB:
    """The state for ``DXBOT_DATABASE_URL`` (unset: ``sqlite_db``'s file), migrated to this code.

    A PostgreSQL state is attached to ``sqlite_db``: every store built from the knowledge base
    (``Directory(db)``, ``QuestionLog(db)``, ``submit_draft(db, …)``) then uses it, and the
    channels need not know where the state lives.
    """
    if not url:
        state: StateDB = as_state(sqlite_db)
    elif is_postgres_url(url):
        state = PostgresState(url)
        sqlite_db._dxbot_state = state
    else:
        raise ValueError(f"DXBOT_DATABASE_URL must start with postgresql://, not {url.split(':', 1)[0]!r}")
    if migrate_now:
        migrate(state)
    return state


def checkpoint(db: Any) -> None:
    """At a clean stop: fold the WAL into the database file and empty it. Pages the WAL held
    would otherwise keep, until overwritten, old versions of rows since rewritten (a queued
    question's text and ids, which its finished row no longer has)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def health(state: StateDB) -> dict[str, Any]:
    """For /healthz: which database, whether it answers, and its schema version."""
    try:
        version = current_version(state)
        reachable = True
    except Exception:  # noqa: BLE001 - an unreachable database is what this reports
        version, reachable = None, False
    return {"backend": state.dialect, "where": state.describe(), "reachable": reachable,
            "migration": version, "migration_latest": LATEST}
