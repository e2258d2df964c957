"""The web chat in a real browser: Playwright driving Debian's Chromium (installed by .ci/run),
at a desktop and a phone size, with axe-core checking accessibility."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.server import Services, create_app
from bot.web.access import StaffAccess
from bot.web.chat import WebChat
from bot.web.ratelimit import RateLimiter
from handlers import Responder
from state.catalog import load_catalog
from state.conversations import Conversations
from state.database import connect
from tests.fakes import ServerThread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed here (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def serve(db_path, *, limiter: RateLimiter | None = None, staff_token: str | None = None) -> ServerThread:
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, monotonic=time.monotonic, limiter=limiter, clock=utcnow,
                  conversations=Conversations(db), staff=StaffAccess(token=staff_token))
    return ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))


@pytest.fixture()
def server(db_path):
    s = serve(db_path)
    yield s
    s.close()


def open_page(browser, server: ServerThread, size: str) -> Page:
    # bypass_csp only so that the test can inject axe-core; the page itself loads nothing inline.
    context = browser.new_context(viewport=SIZES[size], locale="ja-JP", bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + "/")
    return page


def question_box(page: Page):
    return page.get_by_role("textbox")


def ask(page: Page, text: str) -> None:
    question_box(page).fill(text)
    page.keyboard.press("Enter")


def no_serious_violations(page: Page, label: str) -> None:
    """axe-core on the page as it is now: no serious or critical WCAG 2.x A/AA or best-practice issue."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, f"{label}: {serious}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("size", list(SIZES))
def test_a_conversation(browser, server, size: str) -> None:
    page = open_page(browser, server, size)
    answers = page.locator("ol#history > li.a")
    examples = page.get_by_role("group", name="質問の例").get_by_role("button")
    expect(examples.first).to_be_visible()  # something to tap on the empty screen
    expect(page.get_by_role("link", name="アクションプラン（船橋市）")).to_have_attribute("href", "https://www.city.funabashi.lg.jp/")
    expect(page.locator("header")).to_contain_text("船橋市")
    no_serious_violations(page, f"empty page ({size})")

    ask(page, "2-3-1の状況は？")
    expect(answers).to_have_count(1)
    status = answers.nth(0)
    expect(status.get_by_role("heading")).to_have_text("2-3-1 RPA の活用拡充")
    expect(status).to_contain_text("おおむね予定どおり実施（令和4年度の評価）")
    bar = status.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "94.4")
    expect(examples.first).to_be_hidden()

    ask(page, "そのKPIは？")  # a follow-up: the project of the previous answer
    expect(answers).to_have_count(2)
    kpi = answers.nth(1)
    expect(kpi.get_by_role("heading")).to_have_text("2-3-1 RPA の活用拡充")
    table = kpi.get_by_role("table")
    expect(table.get_by_role("row", name="令和4年度")).to_contain_text("7,552")
    expect(table.get_by_role("row", name="令和7年度")).to_contain_text("14,000")

    ask(page, "2-1-3の状況")  # 1,880 of 1,700: the bar stops at its maximum, the text says 110.6%
    expect(answers).to_have_count(3)
    over = answers.nth(2).get_by_role("progressbar")
    expect(over).to_have_attribute("aria-valuenow", "100")
    expect(over).to_have_attribute("aria-valuetext", "達成率 110.6%")

    ask(page, "2-4-3の状況")  # no grade: the page says why
    expect(answers.nth(3)).to_contain_text("からの新しい事業のため")

    ask(page, "C評価の事業")
    expect(answers).to_have_count(5)
    listed = answers.nth(4).get_by_role("listitem").get_by_role("button")
    expect(listed).to_have_count(2)
    first = listed.first.inner_text()
    listed.first.click()  # a list item asks about its project
    expect(answers).to_have_count(6)
    expect(answers.nth(5).get_by_role("heading")).to_have_text(first.split("\n")[-1].strip().removeprefix("C").strip())

    ask(page, "qwertyuiop")
    expect(answers).to_have_count(7)
    unknown = answers.nth(6)
    expect(unknown).to_contain_text("わかりません")
    expect(unknown.get_by_role("button", name="使い方")).to_be_visible()
    expect(unknown.get_by_role("group", name="よく出てくる用語").get_by_role("button").first).to_be_visible()
    expect(unknown).to_contain_text("デジタル行政推進課")

    ask(page, "用語一覧")
    expect(answers).to_have_count(8)
    terms = answers.nth(7).get_by_role("button")
    expect(terms).to_have_count(39)

    # After many answers the question box is still on screen, focused, and nothing scrolls sideways.
    expect(question_box(page)).to_be_in_viewport()
    expect(question_box(page)).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    # Who said what, for screen readers.
    expect(page.locator("li.q").first.locator(".sr-only")).to_have_text("あなた: ")
    expect(status.locator(".sr-only")).to_have_text("ボット: ")
    no_serious_violations(page, f"after answers ({size})")
    answers.nth(1).scroll_into_view_if_needed()
    shot(page, f"web-chat-{size}")
    page.context.close()


def test_a_project_cards_kpi_button_answers_that_projects_kpi(browser, server) -> None:
    page = open_page(browser, server, "phone")
    answers = page.locator("ol#history > li.a")
    ask(page, "2-1-3の状況は？")
    buttons = answers.nth(0).get_by_role("group", name="2-1-3について").get_by_role("button")
    expect(buttons).to_have_text(["KPI", "スケジュール", "概要"])
    buttons.first.click()
    expect(answers).to_have_count(2)
    kpi = answers.nth(1)
    expect(kpi.get_by_role("heading")).to_have_text("2-1-3 Web 会議の推進")
    expect(kpi.get_by_role("table").get_by_role("row", name="令和4年度")).to_contain_text("1,880")
    no_serious_violations(page, "a card's buttons (phone)")
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_english_toggle_gives_english_answers(browser, server, size: str) -> None:
    page = open_page(browser, server, size)
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_role("textbox", name="Question")).to_be_visible()
    expect(page.get_by_role("radio", name="Staff")).to_be_disabled()  # not enabled on this server
    expect(page.get_by_role("group", name="Try asking").get_by_role("button").first).to_have_text("What's 2-3-1's status?")
    no_serious_violations(page, f"empty page, English ({size})")
    answers = page.locator("ol#history > li.a")
    ask(page, "2-3-1の状況は？")  # asked in Japanese, answered in the page's language
    expect(answers).to_have_count(1)
    expect(answers.nth(0)).to_have_attribute("lang", "en")
    expect(answers.nth(0)).to_contain_text("mostly on schedule (grade for FY2022 (R4))")
    ask(page, "its KPI?")
    expect(answers).to_have_count(2)
    expect(answers.nth(1).get_by_role("table").get_by_role("row", name="FY2022 (R4)")).to_contain_text("7,552")
    ask(page, "xyzzy plugh")
    expect(answers.nth(2).get_by_role("button", name="Help")).to_be_visible()
    expect(answers.nth(2)).to_contain_text("Digital Administration Promotion Division")
    expect(question_box(page)).to_be_in_viewport()
    no_serious_violations(page, f"after answers, English ({size})")
    shot(page, f"web-chat-en-{size}")
    page.context.close()


def test_errors_are_shown_in_the_pages_language_with_a_way_to_retry(browser, db_path) -> None:
    server = serve(db_path, limiter=RateLimiter(rate_per_minute=1, burst=1))
    try:
        page = open_page(browser, server, "phone")
        answers = page.locator("ol#history > li.a")
        ask(page, "DXとは")
        expect(answers).to_have_count(1)
        ask(page, "LGWANとは")  # over the limit
        expect(answers.nth(1)).to_have_class("a error")  # announced by the log, like every answer
        expect(answers.nth(1)).to_contain_text("待ってから、もう一度送ってください")
        expect(answers.nth(1).get_by_role("button", name="もう一度送る")).to_be_visible()

        page.get_by_role("button", name="English").click()
        ask(page, "what is LGWAN?")
        expect(answers.nth(2)).to_contain_text("Please wait about")
        expect(answers.nth(2).get_by_role("button", name="Send again")).to_be_visible()

        page.route("**/api/ask", lambda route: route.abort())  # the network, not our server, fails
        ask(page, "what is RPA?")
        expect(answers.nth(3)).to_contain_text("Could not reach the server")
        no_serious_violations(page, "errors")
        page.context.close()
    finally:
        server.close()


def test_a_question_too_long_comes_back_to_be_shortened(browser, server) -> None:
    page = open_page(browser, server, "desktop")
    page.evaluate("document.getElementById('q').removeAttribute('maxlength')")  # as a script or old browser could
    long = "あ" * 1001
    ask(page, long)
    answer = page.locator("ol#history > li.a").first
    expect(answer).to_contain_text("質問が長すぎます（1,000文字まで）")
    expect(question_box(page)).to_have_value(long)
    page.context.close()


def test_the_favicon_is_served(server) -> None:
    import httpx

    r = httpx.get(server.url + "/static/favicon.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml") and "<svg" in r.text


