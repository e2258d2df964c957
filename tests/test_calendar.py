"""The evaluation calendar over whole fiscal years, with frozen clocks, in several time zones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import calendar as cal

ZONES = ["Asia/Tokyo", "UTC", "America/New_York", "Europe/London"]  # the host's zone must not matter


def test_default_deadline_and_slots_for_fy2025() -> None:
    slots = cal.slots(2025)
    assert cal.deadline(2025) == date(2026, 5, 31)  # FY2025 ends 2026-03-31
    assert [(s.label, s.at.date()) for s in slots] == [
        ("reminder-30", date(2026, 5, 1)),   # Fri
        ("reminder-14", date(2026, 5, 15)),  # Sun 17th -> Fri 15th
        ("reminder-7", date(2026, 5, 22)),   # Sun 24th -> Fri 22nd
        ("reminder-3", date(2026, 5, 28)),
        ("reminder-1", date(2026, 5, 29)),   # Sat 30th -> Fri 29th
        ("overdue", date(2026, 6, 1)),       # Mon after the deadline
    ]
    assert all(s.at.timetz() == time(9, 0, tzinfo=cal.TOKYO) for s in slots)


def test_golden_week_moves_reminders_back_to_a_business_day() -> None:
    # FY2028's deadline 2029-05-31; with a deadline on May 7, 2 and 4 days before fall in
    # Golden Week (May 3-5 holidays, May 5-6 a weekend) and go back to May 2 and May 1.
    config = cal.CalendarConfig(deadline_month=5, deadline_day=7, offsets=(10, 5, 4, 2))
    got = [(s.offset, s.at.date()) for s in cal.slots(2028, config) if s.kind == "reminder"]
    # 10 days before: Fri 4/27. 5 days before: Wed 5/2. 4 (5/3 holiday) and 2 (5/5 holiday,
    # a Saturday) go back to Wed 5/2 too: one reminder that day, the most urgent.
    assert got == [(10, date(2029, 4, 27)), (2, date(2029, 5, 2))]
    assert all(cal.is_business_day(d) for _, d in got)


def test_year_end_closure_and_merged_reminders() -> None:
    config = cal.CalendarConfig(deadline_month=1, deadline_day=5, offsets=(7, 3, 1))
    slots = cal.slots(2026, config)
    assert cal.deadline(2026, config) == date(2027, 1, 5)
    # 7 days before is 12/29 and 3 days before is 1/2 — both in the closure: both become 12/28,
    # which is one reminder (the more urgent offset), not two.
    assert [(s.label, s.at.date()) for s in slots] == [
        ("reminder-3", date(2026, 12, 28)), ("reminder-1", date(2027, 1, 4)), ("overdue", date(2027, 1, 6))]


def test_overdue_moves_forward_never_before_the_deadline() -> None:
    config = cal.CalendarConfig(deadline_month=5, deadline_day=1)  # FY2026: Sat 2027-05-01
    overdue = cal.slots(2026, config)[-1]
    assert overdue.at.date() == date(2027, 5, 6)  # Sun 2nd, then 3-5 Golden Week holidays -> Thu 6th
    assert overdue.at.date() > cal.deadline(2026, config)


def test_every_day_of_a_fiscal_year_is_classified() -> None:
    d = date(2026, 4, 1)
    business = 0
    while d < date(2027, 4, 1):
        if cal.is_business_day(d):
            business += 1
            assert d.weekday() < 5 and (d.month, d.day) not in cal.CalendarConfig().closure
        d += timedelta(days=1)
    assert 235 <= business <= 245  # about 243 business days in a Japanese fiscal year


@pytest.mark.parametrize("zone", ZONES)
def test_due_slots_are_the_same_whatever_zone_now_is_in(zone: str) -> None:
    # 2027-04-30 09:00 in Tokyo, expressed in another zone (New York is in DST then).
    tokyo_nine = datetime(2027, 4, 30, 9, 0, tzinfo=cal.TOKYO)
    before = (tokyo_nine - timedelta(seconds=1)).astimezone(ZoneInfo(zone))
    at = tokyo_nine.astimezone(ZoneInfo(zone))
    assert cal.evaluation_year(before) == 2026
    assert cal.due_slots(before, 2026) == []
    assert [s.label for s in cal.due_slots(at, 2026)] == ["reminder-30"]


@pytest.mark.parametrize("zone", ZONES)
def test_evaluation_year_turns_over_after_the_overdue_notice(zone: str) -> None:
    z = ZoneInfo(zone)
    assert cal.evaluation_year(datetime(2026, 11, 24, 12, tzinfo=cal.TOKYO).astimezone(z)) == 2026
    assert cal.evaluation_year(datetime(2026, 6, 1, 23, 59, tzinfo=cal.TOKYO).astimezone(z)) == 2025
    assert cal.evaluation_year(datetime(2026, 6, 2, 0, 0, tzinfo=cal.TOKYO).astimezone(z)) == 2026


def test_snooze_counts_business_days() -> None:
    friday = datetime(2027, 4, 30, 10, tzinfo=cal.TOKYO)
    assert cal.snooze_until(friday, business_days=1) == datetime(2027, 5, 6, 9, tzinfo=cal.TOKYO)  # after GW
    assert cal.snooze_until(friday, business_days=3) == datetime(2027, 5, 10, 9, tzinfo=cal.TOKYO)
    assert cal.snooze_until(datetime(2026, 12, 28, 15, tzinfo=cal.TOKYO), business_days=1).date() == date(2027, 1, 4)
