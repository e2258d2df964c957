"""Reminders truly once: fenced claims against a slow Slack, and rows that cannot be verified after
a crash are held for an operator instead of being re-sent blindly. Real processes, killed for real."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime

import pytest

from tests.fakes import Scripted, cli_env, dxbot, slack_api, slack_api_at
from tests.test_reminder_faults import AFTER_LEASE, FIRST, kill_mid_send, posted_keys, route_some


def clock_now(anchor: tuple[datetime, float]) -> str:
    """The shared fake time: every process and the fake Slack agree on one clock, however long a
    process takes to start (a first sender slow to start under load once ran two seconds behind
    the second, which then took its renewed claims for expired)."""
    start, real = anchor
    return f"{start.isoformat()}@{real}"


def test_a_slow_slack_outliving_the_lease_does_not_let_a_second_sender_post_again(db_path) -> None:
    anchor = (datetime.fromisoformat(FIRST), time.time())
    api = slack_api(clock=lambda: anchor[0].timestamp() + time.time() - anchor[1])
    try:
        route_some(db_path, "総務法制課", "契約課", "財政課", "会計課")
        api.slow("/api/chat.postMessage", 2)  # five posts take 10 s: more than three leases of 3 s
        lease = {"DXBOT_OUTBOX_LEASE_SECONDS": "3"}
        first = dxbot("remind", "--now", env=cli_env(db_path, api, clock=clock_now(anchor), **lease), background=True)
        api.wait_for("/api/chat.postMessage", 1, timeout=60)
        time.sleep(4)  # past the first claim's lease: an unrenewed claim would be recovered now
        assert first.poll() is None, "the second sender must start while the first is still sending"
        second = dxbot("remind", "--now", env=cli_env(db_path, api, clock=clock_now(anchor), **lease))
        assert second.returncode == 0, second.stderr
        assert first.wait(timeout=60) == 0, first.stderr.read()
    finally:
        api.close()
    keys = posted_keys(api)
    assert len(keys) == 5 and set(keys.values()) == {1}, keys
    status = dxbot("reminders", "status", env=cli_env(db_path)).stdout
    assert status.splitlines()[0].startswith("outbox: ") and "sent 5" in status, status


@pytest.fixture()
def api():
    fake = slack_api_at(FIRST)
    yield fake
    fake.close()


HISTORY_FAILS = {
    "missing_scope": Scripted(200, {"ok": False, "error": "missing_scope", "needed": "channels:history"}),
    "5xx": Scripted(503, {"ok": False, "error": "service_unavailable"}),
}
LATER = (AFTER_LEASE, "2027-04-30T10:30:00+09:00")
KEYS = ("2026:reminder-30:総務法制課", "2026:reminder-30:契約課", "2026:reminder-30:unrouted")


def admin_alerts(api) -> list[dict]:
    return [m for m in api.messages if m["channel"] == "CADMIN"
            and m["metadata"]["event_payload"]["key"].startswith("alert:unknown:")]


@pytest.mark.parametrize("failure", HISTORY_FAILS, ids=list(HISTORY_FAILS))
def test_after_a_crash_an_unverifiable_reminder_is_held_and_the_admin_told(db_path, api, failure: str) -> None:
    route_some(db_path, "総務法制課", "契約課")
    kill_mid_send(db_path, api, delivered=True)
    assert sum(posted_keys(api).values()) == 1  # the killed process's post reached Slack
    api.script("/api/conversations.history", *[HISTORY_FAILS[failure]] * 3)
    for later in LATER:  # restarting again, past any back-off, changes nothing: no re-send, no second alert
        result = dxbot("remind", "--now", env=cli_env(db_path, api, clock=later))
        assert result.returncode == 0, result.stderr
    keys = posted_keys(api)
    assert all(keys[k] <= 1 for k in KEYS) and sum(keys[k] for k in KEYS) == 1, keys
    alerts = admin_alerts(api)
    assert len(alerts) == 1 and all(k in alerts[0]["text"] for k in KEYS), alerts
    assert "reminders resolve" in alerts[0]["text"]
    status = dxbot("reminders", "status", env=cli_env(db_path)).stdout
    assert "unknown 3" in status.splitlines()[0]
    assert all(f"unknown  {k}" in status for k in KEYS) and ("missing_scope" if failure != "5xx" else "service_unavailable") in status

    # The operator looks at the channel: the posted one arrived, the others did not.
    posted = next(k for k in KEYS if keys[k])
    assert dxbot("reminders", "resolve", posted, "sent", env=cli_env(db_path)).returncode == 0
    for key in KEYS:
        if key != posted:
            assert dxbot("reminders", "resolve", key, "resend", env=cli_env(db_path)).returncode == 0
    again = dxbot("reminders", "resolve", posted, "resend", env=cli_env(db_path))
    assert again.returncode != 0 and "is sent" in again.stderr  # decided once
    assert dxbot("remind", "--now", env=cli_env(db_path, api, clock=LATER[-1])).returncode == 0
    assert Counter({k: posted_keys(api)[k] for k in KEYS}) == Counter(dict.fromkeys(KEYS, 1))
    assert "unknown" not in dxbot("reminders", "status", env=cli_env(db_path)).stdout


def test_resolve_refuses_what_there_is_nothing_to_decide(db_path) -> None:
    unknown_key = dxbot("reminders", "resolve", "2026:reminder-30:総務法制課", "sent", env=cli_env(db_path))
    assert unknown_key.returncode != 0 and "no reminder with key" in unknown_key.stderr
    bad = dxbot("reminders", "resolve", "x", "maybe", env=cli_env(db_path))
    assert bad.returncode == 2 and "maybe" in bad.stderr


def test_a_clock_given_with_its_real_instant_is_one_clock_for_processes_started_apart() -> None:
    from bot.config import Settings

    set_at = time.time() - 5  # the clock was handed out five seconds before this process read it
    shared = Settings.from_env({"DXBOT_CLOCK": f"{FIRST}@{set_at}"}).clock()
    assert 5 <= (shared() - datetime.fromisoformat(FIRST)).total_seconds() < 60
    own = Settings.from_env({"DXBOT_CLOCK": FIRST}).clock()  # without it: from when it is first read
    assert (own() - datetime.fromisoformat(FIRST)).total_seconds() < 5
