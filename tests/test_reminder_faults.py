"""Reminders survive crashes, rate limits and a second scheduler: real processes, killed for real."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from state.database import connect
from state.directory import Directory, Route
from tests.fakes import Scripted, cli_env, dxbot, slack_api

FIRST = "2027-04-30T09:00:30+09:00"
AFTER_LEASE = "2027-04-30T09:06:30+09:00"  # a claim older than 5 minutes is recovered


@pytest.fixture()
def api():
    from datetime import datetime

    offset = datetime.fromisoformat(FIRST).timestamp() - time.time()
    fake = slack_api(clock=lambda: time.time() + offset)  # Slack's clock agrees with DXBOT_CLOCK
    yield fake
    fake.close()


def route_some(db_path, *names: str) -> None:
    db = connect(db_path)
    directory = Directory(db)
    for i, name in enumerate(names):
        directory.set(Route(name, f"C{i:03d}"))
    directory.set_admin(channel="CADMIN", users=["UADMIN"])
    db.conn.close()


def posted_keys(api) -> Counter:
    return Counter(m["metadata"]["event_payload"]["key"] for m in api.messages if m.get("metadata"))


def kill_mid_send(db_path, api, *, delivered: bool) -> None:
    """Start a round, hold its first post at Slack, SIGKILL the process, decide the post's fate."""
    gate = api.hold("/api/chat.postMessage")
    proc = dxbot("remind", "--now", env=cli_env(db_path, api, clock=FIRST), background=True)
    api.wait_for("/api/chat.postMessage", 1, timeout=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    if not delivered:
        api.script("/api/chat.postMessage", Scripted(500, {"ok": False, "error": "internal_error"}))
    gate.set()
    api.unhold("/api/chat.postMessage")
    deadline = time.monotonic() + 10
    while delivered and not api.messages and time.monotonic() < deadline:
        time.sleep(0.02)  # the fake finishes the held request on its own thread


@pytest.mark.parametrize("delivered", [False, True], ids=["post-lost", "post-delivered"])
def test_killed_between_outbox_and_sent_then_restarted_sends_once(db_path, api, delivered: bool) -> None:
    route_some(db_path, "総務法制課", "契約課")
    kill_mid_send(db_path, api, delivered=delivered)
    assert sum(posted_keys(api).values()) == (1 if delivered else 0)
    result = dxbot("remind", "--now", env=cli_env(db_path, api, clock=AFTER_LEASE))
    assert result.returncode == 0, result.stderr
    keys = posted_keys(api)
    assert keys["2026:reminder-30:総務法制課"] == 1 and keys["2026:reminder-30:契約課"] == 1
    assert set(keys.values()) == {1}
    status = dxbot("reminders", "status", env=cli_env(db_path))
    assert "sending" not in status.stdout and "pending" not in status.stdout.split("\n")[0]


def test_restarting_never_sends_twice(db_path, api) -> None:
    route_some(db_path, "総務法制課")
    for _ in range(3):
        assert dxbot("remind", "--now", env=cli_env(db_path, api, clock=FIRST)).returncode == 0
    assert posted_keys(api)["2026:reminder-30:総務法制課"] == 1


def test_two_schedulers_on_one_database_send_each_reminder_once(db_path, api) -> None:
    route_some(db_path, "デジタル行政推進課", "総務法制課", "財政課", "契約課", "会計課", "広報課", "人事課",
               "戸籍住民課", "税務課", "社会教育課", "中央公民館", "システム所管課")
    procs = [dxbot("remind", "--now", env=cli_env(db_path, api, clock=FIRST), background=True) for _ in range(2)]
    for p in procs:
        p.wait(timeout=120)
        assert p.returncode == 0, p.stderr.read()
    keys = posted_keys(api)
    assert len(keys) == 12 and set(keys.values()) == {1}


def test_rate_limited_posts_are_retried_and_delivered_once(db_path, api) -> None:
    route_some(db_path, "総務法制課")
    api.script("/api/chat.postMessage",
               Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
               Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}))
    assert dxbot("remind", "--now", env=cli_env(db_path, api, clock=FIRST)).returncode == 0
    assert posted_keys(api)["2026:reminder-30:総務法制課"] == 1
    assert len(api.to("/api/chat.postMessage")) >= 3  # two refusals, then the delivery


def test_failures_are_surfaced_in_reminders_status(db_path, api) -> None:
    route_some(db_path, "総務法制課")
    api.script("/api/chat.postMessage", *[Scripted(500, {"ok": False, "error": "internal_error"})] * 4)
    dxbot("remind", "--now", env=cli_env(db_path, api, clock=FIRST))
    status = dxbot("reminders", "status", env=cli_env(db_path)).stdout
    assert "2026:reminder-30:総務法制課" in status and "internal_error" in status
    assert "no route for 広報課" in status  # unrouted departments are listed, not skipped silently