STAFF_TOKEN = "browser-staff-token-0123456789"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_staff_page_in_both_languages_and_staff_mode_on_the_chat(browser, db_path, size: str) -> None:
    """/staff looks like the chat and passes axe in Japanese and English; signed in, the chat shows
    staff mode and a sign-out that works; signed out, neither."""
    server = serve(db_path, staff_token=STAFF_TOKEN)
    try:
        page = open_page(browser, server, size)
        badge = page.locator("#staff-state")
        expect(badge).to_be_hidden()
        expect(page.get_by_role("button", name="サインアウト")).to_have_count(0)
        page.goto(server.url + "/staff?lang=en")
        assert page.evaluate("document.documentElement.lang") == "en"
        expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        assert page.evaluate("getComputedStyle(document.querySelector('header.top')).borderBottomStyle") == "solid"
        no_serious_violations(page, f"/staff in English ({size})")
        page.get_by_role("link", name="日本語").click()
        expect(page.get_by_role("heading", name="職員サインイン")).to_be_visible()
        no_serious_violations(page, f"/staff ({size})")
        shot(page, f"web-staff-{size}")
        page.get_by_label("トークン").fill(STAFF_TOKEN)
        page.get_by_role("button", name="サインイン").click()

        page.wait_for_url(server.url + "/")
        expect(badge).to_be_visible()
        expect(badge).to_contain_text("職員モード（サインイン中）")
        expect(page.get_by_role("radio", name="職員")).to_be_enabled()
        no_serious_violations(page, f"the chat in staff mode ({size})")
        page.get_by_role("button", name="English").click()
        expect(badge).to_contain_text("Staff mode (signed in)")
        shot(page, f"web-chat-staff-{size}")
        page.goto(server.url + "/staff?lang=en")
        expect(page.get_by_text("You are signed in as staff")).to_be_visible()
        no_serious_violations(page, f"/staff signed in ({size})")
        page.get_by_role("button", name="Sign out").click()  # a same-origin POST: the origin check lets it through

        page.wait_for_url(server.url + "/")
        expect(badge).to_be_hidden()
        expect(page.get_by_role("radio", name="Staff")).to_be_disabled()
        page.context.close()
    finally:
        server.close()


def test_the_page_says_what_it_stores_and_marks_japanese_in_english_answers(browser, server) -> None:
    page = open_page(browser, server, "desktop")
    privacy = page.locator("#privacy")
    expect(privacy).to_contain_text("答えられなかった質問は回答の改善のため90日間保存します")
    page.get_by_role("button", name="English").click()
    expect(privacy).to_contain_text("kept for 90 days")
    answers = page.locator("ol#history > li.a")
    ask(page, "what is the status of 2-3-1?")
    card = answers.nth(0)
    expect(card.get_by_role("heading")).to_have_text("2-3-1 Expanding the use of RPA")
    expect(card).to_contain_text("Owner: Digital Administration Promotion Division")
    comment = card.locator("p", has_text="Comment (Japanese): ")
    expect(comment.locator('span[lang="ja"]')).to_contain_text("RPA を活用している")
    expect(card).to_contain_text("KPI (Japanese): RPA を用いて削減できた時間数")
    ask(page, "what is open data?")
    term = answers.nth(1)
    expect(term.get_by_role("heading")).to_have_text("Open data")
    expect(term).to_contain_text("Definition (Japanese): 国、地方公共団体")
    ask(page, "projects graded C")
    expect(answers.nth(2).get_by_role("listitem").first).to_contain_text("A better telework environment")
    no_serious_violations(page, "English answers with Japanese quotations")
    answers.nth(0).scroll_into_view_if_needed()
    shot(page, "web-chat-english-marks")
    page.context.close()


def test_a_list_leads_to_a_project_whose_buttons_answer(browser, server) -> None:
    """A list's rows open their projects, and a card's buttons its other views (the README's picture)."""
    page = open_page(browser, server, "desktop")
    answers = page.locator("ol#history > li.a")
    ask(page, "基本方針5の事業")
    rows = answers.nth(0).get_by_role("listitem").get_by_role("button")
    expect(rows).to_have_count(2)
    rows.last.click()
    expect(answers).to_have_count(2)
    card = answers.nth(1)
    expect(card.get_by_role("heading")).to_contain_text("5-1-2")
    card.get_by_role("button", name="スケジュール").click()
    expect(answers).to_have_count(3)
    expect(answers.nth(2).get_by_role("heading")).to_contain_text("5-1-2")
    expect(answers.nth(2)).to_contain_text("令和")
    no_serious_violations(page, "a list, a card and its buttons")
    answers.nth(0).scroll_into_view_if_needed()
    shot(page, "web-list-and-card")
    page.context.close()
