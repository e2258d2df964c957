"""What the city learns from its bot: every answer given (:class:`AnswerLog`) and the 👍 / 👎 people
give it (:class:`Feedback`), in the shared state (the tables come from state.migrations, 7).

The answer log keeps no question text (the unanswered log keeps what it must, state/conversations.py):
when, which channel, the intent, how it ended (answered, clarified, unknown, out of scope), what it
was about (project ids, glossary terms) and the user hashed like every other store. A vote is one
row per answer and person: a second vote on the same answer *replaces* the first (changing one's
mind is allowed; counting twice is not), and a 👍 clears a 👎's reason. Both are kept as long as the
unanswered log (``DXBOT_UNANSWERED_RETENTION_DAYS``) and purged with it.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from state.conversations import WriteBehind, hash_user
from state.statedb import as_state

VOTES = ("up", "down")
OUTCOMES = ("answered", "clarified", "unknown", "out_of_scope")
REASON_LIMIT = 200  # characters of a 👎's reason: one line
_LOG = ("INSERT INTO answer_log(id, channel, user_hash, intent, outcome, subjects, lang, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")
_VOTE = ("INSERT INTO answer_feedback(answer_id, user_hash, channel, intent, vote, reason, at) "
         "VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT(answer_id, user_hash) DO UPDATE SET vote = excluded.vote, "
         "at = excluded.at, reason = CASE WHEN excluded.vote = 'down' THEN answer_feedback.reason END")


class Answered(Protocol):
    """What the log reads of an answer (``handlers.answer.Answer`` is one)."""

    @property
    def intent(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def answers(self) -> Sequence[Any]: ...
    @property
    def extra(self) -> dict[str, Any]: ...


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds")


def outcome(answer: Answered) -> str:
    """How an answer ended, for the report's rates."""
    if "out_of_scope" in answer.extra:
        return "out_of_scope"
    if answer.intent == "unknown":
        return "unknown"
    if answer.intent == "clarify":
        return "clarified"
    return "answered"


def new_answer_id() -> str:
    return secrets.token_urlsafe(9)  # 12 URL-safe characters: fits every platform's button value


class AnswerLog:
    """Every answer a channel gave, with an id its 👍 / 👎 buttons carry."""

    def __init__(self, db: Any, *, salt: str = "dxbot", behind: WriteBehind | None = None,
                 new_id: Callable[[], str] = new_answer_id) -> None:
        self.state = as_state(db)
        self.salt = salt
        self.behind = behind
        self.new_id = new_id

    def record(self, answer: Answered, *, channel: str, user_id: str | None, now: datetime) -> str:
        """Log the answer; returns its id (what a vote on it names)."""
        answer_id = self.new_id()
        subjects = " ".join(f"{r.kind}:{r.id}" for r in list(answer.answers)[:3]
                            if outcome(answer) == "answered")
        row = [answer_id, channel, hash_user(user_id, salt=self.salt) if user_id else None, answer.intent,
               outcome(answer), subjects[:500], answer.lang, _iso(now)]
        if self.behind is not None:
            self.behind.hold(_LOG, row)
        else:
            self.state.execute(_LOG, row)
        return answer_id

    def between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return self.state.rows("SELECT id, channel, user_hash, intent, outcome, subjects, lang, at FROM answer_log "
                               "WHERE at >= ? AND at < ? ORDER BY at, id", [_iso(start), _iso(end)])

    def enforce_retention(self, *, now: datetime, days: int) -> int:
        return self.state.execute("DELETE FROM answer_log WHERE at < ?", [_iso(now - timedelta(days=days))])


class Feedback:
    """👍 / 👎 per answer and person (the person hashed), with an optional reason after 👎."""

    def __init__(self, db: Any, *, salt: str = "dxbot") -> None:
        self.state = as_state(db)
        self.salt = salt

    def vote(self, answer_id: str, *, vote: str, channel: str, user_id: str, now: datetime) -> bool:
        """Record (or replace) this person's vote on the answer. False when the vote or the answer id
        is not one we could have handed out (nothing is stored)."""
        if vote not in VOTES or not _plausible(answer_id) or not user_id:
            return False
        found = self.state.one("SELECT intent FROM answer_log WHERE id = ?", [answer_id])
        intent = found["intent"] if found else None
        self.state.execute(_VOTE, [answer_id, hash_user(user_id, salt=self.salt), channel, intent, vote, _iso(now)])
        return True

    def asked_by(self, answer_id: str, *, user_id: str) -> bool:
        """Whether this person got the answer (the web chat lets only its asker vote)."""
        if not _plausible(answer_id):
            return False
        return self.state.one("SELECT 1 AS x FROM answer_log WHERE id = ? AND user_hash = ?",
                              [answer_id, hash_user(user_id, salt=self.salt)]) is not None

    def reason(self, answer_id: str, *, user_id: str, text: str, now: datetime) -> bool:
        """Attach a one-line reason to this person's 👎 on the answer; False when there is none."""
        line = " ".join(text.split())[:REASON_LIMIT]
        if not line or not _plausible(answer_id) or not user_id:
            return False
        return self.state.execute(
            "UPDATE answer_feedback SET reason = ?, at = ? WHERE answer_id = ? AND user_hash = ? AND vote = 'down'",
            [line, _iso(now), answer_id, hash_user(user_id, salt=self.salt)]) == 1

    def between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return self.state.rows("SELECT answer_id, channel, intent, vote, reason, at FROM answer_feedback "
                               "WHERE at >= ? AND at < ? ORDER BY at, answer_id", [_iso(start), _iso(end)])

    def enforce_retention(self, *, now: datetime, days: int) -> int:
        return self.state.execute("DELETE FROM answer_feedback WHERE at < ?", [_iso(now - timedelta(days=days))])


