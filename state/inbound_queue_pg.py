"""The inbound queue in PostgreSQL, for several hosts: the same rows, states and fences as
:class:`~state.inbound_queue.SqliteInboundQueue`, with claims taken by ``SELECT … FOR UPDATE
SKIP LOCKED`` so workers on any number of hosts take different rows without waiting on each other.

:func:`open_inbound_queue` picks the implementation for where the state lives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from state.inbound_queue import (
    CLAIM_SET,
    DUE,
    UNFINISHED_COUNT,
    Claimant,
    FencedWrites,
    InboundQueue,
    Item,
    Job,
    Offer,
    SqliteInboundQueue,
    _iso,
    payload_json,
)
from state.statedb import StateDB, Statement, as_state


def open_inbound_queue(db: Any) -> InboundQueue:
    """The queue where ``db``'s state lives: its SQLite file, or PostgreSQL."""
    state = as_state(db)
    if state.dialect == "postgresql":
        return PostgresInboundQueue(state)
    return SqliteInboundQueue(db)


def _offered(channel: str, unique: Sequence[Item], ids: Sequence[str], stored: dict[str, str], *, now: datetime,
             claim: Claimant | None) -> Offer:
    """The offer's outcome from the rows it stored (id → state); the others were known already.
    The claimed rows are known without reading them back."""
    claimed = [Job(i.id, channel, i.payload, now, 1, 1, now + claim.lease)
               for i in unique if claim is not None and stored.get(i.id) == "processing"]
    return Offer(accepted=[i for i in ids if i in stored], duplicates=[i for i in ids if i not in stored],
                 claimed=claimed)


def _job(row: dict[str, Any], *, recovering: bool) -> Job:
    return Job(row["id"], row["channel"], json.loads(row["payload"] or "{}"), datetime.fromisoformat(row["received_at"]),
               row["attempts"], row["fence"], datetime.fromisoformat(row["lease_until"]), recovering)


# Each hot write is one statement, so one round trip in autocommit (no BEGIN, no COMMIT). Rows go
# in as a VALUES list of placeholders: cheaper than array parameters (unnest), whose conversion
# costs the client, and than JSON, which the planner cannot estimate (bench/README.md).
#
# The offer: the items not yet known are stored, the first ``take`` of them claimed, and none at all
# when they would pass the limit. An id another host stores at the same moment meets ON CONFLICT and
# is reported as a duplicate. The rows say what happened: (id, 'processing' | 'pending') stored,
# (id, 'known'), or (NULL, 'full').
_OFFER = (
    "WITH args AS (SELECT ?::text AS channel, ?::text AS now, ?::int AS take, ?::text AS until, ?::text AS worker, "
    "?::int AS lim), "
    "input (id, payload, ord) AS (VALUES {rows}), "
    "known AS (SELECT e.id FROM inbound_events e JOIN input USING (id)), "
    "fresh AS (SELECT id, payload, row_number() OVER (ORDER BY ord) AS n FROM input "
    "WHERE id NOT IN (SELECT id FROM known)), "
    "room AS (SELECT CASE WHEN lim IS NULL OR NOT EXISTS (SELECT 1 FROM fresh) THEN true "
    "ELSE (SELECT count(*) FROM fresh) + (SELECT count(*) FROM inbound_events e WHERE e.channel = args.channel "
    "AND e.state IN ('pending', 'processing')) <= lim END AS ok FROM args), "
    "stored AS (INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
    "next_attempt_at, lease_until, fence, claimed_by) "
    "SELECT fresh.id, channel, CASE WHEN n <= take THEN 'processing' ELSE 'pending' END, now, payload, now, "
    "CASE WHEN n <= take THEN 1 ELSE 0 END, now, CASE WHEN n <= take THEN until END, "
    "CASE WHEN n <= take THEN 1 ELSE 0 END, CASE WHEN n <= take THEN worker END "
    "FROM fresh, args, room WHERE room.ok ON CONFLICT (id) DO NOTHING RETURNING id, state) "
    "SELECT id, state FROM stored UNION ALL SELECT id, 'known' FROM known "
    "UNION ALL SELECT NULL, 'full' FROM room WHERE NOT ok")
