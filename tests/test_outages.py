"""Outages answered at once: a real `dxbot serve` whose disk refuses writes, or whose PostgreSQL
stops, tells the load balancer (/healthz fails) and the platforms (503, so they retry) at once, and
recovers by itself; what it acknowledged is answered once."""

from __future__ import annotations

import json
import resource
import shutil
import time
from collections import Counter

import httpx

from tests.fakes import cli_env, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

SLACK_SECRET, LINE_SECRET, STAFF_TOKEN = "test-signing-secret", "line-channel-secret", "outage-staff-token"
# LINE gives up on a webhook after 2 s (Slack after 3 s); an outage must be answered well inside
# that, within 1 s, so that a platform's retry (or a load balancer) moves on at once. The client
# below gives up after 1 s: a webhook not answered by then counts as no answer at all.
PLATFORM_DEADLINE = 1.0


def until(condition, *, timeout: float = 60, every: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


# ------------------------------------------------------------------ the disk


def test_healthz_fails_while_the_disk_refuses_writes_then_recovers(db_path, tmp_path) -> None:
    server = serve(cli_env(db_path, DXBOT_WEB_STAFF_TOKEN=STAFF_TOKEN), tmp_path / "serve.log")
    try:
        assert server.http.get("/healthz").json()["disk"] == {"writable": True}
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        # The server may write no file past 16 KB from now on: a full disk, as far as it can tell.
        resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (16_384, hard))
        r = server.http.get("/healthz")
        assert r.status_code == 503
        assert r.json()["status"] == "failing" and "disk not writable" in r.json()["failing"]
        resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (soft, hard))
        r = server.http.get("/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok"
    finally:
        server.stop()


def test_healthz_details_only_to_staff_or_this_host(db_path, tmp_path) -> None:
    server = serve(cli_env(db_path, DXBOT_WEB_STAFF_TOKEN=STAFF_TOKEN), tmp_path / "serve.log")
    try:
        relayed = {"X-Forwarded-For": "203.0.113.9"}  # through a proxy: a caller from anywhere
        assert server.http.get("/healthz", headers=relayed).json() == {"status": "ok"}
        staff = server.http.get("/healthz", headers={**relayed, "Authorization": f"Bearer {STAFF_TOKEN}"}).json()
        assert staff["database"]["backend"] == "sqlite" and "disk" in staff
        assert server.http.get("/healthz", headers={**relayed, "Authorization": "Bearer wrong"}).json() == {
            "status": "ok"}
        assert "database" in server.http.get("/healthz").json()  # on this host, not relayed
    finally:
        server.stop()


# ------------------------------------------------------------------ PostgreSQL stops




def slack_event(n: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": f"EvOut{n:03d}",
                       "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> 2-3-1の状況は？",
                                 "ts": f"1700000000.{n:06d}", "channel": "CQ"}}).encode()
    return body, {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}


def line_event(n: int) -> tuple[bytes, dict[str, str]]:
    event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
             "source": {"type": "user", "userId": f"U{n:032d}"}, "webhookEventId": f"01HOUT{n:020d}",
             "deliveryContext": {"isRedelivery": False}, "replyToken": f"reply-{n}",
             "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": "LGWANとは"}}
    body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
    return body, {"Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)}


def deliver(http: httpx.Client, n: int) -> dict[str, int | None]:
    """Both platforms' event n; the status each got (None: not answered within the deadline)."""
    got: dict[str, int | None] = {}
    for path, (body, headers) in (("/slack/events", slack_event(n)), ("/line/webhook", line_event(n))):
        try:
            got[path] = http.post(path, content=body, headers=headers, timeout=PLATFORM_DEADLINE).status_code
        except httpx.TimeoutException:
            got[path] = None
    return got


def answered(slack, line) -> tuple[Counter, Counter]:  # type: ignore[no-untyped-def]
    threads = Counter(m["thread_ts"] for m in slack.messages if m["channel"] == "CQ")
    replies: Counter = Counter()  # by event, whether replied or pushed
    for call in line.delivered:
        if call.path == "/v2/bot/message/reply":
            replies[f"reply-{int(call.json['replyToken'].split('-')[1])}"] += 1
        elif call.path == "/v2/bot/message/push":
            replies[f"reply-{int(call.json['to'][1:])}"] += 1
    return threads, replies


def test_postgresql_stopping_gets_503_at_once_and_every_acknowledged_event_answered_once(
        db_path, own_pg, tmp_path) -> None:
    slack, line = slack_api(), line_api()
    url = own_pg.new_database()
    shutil.copy(db_path, tmp_path / "host.db")
    env = cli_env(tmp_path / "host.db", slack, DXBOT_DATABASE_URL=url, LINE_CHANNEL_SECRET=LINE_SECRET,
                  LINE_CHANNEL_ACCESS_TOKEN="token", LINE_API_URL=line.url)
    server = serve(env, tmp_path / "serve.log")
    statuses: dict[tuple[str, int], int | None] = {}
    try:
        for n in range(4):  # before: stored and answered
            statuses.update({(p, n): s for p, s in deliver(server.http, n).items()})
        own_pg.pause()
        for n in range(4, 16):  # while PostgreSQL is down, for a few seconds
            statuses.update({(p, n): s for p, s in deliver(server.http, n).items()})
            time.sleep(0.3)
        health = server.http.get("/healthz", timeout=PLATFORM_DEADLINE)
        assert health.status_code == 503 and "database unreachable" in health.json()["failing"]
        own_pg.resume()
        assert until(lambda: server.http.get("/healthz").status_code == 200, timeout=60)
        # Every webhook answered in time, with 200 (stored) or 503 (not: the platform retries).
        assert set(statuses.values()) <= {200, 503}, statuses
        assert all(statuses[(p, n)] == 200 for p in ("/slack/events", "/line/webhook") for n in range(4))
        assert any(s == 503 for (_, n), s in statuses.items() if n >= 4)
        # The platforms retry what got 503; now it is stored.
        for n in range(16):
            for path, status in deliver(server.http, n).items():
                if statuses[(path, n)] != 200:
                    assert status == 200, (path, n, status)
                    statuses[(path, n)] = status
        want_threads = Counter({f"1700000000.{n:06d}": 1 for n in range(16)})
        want_replies = Counter({f"reply-{n}": 1 for n in range(16)})
        until(lambda: answered(slack, line) == (want_threads, want_replies), timeout=90)
        time.sleep(1.5)  # a few more polls: nothing may be answered again
        assert answered(slack, line) == (want_threads, want_replies)
    finally:
        server.stop()
        slack.close()
        line.close()
