"""One KPI number must not break a project: the modal refuses impossible numbers, and every
channel still answers when the database holds one anyway (an operator's edit, an older version)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.line.webhook import LineChannel
from bot.server import Services, create_app
from bot.slack import evaluation
from bot.slack.app import SlackBot, web_client
from bot.web.chat import WebChat
from bot.web.ratelimit import RateLimiter
from handlers import Responder
from knowledge.store import bump_generation
from state.catalog import load_catalog
from state.database import connect
from state.directory import Directory
from state.outbox import Outbox
from tests.fakes import ServerThread, cli_env, dxbot, line_api, line_signature, slack_api, slack_headers

SLACK_SECRET, LINE_SECRET = "slack-secret", "line-secret"


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def channels(db_path):
    slack_fake, line_fake = slack_api(), line_api()
    db = connect(db_path)
    directory = Directory(db)
    directory.set_admin(channel="CADMIN", users=["UADMIN"])
    responder = Responder(load_catalog(db))
    bot = SlackBot(responder=responder, db=db, clock=utcnow, signing_secret=SLACK_SECRET,
                   client=web_client(token="xoxb", base_url=slack_fake.url + "/api/"))
    evaluation.register(bot.app, responder=responder, db=db, directory=directory, outbox=Outbox(db), clock=utcnow)
    services = Services(db=db, responder=responder, clock=utcnow, slack=bot, slack_mode="http",
                        line=LineChannel(channel_secret=LINE_SECRET, access_token="t", api_url=line_fake.url,
                                         responder=responder, db=db, clock=utcnow),
                        web=WebChat(responder=responder, monotonic=time.monotonic,
                                    limiter=RateLimiter(rate_per_minute=10_000, burst=10_000)))
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=20)

    def slack(body: bytes, content_type: str) -> httpx.Response:
        return http.post("/slack/events", content=body,
                         headers={"Content-Type": content_type, **slack_headers(SLACK_SECRET, body)})

    def submit(project: str, kpi: str) -> httpx.Response:
        view = {"id": "V1", "type": "modal", "callback_id": "dx_eval_submit",
                "private_metadata": json.dumps({"project": project, "year": 2023}),
                "state": {"values": {"grade": {"value": {"type": "static_select", "selected_option": {"value": "A"}}},
                                     "kpi_1": {"value": {"type": "plain_text_input", "value": kpi}},
                                     "comment": {"value": {"type": "plain_text_input", "value": "c"}}}}}
        payload = {"type": "view_submission", "user": {"id": "UADMIN"}, "team": {"id": "T1"}, "api_app_id": "A1",
                   "view": view}
        return slack(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")

    yield SimpleNamespace(http=http, slack=slack, submit=submit, slack_api=slack_fake, line_api=line_fake, db=db,
                          db_path=db_path)
    http.close()
    server.close()
    slack_fake.close()
    line_fake.close()


def stored_submissions(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT project_id, actuals FROM evaluations WHERE source = 'submission'").fetchall()


IMPOSSIBLE = ["1" + "0" * 400, "9" * 300, "1e999", "NaN", "inf", "Infinity", "-1e308", "-5", "1,000,000,000,000"]


def test_the_modal_refuses_impossible_counts(channels) -> None:
    for text in IMPOSSIBLE:
        r = channels.submit("2-3-1", text)  # hours saved with RPA: a count
        assert r.status_code == 200
        body = r.json()
        assert body["response_action"] == "errors" and "kpi_1" in body["errors"], text
    assert stored_submissions(channels.db_path) == []


def test_the_modal_checks_a_share_against_0_to_100(channels) -> None:
    r = channels.submit("2-1-1", "150")  # the share of documents approved electronically (%)
    assert r.json()["errors"]["kpi_1"] == "0〜100 の範囲の割合（%）で入力してください。"
    assert channels.submit("2-1-1", "62.5%").status_code == 200
    assert channels.submit("2-3-1", "７，５５２").status_code == 200
    assert stored_submissions(channels.db_path) == [("2-1-1", '{"1": 62.5}'), ("2-3-1", '{"1": 7552.0}')]


HOSTILE_ACTUALS = ['{"1": Infinity}', '{"1": NaN}', '{"1": -Infinity}', '{"1": "1e999"}', '{"1": "%s"}' % ("9" * 300),
                   '{"1": 1e308}', '{"1": -1e308}', '{"1": [1, 2]}', '[1]', '{"1": ', '{"1": %s}' % ("9" * 400)]


def write_hostile(db, actuals: str) -> None:
    """As an operator with sqlite3, or an older version without validation, could have."""
    with db.lock:
        db.execute("UPDATE evaluations SET replaced_at = '2024-05-01' WHERE source = 'submission'")
        db.execute("INSERT INTO evaluations(project_id, fiscal_year, grade, comment, source, status, actuals, "
                   "submitted_by, submitted_at) VALUES ('2-3-1', 2023, 'A', '公表コメント', 'submission', 'published', "
                   "?, 'UOLD', '2024-05-01T00:00:00+00:00')", [actuals])
        db.execute("UPDATE kpis SET value = 9e999 WHERE project_id = '2-3-1' AND fiscal_year = 2024 AND kind = 'target'")
        bump_generation(db)


def test_every_channel_answers_a_project_with_a_hostile_stored_number(channels) -> None:
    for n, actuals in enumerate(HOSTILE_ACTUALS, start=1):
        answers_despite(channels, actuals, n)


def answers_despite(channels, actuals: str, n: int) -> None:
    write_hostile(channels.db, actuals)
    # Web
    answers = [channels.http.post("/api/ask", json={"q": q}) for q in ("2-3-1のKPIは？", "2-3-1の状況は？")]
    assert [r.status_code for r in answers] == [200, 200], answers[-1].text
    assert all(r.json()["answers"][0]["id"] == "2-3-1" for r in answers)
    assert "令和6年度: 目標 不正な値" in answers[0].json()["text"]  # the Infinity target, shown as invalid
    # Slack
    event = {"type": "event_callback", "event_id": f"EvK{n}", "event": {
        "type": "app_mention", "user": "U1", "text": "<@UBOT> 2-3-1の状況は？", "ts": f"{n}.1", "channel": "C1"}}
    assert channels.slack(json.dumps(event).encode(), "application/json").status_code == 200
    posted = channels.slack_api.wait_for("/api/chat.postMessage", n)[-1].json
    assert "RPA の活用拡充" in posted["text"]
    # LINE
    line_event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                  "source": {"type": "user", "userId": "U1"}, "webhookEventId": f"01HKPI{n}", "replyToken": f"r{n}",
                  "deliveryContext": {"isRedelivery": False},
                  "message": {"id": "1", "type": "text", "quoteToken": "q", "text": "2-3-1のKPIは？"}}
    payload = json.dumps({"destination": "B", "events": [line_event]}).encode()
    assert channels.http.post("/line/webhook", content=payload, headers={
        "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, payload)}).status_code == 200
    reply = channels.line_api.wait_for("/v2/bot/message/reply", n)[-1].json
    assert "2-3-1" in json.dumps(reply, ensure_ascii=False)
    # CLI
    for args in (["ask", "2-3-1の状況は？"], ["evaluations", "export", "--year", "2023"]):
        assert cli(channels.db_path, *args).exit_code == 0
    assert "令和6年度: 目標 不正な値（要修正）" in cli(channels.db_path, "show", "2-3-1").output


def cli(db_path, *args: str):
    result = CliRunner().invoke(main, list(args), env={"DXBOT_DB": str(db_path)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_an_invalid_actual_is_shown_as_invalid(channels) -> None:
    write_hostile(channels.db, '{"1": Infinity}')
    shown = dxbot("show", "2-3-1", env=cli_env(channels.db_path)).stdout  # a real process, once
    assert "令和5年度: 目標 10,000、実績 不正な値（要修正）" in shown
