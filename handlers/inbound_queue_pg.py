"""The inbound queue in PostgreSQL, for several hosts: the same rows, states and fences as
:class:`~handlers.inbound_queue.SqliteInboundQueue`, with claims taken by ``SELECT … FOR UPDATE
SKIP LOCKED`` so workers on any number of hosts take different rows without waiting on each other.

:func:`open_inbound_queue` picks the implementation for where the state lives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from handlers.inbound_queue import (
    FencedWrites,
    MAX_ATTEMPTS,
    Claimant,
    InboundQueue,
    Item,
    Job,
    Offer,
    SqliteInboundQueue,
    _iso,
)
from knowledge.statedb import StateDB, as_state


def open_inbound_queue(db: Any) -> InboundQueue:
    """The queue where ``db``'s state lives: its SQLite file, or PostgreSQL."""
    state = as_state(db)
    if state.dialect == "postgresql":
        return PostgresInboundQueue(state)
    return SqliteInboundQueue(db)


def _job(row: dict[str, Any], *, recovering: bool) -> Job:
    return Job(row["id"], row["channel"], json.loads(row["payload"] or "{}"), datetime.fromisoformat(row["received_at"]),
               row["attempts"], row["fence"], datetime.fromisoformat(row["lease_until"]), recovering)


_DUE = ("FROM inbound_events WHERE channel = ? AND ((state = 'pending' AND next_attempt_at <= ?) OR "
        "(state = 'processing' AND lease_until <= ?))")
_RETURNING = "RETURNING id, channel, payload, received_at, attempts, fence, lease_until"


class PostgresInboundQueue(FencedWrites):
    """The queue in the ``inbound_events`` table of the shared PostgreSQL database (migration 2)."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def offer(self, channel: str, items: Sequence[Item], *, now: datetime, limit: int | None,
              claim: Claimant | None = None, claim_max: int = 0) -> Offer:
        if not items:
            return Offer()
        stamp = _iso(now)
        ids = list(dict.fromkeys(i.id for i in items))
        with self.state.transaction():
            marks = ",".join("?" * len(ids))
            known = {r["id"] for r in self.state.rows(f"SELECT id FROM inbound_events WHERE id IN ({marks})", ids)}
            new = [i for i in {i.id: i for i in items}.values() if i.id not in known]
            if not new:
                return Offer(duplicates=ids)
            if limit is not None:
                waiting = self.state.one("SELECT count(*) AS n FROM inbound_events WHERE channel = ? AND state IN "
                                         "('pending', 'processing')", [channel])["n"]  # type: ignore[index]
                if waiting + len(new) > limit:
                    return Offer(duplicates=[i for i in ids if i in known], full=True)
            accepted: list[str] = []
            claimed: list[Job] = []
            for item in new:
                payload = json.dumps(item.payload, ensure_ascii=False)
                if claim is not None and len(claimed) < claim_max:
                    until = now + claim.lease
                    row = self.state.one(
                        "INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
                        "next_attempt_at, lease_until, fence, claimed_by) "
                        "VALUES (?, ?, 'processing', ?, ?, ?, 1, ?, ?, 1, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
                        [item.id, channel, stamp, payload, stamp, stamp, _iso(until), claim.worker])
                    if row is not None:
                        claimed.append(Job(item.id, channel, item.payload, now, 1, 1, until))
                else:
                    row = self.state.one(
                        "INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
                        "next_attempt_at) VALUES (?, ?, 'pending', ?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING "
                        "RETURNING id", [item.id, channel, stamp, payload, stamp, stamp])
                if row is not None:
                    accepted.append(item.id)
                else:  # another host stored the same delivery a moment ago
                    known.add(item.id)
        return Offer(accepted=accepted, duplicates=[i for i in ids if i in known], claimed=claimed)

    def claim(self, channel: str, *, now: datetime, claimant: Claimant, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        stamp, until = _iso(now), _iso(now + claimant.lease)
        if self.state.one(f"SELECT 1 AS x {_DUE} LIMIT 1", [channel, stamp, stamp]) is None:
            return []  # idle polls only read
        jobs: list[Job] = []
        with self.state.transaction():
            # Rows another worker is claiming right now are skipped, not waited for.
            due = self.state.rows(f"SELECT id, state, attempts {_DUE} ORDER BY received_at, id LIMIT ? "
                                  "FOR UPDATE SKIP LOCKED", [channel, stamp, stamp, limit])
            for r in due:
                if r["state"] == "processing" and r["attempts"] >= MAX_ATTEMPTS:
                    self.state.execute("UPDATE inbound_events SET state = 'failed', updated_at = ?, lease_until = NULL, "
                                       "last_error = ? WHERE id = ?",
                                       [stamp, f"the process answering it stopped {r['attempts']} times", r["id"]])
                    continue
                row = self.state.one(
                    "UPDATE inbound_events SET state = 'processing', fence = fence + 1, attempts = attempts + 1, "
                    f"lease_until = ?, claimed_by = ?, updated_at = ? WHERE id = ? {_RETURNING}",
                    [until, claimant.worker, stamp, r["id"]])
                jobs.append(_job(row, recovering=r["state"] == "processing"))  # type: ignore[arg-type]
        return jobs

    def _fenced_many(self, jobs: Sequence[Job], sql: str, params: list[Any]) -> int:
        if not jobs:
            return 0
        rows = ", ".join(["(?::text, ?::int)"] * len(jobs))
        return self.state.execute(f"{sql} FROM (VALUES {rows}) AS j(id, fence) WHERE inbound_events.id = j.id "
                                  "AND inbound_events.fence = j.fence AND inbound_events.state = 'processing'",
                                  [*params, *[v for j in jobs for v in (j.id, j.fence)]])

    def expire_claims(self, workers: Sequence[str], *, now: datetime) -> int:
        if not workers:
            return 0
        return self.state.execute(
            f"UPDATE inbound_events SET lease_until = ? WHERE state = 'processing' AND lease_until > ? AND "
            f"claimed_by IN ({','.join('?' * len(workers))})", [_iso(now), _iso(now), *workers])

    def claimants(self) -> list[str]:
        return [r["claimed_by"] for r in self.state.rows(
            "SELECT DISTINCT claimed_by FROM inbound_events WHERE state = 'processing'")]

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self.state.rows("SELECT channel, state, count(*) AS n FROM inbound_events GROUP BY channel, state"):
            out.setdefault(r["channel"], {})[r["state"]] = r["n"]
        return out

    def oldest_unfinished(self, channel: str | None = None) -> datetime | None:
        sql = "SELECT min(received_at) AS t FROM inbound_events WHERE state IN ('pending', 'processing')"
        row = self.state.one(sql + " AND channel = ?", [channel]) if channel else self.state.one(sql)
        return datetime.fromisoformat(row["t"]) if row and row["t"] else None

    def rows(self, *, states: Sequence[str]) -> list[dict[str, Any]]:
        return self.state.rows(
            "SELECT id, channel, state, received_at, attempts, next_attempt_at, last_error FROM inbound_events "
            f"WHERE state IN ({','.join('?' * len(states))}) ORDER BY received_at, id", list(states))

    def requeue(self, ids: Sequence[str], *, now: datetime) -> int:
        if not ids:
            return 0
        return self.state.execute(
            "UPDATE inbound_events SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
            f"WHERE state = 'failed' AND payload IS NOT NULL AND id IN ({','.join('?' * len(ids))})",
            [_iso(now), _iso(now), *ids])

    def purge(self, *, before: datetime) -> int:
        return self.state.execute("DELETE FROM inbound_events WHERE state IN ('done', 'failed') AND updated_at < ?",
                                  [_iso(before)])
