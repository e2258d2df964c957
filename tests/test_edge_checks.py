"""Issue 25's failures, one seeded regression test each: what an attacker or a broken payload sent
that gave a 500 (or worse), and what it gets now. The fuzz suite (test_fuzz.py) looks for more."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import httpx
import pytest

from bot.line.webhook import LineChannel
from bot.observe import Telemetry
from bot.server import Services, create_app
from bot.slack.app import SlackBot, web_client
from bot.web.access import COOKIE, StaffAccess
from bot.web.chat import WebChat
from bot.web.ratelimit import RateLimiter
from handlers import Responder
from knowledge.parse import PlanParseError, parse_plan
from scheduler import calendar as cal
from scheduler.jobs import ReminderService
from scheduler.notify import LogNotifier
from state.catalog import load_catalog
from state.database import connect
from state.directory import Directory, Route
from state.outbox_pg import open_outbox
from tests.fakes import ServerThread, line_api, line_signature, slack_api, slack_headers

SLACK_SECRET, LINE_SECRET, STAFF_TOKEN = "slack-secret", "line-secret", "staff-token-for-tests"


@pytest.fixture()
def edge(db_path):
    """The real app with every channel, a staff token, and a small LINE queue limit."""
    slack_fake, line_fake = slack_api(), line_api()
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    clock = lambda: datetime.now(UTC)  # noqa: E731
    telemetry = Telemetry()
    services = Services(
        db=db, responder=responder, clock=clock, slack_mode="http", telemetry=telemetry, queue_limit=10,
        slack=SlackBot(responder=responder, db=db, clock=clock, signing_secret=SLACK_SECRET,
                       client=web_client(token="xoxb", base_url=slack_fake.url + "/api/")),
        line=LineChannel(channel_secret=LINE_SECRET, access_token="t", api_url=line_fake.url, responder=responder,
                         db=db, clock=clock, on_reject=telemetry.rejected),
        web=WebChat(responder=responder, monotonic=time.monotonic, staff=StaffAccess(token=STAFF_TOKEN),
                    limiter=RateLimiter(rate_per_minute=10_000, burst=10_000)))
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=20)
    yield SimpleNamespace(http=http, slack=slack_fake, line=line_fake)
    http.close()
    server.close()
    slack_fake.close()
    line_fake.close()


def rejects(env: SimpleNamespace, reason: str) -> float:
    """dxbot_webhook_rejects_total for one reason, read from /metrics."""
    for line in env.http.get("/metrics").text.splitlines():
        if line.startswith("dxbot_webhook_rejects_total{") and f'reason="{reason}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def line_event(n: int, text: object, **extra: object) -> dict[str, object]:
    return {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": "U1"}, "webhookEventId": f"01HEDGE{n:05d}", "replyToken": f"r{n}",
            "deliveryContext": {"isRedelivery": False},
            "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": text}, **extra}


def post_line(env: SimpleNamespace, events: list[object]) -> httpx.Response:
    body = json.dumps({"destination": "B", "events": events}).encode()
    return env.http.post("/line/webhook", content=body, headers={
        "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)})


@pytest.mark.parametrize("stamp", ["abc", "", "1e10", "-5", "0x10", "9" * 30, "1.7e9"])
def test_a_bad_slack_timestamp_is_refused_not_a_crash(edge, stamp: str) -> None:
    body = b'{"type": "event_callback"}'
    r = edge.http.post("/slack/events", content=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + "0" * 64})
    assert r.status_code == 401


def test_a_non_ascii_slack_signature_is_refused_not_a_crash(edge) -> None:
    body = b'{"type": "event_callback"}'
    headers = slack_headers(SLACK_SECRET, body)
    r = edge.http.post("/slack/events", content=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": headers["X-Slack-Request-Timestamp"],
        "X-Slack-Signature": "v0=é".encode("latin-1")})  # type: ignore[dict-item]
    assert r.status_code == 401


def test_lone_surrogates_and_control_characters_get_no_500(edge) -> None:
    ask = {"Content-Type": "application/json"}
    assert edge.http.post("/api/ask", content=b'{"q": "\\ud800"}', headers=ask).status_code == 400
    assert edge.http.post("/api/ask", content=b'{"q": "2-3-1\\udfff\\u0000\\u001b"}', headers=ask).status_code == 400
    r = edge.http.post("/api/ask", content=b'{"q": "\\u0000\\u0007RPA\\u001b[31m"}', headers=ask)
    assert r.status_code == 200 and r.json()["intent"]
    assert post_line(edge, [line_event(1, "\ud800LGWAN\x00とは\udfff")]).status_code == 200
    reply = edge.line.wait_for("/v2/bot/message/reply", 1, timeout=30)[0]
    assert reply.json["replyToken"] == "r1" and reply.json["messages"]


@pytest.mark.parametrize("payload", [{"type": "event_callback", "event": 1},
                                     {"type": "event_callback", "event": {"type": "app_mention", "channel": 1, "ts": 2}},
                                     {"type": "event_callback", "event": {"type": "message", "channel_type": "im",
                                                                          "channel": "D1", "ts": "1", "text": 5}},
                                     {"type": "block_actions", "actions": 5, "user": {"id": "U1"}},
                                     {"type": "block_actions", "actions": [1], "user": {"id": "U1"}},
                                     {"type": "view_submission", "view": 1, "user": {"id": "U1"}},
                                     {"type": "view_submission", "user": {"id": "U1"},
                                      "view": {"callback_id": "dx_eval_submit", "state": {"values": {"grade": 3}}}},
                                     {"type": "shortcut", "user": "U1", "callback_id": 7},
                                     [1, 2], "text"])
@pytest.mark.parametrize("form", [False, True])
def test_signed_slack_bodies_of_the_wrong_shape_are_acknowledged_and_counted(edge, payload: object,
                                                                            form: bool) -> None:
    before = rejects(edge, "slack_unknown_shape")
    if form:
        body, kind = urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
    else:
        body, kind = json.dumps(payload).encode(), "application/json"
    r = edge.http.post("/slack/events", content=body, headers={"Content-Type": kind, **slack_headers(SLACK_SECRET, body)})
    assert r.status_code == 200
    assert rejects(edge, "slack_unknown_shape") == before + 1


def test_a_signed_slash_command_with_no_web_address_to_answer_is_acknowledged_and_counted(edge) -> None:
    """Slack's response_url is always an https address; a signed command whose is not (fuzzing found
    one that Bolt could neither answer nor acknowledge in time) is acknowledged, counted and dropped."""
    before = rejects(edge, "slack_unknown_shape")
    body = urlencode({"command": "/dx", "text": "LGWANとは", "user_id": "U1", "channel_id": "C1", "trigger_id": "t1",
                      "response_url": "\xad\x98"}).encode()
    r = edge.http.post("/slack/events", content=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded", **slack_headers(SLACK_SECRET, body)})
    assert r.status_code == 200
    assert rejects(edge, "slack_unknown_shape") == before + 1


@pytest.mark.parametrize("cookie", ["9" * 5000 + ".ab", "9" * 5000, "1" * 13 + ".x", "abc.def", ".", "x" * 4000])
def test_a_malformed_staff_cookie_is_a_403(edge, cookie: str) -> None:
    edge.http.cookies.set(COOKIE, cookie)
    r = edge.http.post("/api/ask", json={"q": "2-3-1の状況は？", "audience": "staff"})
    assert r.status_code == 403


def test_junk_line_events_take_no_place_in_the_queue(edge) -> None:
    """The queue's limit is 10 here: forty events no one can answer must not use it up."""
    junk: list[object] = [1, "x", None, [], {"type": "message"}, {"type": "unfollow", "replyToken": "j"},
                          {"type": "message", "source": {"userId": 5}, "replyToken": 6},
                          {"type": "postback", "replyToken": "j", "postback": {"data": {"a": 1}}}]
    junk += [line_event(100 + n, {"text": "not a string"}) for n in range(32)]
    before = rejects(edge, "line_ignored_events")
    assert post_line(edge, junk).status_code == 200
    assert rejects(edge, "line_ignored_events") == before + 1
    assert post_line(edge, [line_event(2, "LGWANとは")]).status_code == 200
    replies = edge.line.wait_for("/v2/bot/message/reply", 1, timeout=30)
    assert [c.json["replyToken"] for c in replies] == ["r2"]


