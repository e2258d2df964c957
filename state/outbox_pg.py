"""The reminder outbox in PostgreSQL, for schedulers on several hosts: the rows, states, leases and
claim tokens of :class:`~state.outbox.Outbox`, with candidates taken by ``SELECT … FOR UPDATE
SKIP LOCKED`` so concurrent schedulers take different rows, and every later write fenced by the
claim's token exactly as on SQLite.

:func:`open_outbox` picks the implementation for where the state lives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from state.outbox import LEASE, RESOLUTIONS, Outbox, Row, _utc, new_token, resolution, rows_query
from state.statedb import StateDB, as_state


def open_outbox(db: Any, *, lease: timedelta = LEASE) -> Any:
    """The outbox where ``db``'s state lives: its SQLite file, or PostgreSQL."""
    state = as_state(db)
    if state.dialect == "postgresql":
        return PostgresOutbox(state, lease=lease)
    return Outbox(db, lease=lease)


class PostgresOutbox(Outbox):
    """The ``outbox`` table of the shared PostgreSQL database (migration 2): Outbox's states and
    fences, its statements sent to PostgreSQL."""

    def __init__(self, state: StateDB, *, lease: timedelta = LEASE) -> None:  # noqa: D107 - no SQLite file
        self.state = state
        self.lease = lease

    def enqueue(self, key: str, *, kind: str, department: str, route: str, fiscal_year: int, label: str,
                projects: list[str], due_at: datetime, late: bool, now: datetime, state: str = "pending",
                error: str | None = None) -> bool:
        return self.state.execute(
            "INSERT INTO outbox(key, kind, department, route, fiscal_year, label, projects, due_at, late, state, "
            "attempts, last_error, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?) "
            "ON CONFLICT (key) DO NOTHING",
            [key, kind, department, route, fiscal_year, label, json.dumps(projects, ensure_ascii=False),
             _utc(due_at), int(late), state, error, _utc(due_at), _utc(now)]) == 1

    def exists(self, key: str) -> bool:
        return self.state.one("SELECT 1 AS x FROM outbox WHERE key = ?", [key]) is not None

    def claim(self, now: datetime, *, worker: str, limit: int = 50,
              token: Callable[[], str] = new_token) -> list[Row]:
        stamp, lease_until = _utc(now), _utc(now + self.lease)
        rows: list[Row] = []
        with self.state.transaction():
            # A row another scheduler is claiming right now is skipped, not waited for.
            candidates = self.state.rows(f"SELECT id, state, verify FROM outbox WHERE {self._CLAIMABLE} "
                                         "ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED", [stamp, stamp, limit])
            for c in candidates:
                fence = token()
                d = self.state.one("UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, "
                                   "claim_token = ?, lease_until = ? WHERE id = ? RETURNING *",
                                   [worker, stamp, fence, lease_until, c["id"]])
                assert d is not None  # locked by this transaction
                rows.append(replace(Outbox._row(d), token=fence,
                                    recovering=c["state"] == "sending" or bool(c["verify"])))
        return rows

    # renew, mark_sent, mark_skipped, mark_retry and mark_unknown are Outbox's: they write
    # through ``_fenced``, which names the claim token here as it does there.
    def _fenced(self, row: Row, assignments: str, params: list[object]) -> bool:
        return self.state.execute(f"UPDATE outbox SET {assignments} WHERE id = ? AND claim_token = ? AND "
                                  "state = 'sending'", [*params, row.id, row.token]) == 1

    # ------------------------------------------------------------------ operators
    def resolve(self, key: str, decision: str, *, now: datetime) -> str:
        if decision not in RESOLUTIONS:
            raise ValueError(f"decide {' or '.join(RESOLUTIONS)}, not {decision!r}")
        with self.state.transaction():
            found = self.state.one("SELECT state FROM outbox WHERE key = ? FOR UPDATE", [key])
            sql, params, state = resolution(key, found["state"] if found else None, decision, now=now)
            self.state.execute(sql, params)
            return state

    # ------------------------------------------------------------------ reads
    def summary(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in self.state.rows("SELECT state, count(*) AS n FROM outbox GROUP BY state")}

    def rows(self, *, states: tuple[str, ...] | None = None) -> list[dict]:
        return self.state.rows(*rows_query(states))
