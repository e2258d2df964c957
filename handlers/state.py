"""What the channels remember between messages, kept in the same SQLite file.

- :class:`Conversations` — the last project discussed per thread or DM, for follow-ups;
- :class:`QuestionLog` — unanswered questions, with the user id hashed and a retention period.

Time is always passed in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from handlers.answer import Answer

from knowledge.store import write_transaction


def _iso(t: datetime) -> str:
    """UTC, so that stored times compare correctly as text whatever zone the clock was in."""
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


class Conversations:
    """The last project discussed, per conversation key (a thread, or a DM with an expiry)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with write_transaction(db):
            db["conversations"].create(
                {"key": str, "project_id": str, "updated_at": str}, pk="key", if_not_exists=True
            )

    def remember(self, key: str, project_id: str, *, now: datetime) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db["conversations"].upsert({"key": key, "project_id": project_id, "updated_at": _iso(now)}, pk="key")
            self.db.conn.commit()

    def recall(self, key: str, *, now: datetime, ttl: timedelta | None = None) -> str | None:
        with self.db.lock:  # type: ignore[attr-defined]
            row = self.db.execute("SELECT project_id, updated_at FROM conversations WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        if ttl is not None and datetime.fromisoformat(row[1]) < now - ttl:
            return None
        return row[0]

    def purge(self, *, before: datetime, prefix: str) -> int:
        """Forget conversations under ``prefix`` (e.g. ``web:``) untouched since ``before``."""
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute("DELETE FROM conversations WHERE key LIKE ? AND updated_at < ?",
                                  [prefix.replace("%", "").replace("_", "") + "%", _iso(before)])
            self.db.conn.commit()
            return cur.rowcount


def hash_user(user_id: str, *, salt: str) -> str:
    """A stable pseudonym: the same user groups together, the raw id is never stored."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


class QuestionLog:
    """Questions the bot could not answer (or answered with low confidence), for improving aliases."""

    def __init__(self, db: Database, *, salt: str = "dxbot") -> None:
        self.db = db
        self.salt = salt
        with write_transaction(db):
            db["unanswered"].create(
                {"id": int, "text": str, "channel": str, "user_hash": str, "intent": str, "score": float, "at": str},
                pk="id",
                if_not_exists=True,
            )

    LOW_CONFIDENCE = 85.0

    def observe(self, answer: Answer, *, channel: str, user_id: str | None, now: datetime) -> None:
        """Keep what the bot could not answer well: unknown, clarify, or answered below LOW_CONFIDENCE."""
        weak = answer.intent in {"unknown", "clarify"} or (bool(answer.answers) and answer.score < self.LOW_CONFIDENCE)
        if weak and answer.query.strip():
            self.record(answer.query, channel=channel, user_id=user_id, intent=answer.intent, score=answer.score,
                        now=now)

    def record(self, text: str, *, channel: str, user_id: str | None, intent: str, score: float, now: datetime) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db["unanswered"].insert({
                "text": text[:500], "channel": channel,
                "user_hash": hash_user(user_id, salt=self.salt) if user_id else None,
                "intent": intent, "score": score, "at": _iso(now),
            })
            self.db.conn.commit()

    def since(self, when: datetime) -> list[dict]:
        with self.db.lock:  # type: ignore[attr-defined]
            return list(self.db.query("SELECT * FROM unanswered WHERE at >= ? ORDER BY at", [_iso(when)]))

    def enforce_retention(self, *, now: datetime, days: int) -> int:
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute("DELETE FROM unanswered WHERE at < ?", [_iso(now - timedelta(days=days))])
            self.db.conn.commit()
            return cur.rowcount


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
