"""The reminder outbox: a row per notice, written before sending, marked sent after the platform
confirms. Rows are claimed with one atomic UPDATE, so several schedulers on one database never
send the same row twice; a claim whose process died is recovered after a lease.

States: pending -> sending -> sent | pending (retry) | failed; skipped when there was nothing
left to remind about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from knowledge.store import write_transaction

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6



def _utc(t: datetime) -> str:
    """UTC, so that stored times compare correctly as text whatever zone the clock was in."""
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    kind: str  # "reminder" | "overdue" | "summary" | "unrouted" | "snooze" | "digest"
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
    claimed_at: datetime | None  # when the process that never confirmed took it (recovery looks from here)
    recovering: bool = False  # claimed before by a process that never confirmed


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        with write_transaction(db):
            db["outbox"].create({
                "id": int, "key": str, "kind": str, "department": str, "route": str, "fiscal_year": int,
                "label": str, "projects": str, "due_at": str, "late": int, "state": str, "attempts": int,
                "last_error": str, "next_attempt_at": str, "claimed_by": str, "claimed_at": str, "sent_at": str,
                "receipt": str, "created_at": str,
            }, pk="id", if_not_exists=True)
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS outbox_key ON outbox(key)")
            db.execute("CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, next_attempt_at)")

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

    def claim(self, now: datetime, *, worker: str, lease: timedelta = LEASE, limit: int = 50) -> list[Row]:
        """Take the rows due by ``now`` (and stale claims) for this worker, atomically per row."""
        stamp = _utc(now)
        stale = _utc(now - lease)
        with self.db.lock:  # type: ignore[attr-defined]
            candidates = self.db.execute(
                "SELECT id, state FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?) "
                "OR (state = 'sending' AND claimed_at <= ?) ORDER BY due_at, id LIMIT ?",
                [stamp, stale, limit]).fetchall()
            taken = []
            for row_id, state in candidates:
                before = self.db.execute("SELECT claimed_at FROM outbox WHERE id = ?", [row_id]).fetchone()[0]
                cur = self.db.execute(
                    "UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ? WHERE id = ? AND "
                    "((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_at <= ?))",
                    [worker, stamp, row_id, stamp, stale])
                self.db.conn.commit()
                if cur.rowcount == 1:
                    taken.append((row_id, state == "sending", before))
            rows = []
            for row_id, recovering, before in taken:
                r = next(self.db.query("SELECT * FROM outbox WHERE id = ?", [row_id]))
                row = self._row(r, recovering)
                if recovering and before:
                    row = Row(**{**row.__dict__, "claimed_at": datetime.fromisoformat(before)})
                rows.append(row)
        return rows

    @staticmethod
    def _row(d: dict, recovering: bool) -> Row:
        return Row(
            id=d["id"], key=d["key"], kind=d["kind"], department=d["department"], route=d["route"],
            fiscal_year=d["fiscal_year"], label=d["label"], projects=tuple(json.loads(d["projects"] or "[]")),
            due_at=datetime.fromisoformat(d["due_at"]), late=bool(d["late"]), state=d["state"],
            attempts=d["attempts"], last_error=d["last_error"],
            claimed_at=datetime.fromisoformat(d["claimed_at"]) if d["claimed_at"] else None, recovering=recovering,
        )

    def mark_sent(self, row: Row, *, receipt: str, now: datetime) -> None:
        self._update(row, "UPDATE outbox SET state = 'sent', sent_at = ?, receipt = ?, last_error = NULL WHERE id = ?",
                     [_utc(now), receipt, row.id])

    def mark_skipped(self, row: Row, *, reason: str, now: datetime) -> None:
        self._update(row, "UPDATE outbox SET state = 'skipped', sent_at = ?, last_error = ? WHERE id = ?",
                     [_utc(now), reason, row.id])

    def mark_retry(self, row: Row, *, error: str, at: datetime) -> None:
        """Try again at ``at``; after MAX_ATTEMPTS the row fails and stays visible in the status."""
        attempts = row.attempts + 1
        state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        self._update(row, "UPDATE outbox SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                     [state, attempts, error[:500], _utc(at), row.id])

    def _update(self, row: Row, sql: str, params: list[object]) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db.execute(sql, params)
            self.db.conn.commit()

    def summary(self) -> dict[str, int]:
        with self.db.lock:  # type: ignore[attr-defined]
            return {s: n for s, n in self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()}

    def rows(self, *, states: tuple[str, ...] | None = None) -> list[dict]:
        sql = "SELECT key, kind, department, route, state, attempts, last_error, due_at, sent_at FROM outbox"
        params: list[object] = []
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            params = list(states)
        with self.db.lock:  # type: ignore[attr-defined]
            return list(self.db.query(sql + " ORDER BY due_at, key", params))

    def backlog(self) -> int:
        counts = self.summary()
        return counts.get("pending", 0) + counts.get("sending", 0)
