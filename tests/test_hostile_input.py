"""Hostile input: every channel and `dxbot ask` answer normally and never raise."""

from __future__ import annotations

import io
import json
import logging
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.line.webhook import LineChannel
from bot.observe import JsonFormatter, Telemetry
from bot.server import Services, create_app
from bot.slack.app import SlackBot, web_client
from bot.web.chat import WebChat
from bot.web.ratelimit import RateLimiter
from handlers import Responder
from handlers.answer import Answer
from state.catalog import load_catalog
from state.database import connect
from tests.fakes import ServerThread, line_api, line_signature, slack_api, slack_headers
from tests.hostile import HOSTILE

INTENTS = {"project_status", "project_department", "project_kpi", "project_schedule", "project_overview",
           "project_list", "glossary", "glossary_list", "help", "clarify", "unknown"}


def valid(answer: Answer) -> None:
    assert isinstance(answer, Answer) and answer.intent in INTENTS
    assert answer.text.strip()
    assert len(answer.query) <= 500  # long messages are capped, not echoed whole
    json.dumps(answer.to_json(), ensure_ascii=False)
    if answer.intent in {"unknown", "clarify", "help"}:
        assert answer.answers == ()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("audience", ["staff", "citizen"])
def test_handler_survives(responder: Responder, text: str, audience: str) -> None:
    valid(responder.answer(text, audience=audience))


def test_a_40000_character_message_is_capped_and_answered(responder: Responder) -> None:
    a = responder.answer("2-3-1の状況は？" + "。" * 40_000)
    assert a.intent == "project_status" and a.answers[0].id == "2-3-1"


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=10_000))
def test_any_unicode_text_gets_a_valid_answer(responder: Responder, text: str) -> None:
    valid(responder.answer(text))


@settings(max_examples=100, deadline=2000)
@given(st.lists(st.sampled_from(list('"*()-:^ +') + ["AND", "OR", "NOT", "NEAR", "RPA", "2-3-1", "研修", "とは"]),
                max_size=60))
def test_query_syntax_soup_gets_a_valid_answer(responder: Responder, parts: list[str]) -> None:
    valid(responder.answer("".join(parts)))


def test_cli_batch_answers_every_line(tmp_path, db_path) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    lines = [h.replace("\n", " ").replace("\r", " ") for h in HOSTILE]
    batch = tmp_path / "hostile.txt"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ask", "--json", "--batch", str(batch)], env={"DXBOT_DB": str(db_path)})
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == len(lines) and all(r["intent"] in INTENTS for r in rows)


def test_log_lines_cannot_be_split_by_user_text() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("dxbot.test.hostile")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    telemetry = Telemetry(logger=logger)
    for text in ("a\r\nFAKE level=ERROR", "b\nc", "\u2028d\u2029"):
        answer = Answer(query=text, intent="unknown", lang="ja", audience="citizen", text="x")
        telemetry.answered("line", answer, 0.001, user="U-raw-user-id")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert records[0]["query"] == "a\r\nFAKE level=ERROR"
    assert all("U-raw-user-id" not in line for line in lines) and all(r["user"] for r in records)


@pytest.fixture()
def every_channel(db_path):
    slack_fake, line_fake = slack_api(), line_api()
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    clock = lambda: datetime.now(UTC)  # noqa: E731
    services = Services(
        db=db, responder=responder, clock=clock, slack_mode="http",
        slack=SlackBot(responder=responder, db=db, clock=clock, signing_secret="s",
                       client=web_client(token="xoxb", base_url=slack_fake.url + "/api/")),
        line=LineChannel(channel_secret="l", access_token="t", api_url=line_fake.url, responder=responder, db=db,
                         clock=clock),
        web=WebChat(responder=responder, monotonic=time.monotonic,
                    limiter=RateLimiter(rate_per_minute=10_000, burst=10_000)))
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=20)
    yield SimpleNamespace(http=http, slack=slack_fake, line=line_fake)
    http.close()
    server.close()
    slack_fake.close()
    line_fake.close()


def test_every_channel_answers_hostile_text(every_channel) -> None:
    env = every_channel
    texts = [t[:5000] for t in HOSTILE]  # LINE and Slack deliver at most this much anyway
    for i, text in enumerate(texts):
        r = env.http.post("/api/ask", json={"q": text[:1000], "audience": "citizen"})
        assert r.status_code == 200 and r.json()["intent"] in INTENTS
        body = json.dumps({"type": "event_callback", "event_id": f"EvH{i}", "event": {
            "type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": f"17.{i}", "channel": "C1"}}).encode()
        assert env.http.post("/slack/events", content=body, headers={
            "Content-Type": "application/json", **slack_headers("s", body)}).status_code == 200
        event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                 "source": {"type": "user", "userId": "U1"}, "webhookEventId": f"01H{i:05d}", "replyToken": f"r{i}",
                 "deliveryContext": {"isRedelivery": False},
                 "message": {"id": str(i), "type": "text", "quoteToken": "q", "text": text}}
        payload = json.dumps({"destination": "B", "events": [event]}).encode()
        assert env.http.post("/line/webhook", content=payload, headers={
            "Content-Type": "application/json", "X-Line-Signature": line_signature("l", payload)}).status_code == 200
    posts = env.slack.wait_for("/api/chat.postMessage", len(texts), timeout=60)
    replies = env.line.wait_for("/v2/bot/message/reply", len(texts), timeout=60)
    for call in posts:
        blob = json.dumps(call.json, ensure_ascii=False)
        assert "<!channel>" not in blob and "<@U12345>" not in blob and "<!here" not in blob
    assert all(call.json["messages"] for call in replies)
