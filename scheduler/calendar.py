"""The evaluation calendar: pure functions of a given date or time, all in Asia/Tokyo.

Each fiscal year (April–March) is evaluated by a deadline after it ends (default May 31).
Reminders go out a number of days before (default 30, 14, 7, 3, 1); one that falls on a
weekend, a national holiday or the year-end closure (12/29–1/3) moves to the previous business
day. The overdue notice goes out the day after the deadline, moved to the *next* business day
so that it never arrives before the deadline has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class CalendarConfig:
    deadline_month: int = 5
    deadline_day: int = 31
    offsets: tuple[int, ...] = (30, 14, 7, 3, 1)
    send_time: time = time(9, 0)
    closure: tuple[tuple[int, int], ...] = field(default=((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)))


@dataclass(frozen=True)
class Slot:
    """One moment a notice is due: a reminder ``offset`` days before, or the overdue notice (offset -1)."""

    fiscal_year: int
    kind: str  # "reminder" | "overdue"
    offset: int
    at: datetime  # aware, Asia/Tokyo

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.offset}" if self.kind == "reminder" else "overdue"


def is_business_day(d: date, config: CalendarConfig = CalendarConfig()) -> bool:
    return d.weekday() < 5 and not jpholiday.is_holiday(d) and (d.month, d.day) not in config.closure


def previous_business_day(d: date, config: CalendarConfig = CalendarConfig()) -> date:
    while not is_business_day(d, config):
        d -= timedelta(days=1)
    return d


def next_business_day(d: date, config: CalendarConfig = CalendarConfig()) -> date:
    while not is_business_day(d, config):
        d += timedelta(days=1)
    return d


def add_business_days(d: date, n: int, config: CalendarConfig = CalendarConfig()) -> date:
    """The n-th business day after ``d`` (``d`` itself never counts)."""
    for _ in range(n):
        d = next_business_day(d + timedelta(days=1), config)
    return d


def deadline(fiscal_year: int, config: CalendarConfig = CalendarConfig()) -> date:
    """Fiscal year 2025 (April 2025–March 2026) is due on May 31, 2026 by default."""
    return date(fiscal_year + 1, config.deadline_month, config.deadline_day)


def _at(d: date, config: CalendarConfig) -> datetime:
    return datetime.combine(d, config.send_time, tzinfo=TOKYO)


def slots(fiscal_year: int, config: CalendarConfig = CalendarConfig()) -> list[Slot]:
    due = deadline(fiscal_year, config)
    by_time: dict[datetime, Slot] = {}
    for off in sorted(config.offsets, reverse=True):
        at = _at(previous_business_day(due - timedelta(days=off), config), config)
        # Two offsets moved onto the same business day make one reminder, the more urgent one.
        by_time[at] = Slot(fiscal_year, "reminder", off, at)
    out = sorted(by_time.values(), key=lambda s: s.at)
    out.append(Slot(fiscal_year, "overdue", -1, _at(next_business_day(due + timedelta(days=1), config), config)))
    return out


def evaluation_year(now: datetime, config: CalendarConfig = CalendarConfig()) -> int:
    """The fiscal year whose evaluation round is under way or next: its overdue notice is not past."""
    local = now.astimezone(TOKYO)
    year = local.year - 2
    while slots(year, config)[-1].at.date() < local.date():
        year += 1
    return year


def due_slots(now: datetime, fiscal_year: int, config: CalendarConfig = CalendarConfig()) -> list[Slot]:
    """Slots of ``fiscal_year`` whose time has come by ``now``."""
    return [s for s in slots(fiscal_year, config) if s.at <= now.astimezone(TOKYO)]



def snooze_until(now: datetime, *, business_days: int, config: CalendarConfig = CalendarConfig()) -> datetime:
    """When a snoozed reminder comes back: ``business_days`` business days later, at send time."""
    return _at(add_business_days(now.astimezone(TOKYO).date(), business_days, config), config)
