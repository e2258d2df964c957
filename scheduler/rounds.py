"""Which evaluation rounds are owed, and which are not any more.

The outbox is the memory: a round was planned for a department when a row of that round exists.
From it follow two rules. An overdue notice missed while the process was down (the evaluation year
moves on the day after) is still owed, once and late, until the next year's round begins, if its
year's round had started. A slot older than a round already planned for the department (the clock
was moved back) is never sent.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from scheduler import calendar as cal
from state.outbox import Outbox

ROUND_KINDS = ("reminder", "overdue")
CLOCK_BACK = "clock moved back"


def later_than(outbox: Outbox, slot: cal.Slot) -> dict[str, str]:
    """Departments with a round of ``slot``'s year planned after it: department -> that round's label."""
    newer: dict[str, tuple[datetime, str]] = {}
    for r in outbox.rows():
        if r["fiscal_year"] != slot.fiscal_year or r["kind"] not in ROUND_KINDS:
            continue
        at = datetime.fromisoformat(r["due_at"])
        if at > slot.at and (r["department"] not in newer or at > newer[r["department"]][0]):
            newer[r["department"]] = (at, r["label"])
    return {dept: label for dept, (_, label) in newer.items()}


def overdue_owed(now: datetime, outbox: Outbox, config: cal.CalendarConfig = cal.CalendarConfig()) -> cal.Slot | None:
    """Last year's overdue slot, when its round started here but its overdue notice was never planned
    and the next round has not begun."""
    fy = cal.evaluation_year(now, config) - 1
    overdue = cal.slots(fy, config)[-1]
    if not overdue.at <= now < cal.slots(fy + 1, config)[0].at:
        return None
    labels = {r["label"] for r in outbox.rows() if r["fiscal_year"] == fy and r["kind"] in ROUND_KINDS}
    return overdue if labels and overdue.label not in labels else None


def status_lines(outbox: Outbox, now: datetime, config: cal.CalendarConfig = cal.CalendarConfig()) -> list[str]:
    """Per fiscal year and round: counts by state, late rounds, refused rounds, and owed overdue notices."""
    by_round: dict[tuple[int, str], Counter[str]] = {}
    at: dict[tuple[int, str], str] = {}
    late: set[tuple[int, str]] = set()
    refused: list[str] = []
    for r in outbox.rows():
        if r["kind"] not in (*ROUND_KINDS, "summary"):
            continue
        label = r["label"]
        by_round.setdefault((r["fiscal_year"], label), Counter())[r["state"]] += 1
        at[(r["fiscal_year"], label)] = r["due_at"]
        if r["late"]:
            late.add((r["fiscal_year"], label))
        if r["state"] == "skipped" and (r["last_error"] or "").startswith(CLOCK_BACK):
            refused.append(f"refused  {r['key']}  {r['last_error']}")
    lines = []
    for (fy, label), counts in sorted(by_round.items(), key=lambda item: (item[0][0], at[item[0]])):
        states = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
        lines.append(f"FY{fy} {label}: {states}" + (" (sent late)" if (fy, label) in late else ""))
    owed = overdue_owed(now, outbox, config)
    if owed is not None:
        lines.append(f"FY{owed.fiscal_year} overdue: due {owed.at:%Y-%m-%d %H:%M}, NOT SENT yet (sent late at the next tick)")
    return lines + refused
