"""Issue 24: the web chat says what it stores, and /staff is a page of the chat's own, in Japanese
and English, with the staff-mode state and a sign-out only for a signed-in browser."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from bot.server import Services, create_app
from bot.web.access import COOKIE, StaffAccess
from bot.web.chat import WebChat
from handlers import Responder
from state.catalog import load_catalog
from state.database import connect
from tests.fakes import ServerThread
from tests.test_web_access import TOKEN, utcnow


@pytest.fixture()
def server(db_path):
    servers = []

    def run(*, token: str | None = TOKEN, retention_days: int = 90) -> httpx.Client:
        db = connect(db_path)
        responder = Responder(load_catalog(db))
        web = WebChat(responder=responder, staff=StaffAccess(token=token), monotonic=time.monotonic,
                      retention_days=retention_days)
        s = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))
        servers.append(s)
        return httpx.Client(base_url=s.url, timeout=10)

    yield run
    for s in servers:
        s.close()


def staff_state(page: str) -> str:
    """The chat page's staff-mode form (badge and sign-out), as served."""
    match = re.search(r'<form id="staff-state"[^>]*>', page)
    assert match, "the chat page has no staff-mode state"
    return match.group(0)


def test_the_chat_page_says_what_is_stored_and_for_how_long(server) -> None:
    page = server().get("/").text
    assert "答えられなかった質問は回答の改善のため90日間保存します" in page
    assert 'data-retention-days="90"' in page  # the English line (app.js) says the same number
    assert "30日間保存" in server(retention_days=30).get("/").text  # DXBOT_UNANSWERED_RETENTION_DAYS


def test_staff_mode_is_shown_only_to_a_signed_in_browser(server) -> None:
    http = server()
    assert " hidden" in staff_state(http.get("/").text)
    assert http.post("/staff", data={"token": TOKEN}).status_code == 303
    shown = staff_state(http.get("/").text)
    assert "hidden" not in shown and 'action="/staff/sign-out"' in shown and 'method="post"' in shown
    assert " hidden" in staff_state(server(token=None).get("/").text)  # citizen-only server


def test_the_staff_page_speaks_both_languages_and_looks_like_the_chat(server) -> None:
    http = server()
    ja, en = http.get("/staff"), http.get("/staff?lang=en")
    assert '<html lang="ja">' in ja.text and "<h1>職員サインイン</h1>" in ja.text and "トークン" in ja.text
    assert '<html lang="en">' in en.text and "<h1>Staff sign-in</h1>" in en.text and ">Token<" in en.text
    for r in (ja, en):
        assert '<link rel="stylesheet" href="/static/style.css">' in r.text and 'class="top"' in r.text
        assert "style-src 'self'" in r.headers["content-security-policy"]
        assert "sign-out" not in r.text  # nothing to sign out of
    assert 'href="/staff?lang=en"' in ja.text and 'href="/staff?lang=ja"' in en.text
    wrong = http.post("/staff?lang=en", data={"token": "guess", "lang": "en"})
    assert wrong.status_code == 403 and "That token is not right." in wrong.text
    wrong = http.post("/staff", data={"token": "guess"})
    assert wrong.status_code == 403 and "トークンが正しくありません。" in wrong.text
    off = server(token=None).get("/staff?lang=en")
    assert "Staff sign-in is not enabled on this server." in off.text and 'name="token"' not in off.text


def test_signed_in_the_staff_page_shows_the_state_and_signs_out(server) -> None:
    http = server()
    http.post("/staff", data={"token": TOKEN})
    for lang, state, button in (("ja", "職員としてサインインしています", "サインアウト"),
                                ("en", "You are signed in as staff", "Sign out")):
        page = http.get(f"/staff?lang={lang}").text
        assert state in page and f">{button}</button>" in page and 'name="token"' not in page
    signed_out = http.post("/staff/sign-out", headers={"Origin": str(http.base_url).rstrip("/")})
    assert signed_out.status_code == 303 and COOKIE not in http.cookies
    assert " hidden" in staff_state(http.get("/").text)


def test_another_site_can_neither_sign_in_nor_sign_out(server) -> None:
    http = server()
    evil = {"Origin": "https://evil.example"}
    assert http.post("/staff", data={"token": TOKEN}, headers=evil).status_code == 403
    assert COOKIE not in http.cookies
    http.post("/staff", data={"token": TOKEN})
    refused = http.post("/staff/sign-out", headers=evil)
    assert refused.status_code == 403 and COOKIE in http.cookies
    assert "hidden" not in staff_state(http.get("/").text)
