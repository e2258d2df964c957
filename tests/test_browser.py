"""The web chat in a real browser: Playwright driving Debian's Chromium (installed by .ci/run)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.server import Services, create_app
from bot.web.chat import WebChat
from handlers import Responder
from knowledge.catalog import load_catalog
from knowledge.store import connect
from tests.fakes import ServerThread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed here (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture()
def page(db_path):
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, allow_staff=False, monotonic=time.monotonic)
    server = ServerThread(create_app(Services(db=db, responder=responder,
                                              clock=lambda: datetime.now(timezone.utc), web=web)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
        pg = context.new_page()
        pg.goto(server.url + "/")
        yield pg
        browser.close()
    server.close()


def ask(page, text: str) -> None:
    page.get_by_label("質問").fill(text)
    page.keyboard.press("Enter")


def test_chat_in_a_phone_sized_browser(page) -> None:
    answers = page.locator("ol#history > li.a")
    ask(page, "2-3-1の状況は？")
    expect(answers).to_have_count(1)
    first = answers.nth(0)
    expect(first.get_by_role("heading")).to_have_text("2-3-1 RPA の活用拡充")
    expect(first.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "94")
    expect(first).to_contain_text("おおむね予定どおり実施")

    ask(page, "まいなぽーたる")
    expect(answers).to_have_count(2)
    glossary = answers.nth(1)
    expect(glossary.get_by_role("heading")).to_have_text("マイナポータル")
    expect(glossary).to_contain_text("マイナンバーカードを使って")

    ask(page, "qwertyuiop")
    expect(answers).to_have_count(3)
    expect(answers.nth(2)).to_contain_text("わかりません")

    suggestion = glossary.locator("button.suggestion").first
    label = suggestion.inner_text()
    suggestion.click()
    expect(answers).to_have_count(4)
    expect(answers.nth(3).get_by_role("heading")).to_have_text(label)  # the project the button named

    # Keyboard users keep typing where they were; nothing scrolls sideways on a phone.
    expect(page.get_by_label("質問")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=True)


def test_english_toggle_and_staff_switch(page) -> None:
    page.get_by_role("button", name="English").click()
    expect(page.get_by_label("Question")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_role("radio", name="Staff")).to_be_disabled()  # not enabled on this server