def _plausible(answer_id: str) -> bool:
    return isinstance(answer_id, str) and 8 <= len(answer_id) <= 64 and answer_id.isascii() and \
        all(c.isalnum() or c in "-_:." for c in answer_id)


# ------------------------------------------------------------------ the month in numbers


@dataclass(frozen=True)
class MonthSummary:
    """One month of answers and votes: what ``dxbot report`` and ``/admin`` show."""

    month: str  # YYYY-MM
    days: tuple[str, ...]  # every day of the month, ISO dates
    per_day: dict[str, dict[str, int]]  # day -> channel -> answers
    channels: tuple[str, ...]
    outcomes: dict[str, int]  # answered / clarified / unknown / out_of_scope -> count
    subjects: tuple[tuple[str, int], ...]  # ("project:2-3-1", n), most asked first
    votes: dict[str, int]  # up / down
    reasons: tuple[tuple[str, str, str], ...]  # (date, channel, reason) of each 👎 with one
    votes_by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def rate(self, key: str) -> float:
        return self.outcomes.get(key, 0) / self.total if self.total else 0.0

    @property
    def up_rate(self) -> float | None:
        n = self.votes.get("up", 0) + self.votes.get("down", 0)
        return self.votes.get("up", 0) / n if n else None


def month_bounds(month: str, *, zone: Any) -> tuple[datetime, datetime]:
    """The month ``YYYY-MM`` in the city's time zone, as [start, end). ValueError when malformed."""
    year, _, mon = month.partition("-")
    if not (len(year) == 4 and len(mon) == 2 and year.isdigit() and mon.isdigit() and 1 <= int(mon) <= 12):
        raise ValueError(f"not a month: {month!r} (expected YYYY-MM)")
    start = datetime(int(year), int(mon), 1, tzinfo=zone)
    end = datetime(int(year) + (int(mon) == 12), int(mon) % 12 + 1, 1, tzinfo=zone)
    return start, end


def summarise(db: Any, month: str, *, zone: Any) -> MonthSummary:
    """The month's answers and votes, counted by day (in ``zone``), channel and outcome."""
    start, end = month_bounds(month, zone=zone)
    answers = AnswerLog(db).between(start, end)
    votes = Feedback(db).between(start, end)
    days = tuple((start + timedelta(days=n)).date().isoformat() for n in range((end - start).days))
    per_day: dict[str, dict[str, int]] = {d: {} for d in days}
    outcomes: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
    subjects: Counter[str] = Counter()
    for row in answers:
        day = _local_day(row["at"], zone)
        per_day[day][row["channel"]] = per_day[day].get(row["channel"], 0) + 1
        outcomes[row["outcome"]] += 1
        subjects.update((row["subjects"] or "").split())
    tally: Counter[str] = Counter(dict.fromkeys(VOTES, 0))
    by_channel: dict[str, dict[str, int]] = {}
    reasons = []
    for row in votes:
        tally[row["vote"]] += 1
        by_channel.setdefault(row["channel"], {"up": 0, "down": 0})[row["vote"]] += 1
        if row["vote"] == "down" and row["reason"]:
            reasons.append((_local_day(row["at"], zone), row["channel"], row["reason"]))
    channels = tuple(sorted({r["channel"] for r in answers}))
    return MonthSummary(month=month, days=days, per_day=per_day, channels=channels, outcomes=dict(outcomes),
                        subjects=tuple(sorted(subjects.items(), key=lambda kv: (-kv[1], kv[0]))),
                        votes=dict(tally), reasons=tuple(reasons), votes_by_channel=by_channel)


def _local_day(at: str, zone: Any) -> str:
    return datetime.fromisoformat(at).astimezone(zone).date().isoformat()
