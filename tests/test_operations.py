"""Operations: /metrics moves, /healthz reports, re-ingests and aliases reach a running server,
unanswered questions are grouped, and the weekly digest goes out once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.observe import Telemetry
from bot.server import Services, create_app
from bot.web.chat import WebChat
from handlers import Responder
from knowledge.parse import parse_plan
from knowledge.store import bundled_plan_text, ingest
from scheduler import calendar as cal
from scheduler.jobs import ReminderService
from scheduler.notify import LogNotifier
from state.catalog import load_catalog
from state.conversations import QuestionLog, group_similar
from state.database import connect
from state.directory import Directory
from state.outbox import Outbox
from tests.fakes import ServerThread


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def running(db_path):
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    telemetry = Telemetry()
    outbox = Outbox(db)
    telemetry.watch_outbox(outbox.summary)
    web = WebChat(responder=responder, monotonic=time.monotonic,
                  on_answer=telemetry.answered_hook, on_reject=telemetry.rejected,
                  questions=QuestionLog(db), clock=utcnow)
    reminders = ReminderService(db=db, responder=responder, directory=Directory(db), outbox=outbox,
                                notifier=LogNotifier(), clock=utcnow)
    services = Services(db=db, responder=responder, clock=utcnow, web=web, telemetry=telemetry, reminders=reminders)
    services.health.append(reminders.health)
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=10)
    yield http, db_path
    http.close()
    server.close()


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{") and line.split(" ")[0] == name:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_move_after_questions(running) -> None:
    http, _ = running
    before = http.get("/metrics").text
    assert 'dxbot_questions_total{channel="web",intent="project_status"}' not in before
    for q in ("2-3-1の状況は？", "1-1-1の状況", "来週の天気"):
        http.post("/api/ask", json={"q": q})
    http.post("/api/ask", content="x", headers={"Content-Type": "text/plain"})
    after = http.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    assert metric(text, 'dxbot_questions_total{channel="web",intent="project_status"}') == 2
    assert metric(text, 'dxbot_unknown_questions_total{channel="web"}') == 1
    assert metric(text, "dxbot_unknown_rate") == pytest.approx(1 / 3)
    assert metric(text, 'dxbot_answer_seconds_count{channel="web"}') == 3
    assert metric(text, 'dxbot_webhook_rejects_total{reason="web_415"}') == 1
    assert 'dxbot_outbox_rows{state="pending"}' in text


def test_healthz_reports_knowledge_and_scheduler(running) -> None:
    http, _ = running
    body = http.get("/healthz").json()
    assert body["knowledge"]["projects"] == 26 and body["scheduler"]["outbox_backlog"] == 0
    assert body["scheduler"]["running"] is False  # this test server does not start the scheduler


def test_a_reingested_plan_reaches_the_running_server(running) -> None:
    http, db_path = running
    assert http.post("/api/ask", json={"q": "2-3-1の担当は？"}).json()["text"].count("デジタル行政推進課") == 1
    changed = bundled_plan_text().replace("事業番号\t2-3-1\t\t\t\n事業名\tRPA の活用拡充\t\t\t\n担当部署\tデジタル行政推進課",
                                          "事業番号\t2-3-1\t\t\t\n事業名\tRPA の活用拡充\t\t\t\n担当部署\t業務改革課")
    assert changed != bundled_plan_text()
    ingest(connect(db_path), parse_plan(changed), now=utcnow())  # another process, the same file
    answer = http.post("/api/ask", json={"q": "2-3-1の担当は？"}).json()
    assert "業務改革課" in answer["text"]


def test_a_taught_alias_reaches_the_running_server(running) -> None:
    http, db_path = running
    # A house nickname no text or word of the plan is near (ロボ化 reads as ロボット now: asked back).
    assert http.post("/api/ask", json={"q": "ズンドコ化の状況"}).json()["intent"] == "unknown"
    result = CliRunner().invoke(main, ["aliases", "add", "ズンドコ化", "2-3-1"], env={"DXBOT_DB": str(db_path)})
    assert result.exit_code == 0 and "now names project 2-3-1" in result.stdout
    answer = http.post("/api/ask", json={"q": "ズンドコ化の状況"}).json()
    assert answer["intent"] == "project_status" and answer["answers"][0]["id"] == "2-3-1"
    bad = CliRunner().invoke(main, ["aliases", "add", "何か", "9-9-9"], env={"DXBOT_DB": str(db_path)})
    assert bad.exit_code != 0 and "no project or glossary term" in bad.output


def test_unanswered_questions_are_grouped(running) -> None:
    http, db_path = running
    for q in ("ゴミの出し方", "ごみの出し方は？", "ゴミの出しかた", "市長の名前", "来週の天気"):
        http.post("/api/ask", json={"q": q})
    out = CliRunner().invoke(main, ["unanswered"], env={"DXBOT_DB": str(db_path)}).stdout
    first = out.splitlines()[0]
    assert first.split()[0] == "3" and "出し" in first
    assert len(out.splitlines()) == 3


def test_group_similar() -> None:
    groups = group_similar(["LGWANて何", "LGWANってなに？", "NFTとは", "LGWANって何"])
    assert [(count, len(variants)) for _, count, variants in groups] == [(3, 3), (1, 1)]


def test_unanswered_retention(db_path) -> None:
    db = connect(db_path)
    log = QuestionLog(db)
    now = utcnow()
    log.record("古い質問", channel="line", user_id="U1", intent="unknown", score=0, now=now - timedelta(days=91))
    log.record("新しい質問", channel="line", user_id="U1", intent="unknown", score=0, now=now - timedelta(days=1))
    assert log.enforce_retention(now=now, days=90) == 1
    assert [r["text"] for r in log.since(now - timedelta(days=365))] == ["新しい質問"]


def test_weekly_digest_goes_to_the_admin_once(db_path) -> None:
    db = connect(db_path)
    directory = Directory(db)
    directory.set_admin(channel="CADMIN", users=[])
    log = QuestionLog(db)
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=cal.TOKYO)
    for q in ("ゴミの出し方", "ごみの出し方は？", "市長の名前"):
        log.record(q, channel="line", user_id="U1", intent="unknown", score=0, now=monday - timedelta(days=2))
    notifier = LogNotifier()
    svc = ReminderService(db=db, responder=Responder(load_catalog(db)), directory=directory, outbox=Outbox(db),
                          notifier=notifier, clock=lambda: monday - timedelta(minutes=1))
    svc.tick()
    assert notifier.sent == []
    svc.clock = lambda: monday + timedelta(minutes=1)
    svc.tick()
    svc.tick()
    digests = [(route, n) for route, n, _ in notifier.sent if n.kind == "digest"]
    assert len(digests) == 1 and digests[0][0].slack_channel == "CADMIN"
    assert digests[0][1].lines[0].startswith("ゴミの出し方（2件）")


def test_the_weekly_digest_lists_the_questions_in_its_blocks(db_path) -> None:
    """Slack shows the blocks, not the ``text`` fallback: the list must be in the blocks, escaped."""
    from bot.slack.app import web_client
    from bot.slack.notifier import SlackNotifier
    from tests.fakes import slack_api

    api = slack_api()
    db = connect(db_path)
    directory = Directory(db)
    directory.set_admin(channel="CADMIN", users=[])
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=cal.TOKYO)
    for q in ("ゴミの出し方", "ごみの出し方は？", "<!channel> 市長の名前"):
        QuestionLog(db).record(q, channel="line", user_id="U1", intent="unknown", score=0, now=monday - timedelta(days=2))
    notifier = SlackNotifier(web_client(token="xoxb-test", base_url=api.url + "/api/"))
    svc = ReminderService(db=db, responder=Responder(load_catalog(db)), directory=directory, outbox=Outbox(db),
                          notifier=notifier, clock=lambda: monday + timedelta(minutes=1))
    svc.tick()
    try:
        message = next(m for m in api.messages if m["channel"] == "CADMIN")
    finally:
        api.close()
    shown = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "【今週の未回答の質問】" in shown and "・ゴミの出し方（2件）" in shown
    assert "&lt;!channel&gt; 市長の名前" in shown and "<!channel>" not in shown


def test_stored_times_compare_across_time_zones(db_path) -> None:
    """A question logged by a clock in Tokyo time is found by a UTC 'since', and vice versa."""
    db = connect(db_path)
    log = QuestionLog(db)
    tokyo_morning = datetime(2026, 11, 24, 8, 0, tzinfo=cal.TOKYO)  # 2026-11-23 23:00 UTC
    log.record("東京の朝の質問", channel="line", user_id=None, intent="unknown", score=0, now=tokyo_morning)
    assert [r["text"] for r in log.since(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))] == ["東京の朝の質問"]
    assert log.since(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == []
