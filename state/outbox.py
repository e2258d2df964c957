"""The reminder outbox: a row per notice, written before sending, marked sent after the platform
confirms.

Claims are fenced. A claim writes a fresh random token and a lease expiry in one conditional
UPDATE; every later write (renew, mark sent, retry, skip, unknown) names the row *and* the token,
so a sender whose lease was taken over can no longer change the row and stops. The sender renews
its lease while it works, so a slow platform never lets a second scheduler take a live claim. A
claim whose process died is recovered once its lease has expired, and the recovering sender looks
the key up in the platform's history before sending again.

States: pending -> sending -> sent | pending (retry) | failed | unknown; skipped when there was
nothing left to remind about (or a newer round was already planned). "unknown" holds a row whose
delivery could not be verified after a crash or an ambiguous failure: it is never re-sent blindly;
an operator resolves it (``resolve``).

The SQL is plain and portable: a PostgreSQL port keeps the same fences and may pick candidates
with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from knowledge.store import write_transaction

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
RESOLUTIONS = ("sent", "resend")


def _utc(t: datetime) -> str:
    """UTC, so that stored times compare correctly as text whatever zone the clock was in."""
    return t.astimezone(UTC).isoformat(timespec="seconds")


def new_token() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    kind: str  # "reminder" | "overdue" | "summary" | "unrouted" | "snooze" | "digest" | "unknown"
    department: str
    route: str  # the directory entry that receives it (a team for a placeholder department)
    fiscal_year: int
    label: str
    projects: tuple[str, ...]
    due_at: datetime
    late: bool
    state: str
    attempts: int
    last_error: str | None
    claimed_at: datetime | None
    token: str | None = None  # this claim's fence
    recovering: bool = False  # an earlier attempt may have reached the platform: check before sending
    created_at: datetime | None = None

    @property
    def sendable_from(self) -> datetime:
        """No attempt can have reached the platform before this (history lookups start here)."""
        return max(self.due_at, self.created_at or self.due_at)


def resolution(key: str, state: str | None, decision: str, *, now: datetime) -> tuple[str, list[object], str]:
    """The update an operator's decision makes on a row in ``state``: (sql, params, new state)."""
    if state is None:
        raise ValueError(f"no reminder with key {key!r} (see `dxbot reminders status`)")
    if state not in {"unknown", "failed"}:
        raise ValueError(f"{key} is {state}: only unknown or failed reminders are resolved")
    if decision == "sent":
        return ("UPDATE outbox SET state = 'sent', sent_at = ?, receipt = 'operator', "
                "claim_token = NULL, verify = 0 WHERE key = ?", [_utc(now), key], "sent")
    # The operator has checked the channel: the next tick sends it without another lookup.
    return ("UPDATE outbox SET state = 'pending', next_attempt_at = ?, attempts = 0, "
            "claim_token = NULL, verify = 0 WHERE key = ?", [_utc(now), key], "pending")


def rows_query(states: tuple[str, ...] | None) -> tuple[str, list[object]]:
    """The operator's view of the outbox (``dxbot reminders status``), in due order."""
    sql = ("SELECT key, kind, department, route, fiscal_year, label, state, attempts, last_error, due_at, "
           "sent_at, late FROM outbox")
    params: list[object] = []
    if states:
        sql += f" WHERE state IN ({','.join('?' * len(states))})"
        params = list(states)
    return sql + " ORDER BY due_at, key", params


