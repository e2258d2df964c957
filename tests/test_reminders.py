"""Reminder planning and delivery in process, with frozen clocks; one contract suite per Notifier.
Planning and delivery run with the state on each backend (the embedded SQLite file, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.slack.app import web_client
from bot.slack.notifier import SlackNotifier
from handlers import Responder
from scheduler import calendar as cal
from scheduler.jobs import ReminderService
from scheduler.notices import Notice, notice_text
from scheduler.notify import LogNotifier
from scheduler.reminders import deliver, plan, snooze
from state.catalog import load_catalog
from state.database import connect, open_state
from state.directory import Directory, Route
from state.evaluations import Submission, submit_draft, submitted
from state.outbox_pg import open_outbox
from tests.fakes import Scripted, slack_api

FIRST = datetime(2027, 4, 30, 9, 0, tzinfo=cal.TOKYO)  # FY2026's 30-day reminder


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, db_path):
    db = connect(db_path)
    if request.param == "postgresql":
        open_state(request.getfixturevalue("pg_url"), sqlite_db=db)  # the directory, outbox, submissions
    directory = Directory(db)
    directory.set(Route("デジタル行政推進課", "CDIGI", ("UD1",)))
    directory.set(Route("総務法制課", "CSOMU", ("US1",)))
    directory.set(Route("システム所管課", teams=("情報システム課", "税務システム係")))
    directory.set(Route("情報システム課", "CJOHO"))
    directory.set(Route("税務システム係", None, ("UZ1", "UZ2")))
    directory.set_admin(channel="CADMIN", users=["UADMIN"])
    return db, directory, open_outbox(db), Responder(load_catalog(db))


def service(world, notifier, at):
    db, directory, outbox, responder = world
    return ReminderService(db=db, responder=responder, directory=directory, outbox=outbox, notifier=notifier,
                           clock=lambda: at)


def test_nothing_before_the_first_reminder(world) -> None:
    notifier = LogNotifier()
    report, delivery = service(world, notifier, FIRST - timedelta(seconds=1)).tick()
    assert report.slot is None and notifier.sent == []


def test_one_consolidated_reminder_per_department(world) -> None:
    notifier = LogNotifier()
    report, delivery = service(world, notifier, FIRST).tick()
    by_route = {route.department: notice for route, notice, _ in notifier.sent}
    # Every department named by a project has one notice listing all its projects.
    digi = by_route["デジタル行政推進課"]
    assert digi.kind == "reminder" and len(digi.items) == 21
    assert [i.project_id for i in by_route["総務法制課"].items] == ["2-1-1"]
    # The placeholder goes to each of its real teams.
    assert [i.project_id for i in by_route["情報システム課"].items] == ["2-4-1", "2-4-2"]
    assert [i.project_id for i in by_route["税務システム係"].items] == ["2-4-1", "2-4-2"]
    # Departments without a route are reported loudly, to the admin channel too.
    assert set(report.unrouted) == {"広報課", "戸籍住民課", "税務課", "財政課", "契約課", "会計課", "人事課",
                                    "社会教育課", "中央公民館"}
    alert = by_route["admin"]
    assert alert.kind == "unrouted" and "広報課" in notice_text(alert)
    assert len(delivery.sent) == 5
    # Multi-department projects go to each department: 1-1-2 is 広報課's and デジタル行政推進課's.
    assert "1-1-2" in [i.project_id for i in digi.items]


def test_a_tick_again_sends_nothing_new(world) -> None:
    notifier = LogNotifier()
    s = service(world, notifier, FIRST)
    s.tick()
    s.clock = lambda: FIRST + timedelta(hours=3)
    report, delivery = s.tick()
    assert report.enqueued == [] and delivery.sent == [] and len(notifier.sent) == 5


def test_the_notice_shows_what_to_report(world) -> None:
    db, directory, outbox, responder = world
    n = plan(datetime(2025, 5, 1, 9, tzinfo=cal.TOKYO) + timedelta(days=365), catalog=responder.catalog, outbox=None,
             directory=directory, done=set())
    digi = next(notice for route, notice in n.notices if route == "デジタル行政推進課")
    text = notice_text(digi)
    assert "令和7年度の事業評価の締切は 5月31日" in text
    assert "2-3-1 RPA の活用拡充 — 前回: B" in text
    assert "RPA を用いて削減できた時間数（令和7年度 目標 14,000）" in text  # the target for the year evaluated


def test_departments_that_submitted_everything_get_nothing(world) -> None:
    db, directory, outbox, responder = world
    submit_draft(db, Submission("2-1-1", 2026, "B", {1: 60.0}, "順調", "US1"), now=FIRST)
    notifier = LogNotifier()
    service(world, notifier, FIRST).tick()
    assert "総務法制課" not in {route.department for route, _, _ in notifier.sent}


def test_a_reminder_missed_while_down_is_sent_late_once(world) -> None:
    notifier = LogNotifier()
    # Down from before the 14-day reminder until after the 7-day one (2027-05-24 09:00).
    s = service(world, notifier, datetime(2027, 5, 25, 11, tzinfo=cal.TOKYO))
    report, _ = s.tick()
    assert report.slot.label == "reminder-7"
    notices = [n for _, n, _ in notifier.sent if n.kind == "reminder"]
    assert notices and all(n.late for n in notices)
    assert "予定より遅れて" in notice_text(notices[0])
    assert not any(k.startswith("2026:reminder-14") for _, _, k in notifier.sent)  # not both


def test_after_the_deadline_an_overdue_notice_and_an_admin_summary(world) -> None:
    db, directory, outbox, responder = world
    notifier = LogNotifier()
    report, _ = service(world, notifier, datetime(2027, 6, 1, 9, 30, tzinfo=cal.TOKYO)).tick()
    kinds = {(route.department, n.kind) for route, n, _ in notifier.sent}
    assert ("デジタル行政推進課", "overdue") in kinds and ("admin", "summary") in kinds
    summary = next(n for route, n, _ in notifier.sent if n.kind == "summary")
    assert dict(summary.missing)["総務法制課"] == ("2-1-1",)


def test_no_reminder_once_the_deadline_passed(world) -> None:
    notifier = LogNotifier()
    report, _ = service(world, notifier, datetime(2027, 6, 5, 9, tzinfo=cal.TOKYO)).tick()
    assert report.fiscal_year == 2027 and report.slot is None and notifier.sent == []


def test_snooze_comes_back_on_the_business_day(world) -> None:
    db, directory, outbox, responder = world
    at = snooze(FIRST, outbox=outbox, department="総務法制課", route="総務法制課", fiscal_year=2026,
                projects=["2-1-1"], business_days=1)
    assert at == datetime(2027, 5, 6, 9, tzinfo=cal.TOKYO)
    notifier = LogNotifier()
    assert deliver(at - timedelta(minutes=1), outbox=outbox, directory=directory, notifier=notifier,
                   catalog=responder.catalog, done_for=lambda y: submitted(db, y), worker="w").sent == []
    sent = deliver(at, outbox=outbox, directory=directory, notifier=notifier, catalog=responder.catalog,
                   done_for=lambda y: submitted(db, y), worker="w").sent
    assert sent == ["2026:snooze:2027-05-06:総務法制課>総務法制課"]


def test_other_failures_retry_with_backoff_and_show_in_status(world) -> None:
    class Broken(LogNotifier):
        def send(self, route, notice, *, key):  # type: ignore[no-untyped-def]
            raise ConnectionError("Slack unreachable")

    db, directory, outbox, responder = world
    service(world, Broken(), FIRST).tick()
    failing = [r for r in outbox.rows() if r["last_error"] and "unreachable" in r["last_error"]]
    assert failing and all(r["state"] == "pending" and r["attempts"] == 1 for r in failing)
    # not retried before the backoff is over
    report = deliver(FIRST + timedelta(seconds=30), outbox=outbox, directory=directory, notifier=LogNotifier(),
                     catalog=responder.catalog, done_for=lambda y: set(), worker="w")
    assert report.sent == []
    report = deliver(FIRST + timedelta(minutes=3), outbox=outbox, directory=directory, notifier=LogNotifier(),
                     catalog=responder.catalog, done_for=lambda y: set(), worker="w")
    assert len(report.sent) == len(failing)


# ------------------------------------------------------------------ one suite for every Notifier

@pytest.fixture(params=["log", "slack"])
def notifier(request):
    if request.param == "log":
        yield LogNotifier()
        return
    api = slack_api()
    yield SlackNotifier(web_client(token="xoxb", base_url=api.url + "/api/", max_retries=3))
    api.close()


def sample_notice(key: str) -> Notice:
    return Notice(key, "reminder", "総務法制課", 2026, cal.deadline(2026))


def test_notifier_contract_send_then_recognise(notifier) -> None:
    route = Route("総務法制課", "CSOMU", ("US1",))
    since = datetime.now(cal.TOKYO) - timedelta(minutes=1)
    assert notifier.already_sent(route, key="k1", since=since) is False
    receipt = notifier.send(route, sample_notice("k1"), key="k1")
    assert receipt
    assert notifier.already_sent(route, key="k1", since=since) is True
    assert notifier.already_sent(route, key="k2", since=since) is False


def test_notifier_contract_users_only_route(notifier) -> None:
    route = Route("税務システム係", None, ("UZ1", "UZ2"))
    since = datetime.now(cal.TOKYO) - timedelta(minutes=1)
    notifier.send(route, sample_notice("k3"), key="k3")
    assert notifier.already_sent(route, key="k3", since=since)


def test_slack_notices_carry_the_form_button_and_snooze() -> None:
    from bot.slack.notifier import notice_blocks
    from scheduler.notices import Item

    n = Notice("k", "reminder", "総務法制課", 2026, cal.deadline(2026),
               items=(Item("2-1-1", "文書管理システムの電子決裁導入", "B", 2022, "コメント", ()),), mention=("US1",))
    blocks = notice_blocks(n)
    assert blocks[0]["text"]["text"] == "<@US1>"
    button = next(b["accessory"] for b in blocks if b.get("accessory"))
    assert button["text"]["text"] == "評価を入力" and button["action_id"] == "dx_eval_open_2-1-1"
    snoozes = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert snoozes == ["明日", "3営業日後"]


def test_rate_limited_twice_then_delivered_once(db_path) -> None:
    api = slack_api()
    try:
        api.script("/api/chat.postMessage",
                   Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}),
                   Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
        notifier = SlackNotifier(web_client(token="xoxb", base_url=api.url + "/api/"))
        notifier.send(Route("総務法制課", "CSOMU"), sample_notice("k429"), key="k429")
        assert len(api.to("/api/chat.postMessage")) == 3
        assert [m["metadata"]["event_payload"]["key"] for m in api.messages] == ["k429"]
    finally:
        api.close()