# The offer when no limit is to be checked and every new row is claimed (or none is): a plain
# insert. The server plans it at once; the general statement above costs it planning on every
# execution (its custom plans win over the generic one), with the event loop waiting on it.
_INSERT = ("INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
           "next_attempt_at, lease_until, fence, claimed_by) VALUES {rows} ON CONFLICT (id) DO NOTHING "
           "RETURNING id, state")
_CLAIMED_ROW = "(?, ?, 'processing', ?, ?, ?, 1, ?, ?, 1, ?)"
_PENDING_ROW = "(?, ?, 'pending', ?, ?, ?, 0, ?, NULL, 0, NULL)"
# The claim: due rows, oldest first, skipping those another worker is locking right now.
_CLAIM = (
    f"WITH due AS (SELECT id, state AS was FROM inbound_events WHERE {DUE} ORDER BY received_at, id LIMIT ? "
    "FOR UPDATE SKIP LOCKED), "
    f"taken AS (UPDATE inbound_events e SET {CLAIM_SET} FROM due WHERE e.id = due.id "
    "RETURNING e.id, e.channel, e.payload, e.received_at, e.attempts, e.fence, e.lease_until, e.state, due.was) "
    "SELECT * FROM taken ORDER BY received_at, id")


class PostgresInboundQueue(FencedWrites):
    """The queue in the ``inbound_events`` table of the shared PostgreSQL database (migration 3)."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def together(self) -> AbstractContextManager[bool]:
        return nullcontext(False)

    def offer(self, channel: str, items: Sequence[Item], *, now: datetime, limit: int | None,
              claim: Claimant | None = None, claim_max: int = 0) -> Offer:
        if not items:
            return Offer()
        ids = list(dict.fromkeys(i.id for i in items))
        unique = list({i.id: i for i in items}.values())  # one row per id, with the last copy's payload
        claim_all = claim is not None and claim_max >= len(unique)
        if limit is None and (claim_all or claim is None or claim_max <= 0):
            return self._insert(channel, unique, ids, now=now, claim=claim if claim_all else None)
        worker, until = (claim.worker, _iso(now + claim.lease)) if claim is not None else (None, None)
        rows = ", ".join(f"(?::text, ?::text, {n})" for n in range(len(unique)))
        found = self.state.rows(_OFFER.format(rows=rows), [
            channel, _iso(now), claim_max if claim is not None else 0, until, worker, limit,
            *[v for i in unique for v in (i.id, payload_json(i))]])
        if any(r["state"] == "full" for r in found):
            known = {r["id"] for r in found}
            return Offer(duplicates=[i for i in ids if i in known], full=True)
        stored = {r["id"]: r["state"] for r in found if r["state"] != "known"}
        return _offered(channel, unique, ids, stored, now=now, claim=claim)

    def _insert(self, channel: str, unique: Sequence[Item], ids: Sequence[str], *, now: datetime,
                claim: Claimant | None) -> Offer:
        stamp = _iso(now)
        if claim is not None:
            until = _iso(now + claim.lease)
            row, values = _CLAIMED_ROW, [[i.id, channel, stamp, payload_json(i), stamp, stamp, until, claim.worker]
                                         for i in unique]
        else:
            row, values = _PENDING_ROW, [[i.id, channel, stamp, payload_json(i), stamp, stamp] for i in unique]
        found = self.state.rows(_INSERT.format(rows=", ".join([row] * len(unique))), [v for vs in values for v in vs])
        return _offered(channel, unique, ids, {r["id"]: r["state"] for r in found}, now=now, claim=claim)

    def claim(self, channel: str, *, now: datetime, claimant: Claimant, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        stamp = _iso(now)
        rows = self.state.rows(_CLAIM, [channel, stamp, stamp, limit, _iso(now + claimant.lease), claimant.worker,
                                        stamp])
        return [_job(r, recovering=r["was"] == "processing") for r in rows if r["state"] == "processing"]

    def _fenced_statement(self, jobs: Sequence[Job], sql: str, params: list[Any]) -> Statement:
        rows = ", ".join(["(?::text, ?::int)"] * len(jobs))
        return (f"{sql} FROM (VALUES {rows}) AS j(id, fence) WHERE inbound_events.id = j.id "
                "AND inbound_events.fence = j.fence AND inbound_events.state = 'processing'",
                [[*params, *[v for j in jobs for v in (j.id, j.fence)]]])

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

    def unfinished(self, channel: str) -> int:
        row = self.state.one(UNFINISHED_COUNT, [channel])
        return row["n"] if row else 0

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
