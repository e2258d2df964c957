"""👍 / 👎 on answers and the monthly report: the store on both backends, the web chat's endpoint,
/admin behind the staff credential, and ``dxbot report`` for a month of known traffic."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from bot import report
from bot.server import Services, create_app
from bot.web.access import StaffAccess
from bot.web.chat import WebChat
from handlers import Responder
from handlers.answer import Answer, Ref
from state.catalog import load_catalog
from state.conversations import Conversations, QuestionLog
from state.database import connect
from state.feedback import AnswerLog, Feedback, summarise
from tests.fakes import ServerThread, cli_env, dxbot

TOKEN = "staff-token-for-tests"


def utcnow() -> datetime:
    return datetime.now(UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def answer(intent: str = "project_status", *refs: Ref, **extra: object) -> Answer:
    return Answer(query="q", intent=intent, lang="ja", audience="citizen", text="t", answers=refs,  # type: ignore[arg-type]
                  extra=dict(extra))


RPA = Ref("project", "2-3-1", "RPA の活用拡充", 100.0)
LGWAN = Ref("glossary", "LGWAN", "LGWAN", 100.0)


# ------------------------------------------------------------------ the store, on both backends


def test_a_vote_lands_once_and_a_second_replaces_it(state) -> None:
    log = AnswerLog(state, salt="s", new_id=lambda: "answer-0001")
    answer_id = log.record(answer("project_kpi", RPA), channel="slack", user_id="U1", now=at("2025-04-01T01:00:00+00:00"))
    votes = Feedback(state, salt="s")
    assert votes.vote(answer_id, vote="down", channel="slack", user_id="U1", now=at("2025-04-01T01:01:00+00:00"))
    assert votes.reason(answer_id, user_id="U1", text="  古い\n情報  ", now=at("2025-04-01T01:02:00+00:00"))
    assert votes.vote(answer_id, vote="down", channel="slack", user_id="U1", now=at("2025-04-01T01:03:00+00:00"))
    rows = state.rows("SELECT * FROM answer_feedback")
    assert len(rows) == 1
    assert rows[0]["vote"] == "down" and rows[0]["reason"] == "古い 情報" and rows[0]["intent"] == "project_kpi"
    assert rows[0]["user_hash"] != "U1" and "U1" not in json.dumps(rows, default=str)
    # Changing one's mind replaces the vote (and a 👍 has no 👎 reason).
    assert votes.vote(answer_id, vote="up", channel="slack", user_id="U1", now=at("2025-04-01T01:04:00+00:00"))
    rows = state.rows("SELECT vote, reason FROM answer_feedback")
    assert rows == [{"vote": "up", "reason": None}]
    assert not votes.reason(answer_id, user_id="U1", text="late", now=at("2025-04-01T01:05:00+00:00"))
    # Another person is another vote; nonsense is nothing.
    assert votes.vote(answer_id, vote="down", channel="slack", user_id="U2", now=at("2025-04-01T01:06:00+00:00"))
    assert not votes.vote(answer_id, vote="meh", channel="slack", user_id="U3", now=at("2025-04-01T01:06:00+00:00"))
    assert not votes.vote("x", vote="up", channel="slack", user_id="U3", now=at("2025-04-01T01:06:00+00:00"))
    assert len(state.rows("SELECT * FROM answer_feedback")) == 2
    assert state.rows("SELECT channel, user_hash, outcome, subjects FROM answer_log") == [
        {"channel": "slack", "user_hash": rows_hash(state), "outcome": "answered", "subjects": "project:2-3-1"}]


def rows_hash(state) -> str:
    from state.conversations import hash_user

    return hash_user("U1", salt="s")


def known_month(db) -> None:
    """April 2025 (Tokyo): 6 answers on three channels, 3 votes, two unanswered phrasings of one question."""
    ids = iter([f"answer-{n:04d}" for n in range(1, 20)])
    log = AnswerLog(db, salt="s", new_id=lambda: next(ids))
    traffic = [
        ("2025-03-31T14:59:59+00:00", "web", answer("project_status", RPA)),  # 3/31 23:59 JST: March
        ("2025-03-31T15:00:00+00:00", "web", answer("project_status", RPA)),  # 4/1 00:00 JST
        ("2025-04-01T03:00:00+00:00", "web", answer("project_kpi", RPA)),
        ("2025-04-01T04:00:00+00:00", "web", answer("unknown")),
        ("2025-04-02T00:00:00+00:00", "slack", answer("clarify", RPA)),
        ("2025-04-02T01:00:00+00:00", "slack", answer("unknown", out_of_scope="川崎市")),
        ("2025-04-30T14:30:00+00:00", "line", answer("glossary", LGWAN)),  # 4/30 23:30 JST
        ("2025-04-30T15:00:00+00:00", "line", answer("glossary", LGWAN)),  # 5/1 00:00 JST: May
    ]
    given = [log.record(a, channel=ch, user_id="U1", now=at(t)) for t, ch, a in traffic]
    votes = Feedback(db, salt="s")
    votes.vote(given[1], vote="up", channel="web", user_id="web:s1", now=at("2025-04-01T00:00:00+00:00"))
    votes.vote(given[2], vote="up", channel="web", user_id="web:s1", now=at("2025-04-01T03:01:00+00:00"))
    votes.vote(given[6], vote="down", channel="line", user_id="U9", now=at("2025-04-30T14:31:00+00:00"))
    votes.reason(given[6], user_id="U9", text="情報が足りない", now=at("2025-04-30T14:32:00+00:00"))
    questions = QuestionLog(db, salt="s")
    for text, t in (("LGWANて何", "2025-04-03T00:00:00+00:00"), ("LGWANってなに？", "2025-04-04T00:00:00+00:00"),
                    ("住民票の写し", "2025-05-02T00:00:00+00:00")):
        questions.record(text, channel="web", user_id=None, intent="unknown", score=0.0, now=at(t))


def test_the_report_for_a_month_of_known_traffic_shows_exactly_those_counts(state) -> None:
    known_month(state)
    s = summarise(state, "2025-04", zone=report.TOKYO)
    assert s.total == 6 and len(s.days) == 30
    assert {d: c for d, c in s.per_day.items() if c} == {
        "2025-04-01": {"web": 3}, "2025-04-02": {"slack": 2}, "2025-04-30": {"line": 1}}
    assert s.outcomes == {"answered": 3, "clarified": 1, "unknown": 1, "out_of_scope": 1}
    assert s.subjects == (("project:2-3-1", 2), ("glossary:LGWAN", 1))
    assert s.votes == {"up": 2, "down": 1} and s.up_rate == pytest.approx(2 / 3)
    assert s.reasons == (("2025-04-30", "line", "情報が足りない"),)

    built = report.build(state, "2025-04", names={"project:2-3-1": "2-3-1 RPA の活用拡充"})
    assert [(rep, n) for rep, n, _ in built.clusters] == [("LGWANて何", 2)]
    md = report.markdown(built)
    assert "| 2025-04-01 | 0 | 0 | 3 | 3 |" in md  # channels line, slack, web
    assert "| answered | 3 | 50.0% |" in md and "| out_of_scope | 1 | 16.7% |" in md
    assert "| 2-3-1 RPA の活用拡充 | 2 |" in md and "👍 2 / 👎 1 (👍 rate 66.7%)" in md
    rows = list(csv.reader(io.StringIO(report.csv_text(built))))
    assert ["answers", "2025-04-30", "line", "1"] in rows and ["vote", "down", "line", "1"] in rows
    assert ["unanswered", "LGWANて何", "", "2"] in rows
    page = report.html_page(built)
    assert page.count("<svg") == 3 and "<script" not in page and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch: opens offline
    assert "2025-04-01 web: 3" in page
    with pytest.raises(ValueError):
        summarise(state, "2025-13", zone=report.TOKYO)


# ------------------------------------------------------------------ the web chat and /admin


@pytest.fixture()
def site(db_path):
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, staff=StaffAccess(token=TOKEN), monotonic=time.monotonic, clock=utcnow,
                  conversations=Conversations(db), answers=AnswerLog(db), feedback=Feedback(db),
                  questions=QuestionLog(db))
    server = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web)))
    http = httpx.Client(base_url=server.url, timeout=10)
    yield http, db, server
    http.close()
    server.close()


def test_a_web_vote_lands_once_and_only_its_asker_may_cast_it(site) -> None:
    http, db, server = site
    data = http.post("/api/ask", json={"q": "2-3-1の状況は？"}).json()
    answer_id = data["answer_id"]
    vote = {"answer": answer_id, "vote": "up"}
    assert http.post("/api/feedback", json=vote).json() == {"ok": True, "vote": "up", "reason": False}
    r = http.post("/api/feedback", json={"answer": answer_id, "vote": "down", "reason": "KPIが古い"})
    assert r.status_code == 200 and r.json()["reason"] is True
    rows = db.execute("SELECT channel, intent, vote, reason, user_hash FROM answer_feedback").fetchall()
    assert len(rows) == 1 and rows[0][:4] == ("web", "project_status", "down", "KPIが古い")
    assert http.cookies["dxbot_session"] not in rows[0][4]
    # The same rules as /api/ask: JSON, same origin; and another browser cannot vote on this answer.
    assert http.post("/api/feedback", content=json.dumps(vote), headers={"Content-Type": "text/plain"}).status_code == 415
    assert http.post("/api/feedback", json=vote, headers={"Origin": "https://evil.example"}).status_code == 403
    with httpx.Client(base_url=server.url, timeout=10) as other:
        other.post("/api/ask", json={"q": "LGWANとは"})
        assert other.post("/api/feedback", json=vote).status_code == 404
    assert http.post("/api/feedback", json={"answer": answer_id, "vote": "meh"}).status_code == 400
    assert db.execute("SELECT count(*) FROM answer_feedback").fetchone()[0] == 1


def test_admin_needs_the_staff_credential_and_teaches_an_alias(site) -> None:
    http, db, _ = site
    # A staff nickname for RPA the plan never writes: unanswered until an operator teaches it.
    http.post("/api/ask", json={"q": "ぽちぽち君の状況"})
    refused = http.get("/admin")
    assert refused.status_code == 401 and "ぽちぽち" not in refused.text
    assert http.get("/admin", headers={"Authorization": "Bearer wrong"}).status_code == 401
    staff = {"Authorization": f"Bearer {TOKEN}"}
    month = utcnow().astimezone(report.TOKYO).strftime("%Y-%m")
    page = http.get("/admin", headers=staff)
    assert page.status_code == 200 and f"monthly report {month}" in page.text
    assert "ぽちぽち君の状況" in page.text and 'action="/admin/alias"' in page.text
    assert "script-src" not in page.headers["content-security-policy"] and "<script" not in page.text
    form = {"text": "ぽちぽち君", "target": "2-3-1", "month": month}
    host = http.base_url.host + (f":{http.base_url.port}" if http.base_url.port else "")
    assert http.post("/admin/alias", data=form, headers=staff).status_code == 403  # no Origin
    assert http.post("/admin/alias", data=form, headers={**staff, "Origin": "https://evil.example"}).status_code == 403
    assert http.post("/admin/alias", data=form, headers={"Origin": f"http://{host}"}).status_code == 401
    taught = http.post("/admin/alias", data=form, headers={**staff, "Origin": f"http://{host}"})
    assert taught.status_code == 200 and "2-3-1" in taught.text
    assert db.execute("SELECT kind, target FROM aliases WHERE alias = ? AND source = 'user'",
                      [form["text"]]).fetchall() == [("project", "2-3-1")]
    bad = http.post("/admin/alias", data={**form, "target": "9-9-9"}, headers={**staff, "Origin": f"http://{host}"})
    assert bad.status_code == 400 and "9-9-9" in bad.text


def test_dxbot_report_prints_the_month(db_path, tmp_path) -> None:
    db = connect(db_path)
    known_month(db)
    env = cli_env(db_path)
    md = dxbot("report", "--month", "2025-04", env=env)
    assert md.returncode == 0, md.stderr
    assert "| answered | 3 | 50.0% |" in md.stdout and "| 2-3-1 RPA の活用拡充 | 2 |" in md.stdout
    out = tmp_path / "april.html"
    page = dxbot("report", "--month", "2025-04", "--format", "html", "--output", str(out), env=env)
    assert page.returncode == 0 and "<svg" in out.read_text(encoding="utf-8")
    assert dxbot("report", "--month", "April", env=env).returncode == 2
