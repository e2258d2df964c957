"""Two hosts on one PostgreSQL: two real `dxbot serve` processes, each with its own knowledge file,
both receiving every signed Slack and LINE event (as a platform retrying through a load balancer
would) while their schedulers race for the same reminder round; one is killed with SIGKILL in the
middle. Every question is answered once and every reminder is sent once."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import threading
import time
from collections import Counter
from datetime import datetime

import httpx
import pytest

from state.catalog import load_catalog
from state.database import connect
from state.statedb import PostgresState
from tests.fakes import cli_env, dxbot, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

SLACK_SECRET, LINE_SECRET = "test-signing-secret", "line-channel-secret"
START = "2027-04-30T08:59:52+09:00"  # eight seconds before FY2026's first reminder round
N = 24
QUESTIONS = ["2-3-1の状況は？", "LGWANって何？", "RPAのKPIは？", "マイナポータルとは"]


def directory(db_path) -> str:
    """Every department of the plan routed to a channel of its own; admins to CADMIN."""
    names = load_catalog(connect(db_path)).departments
    return '[admin]\nchannel = "CADMIN"\nusers = ["UADMIN"]\n' + "".join(
        f'\n[departments."{name}"]\nslack_channel = "C{i:02d}"\n' for i, name in enumerate(names))


def slack_event(n: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"EvH{n:03d}",
                       "event_time": int(time.time()),
                       "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {QUESTIONS[n % 4]}",
                                 "ts": f"1700000000.{n:06d}", "channel": "CQ"}}).encode()
    return body, {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}


def line_event(n: int) -> tuple[bytes, dict[str, str]]:
    event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
             "source": {"type": "user", "userId": f"U{n:032d}"}, "webhookEventId": f"01HH{n:022d}",
             "deliveryContext": {"isRedelivery": False}, "replyToken": f"reply-{n}",
             "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": QUESTIONS[n % 4]}}
    body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
    return body, {"Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)}


def post(server, path: str, body: bytes, headers: dict[str, str]) -> int | None:
    try:
        return server.http.post(path, content=body, headers=headers).status_code
    except httpx.HTTPError:
        return None  # the killed host: the platform would retry elsewhere (here: it is sent to both anyway)


def line_answers(api) -> Counter:
    got: Counter = Counter()
    for call in api.delivered:
        if call.path == "/v2/bot/message/reply":
            got[f"U{int(call.json['replyToken'].split('-')[1]):032d}"] += 1
        elif call.path == "/v2/bot/message/push":
            got[call.json["to"]] += 1
    return got


def posted_keys(api) -> Counter:
    """Reminders at Slack, by outbox key (answers carry metadata of their own, without a key)."""
    return Counter(m["metadata"]["event_payload"]["key"] for m in api.messages
                   if "key" in m.get("metadata", {}).get("event_payload", {}))


@pytest.fixture()
def fakes():
    offset = datetime.fromisoformat(START).timestamp() - time.time()
    slack = slack_api(clock=lambda: time.time() + offset)  # Slack's clock agrees with DXBOT_CLOCK
    line = line_api()
    yield slack, line
    slack.close()
    line.close()


def test_two_hosts_answer_each_question_once_and_send_each_reminder_once(db_path, pg_url, fakes, tmp_path) -> None:
    slack, line = fakes
    (tmp_path / "directory.toml").write_text(directory(db_path), encoding="utf-8")
    loaded = dxbot("departments", "load", str(tmp_path / "directory.toml"),
                   env=cli_env(db_path, DXBOT_DATABASE_URL=pg_url))
    assert loaded.returncode == 0, loaded.stderr
    slack.slow("/api/chat.postMessage", 0.5)  # a busy Slack: the kill lands while posts are under way
    acked_by_a: list[int] = []

    def start(name: str):  # type: ignore[no-untyped-def]
        kb = tmp_path / f"{name}.db"  # each host its own knowledge file
        shutil.copy(db_path, kb)
        env = cli_env(kb, slack, clock=START, DXBOT_DATABASE_URL=pg_url, DXBOT_TICK_SECONDS="1",
                      DXBOT_OUTBOX_LEASE_SECONDS="3", LINE_CHANNEL_SECRET=LINE_SECRET,
                      LINE_CHANNEL_ACCESS_TOKEN="token", LINE_API_URL=line.url)
        return serve(env, tmp_path / f"{name}.log")

    def send_all(server, acked: list[int] | None = None) -> None:
        for n in range(N):
            for path, (body, headers) in (("/slack/events", slack_event(n)), ("/line/webhook", line_event(n))):
                if post(server, path, body, headers) == 200 and acked is not None:
                    acked.append(n)
            time.sleep(0.4)  # events keep arriving while the reminder round is sent

    # Host A starts first and takes events at once; B joins a moment later and gets every event
    # again, as the platform's retries through the balancer would deliver them.
    hosts = [start("a")]
    senders = [threading.Thread(target=send_all, args=(hosts[0], acked_by_a))]
    senders[0].start()
    hosts.append(start("b"))
    a, b = hosts
    try:
        senders.append(threading.Thread(target=send_all, args=(b,)))
        senders[1].start()
        deadline = time.monotonic() + 60
        while sum(posted_keys(slack).values()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # A's scheduler (its clock is ahead) is sending the reminder round
        a.proc.send_signal(signal.SIGKILL)  # host A dies mid-send
        a.proc.wait(timeout=10)
        assert acked_by_a, "host A acknowledged no event before it was killed"
        for t in senders:
            t.join()

        state = PostgresState(pg_url)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                inbound = Counter(r["state"] for r in state.rows("SELECT state FROM inbound_events"))
                outbox = Counter(r["state"] for r in state.rows("SELECT state FROM outbox"))
                if inbound == Counter({"done": 2 * N}) and outbox and set(outbox) <= {"sent", "skipped"}:
                    break
                time.sleep(0.2)
            assert inbound == Counter({"done": 2 * N}), inbound
            errors = state.rows("SELECT key, state, last_error FROM outbox WHERE state NOT IN ('sent', 'skipped')")
            assert outbox and not errors, errors
            keys = {r["key"] for r in state.rows("SELECT key FROM outbox WHERE state = 'sent'")}
            # The kill left work behind that host B took over (else this test proved nothing).
            a_worker, b_worker = (f"{socket.gethostname()}:{h.proc.pid}" for h in hosts)
            taken_over = state.rows("SELECT id FROM inbound_events WHERE fence > 1 AND claimed_by = ?", [b_worker])
            by_a = state.rows("SELECT id FROM inbound_events WHERE claimed_by = ?", [a_worker])
            assert taken_over and by_a, state.rows("SELECT claimed_by, fence, count(*) AS n FROM inbound_events "
                                                   "GROUP BY 1, 2")
            senders_of = Counter(r["claimed_by"] for r in state.rows("SELECT claimed_by FROM outbox"))
            assert senders_of[b_worker], senders_of
        finally:
            state.close()
        time.sleep(1.5)  # a few more ticks of host B: nothing else may be sent
        threads = Counter(m["thread_ts"] for m in slack.messages if m["channel"] == "CQ")
        assert threads == Counter({f"1700000000.{n:06d}": 1 for n in range(N)})
        assert line_answers(line) == Counter({f"U{n:032d}": 1 for n in range(N)})
        reminders = posted_keys(slack)
        assert set(reminders) == keys and set(reminders.values()) == {1}, reminders
        assert any(k.startswith("2026:reminder-30:") for k in keys)
    finally:
        for h in hosts:
            h.stop(kill=True)
