"""The web chat's API on the real server: limits, rate limiting, CSRF rules, audiences."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from bot.config import Settings
from bot.server import Services, create_app
from bot.web.access import StaffAccess
from bot.web.chat import MAX_BODY, MAX_QUESTION, WebChat
from bot.web.ratelimit import RateLimiter
from handlers import Responder
from handlers.answer import Contact
from knowledge.store import bump_generation
from state.catalog import load_catalog
from state.conversations import Conversations
from state.database import connect
from tests.fakes import ServerThread


def utcnow() -> datetime:
    return datetime.now(UTC)


def start(db_path, *, staff_token: str | None = None, limiter: RateLimiter | None = None,
          contact: Contact | None = None):
    db = connect(db_path)
    responder = Responder(load_catalog(db), contact=contact)
    web = WebChat(responder=responder, staff=StaffAccess(token=staff_token), monotonic=time.monotonic,
                  limiter=limiter, clock=utcnow, conversations=Conversations(db))
    server = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))
    return db, server, httpx.Client(base_url=server.url, timeout=10)


@pytest.fixture()
def web(db_path):
    db, server, http = start(db_path)
    yield http
    http.close()
    server.close()


def ask(http: httpx.Client, q: str, **extra):
    return http.post("/api/ask", json={"q": q, **extra})


def test_the_page_and_a_question(web) -> None:
    page = web.get("/")
    assert page.status_code == 200 and 'aria-live="polite"' in page.text and '<label for="q"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert web.get("/static/app.js").status_code == 200
    assert web.get("/static/../chat.py").status_code == 404
    r = ask(web, "２－３－１の状況は？")
    assert r.status_code == 200
    data = r.json()
    assert data["intent"] == "project_status" and data["answers"][0]["id"] == "2-3-1"
    card = data["card"]
    assert card["type"] == "project" and card["projects"][0]["grade"] == "B"
    assert card["projects"][0]["kpis"][0]["percent"] == 94.4


def test_a_project_cards_buttons_ask_for_that_projects_other_views(web) -> None:
    card = ask(web, "2-1-2の状況は？").json()["card"]["projects"][0]
    assert [a["label"] for a in card["actions"]] == ["KPI", "スケジュール", "概要"]
    kpi = ask(web, card["actions"][0]["q"]).json()
    assert kpi["intent"] == "project_kpi" and [p["id"] for p in kpi["card"]["projects"]] == ["2-1-2"]
    assert [a["label"] for a in kpi["card"]["projects"][0]["actions"]] == ["評価", "スケジュール", "概要"]


def test_a_one_line_answer_is_the_cards_body(web) -> None:
    card = ask(web, "2-4-2の担当課は？").json()["card"]["projects"][0]
    assert card["lines"] == ["2-4-2 システムのクラウド化 の担当部署は システム所管課、デジタル行政推進課 です。"]
    overview = ask(web, "2-3-1の概要は？").json()["card"]["projects"][0]["lines"]
    assert overview[0].startswith("【現状】") and not any(ln.startswith("出典") for ln in overview)


def test_every_card_button_answers_its_project_and_view(responder) -> None:
    """What each button asks is understood as that view of that project, in both languages."""
    from bot.web.render import card_actions

    for p in responder.catalog.projects.values():
        for lang in ("ja", "en"):
            for action in card_actions(p, lang, "project_department"):
                answer = responder.answer(action["q"], audience="citizen")
                assert (answer.intent, [q.id for q in answer.projects]) == (action["intent"], [p.id]), action


def test_limits(web) -> None:
    assert ask(web, "あ" * (MAX_QUESTION + 1)).status_code == 413
    big = json.dumps({"q": "x", "pad": "y" * MAX_BODY})
    assert web.post("/api/ask", content=big, headers={"Content-Type": "application/json"}).status_code == 413
    assert web.post("/api/ask", content="not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert web.post("/api/ask", json={"question": "x"}).status_code == 400
    assert web.post("/api/ask", json={"q": "x", "audience": "mayor"}).status_code == 400


def test_csrf_rules(web) -> None:
    form = web.post("/api/ask", data={"q": "2-3-1"})
    assert form.status_code == 415  # a cross-site HTML form cannot send JSON
    foreign = web.post("/api/ask", json={"q": "2-3-1"}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    same = web.post("/api/ask", json={"q": "2-3-1"}, headers={"Origin": str(web.base_url).rstrip("/")})
    assert same.status_code == 200


def test_rate_limit_per_client(db_path) -> None:
    db, server, http = start(db_path, limiter=RateLimiter(rate_per_minute=1, burst=3))
    try:
        codes = [ask(http, "DXとは").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        r = ask(http, "DXとは")
        assert int(r.headers["retry-after"]) >= 1 and "wait" in r.json()["error"]
    finally:
        http.close()
        server.close()


def test_staff_mode_only_when_enabled(web) -> None:
    assert ask(web, "2-3-1の状況は？", audience="staff").status_code == 403
    assert ask(web, "2-3-1の状況は？", audience="citizen").status_code == 200


def test_citizens_do_not_see_drafts(db_path) -> None:
    db, server, http = start(db_path, staff_token="s3cret-staff-token")
    http.headers["Authorization"] = "Bearer s3cret-staff-token"
    try:
        with db.lock:
            db["evaluations"].insert({"project_id": "2-3-1", "fiscal_year": 2023, "grade": "A",
                                      "comment": "下書きのコメント", "source": "submission", "status": "draft"})
            bump_generation(db)
        staff = ask(http, "2-3-1の状況は？", audience="staff").json()
        citizen = ask(http, "2-3-1の状況は？", audience="citizen").json()
        assert "下書きのコメント" in staff["text"] and staff["card"]["projects"][0]["draft"] is True
        assert "下書き" not in citizen["text"] and citizen["card"]["projects"][0]["grade"] == "B"
        assert citizen["card"]["projects"][0]["draft"] is False
    finally:
        http.close()
        server.close()


def test_a_follow_up_in_the_same_browser_session(db_path) -> None:
    db, server, http = start(db_path)
    try:
        first = ask(http, "2-3-1の状況は？")
        cookie = first.headers["set-cookie"]
        assert "dxbot_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        follow = ask(http, "そのKPIは？").json()  # the client sends the cookie back
        assert follow["intent"] == "project_kpi" and follow["answers"][0]["id"] == "2-3-1"
        assert follow["card"]["assumed"] == "2-3-1"
        series = follow["card"]["projects"][0]["series"][0]
        assert {k: series["years"][0][k] for k in ("label", "target", "actual")} == {"label": "令和4年度", "target": 8000.0, "actual": 7552.0}
        with httpx.Client(base_url=server.url, timeout=10) as stranger:  # another browser: no context
            assert ask(stranger, "そのKPIは？").json()["intent"] == "unknown"
        forged = httpx.Client(base_url=server.url, timeout=10, cookies={"dxbot_session": "x"})
        r = ask(forged, "2-3-1の状況は？")
        assert "dxbot_session=" in r.headers["set-cookie"] and "dxbot_session=x;" not in r.headers["set-cookie"]
        forged.close()
    finally:
        server.close()
    # A restart: a new server on the same database still knows the conversation.
    db, server2, http2 = start(db_path)
    try:
        http2.cookies.update(http.cookies)
        assert ask(http2, "スケジュールは？").json()["answers"][0]["id"] == "2-3-1"
    finally:
        http.close()
        http2.close()
        server2.close()


def test_the_page_language_decides_the_answer_language(web) -> None:
    en = ask(web, "2-3-1の状況は？", lang="en").json()
    assert en["lang"] == "en" and "Source:" in en["text"]
    project = en["card"]["projects"][0]
    assert project["year_label"] == "FY2022 (R4)" and project["title"] != project["name"]
    ja = ask(web, "what is LGWAN?", lang="ja").json()
    assert ja["lang"] == "ja" and "出典" in ja["text"]
    assert ask(web, "2-3-1", lang="fr").status_code == 400


def test_progress_never_passes_its_maximum(web) -> None:
    kpi = ask(web, "2-1-3の状況").json()["card"]["projects"][0]["kpis"][0]
    assert kpi["percent"] == 110.6 and kpi["bar"] == 100


def test_an_ungraded_project_says_why(web) -> None:
    p = ask(web, "2-4-3の状況").json()["card"]["projects"][0]
    assert p["grade"] is None and "令和5年度からの新しい事業" in p["ungraded_reason"]


def test_unanswered_questions_carry_the_configured_contact(db_path) -> None:
    settings = Settings.from_env({"DXBOT_CONTACT_NAME": "船橋市 市民相談課", "DXBOT_CONTACT_PHONE": "047-000-0000",
                                  "DXBOT_PLAN_URL": "https://example.jp/dx-plan"})
    db, server, http = start(db_path, contact=settings.contact)
    try:
        data = ask(http, "qwertyuiop").json()
        assert data["contact"]["name"] == "船橋市 市民相談課" and data["contact"]["phone"] == "047-000-0000"
        assert data["popular"] and "船橋市 市民相談課" in data["text"]
        assert 'href="https://example.jp/dx-plan"' in http.get("/").text
    finally:
        http.close()
        server.close()
    with pytest.raises(ValueError, match="DXBOT_PLAN_URL"):
        Settings.from_env({"DXBOT_PLAN_URL": "javascript:alert(1)"})
    assert Settings.from_env({}).contact == Contact()
