"""The inbound queue: one row per platform event, committed before the event is acknowledged.

The row is at once the dedupe key (the platform's event id), the work (what is needed to answer)
and its progress, so a question acknowledged with 200 survives a restart or a crash::

    pending ──claim──► processing ──► done         (payload dropped: no user text is kept)
       ▲                   │  └─────► failed       (gave up; kept with its error for operators)
       └───retry/release───┘
    processing past its lease ──claim──► processing, "recovering" (the holder died mid-way)

Every claim bumps ``fence`` and takes a lease; finishing, retrying, releasing and renewing name
the fence they hold, so a worker whose row was taken over can no longer change it. ``attempts``
counts claims that may have sent something (a clean release on shutdown gives its claim back).

:class:`InboundQueue` is the seam: :class:`SqliteInboundQueue` implements it on the shared SQLite
file (``BEGIN IMMEDIATE`` serialises the claim across processes); a PostgreSQL version claims with
``SELECT … FOR UPDATE SKIP LOCKED`` behind the same methods. Time is always passed in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlite_utils import Database

from knowledge.store import write_transaction
from state.statedb import SqliteState, StateDB, Statement

UNFINISHED = ("pending", "processing")
UNFINISHED_COUNT = "SELECT count(*) AS n FROM inbound_events WHERE channel = ? AND state IN ('pending', 'processing')"
MAX_ATTEMPTS = 8  # claims before a row is given up as failed (a poison row cannot loop forever)


def _iso(t: datetime) -> str:
    """UTC with milliseconds: every time in the table has this one format, so text order is time order."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds")


def payload_json(item: Item) -> str:
    """The row's copy of what answering the event needs."""
    return json.dumps(item.payload, ensure_ascii=False)


@dataclass(frozen=True)
class Item:
    """One event to queue: its platform id and what answering it needs (JSON-serialisable)."""

    id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Job:
    """A claimed row. ``recovering``: a previous holder's lease ran out, so it may have sent."""

    id: str
    channel: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int
    fence: int
    lease_until: datetime
    recovering: bool = False


@dataclass(frozen=True)
class Offer:
    """What ``offer`` did. ``full``: nothing was written, the channel's queue is at its limit."""

    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    claimed: list[Job] = field(default_factory=list)
    full: bool = False


@dataclass(frozen=True)
class Claimant:
    worker: str
    lease: timedelta