class Outbox:
    def __init__(self, db: Database, *, lease: timedelta = LEASE) -> None:
        self.db = db
        self.lease = lease
        # The table comes from state.migrations.

    def enqueue(self, key: str, *, kind: str, department: str, route: str, fiscal_year: int, label: str,
                projects: list[str], due_at: datetime, late: bool, now: datetime, state: str = "pending",
                error: str | None = None) -> bool:
        """Write the row unless its key exists; True when it was new."""
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute(
                "INSERT OR IGNORE INTO outbox(key, kind, department, route, fiscal_year, label, projects, due_at, late, "
                "state, attempts, last_error, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?)",
                [key, kind, department, route, fiscal_year, label, json.dumps(projects, ensure_ascii=False),
                 _utc(due_at), int(late), state, error, _utc(due_at), _utc(now)],
            )
            self.db.conn.commit()
            return cur.rowcount == 1

    def exists(self, key: str) -> bool:
        with self.db.lock:  # type: ignore[attr-defined]
            return self.db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None

    _CLAIMABLE = "((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until <= ?))"

    def claim(self, now: datetime, *, worker: str, limit: int = 50,
              token: Callable[[], str] = new_token) -> list[Row]:
        """Take the rows due by ``now`` (and claims whose lease expired) for this worker.

        Each row is taken by one conditional UPDATE that writes a fresh token: of two schedulers
        racing for a row, exactly one matches.
        """
        stamp = _utc(now)
        lease_until = _utc(now + self.lease)
        with self.db.lock:  # type: ignore[attr-defined]
            taken: list[tuple[int, str, bool]] = []
            lost = True
            # A candidate another scheduler took first is no longer claimable: look again, so that a
            # scheduler that lost every race still gets the rows that remain due.
            while lost and len(taken) < limit:
                candidates = self.db.execute(
                    f"SELECT id, state, verify FROM outbox WHERE {self._CLAIMABLE} ORDER BY due_at, id LIMIT ?",
                    [stamp, stamp, limit - len(taken)]).fetchall()
                lost = False
                for row_id, state, verify in candidates:
                    fence = token()
                    cur = self.db.execute(
                        "UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, claim_token = ?, "
                        f"lease_until = ? WHERE id = ? AND {self._CLAIMABLE}",
                        [worker, stamp, fence, lease_until, row_id, stamp, stamp])
                    self.db.conn.commit()
                    if cur.rowcount == 1:
                        taken.append((row_id, fence, state == "sending" or bool(verify)))
                    else:
                        lost = True
            rows = []
            for row_id, fence, recovering in taken:
                d = next(self.db.query("SELECT * FROM outbox WHERE id = ?", [row_id]))
                rows.append(replace(self._row(d), token=fence, recovering=recovering))
        return rows

    @staticmethod
    def _row(d: dict) -> Row:
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return Row(
            id=d["id"], key=d["key"], kind=d["kind"], department=d["department"], route=d["route"],
            fiscal_year=d["fiscal_year"], label=d["label"], projects=tuple(json.loads(d["projects"] or "[]")),
            due_at=datetime.fromisoformat(d["due_at"]), late=bool(d["late"]), state=d["state"],
            attempts=d["attempts"], last_error=d["last_error"], claimed_at=when(d["claimed_at"]),
            token=d.get("claim_token"), created_at=when(d.get("created_at")),
        )

    # ------------------------------------------------------------------ fenced writes (False: fence lost)
    def renew(self, row: Row, *, now: datetime) -> bool:
        """Extend this claim's lease; False when another sender has taken the row over."""
        return self._fenced(row, "lease_until = ?", [_utc(now + self.lease)])

    def mark_sent(self, row: Row, *, receipt: str, now: datetime) -> bool:
        return self._fenced(row, "state = 'sent', sent_at = ?, receipt = ?, last_error = NULL, verify = 0",
                            [_utc(now), receipt])

    def mark_skipped(self, row: Row, *, reason: str, now: datetime) -> bool:
        return self._fenced(row, "state = 'skipped', sent_at = ?, last_error = ?", [_utc(now), reason])

    def mark_retry(self, row: Row, *, error: str, at: datetime, verify: bool = False) -> bool:
        """Try again at ``at``; after MAX_ATTEMPTS the row fails and stays visible in the status.

        ``verify``: the attempt may have reached the platform (a timeout, a 5xx, an unfinished
        recovery check), so the next one looks the key up before sending.
        """
        attempts = row.attempts + 1
        state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        return self._fenced(row, "state = ?, attempts = ?, last_error = ?, next_attempt_at = ?, verify = ?",
                            [state, attempts, error[:500], _utc(at), int(verify or row.recovering)])

    def mark_unknown(self, row: Row, *, error: str) -> bool:
        """Delivery cannot be verified: hold the row for an operator instead of re-sending it."""
        return self._fenced(row, "state = 'unknown', last_error = ?", [error[:500]])

    def _fenced(self, row: Row, assignments: str, params: list[object]) -> bool:
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute(
                f"UPDATE outbox SET {assignments} WHERE id = ? AND claim_token = ? AND state = 'sending'",
                [*params, row.id, row.token])
            self.db.conn.commit()
            return cur.rowcount == 1

    # ------------------------------------------------------------------ operators
    def resolve(self, key: str, decision: str, *, now: datetime) -> str:
        """An operator's decision on an unknown (or failed) row: it was ``sent``, or ``resend`` it.

        Returns the row's new state; ValueError when there is no such row or nothing to decide.
        """
        if decision not in RESOLUTIONS:
            raise ValueError(f"decide {' or '.join(RESOLUTIONS)}, not {decision!r}")
        with write_transaction(self.db):
            found = self.db.execute("SELECT state FROM outbox WHERE key = ?", [key]).fetchone()
            sql, params, state = resolution(key, found[0] if found else None, decision, now=now)
            self.db.execute(sql, params)
            return state

    # ------------------------------------------------------------------ reads
    def summary(self) -> dict[str, int]:
        with self.db.lock:  # type: ignore[attr-defined]
            return dict(self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())

    def rows(self, *, states: tuple[str, ...] | None = None) -> list[dict]:
        sql, params = rows_query(states)
        with self.db.lock:  # type: ignore[attr-defined]
            return list(self.db.query(sql, params))

    def backlog(self) -> int:
        counts = self.summary()
        return counts.get("pending", 0) + counts.get("sending", 0)