def test_a_kpi_beyond_what_a_plan_can_hold_is_refused_with_its_line(plan_text: str) -> None:
    lines = plan_text.splitlines()
    at = next(i for i, ln in enumerate(lines) if "8,000[7,552]" in ln)
    lines[at] = lines[at].replace("8,000[7,552]", "1" + "0" * 400 + "[7,552]")
    with pytest.raises(PlanParseError, match="too large") as err:
        parse_plan("\n".join(lines))
    assert err.value.line == at + 1


def test_an_unrouted_department_is_one_warning_per_round(db_path, caplog) -> None:
    db = connect(db_path)
    directory = Directory(db)
    directory.set(Route("デジタル行政推進課", "CDIGI", ("UD1",)))
    directory.set_admin(channel="CADMIN", users=["UADMIN"])
    at = datetime(2027, 4, 30, 9, 0, tzinfo=cal.TOKYO)  # FY2026's 30-day reminder
    service = ReminderService(db=db, responder=Responder(load_catalog(db)), directory=directory,
                              outbox=open_outbox(db), notifier=LogNotifier(), clock=lambda: at)
    with caplog.at_level(logging.INFO, logger="dxbot"):
        for minutes in range(3):  # three ticks of the same round
            service.clock = lambda m=minutes: at.replace(minute=m)  # type: ignore[misc]
            service.tick()
    said = [r for r in caplog.records if "no route for" in r.getMessage()]
    assert [r.levelname for r in said] == ["WARNING"]
