"""What the channels remember between messages, in the shared state (the SQLite file or PostgreSQL).

- :class:`Conversations` — the last project discussed per thread or DM, for follow-ups;
- :class:`QuestionLog` — unanswered questions, with the user id hashed and a retention period;
- :class:`WriteBehind` — their writes held for a few milliseconds, to share the transaction in
  which the server records answered events as done.

Time is always passed in.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from rapidfuzz import fuzz

from knowledge.search import key
from state.personal_data import mask
from state.statedb import Statement, as_state

_REMEMBER = ("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) "
             "DO UPDATE SET project_id = excluded.project_id, updated_at = excluded.updated_at")
_RECORD = "INSERT INTO unanswered(text, channel, user_hash, intent, score, at) VALUES (?, ?, ?, ?, ?, ?)"


class Observed(Protocol):
    """What the log reads of an answer (``handlers.answer.Answer`` is one)."""

    @property
    def query(self) -> str: ...
    @property
    def intent(self) -> str: ...
    @property
    def answers(self) -> Sequence[Any]: ...
    @property
    def score(self) -> float: ...


def _iso(t: datetime) -> str:
    """UTC, so that stored times compare correctly as text whatever zone the clock was in."""
    return t.astimezone(UTC).isoformat(timespec="seconds")


class WriteBehind:
    """Writes of the answering path that may wait a few milliseconds: a conversation's last project
    and an unanswered question.

    Each was a transaction of its own per question (a round trip each on PostgreSQL). Held here,
    they are written together with the inbound rows the server's queue worker records as done, in
    one transaction; whoever owns this calls :meth:`flush` (``on_write`` tells it there is
    something to write). Until then :class:`Conversations` reads its own pending writes, so a
    follow-up in this process never sees an older project. A process that dies first loses at
    most these few milliseconds of writes, and the events they came from are answered again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, tuple[str, str]] = {}  # conversation key: (project, ISO time)
        self._logged: list[Sequence[Any]] = []
        self._held: dict[str, list[Sequence[Any]]] = {}  # other stores' inserts (state/feedback.py)
        self._wake: Callable[[], None] | None = None

    def on_write(self, wake: Callable[[], None]) -> None:
        """``wake()`` is called (from any thread) after each write; the first owner to ask keeps it."""
        if self._wake is None:
            self._wake = wake

    def remember(self, key: str, project_id: str, at: str) -> None:
        with self._lock:
            self._last[key] = (project_id, at)
        self._woken()

    def record(self, row: Sequence[Any]) -> None:
        with self._lock:
            self._logged.append(row)
        self._woken()

    def hold(self, sql: str, row: Sequence[Any]) -> None:
        """Another store's insert of one row, written with the rest (it must not depend on them)."""
        with self._lock:
            self._held.setdefault(sql, []).append(row)
        self._woken()

    def pending(self, key: str) -> tuple[str, str] | None:
        return self._last.get(key)

    def _woken(self) -> None:
        if self._wake is not None:
            self._wake()

    def flush(self, write: Callable[[list[Statement]], Any]) -> None:
        """Hand what is pending to ``write`` as statements (it runs them in one transaction). If it
        raises, everything stays pending for the next flush."""
        with self._lock:
            last, logged, self._logged = dict(self._last), self._logged, []
            held, self._held = self._held, {}
        statements: list[Statement] = []
        if last:
            statements.append((_REMEMBER, [[k, p, at] for k, (p, at) in last.items()]))
        if logged:
            statements.append((_RECORD, logged))
        statements += [(sql, rows) for sql, rows in held.items()]
        try:
            write(statements)
        except BaseException:
            with self._lock:
                self._logged[:0] = logged
                for sql, rows in held.items():
                    self._held.setdefault(sql, [])[:0] = rows
            raise
        with self._lock:  # a newer write to a key made meanwhile stays pending
            for k, v in last.items():
                if self._last.get(k) == v:
                    del self._last[k]

    def __len__(self) -> int:
        return len(self._last) + len(self._logged) + sum(len(rows) for rows in self._held.values())


