"""What the channels remember between messages, kept in the same SQLite file.

- :class:`Inbox` — which inbound deliveries were handled, so a platform's retry or redelivery
  is answered once (and a delivery whose handling crashed is answered on the next retry);
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


class Inbox:
    """Claims on inbound deliveries (Slack ``event_id``, LINE ``webhookEventId``)."""

    def __init__(self, db: Database, *, stale_after: timedelta = timedelta(minutes=2)) -> None:
        self.db = db
        self.stale_after = stale_after
        with write_transaction(db):
            db["inbound_events"].create(
                {"id": str, "channel": str, "state": str, "updated_at": str}, pk="id", if_not_exists=True
            )

    def claim(self, event_id: str, *, channel: str, now: datetime) -> bool:
        """True when this delivery should be handled now.

        A new id is claimed. A repeat is refused while the first is being handled or once it
        is done; a claim older than ``stale_after`` that never finished (the process died) may
        be taken again, so a crash does not lose the answer.
        """
        with write_transaction(self.db):
            row = self.db.execute("SELECT state, updated_at FROM inbound_events WHERE id = ?", [event_id]).fetchone()
            if row is not None:
                state, updated = row
                if state == "done" or datetime.fromisoformat(updated) > now - self.stale_after:
                    return False
            self.db.execute(
                "INSERT OR REPLACE INTO inbound_events(id, channel, state, updated_at) VALUES (?, ?, 'processing', ?)",
                [event_id, channel, _iso(now)],
            )
            return True

    def done(self, event_id: str, *, now: datetime) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db.execute("UPDATE inbound_events SET state = 'done', updated_at = ? WHERE id = ?", [_iso(now), event_id])
            self.db.conn.commit()

    def release(self, event_id: str) -> None:
        """Handling failed: let the platform's retry try again."""
        with self.db.lock:  # type: ignore[attr-defined]
            self.db.execute("DELETE FROM inbound_events WHERE id = ? AND state = 'processing'", [event_id])
            self.db.conn.commit()

    def purge(self, *, before: datetime) -> int:
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute("DELETE FROM inbound_events WHERE updated_at < ?", [_iso(before)])
            self.db.conn.commit()
            return cur.rowcount


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
