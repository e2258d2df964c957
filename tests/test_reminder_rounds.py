"""Rounds survive downtime and a clock moved back: real `dxbot` processes against the fake Slack."""

from __future__ import annotations

import pytest

from tests.fakes import cli_env, dxbot, slack_api_at
from tests.test_reminder_faults import posted_keys, route_some

LAST_REMINDER = "2027-05-28T09:00:30+09:00"  # FY2026's reminder-1 (deadline Monday May 31)
DAY_AFTER_OVERDUE = "2027-06-02T10:00:00+09:00"  # the process was down on June 1, the overdue day
DEPARTMENTS = ("総務法制課", "契約課")


@pytest.fixture()
def api():
    fake = slack_api_at(LAST_REMINDER)
    yield fake
    fake.close()


def remind(db_path, api, clock: str):  # type: ignore[no-untyped-def]
    result = dxbot("remind", "--now", env=cli_env(db_path, api, clock=clock))
    assert result.returncode == 0, result.stderr
    return result


def status(db_path, clock: str) -> str:
    return dxbot("reminders", "status", env=cli_env(db_path, clock=clock)).stdout


def test_the_overdue_escalation_missed_while_down_is_sent_late_once(db_path, api) -> None:
    route_some(db_path, *DEPARTMENTS)
    remind(db_path, api, LAST_REMINDER)
    assert {f"2026:reminder-1:{d}" for d in DEPARTMENTS} <= set(posted_keys(api))
    # Down through June 1. The status says the escalation is owed before anything runs.
    assert "FY2026 overdue: due 2027-06-01 09:00, NOT SENT" in status(db_path, DAY_AFTER_OVERDUE)
    remind(db_path, api, DAY_AFTER_OVERDUE)
    remind(db_path, api, "2027-06-03T09:00:30+09:00")  # and again the next day: nothing more
    keys = posted_keys(api)
    overdue = {k: n for k, n in keys.items() if ":overdue:" in k or k.endswith(":summary")}
    assert overdue == {"2026:overdue:総務法制課": 1, "2026:overdue:契約課": 1, "2026:overdue:unrouted": 1,
                       "2026:summary": 1}
    by_key = {m["metadata"]["event_payload"]["key"]: m for m in api.messages}
    assert "締切超過" in by_key["2026:overdue:総務法制課"]["text"]
    assert "遅れてお送りしています" in by_key["2026:overdue:総務法制課"]["text"]  # marked late
    summary = by_key["2026:summary"]
    assert summary["channel"] == "CADMIN" and "広報課" in summary["text"]  # who is missing, to the admins
    shown = status(db_path, "2027-06-03T09:00:30+09:00")
    assert "FY2026 overdue: failed 10, sent 3 (sent late)" in shown and "NOT SENT" not in shown  # 10 unrouted


def test_a_clock_moved_back_never_sends_an_earlier_round_after_a_later_one(db_path, api) -> None:
    route_some(db_path, *DEPARTMENTS)
    remind(db_path, api, "2027-05-24T09:00:30+09:00")  # reminder-7
    before = posted_keys(api)
    back = remind(db_path, api, "2027-05-17T09:00:30+09:00")  # DXBOT_CLOCK set a week back: reminder-14
    assert posted_keys(api) == before
    assert "REFUSED" in back.stderr
    shown = status(db_path, "2027-05-24T10:00:00+09:00")
    for dept in DEPARTMENTS:
        assert f"refused  2026:reminder-14:{dept}  clock moved back: reminder-7 was planned already" in shown
    # The clock put right, the next round still comes.
    remind(db_path, api, "2027-05-28T09:00:30+09:00")
    assert {f"2026:reminder-1:{d}" for d in DEPARTMENTS} <= set(posted_keys(api))
