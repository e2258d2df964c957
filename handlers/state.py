"""What the channels remember between messages, in the shared state (the SQLite file or PostgreSQL).

- :class:`Conversations` — the last project discussed per thread or DM, for follow-ups;
- :class:`QuestionLog` — unanswered questions, with the user id hashed and a retention period.

Time is always passed in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any


from handlers.answer import Answer

from knowledge.statedb import as_state


def _iso(t: datetime) -> str:
    """UTC, so that stored times compare correctly as text whatever zone the clock was in."""
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


class Conversations:
    """The last project discussed, per conversation key (a thread, or a DM with an expiry)."""

    def __init__(self, db: Any) -> None:
        self.state = as_state(db)  # the table comes from knowledge.migrations

    def remember(self, key: str, project_id: str, *, now: datetime) -> None:
        self.state.execute("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET project_id = excluded.project_id, updated_at = excluded.updated_at",
                           [key, project_id, _iso(now)])

    def recall(self, key: str, *, now: datetime, ttl: timedelta | None = None) -> str | None:
        row = self.state.one("SELECT project_id, updated_at FROM conversations WHERE key = ?", [key])
        if row is None:
            return None
        if ttl is not None and datetime.fromisoformat(row["updated_at"]) < now - ttl:
            return None
        return row["project_id"]

    def purge(self, *, before: datetime, prefix: str) -> int:
        """Forget conversations under ``prefix`` (e.g. ``web:``) untouched since ``before``."""
        return self.state.execute("DELETE FROM conversations WHERE key LIKE ? AND updated_at < ?",
                                  [prefix.replace("%", "").replace("_", "") + "%", _iso(before)])


def hash_user(user_id: str, *, salt: str) -> str:
    """A stable pseudonym: the same user groups together, the raw id is never stored."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


class QuestionLog:
    """Questions the bot could not answer (or answered with low confidence), for improving aliases."""

    def __init__(self, db: Any, *, salt: str = "dxbot") -> None:
        self.state = as_state(db)  # the table comes from knowledge.migrations
        self.salt = salt

    LOW_CONFIDENCE = 85.0

    def observe(self, answer: Answer, *, channel: str, user_id: str | None, now: datetime) -> None:
        """Keep what the bot could not answer well: unknown, clarify, or answered below LOW_CONFIDENCE."""
        weak = answer.intent in {"unknown", "clarify"} or (bool(answer.answers) and answer.score < self.LOW_CONFIDENCE)
        if weak and answer.query.strip():
            self.record(answer.query, channel=channel, user_id=user_id, intent=answer.intent, score=answer.score,
                        now=now)

    def record(self, text: str, *, channel: str, user_id: str | None, intent: str, score: float, now: datetime) -> None:
        self.state.execute(
            "INSERT INTO unanswered(text, channel, user_hash, intent, score, at) VALUES (?, ?, ?, ?, ?, ?)",
            [text[:500], channel, hash_user(user_id, salt=self.salt) if user_id else None, intent, score, _iso(now)])

    def since(self, when: datetime) -> list[dict]:
        return self.state.rows("SELECT * FROM unanswered WHERE at >= ? ORDER BY at, id", [_iso(when)])

    def enforce_retention(self, *, now: datetime, days: int) -> int:
        return self.state.execute("DELETE FROM unanswered WHERE at < ?", [_iso(now - timedelta(days=days))])


def group_similar(texts: list[str], *, threshold: float = 75.0) -> list[tuple[str, int, list[str]]]:
    """(representative, count, distinct variants), most frequent first: 「LGWANて何」 and
    「LGWANってなに？」 are one group."""
    from rapidfuzz import fuzz

    from knowledge.search import key

    groups: list[tuple[str, list[str]]] = []
    for text in texts:
        k = key(text)
        for rep, members in groups:
            if fuzz.ratio(k, rep) >= threshold:
                members.append(text)
                break
        else:
            groups.append((k, [text]))
    out = [(members[0], len(members), sorted(set(members))) for _, members in groups]
    return sorted(out, key=lambda g: (-g[1], g[0]))
