"""The plan every host answers from, when the state is shared (PostgreSQL).

Each worker keeps the knowledge base — the parsed plan with its FTS5 index — as a local SQLite
file: it is read on every question, rebuilt from the plan text in under a second, and never
written by requests. What must be shared is only *which* plan: ``dxbot ingest`` stores the text
in the state and bumps the shared generation; a worker that sees the generation move compares
the stored plan's hash with its own file's and re-ingests when they differ.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from knowledge.parse import parse_plan
from knowledge.store import IngestReport, ensure_ingested, ingest, inputs_digest, meta
from state.statedb import StateDB, bump_generation


def store_plan(state: StateDB, text: str, *, now: datetime) -> None:
    """Make ``text`` the plan for every host (a no-op on the embedded SQLite state)."""
    if state.dialect == "sqlite":
        return
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with state.transaction():
        state.execute("INSERT INTO plan_source(key, text, sha256, stored_at) VALUES ('plan', ?, ?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET text = excluded.text, sha256 = excluded.sha256, "
                      "stored_at = excluded.stored_at", [text, sha, now.isoformat(timespec="seconds")])
        bump_generation(state)


def sync_plan(db, state: StateDB, *, now: datetime) -> IngestReport | None:
    """Bring this host's knowledge file to the shared plan (or the bundled one when none was
    stored); None when it already was."""
    return follow_shared_plan(db, state) or ensure_ingested(db, now=now)


def follow_shared_plan(db, state: StateDB) -> IngestReport | None:
    """Re-ingest the plan stored in the shared state when this host's file holds another."""
    if state.dialect == "sqlite":
        return None
    row = state.one("SELECT text, sha256, stored_at FROM plan_source WHERE key = 'plan'")
    if row is None:
        return None
    with db.lock:
        local, inputs = meta(db, "source_sha256"), meta(db, "inputs_sha256")
    if local == row["sha256"] and inputs == inputs_digest():  # the same hash the parser records
        return None
    return ingest(db, parse_plan(row["text"]), now=datetime.fromisoformat(row["stored_at"]),
                  text=row["text"], origin="shared")
