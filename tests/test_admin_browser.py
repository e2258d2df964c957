"""/admin in a real browser (Debian's Chromium): refused without the staff credential, the report
passes axe at desktop and phone sizes, and a screenshot of it is saved under test-artifacts/."""

from __future__ import annotations

import time

import pytest

from bot.server import Services, create_app
from bot.web.access import StaffAccess
from bot.web.chat import WebChat
from handlers import Responder
from state.catalog import load_catalog
from state.conversations import Conversations, QuestionLog
from state.database import connect
from state.feedback import AnswerLog, Feedback
from tests.fakes import ServerThread
from tests.test_browser import (  # noqa: F401 - browser: the fixture
    SIZES,
    ask,
    browser,
    expect,
    no_serious_violations,
    open_page,
    shot,
    utcnow,
)
from tests.test_feedback import known_month

TOKEN = "staff-token-for-the-browser"


@pytest.fixture()
def site(db_path):
    db = connect(db_path)
    known_month(db)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, staff=StaffAccess(token=TOKEN), monotonic=time.monotonic, clock=utcnow,
                  conversations=Conversations(db), answers=AnswerLog(db), feedback=Feedback(db),
                  questions=QuestionLog(db))
    server = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))
    yield server
    server.close()


def test_admin_refuses_a_visitor_without_the_credential(browser, site) -> None:  # noqa: F811
    page = browser.new_context(viewport=SIZES["desktop"]).new_page()
    response = page.goto(site.url + "/admin?month=2025-04")
    assert response is not None and response.status == 401
    assert "LGWANて何" not in page.content() and page.get_by_role("link", name="職員サインイン / Staff sign-in")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_report_page_for_staff_passes_axe(browser, site, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="ja-JP", bypass_csp=True)  # bypass: to inject axe
    page = context.new_page()
    page.goto(site.url + "/staff?lang=en")  # the sign-in page in English: its labels below
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.url + "/")
    response = page.goto(site.url + "/admin?month=2025-04")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "dxbot 月次レポート / monthly report 2025-04"
    assert page.locator("svg[role=img]").count() == 3
    no_serious_violations(page, f"/admin {size}")
    shot(page.locator("main") if size == "desktop" else page, f"admin-report-{size}")  # type: ignore[arg-type]
    # Teach an alias from an unanswered cluster, through the form.
    page.get_by_label("対象 / target").first.fill("LGWAN")
    page.get_by_role("button", name="教える / Teach").first.click()
    page.wait_for_load_state()
    assert "LGWAN として覚えました" in page.content(), page.content()[-1500:]
    no_serious_violations(page, f"/admin {size} after teaching")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_vote_and_its_reason_from_the_chat_page(browser, db_path, size: str) -> None:  # noqa: F811
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, monotonic=time.monotonic, clock=utcnow, conversations=Conversations(db),
                  answers=AnswerLog(db), feedback=Feedback(db))
    server = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))
    try:
        page = open_page(browser, server, size)
        ask(page, "2-3-1の状況は？")
        page.get_by_role("button", name="役に立たなかった").click()
        expect(page.get_by_role("status").filter(has_text="ご意見ありがとうございます")).to_be_visible()
        page.get_by_label("理由（任意）").fill("評価の年度が古い")
        page.get_by_role("button", name="送る").click()
        expect(page.get_by_role("status").filter(has_text="理由を受け付けました")).to_be_visible()
        no_serious_violations(page, f"chat with feedback {size}")
        rows = connect(db_path).execute("SELECT channel, vote, reason FROM answer_feedback").fetchall()
        assert rows == [("web", "down", "評価の年度が古い")]
    finally:
        server.close()