class Conversations:
    """The last project discussed, per conversation key (a thread, or a DM with an expiry).

    ``behind``: remember through it (the server's answering path), else write at once."""

    def __init__(self, db: Any, *, behind: WriteBehind | None = None) -> None:
        self.state = as_state(db)  # the table comes from state.migrations
        self.behind = behind

    def remember(self, key: str, project_id: str, *, now: datetime) -> None:
        if self.behind is not None:
            self.behind.remember(key, project_id, _iso(now))
        else:
            self.state.execute(_REMEMBER, [key, project_id, _iso(now)])

    def recall(self, key: str, *, now: datetime, ttl: timedelta | None = None) -> str | None:
        held = self.behind.pending(key) if self.behind is not None else None
        if held is not None:
            project_id, at = held
        else:
            row = self.state.one("SELECT project_id, updated_at FROM conversations WHERE key = ?", [key])
            if row is None:
                return None
            project_id, at = row["project_id"], row["updated_at"]
        if ttl is not None and datetime.fromisoformat(at) < now - ttl:
            return None
        return project_id

    def purge(self, *, before: datetime, prefix: str) -> int:
        """Forget conversations under ``prefix`` (e.g. ``web:``) untouched since ``before``."""
        return self.state.execute("DELETE FROM conversations WHERE key LIKE ? AND updated_at < ?",
                                  [prefix.replace("%", "").replace("_", "") + "%", _iso(before)])


def hash_user(user_id: str, *, salt: str) -> str:
    """A stable pseudonym: the same user groups together, the raw id is never stored. A pseudonym
    is returned as it is (no platform id is 16 lowercase hex digits): the channels hash an id as
    it arrives, before the inbound queue keeps it, and everything after it hashes again."""
    if _PSEUDONYM.fullmatch(user_id):
        return user_id
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def kept_salt(db: Any, *, new: Callable[[], str]) -> tuple[str, bool]:
    """The deployment's own salt for :func:`hash_user` when ``DXBOT_LOG_SALT`` is unset: made with
    ``new()`` by the first process that asks and kept in the state, so every worker and host, and
    every restart, hashes a user to the same pseudonym. (The salt, and whether it was made now.)"""
    state = as_state(db)
    made = state.execute("INSERT INTO state_meta(key, value) VALUES ('log_salt', ?) ON CONFLICT(key) DO NOTHING",
                         [new()])
    row = state.one("SELECT value FROM state_meta WHERE key = 'log_salt'")
    assert row is not None  # inserted just now, or by whoever was first
    return row["value"], made == 1


_PSEUDONYM = re.compile(r"[0-9a-f]{16}")


class QuestionLog:
    """Questions the bot could not answer (or answered with low confidence), for improving aliases."""

    def __init__(self, db: Any, *, salt: str = "dxbot", behind: WriteBehind | None = None) -> None:
        self.state = as_state(db)  # the table comes from state.migrations
        self.salt = salt
        self.behind = behind

    LOW_CONFIDENCE = 85.0

    def observe(self, answer: Observed, *, channel: str, user_id: str | None, now: datetime) -> None:
        """Keep what the bot could not answer well: unknown, clarify, or answered below LOW_CONFIDENCE."""
        weak = answer.intent in {"unknown", "clarify"} or (bool(answer.answers) and answer.score < self.LOW_CONFIDENCE)
        if weak and answer.query.strip():
            self.record(answer.query, channel=channel, user_id=user_id, intent=answer.intent, score=answer.score,
                        now=now)

    def record(self, text: str, *, channel: str, user_id: str | None, intent: str, score: float, now: datetime) -> None:
        row = [mask(text)[:500], channel, hash_user(user_id, salt=self.salt) if user_id else None, intent, score, _iso(now)]
        if self.behind is not None:
            self.behind.record(row)
        else:
            self.state.execute(_RECORD, row)

    def since(self, when: datetime) -> list[dict]:
        return self.state.rows("SELECT * FROM unanswered WHERE at >= ? ORDER BY at, id", [_iso(when)])

    def enforce_retention(self, *, now: datetime, days: int) -> int:
        return self.state.execute("DELETE FROM unanswered WHERE at < ?", [_iso(now - timedelta(days=days))])


def group_similar(texts: list[str], *, threshold: float = 75.0) -> list[tuple[str, int, list[str]]]:
    """(representative, count, distinct variants), most frequent first: 「LGWANて何」 and
    「LGWANってなに？」 are one group."""
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
