"""Move the shared state between databases (an SQLite deployment growing onto PostgreSQL).

The export is one JSON document: the schema version it was taken at and, per table, its rows.
Only state is carried: submitted evaluations and taught aliases, not the plan's own rows, which
every host rebuilds from the plan.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from state.migrations import columns, current_version
from state.statedb import StateDB, bump_generation

FORMAT = "dxbot-state"
# Parents first is not needed (no foreign keys between state tables); the order is for readers.
TABLES = ("state_meta", "plan_source", "department_routes", "directory_settings", "evaluations", "aliases", "conversations",
          "unanswered", "inbound_events", "outbox", "slack_reminder_messages", "answer_log", "answer_feedback")
# The generated log salt moves with the hashes it made; the generation is the target's own.
_ONLY = {"evaluations": "source = 'submission'", "aliases": "source = 'user'", "state_meta": "key = 'log_salt'"}
_IDENTITY = ("evaluations", "unanswered", "outbox")  # integer keys the database hands out


def _exists(state: StateDB, table: str) -> bool:
    if state.dialect == "sqlite":
        return state.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [table]) is not None
    return state.one("SELECT to_regclass(?) AS t", [table])["t"] is not None  # type: ignore[index]


def export_state(state: StateDB, out: TextIO) -> dict[str, int]:
    """Write every state table to ``out``; returns the row count per table."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        if not _exists(state, table):
            continue
        where = f" WHERE {_ONLY[table]}" if table in _ONLY else ""
        tables[table] = state.rows(f"SELECT * FROM {table}{where}")
    json.dump({"format": FORMAT, "migration": current_version(state), "tables": tables}, out, ensure_ascii=False)
    return {t: len(rows) for t, rows in tables.items()}


class ImportRefused(ValueError):
    pass


def import_state(state: StateDB, source: TextIO) -> dict[str, int]:
    """Load an export into an empty state (refused when it already holds state); one transaction."""
    data = json.load(source)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("not a dxbot state export (made by `dxbot export-state`)")
    counts: dict[str, int] = {}
    with state.transaction():
        for table, rows in data["tables"].items():
            if not rows and (table not in TABLES or not _exists(state, table)):
                continue
            if table not in TABLES or not _exists(state, table):
                raise ImportRefused(f"the target has no table {table!r}: run `dxbot migrate` with this version first")
            where = f" WHERE {_ONLY[table]}" if table in _ONLY else ""
            if state.one(f"SELECT 1 AS x FROM {table}{where} LIMIT 1"):
                raise ImportRefused(f"the target already holds state ({table} has rows); import into a new database")
            target = set(columns(state, table))
            for row in rows:
                cols = [c for c in row if c in target]
                state.execute(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [row[c] for c in cols])
            if state.dialect == "postgresql" and table in _IDENTITY and rows:
                # Ids were copied: the identity must continue after them.
                state.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            counts[table] = len(rows)
        bump_generation(state)
    return counts