class InboundQueue(Protocol):
    def offer(self, channel: str, items: Sequence[Item], *, now: datetime, limit: int | None,
              claim: Claimant | None = None, claim_max: int = 0) -> Offer:
        """Store new items (all or none); repeats of known ids are duplicates. Up to ``claim_max``
        new rows are claimed for ``claim`` in the same transaction (the receiving process answers them)."""

    def together(self) -> AbstractContextManager[bool]:
        """Offers made inside share one commit where that is what an offer costs (SQLite: all of
        them or none, and it yields True); on PostgreSQL each offer is already one statement in
        autocommit, so each stands on its own (it yields False)."""

    def claim(self, channel: str, *, now: datetime, claimant: Claimant, limit: int) -> list[Job]:
        """Take due pending rows and processing rows whose lease ran out, oldest first."""

    def finish(self, job: Job, *, now: datetime) -> bool: ...

    def finish_many(self, jobs: Sequence[Job], *, now: datetime, also: Sequence[Statement] = ()) -> int:
        """``finish`` for answers finished close together, in one transaction (one round trip on
        PostgreSQL), each fenced as ``finish`` is: a job whose row was taken over is left alone.
        ``also``: other writes of the same answers (state.conversations.WriteBehind), in the same
        transaction. Returns how many rows it finished."""

    def retry(self, job: Job, *, error: str, at: datetime, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> str:
        """Back to pending until ``at``, or failed once ``max_attempts`` is reached; returns the new state."""

    def fail(self, job: Job, *, error: str, now: datetime) -> bool: ...

    def release(self, jobs: Sequence[Job], *, now: datetime) -> int:
        """Give back claims that never started (shutdown): pending again, the attempt not counted."""

    def renew(self, job: Job, *, until: datetime) -> bool: ...

    def expire_claims(self, workers: Sequence[str], *, now: datetime) -> int:
        """End the leases of workers known to be dead at ``now`` (their rows are recovered from then)."""

    def claimants(self) -> list[str]: ...

    def summary(self) -> dict[str, dict[str, int]]: ...

    def oldest_unfinished(self, channel: str | None = None) -> datetime | None: ...

    def unfinished(self, channel: str) -> int:
        """Rows pending or processing: what ``offer``'s ``limit`` counts."""

    def rows(self, *, states: Sequence[str]) -> list[dict[str, Any]]: ...

    def requeue(self, ids: Sequence[str], *, now: datetime) -> int: ...

    def purge(self, *, before: datetime) -> int: ...


def _job(row: Sequence[Any], *, recovering: bool) -> Job:
    id_, channel, payload, received_at, attempts, fence, lease_until = row
    return Job(id_, channel, json.loads(payload or "{}"), datetime.fromisoformat(received_at), attempts, fence,
               datetime.fromisoformat(lease_until), recovering)


# Due for a claim: waiting and its time has come, or held by a claim whose lease ran out. The state
# test comes first so both databases read the unfinished rows only, not the week of finished ones.
DUE = ("channel = ? AND state IN ('pending', 'processing') AND ((state = 'pending' AND next_attempt_at <= ?) OR "
       "(state = 'processing' AND lease_until <= ?))")
# A claim of a due row, or giving it up when its holders kept dying (the expressions read the old row).
_GIVE_UP = f"state = 'processing' AND attempts >= {MAX_ATTEMPTS}"
CLAIM_SET = (f"state = CASE WHEN {_GIVE_UP} THEN 'failed' ELSE 'processing' END, "
             f"fence = CASE WHEN {_GIVE_UP} THEN fence ELSE fence + 1 END, "
             f"attempts = CASE WHEN {_GIVE_UP} THEN attempts ELSE attempts + 1 END, "
             f"lease_until = CASE WHEN {_GIVE_UP} THEN NULL ELSE ? END, "
             f"claimed_by = CASE WHEN {_GIVE_UP} THEN claimed_by ELSE ? END, "
             f"last_error = CASE WHEN {_GIVE_UP} THEN 'the process answering it stopped ' || attempts || ' times' "
             "ELSE last_error END, updated_at = ?")
DONE_SET = "state = 'done', updated_at = ?, payload = NULL, lease_until = NULL, last_error = NULL"


class FencedWrites:
    """The writes a worker makes on rows it holds, shared by both databases: each matches the row's
    fence, so a worker whose claim was taken over changes nothing. ``_fenced_many`` runs one
    ``UPDATE … SET …`` for several jobs in one transaction, each row matched by its id and fence."""

    state: StateDB

    def _fenced_statement(self, jobs: Sequence[Job], sql: str, params: list[Any]) -> Statement:
        """``sql`` (an UPDATE … SET …) limited to each job's row at the fence the job holds."""
        raise NotImplementedError

    def _fenced_many(self, jobs: Sequence[Job], sql: str, params: list[Any], *,
                     also: Sequence[Statement] = ()) -> int:
        if not jobs:
            if also:
                self.state.batch(also)
            return 0
        return self.state.batch([self._fenced_statement(jobs, sql, params), *also])[0]

    def _fenced(self, job: Job, sql: str, params: list[Any]) -> bool:
        return self._fenced_many([job], sql, params) == 1

    def finish_many(self, jobs: Sequence[Job], *, now: datetime, also: Sequence[Statement] = ()) -> int:
        return self._fenced_many(jobs, f"UPDATE inbound_events SET {DONE_SET}", [_iso(now)], also=also)

    def finish(self, job: Job, *, now: datetime) -> bool:
        return self.finish_many([job], now=now) == 1

    def release(self, jobs: Sequence[Job], *, now: datetime) -> int:
        return self._fenced_many(jobs, "UPDATE inbound_events SET state = 'pending', updated_at = ?, "
                                       "next_attempt_at = ?, lease_until = NULL, attempts = attempts - 1",
                                 [_iso(now), _iso(now)])

    def renew(self, job: Job, *, until: datetime) -> bool:
        return self._fenced(job, "UPDATE inbound_events SET lease_until = ?", [_iso(until)])

    def retry(self, job: Job, *, error: str, at: datetime, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> str:
        state = "failed" if job.attempts >= max_attempts else "pending"
        self._fenced(job, "UPDATE inbound_events SET state = ?, updated_at = ?, next_attempt_at = ?, "
                          "lease_until = NULL, last_error = ?", [state, _iso(now), _iso(at), error[:500]])
        return state

    def fail(self, job: Job, *, error: str, now: datetime) -> bool:
        return self._fenced(job, "UPDATE inbound_events SET state = 'failed', updated_at = ?, lease_until = NULL, "
                                 "last_error = ?", [_iso(now), error[:500]])


class SqliteInboundQueue(FencedWrites):
    """The queue in the ``inbound_events`` table of the shared SQLite file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.state = SqliteState(db)
        # The table comes from state.migrations.

    @contextmanager
    def together(self) -> Iterator[bool]:
        with write_transaction(self.db):
            yield True

    def offer(self, channel: str, items: Sequence[Item], *, now: datetime, limit: int | None,
              claim: Claimant | None = None, claim_max: int = 0) -> Offer:
        if not items:
            return Offer()
        stamp = _iso(now)
        with write_transaction(self.db):
            ids = list(dict.fromkeys(i.id for i in items))
            marks = ",".join("?" * len(ids))
            known = {r[0] for r in self.db.execute(f"SELECT id FROM inbound_events WHERE id IN ({marks})", ids)}
            new = [i for i in {i.id: i for i in items}.values() if i.id not in known]
            if not new:
                return Offer(duplicates=ids)
            if limit is not None:
                (waiting,) = self.db.execute(UNFINISHED_COUNT, [channel]).fetchone()
                if waiting + len(new) > limit:
                    return Offer(duplicates=[i for i in ids if i in known], full=True)
            claimed: list[Job] = []
            for n, item in enumerate(new):
                payload = payload_json(item)
                if claim is not None and n < claim_max:
                    until = now + claim.lease
                    self.db.execute(
                        "INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
                        "next_attempt_at, lease_until, fence, claimed_by) "
                        "VALUES (?, ?, 'processing', ?, ?, ?, 1, ?, ?, 1, ?)",
                        [item.id, channel, stamp, payload, stamp, stamp, _iso(until), claim.worker])
                    claimed.append(Job(item.id, channel, item.payload, now, 1, 1, until))
                else:
                    self.db.execute(
                        "INSERT INTO inbound_events(id, channel, state, updated_at, payload, received_at, attempts, "
                        "next_attempt_at) VALUES (?, ?, 'pending', ?, ?, ?, 0, ?)",
                        [item.id, channel, stamp, payload, stamp, stamp])
        return Offer(accepted=[i.id for i in new], duplicates=[i for i in ids if i in known], claimed=claimed)

    def claim(self, channel: str, *, now: datetime, claimant: Claimant, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        stamp, until = _iso(now), _iso(now + claimant.lease)
        # Idle polls only read: the write lock is taken when there is something to take.
        with self.db.lock:  # type: ignore[attr-defined]
            probe = self.db.execute(f"SELECT 1 FROM inbound_events WHERE {DUE} LIMIT 1", [channel, stamp, stamp])
            if probe.fetchone() is None:
                return []
        with write_transaction(self.db):
            due = self.db.execute(
                "SELECT id, channel, payload, received_at, attempts, fence, state FROM inbound_events "
                f"WHERE {DUE} ORDER BY received_at, id LIMIT ?", [channel, stamp, stamp, limit]).fetchall()
            if not due:
                return []
            self.db.conn.executemany(f"UPDATE inbound_events SET {CLAIM_SET} WHERE id = ?",
                                     [[until, claimant.worker, stamp, r[0]] for r in due])
        # The rows as the update left them (the write lock was held from the read to the write).
        return [_job((id_, ch, payload, received_at, attempts + 1, fence + 1, until), recovering=state == "processing")
                for id_, ch, payload, received_at, attempts, fence, state in due
                if not (state == "processing" and attempts >= MAX_ATTEMPTS)]

    def _fenced_statement(self, jobs: Sequence[Job], sql: str, params: list[Any]) -> Statement:
        return (f"{sql} WHERE id = ? AND fence = ? AND state = 'processing'", [[*params, j.id, j.fence] for j in jobs])

    def expire_claims(self, workers: Sequence[str], *, now: datetime) -> int:
        if not workers:
            return 0
        with write_transaction(self.db):
            cur = self.db.execute(
                f"UPDATE inbound_events SET lease_until = ? WHERE state = 'processing' AND lease_until > ? AND "
                f"claimed_by IN ({','.join('?' * len(workers))})", [_iso(now), _iso(now), *workers])
            return cur.rowcount

    def claimants(self) -> list[str]:
        with self.db.lock:  # type: ignore[attr-defined]
            return [r[0] for r in self.db.execute(
                "SELECT DISTINCT claimed_by FROM inbound_events WHERE state = 'processing'").fetchall()]

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self.db.lock:  # type: ignore[attr-defined]
            for channel, state, n in self.db.execute(
                    "SELECT channel, state, count(*) FROM inbound_events GROUP BY channel, state").fetchall():
                out.setdefault(channel, {})[state] = n
        return out

    def oldest_unfinished(self, channel: str | None = None) -> datetime | None:
        sql = "SELECT min(received_at) FROM inbound_events WHERE state IN ('pending', 'processing')"
        with self.db.lock:  # type: ignore[attr-defined]
            (oldest,) = (self.db.execute(sql + " AND channel = ?", [channel]) if channel else
                         self.db.execute(sql)).fetchone()
        return datetime.fromisoformat(oldest) if oldest else None

    def unfinished(self, channel: str) -> int:
        with self.db.lock:  # type: ignore[attr-defined]
            return self.db.execute(UNFINISHED_COUNT, [channel]).fetchone()[0]

    def rows(self, *, states: Sequence[str]) -> list[dict[str, Any]]:
        with self.db.lock:  # type: ignore[attr-defined]
            return list(self.db.query(
                "SELECT id, channel, state, received_at, attempts, next_attempt_at, last_error FROM inbound_events "
                f"WHERE state IN ({','.join('?' * len(states))}) ORDER BY received_at, id", list(states)))

    def requeue(self, ids: Sequence[str], *, now: datetime) -> int:
        """An operator's second chance for failed rows that still hold their payload."""
        if not ids:
            return 0
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE inbound_events SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
                f"WHERE state = 'failed' AND payload IS NOT NULL AND id IN ({','.join('?' * len(ids))})",
                [_iso(now), _iso(now), *ids])
            return cur.rowcount

    def purge(self, *, before: datetime) -> int:
        """Forget finished rows (their ids deduplicate redeliveries until then); unfinished ones stay."""
        with write_transaction(self.db):
            return self.db.execute("DELETE FROM inbound_events WHERE state IN ('done', 'failed') AND updated_at < ?",
                                   [_iso(before)]).rowcount
