"""Where each Slack reminder was posted (channel and ts) and what it listed, so that any host can
update a reminder another host posted (``bot/slack/reminder_update.py`` does the updating)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from state.statedb import as_state


class _Listed(Protocol):
    @property
    def project_id(self) -> str: ...


class PostedNotice(Protocol):
    """What is recorded of a posted notice (``scheduler.notices.Notice`` is one)."""

    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def fiscal_year(self) -> int: ...
    @property
    def deadline(self) -> date: ...
    @property
    def late(self) -> bool: ...
    @property
    def items(self) -> Sequence[_Listed]: ...
    @property
    def mention(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Posted:
    key: str
    channel: str
    ts: str
    kind: str
    department: str
    fiscal_year: int
    deadline: date
    late: bool
    projects: tuple[str, ...]
    mention: tuple[str, ...]
    closed: str | None


class PostedReminders:
    """Where each reminder was posted (channel, ts) and what it listed, in the shared state (any
    host may update a reminder another host posted)."""

    def __init__(self, db: Any) -> None:
        self.state = as_state(db)  # the table comes from state.migrations

    def record(self, notice: PostedNotice, *, channel: str, ts: str, now: datetime) -> None:
        self.state.execute(
            "INSERT INTO slack_reminder_messages(key, channel, ts, kind, department, fiscal_year, deadline, late, "
            "projects, mention, closed, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT(key) DO "
            "UPDATE SET channel = excluded.channel, ts = excluded.ts, kind = excluded.kind, "
            "department = excluded.department, fiscal_year = excluded.fiscal_year, deadline = excluded.deadline, "
            "late = excluded.late, projects = excluded.projects, mention = excluded.mention, closed = NULL, "
            "posted_at = excluded.posted_at",
            [notice.key, channel, ts, notice.kind, notice.department, notice.fiscal_year, notice.deadline.isoformat(),
             int(notice.late), json.dumps([i.project_id for i in notice.items]), json.dumps(list(notice.mention)),
             now.astimezone(UTC).isoformat(timespec="seconds")])

    def close(self, key: str, *, reason: str) -> None:
        self.state.execute("UPDATE slack_reminder_messages SET closed = ? WHERE key = ?", [reason, key])

    def find(self, *, fiscal_year: int, project_id: str | None = None, department: str | None = None) -> list[Posted]:
        rows = self.state.rows("SELECT * FROM slack_reminder_messages WHERE fiscal_year = ? ORDER BY posted_at, key",
                               [fiscal_year])
        out = [Posted(r["key"], r["channel"], r["ts"], r["kind"], r["department"], r["fiscal_year"],
                      date.fromisoformat(r["deadline"]), bool(r["late"]), tuple(json.loads(r["projects"])),
                      tuple(json.loads(r["mention"] or "[]")), r["closed"]) for r in rows]
        return [p for p in out if (project_id is None or project_id in p.projects)
                and (department is None or p.department == department)]
