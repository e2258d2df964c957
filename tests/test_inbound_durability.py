"""Acknowledged questions survive a shutdown, a crash and a full queue: real `dxbot serve` processes
with the fake Slack and LINE APIs, stopped with SIGTERM or killed with SIGKILL mid-answer."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest

from tests.fakes import cli_env, dxbot, free_port, line_api, line_signature, slack_api, slack_headers

SLACK_SECRET = "test-signing-secret"
LINE_SECRET = "line-channel-secret"
N = 20
REPLY, PUSH, POST = "/v2/bot/message/reply", "/v2/bot/message/push", "/api/chat.postMessage"


@pytest.fixture()
def fakes():
    apis = SimpleNamespace(slack=slack_api(), line=line_api())
    yield apis
    for path in (REPLY, PUSH, POST):
        apis.line.unhold(path)
        apis.slack.unhold(path)
    apis.slack.close()
    apis.line.close()


class Serve:
    """A real `dxbot serve` on a free port, Slack and LINE pointed at the fakes."""

    def __init__(self, db_path, fakes, *, args: tuple[str, ...] = (), **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = cli_env(db_path, fakes.slack, LINE_CHANNEL_SECRET=LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN="token",
                              LINE_API_URL=fakes.line.url, **env)
        self.proc = dxbot("serve", "--port", str(self.port), *args, env=environment, background=True)
        self.log: list[str] = []  # its stderr, line by line, as it comes
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()
        self.http = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("serve did not start: " + "".join(self.log))
            time.sleep(0.1)

    def wait_log(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.log)):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged: " + "".join(self.log)[-2000:])
            time.sleep(0.05)

    def slack(self, n: int, *, retry: int | None = None) -> httpx.Response:
        body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"EvQ{n:03d}",
                           "event_time": int(time.time()),
                           "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {QUESTIONS[n % 4]}",
                                     "ts": f"1700000000.{n:06d}", "channel": "CQ"}}).encode()
        headers = {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
        return self.http.post("/slack/events", content=body, headers=headers)

    def line(self, n: int, *, redelivery: bool = False) -> httpx.Response:
        event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                 "source": {"type": "user", "userId": f"U{n:032d}"}, "webhookEventId": f"01HQ{n:022d}",
                 "deliveryContext": {"isRedelivery": redelivery}, "replyToken": f"reply-{n}",
                 "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": QUESTIONS[n % 4]}}
        body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
        return self.http.post("/line/webhook", content=body, headers={
            "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)})

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.http.close()
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


QUESTIONS = ["2-3-1の状況は？", "LGWANって何？", "RPAのKPIは？", "マイナポータルとは"]


def rows(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT id, state FROM inbound_events").fetchall())


def wait_all_done(db_path, count: int, timeout: float = 60) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = rows(db_path)
        if len(states) >= count and set(states.values()) == {"done"}:
            return states
        time.sleep(0.1)
    raise AssertionError(f"not all answered: {Counter(rows(db_path).values())}")


def slack_answers(api) -> Counter:
    """Answers per question, as the asker sees them: messages in each question's thread."""
    return Counter(m["thread_ts"] for m in api.messages if m["channel"] == "CQ")


def line_answers(api) -> Counter:
    """Messages that reached each user: accepted replies (by token) and accepted pushes (LINE keeps
    one per retry key, and so does the fake)."""
    got: Counter = Counter()
    for call in api.delivered:
        if call.path == REPLY:
            got[f"U{int(call.json['replyToken'].split('-')[1]):032d}"] += 1
        else:
            got[call.json["to"]] += 1
    return got


def each_once_slack() -> Counter:
    return Counter({f"1700000000.{n:06d}": 1 for n in range(N)})


def each_once_line() -> Counter:
    return Counter({f"U{n:032d}": 1 for n in range(N)})


def hold_all(fakes) -> None:
    for api, path in ((fakes.line, REPLY), (fakes.line, PUSH), (fakes.slack, POST)):
        api.hold(path)


def release_all(fakes) -> None:
    for api, path in ((fakes.line, REPLY), (fakes.line, PUSH), (fakes.slack, POST)):
        api.unhold(path)


def send_all(server: Serve) -> None:
    for n in range(N):
        assert server.slack(n).status_code == 200
        assert server.line(n).status_code == 200


def settle(api, path: str, timeout: float = 10) -> None:
    """Wait until the fake has answered every request it received on ``path``."""
    deadline = time.monotonic() + timeout
    while any(c.status is None for c in api.to(path)) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sigterm_drains_in_flight_answers_and_a_restart_answers_the_rest_once(db_path, fakes) -> None:
    hold_all(fakes)  # the platforms are slow: most questions are still waiting at SIGTERM
    # Four replies per platform on their way at once: the rest are answered but wait to be sent.
    server = Serve(db_path, fakes, DXBOT_DRAIN_SECONDS="20", DXBOT_SEND_LIMIT="4")
    send_all(server)
    fakes.slack.wait_for(POST, 1)
    fakes.line.wait_for(REPLY, 1)
    server.proc.send_signal(signal.SIGTERM)
    server.wait_log("line queue draining")
    server.wait_log("slack queue draining")
    release_all(fakes)  # the answers in flight finish inside the grace period
    # uvicorn re-raises the signal once it has shut down gracefully: "terminated by SIGTERM".
    assert server.proc.wait(timeout=30) == -signal.SIGTERM
    server.wait_log("queue drained")
    states = rows(db_path)
    assert len(states) == 2 * N
    assert "processing" not in states.values()  # nothing left claimed by a process that is gone
    assert Counter(states.values())["done"] >= 2  # what was in flight finished
    assert "pending" in states.values()  # the rest waits for the next start

    # Two minutes later (LINE's reply tokens have expired): the rest is pushed with retry keys.
    later = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    restarted = Serve(db_path, fakes, DXBOT_CLOCK=later)
    try:
        wait_all_done(db_path, 2 * N)
        settle(fakes.slack, POST)
        settle(fakes.line, PUSH)
        assert slack_answers(fakes.slack) == each_once_slack()
        assert line_answers(fakes.line) == each_once_line()
        pushes = fakes.line.to(PUSH)
        assert pushes and all(len(c.headers.get("x-line-retry-key", "")) == 36 for c in pushes)
    finally:
        restarted.stop()


def test_kill_9_mid_answer_then_two_workers_answer_every_question_exactly_once(db_path, fakes) -> None:
    hold_all(fakes)
    server = Serve(db_path, fakes)
    send_all(server)
    fakes.slack.wait_for(POST, 1)
    fakes.line.wait_for(REPLY, 1)
    server.stop(signal.SIGKILL)
    # The requests in flight at the kill reach the platforms anyway: those users have their answer.
    release_all(fakes)
    settle(fakes.slack, POST)
    settle(fakes.line, REPLY)
    assert "processing" in rows(db_path).values()  # claims of a dead process
    # Two processes now race for what the dead one left: each row is still answered once.
    restarted = Serve(db_path, fakes, args=("--workers", "2"))
    try:
        wait_all_done(db_path, 2 * N)
        settle(fakes.slack, POST)
        settle(fakes.line, REPLY)
        settle(fakes.line, PUSH)
        assert slack_answers(fakes.slack) == each_once_slack()
        assert line_answers(fakes.line) == each_once_line()
    finally:
        restarted.stop()


def test_a_full_queue_answers_503_and_the_platforms_redelivery_is_answered_once(db_path, fakes) -> None:
    hold_all(fakes)
    server = Serve(db_path, fakes, DXBOT_QUEUE_LIMIT="5")
    try:
        statuses = [server.line(n).status_code for n in range(8)]
        assert statuses == [200] * 5 + [503] * 3
        assert server.line(0, redelivery=True).status_code == 200  # already queued: no second row
        # Each channel has its own limit.
        assert [server.slack(n).status_code for n in range(6)] == [200] * 5 + [503]
        release_all(fakes)
        wait_all_done(db_path, 10)
        # The platforms send again what was refused (and Slack once more what was not).
        assert [server.line(n, redelivery=True).status_code for n in range(5, 8)] == [200] * 3
        assert [server.slack(n, retry=1).status_code for n in (0, 5)] == [200, 200]
        wait_all_done(db_path, 14)
        time.sleep(0.5)
        settle(fakes.line, REPLY)
        settle(fakes.slack, POST)
        assert line_answers(fakes.line) == Counter({f"U{n:032d}": 1 for n in range(8)})
        assert slack_answers(fakes.slack) == Counter({f"1700000000.{n:06d}": 1 for n in range(6)})
    finally:
        server.stop()


def test_a_stuck_slack_api_does_not_hold_up_the_answers_on_line(db_path, fakes) -> None:
    fakes.slack.hold(POST)  # Slack takes every answering thread and more, and never answers
    server = Serve(db_path, fakes)
    try:
        assert [server.slack(n).status_code for n in range(N)] == [200] * N
        fakes.slack.wait_for(POST, 4)
        assert [server.line(n).status_code for n in range(3)] == [200] * 3
        fakes.line.wait_for(REPLY, 3, timeout=30)
        settle(fakes.line, REPLY)
        assert line_answers(fakes.line) == Counter({f"U{n:032d}": 1 for n in range(3)})
        assert not slack_answers(fakes.slack)  # still all held: LINE did not wait for them
        fakes.slack.unhold(POST)
        wait_all_done(db_path, N + 3)
        settle(fakes.slack, POST)
        assert slack_answers(fakes.slack) == each_once_slack()
    finally:
        server.stop()


def test_a_stalled_platform_holds_only_its_own_channel(db_path, fakes) -> None:
    """LINE stops answering: LINE's questions wait (acknowledged, kept), Slack's are answered as usual,
    and once LINE is back every LINE question is answered once."""
    fakes.line.hold(REPLY)
    server = Serve(db_path, fakes, DXBOT_SEND_LIMIT="4")
    try:
        for n in range(N):
            assert server.line(n).status_code == 200  # acknowledged though nothing can be sent
            assert server.slack(n).status_code == 200
        fakes.slack.wait_for(POST, N)
        settle(fakes.slack, POST)  # the last posts answered (recorded) too
        assert slack_answers(fakes.slack) == each_once_slack()
        assert len(fakes.line.to(REPLY)) == 4  # only the LINE channel's own send slots are taken
        fakes.line.unhold(REPLY)
        wait_all_done(db_path, 2 * N)
        settle(fakes.line, REPLY)
        assert line_answers(fakes.line) == each_once_line()
    finally:
        server.stop()
