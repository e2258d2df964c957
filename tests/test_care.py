"""Care with people's data and feelings (handlers/care.py, state/personal_data.py).

Personal data in a question is answered with "please don't send it" and kept nowhere unmasked;
distress gets public help lines and nothing else; opinions about people and parties are declined;
greetings and thanks get a friendly reply with examples. None of them is an unanswered question.
The plan's own figures — ids, years, KPI values — are never taken for personal data.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import time
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from bot.config import Settings
from bot.line import render as line_render
from bot.observe import JsonFormatter, Telemetry
from bot.server import build
from bot.slack import render as slack_render
from bot.web import render as web_render
from handlers import Responder
from handlers.care import EXAMPLES, INOCHI, YORISOI
from handlers.respond import PROJECT_TEXT
from state.conversations import QuestionLog
from state.personal_data import find, mask
from tests import platform_rules
from tests.conftest import DATA
from tests.fakes import cli_env, dxbot, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

# ------------------------------------------------------------------ masking

MASKED = [
    ("マイナンバー 4810 2297 3365 はどこで使う？", "マイナンバー [my-number] はどこで使う？"),
    ("個人番号481022973365を登録したい", "個人番号[my-number]を登録したい"),
    ("マイナンバー4810-2297-3365の再発行", "マイナンバー[my-number]の再発行"),
    ("ダイヤルー080ー5512ー7730", "ダイヤルー[phone]"),
    ("番号は４８１０－２２９７－３３６５です", "番号は[my-number]です"),
    ("携帯 080-5512-7730 に折り返しを", "携帯 [phone] に折り返しを"),
    ("自宅は047-431-9982です", "自宅は[phone]です"),
    ("(047)431-9982 までお願いします", "[phone] までお願いします"),
    ("070 1188 2406", "[phone]"),
    ("０７０１１８８２４０６に電話して", "[phone]に電話して"),
    ("call me on +81 80-5512-7730 please", "call me on [phone] please"),
    ("＋８１ ８０ ５５１２ ７７３０", "[phone]"),
    ("連絡先は yamada.t+dx@mail.example.jp です", "連絡先は [email] です"),
    ("ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ へ", "[email] へ"),
    ("カード 4242 4242 4242 4242 で払える？", "カード [card] で払える？"),
    ("5555-5555-5555-4444の引き落とし", "[card]の引き落とし"),
    ("Amex 378282246310005 ok?", "Amex [card] ok?"),
]


@pytest.mark.parametrize(("typed", "kept"), MASKED)
def test_personal_data_is_masked(typed: str, kept: str) -> None:
    assert mask(typed) == kept


@pytest.mark.parametrize("typed", [
    "2-3-1のKPIは？", "1-1-3の交付率は何％？", "2024年度から2027年度まで", "令和6年度の実績", "R7の目標",
    "目標値 12,000件に対して実績 9,876件", "達成率は 94.4%", "2023-2027", "2025 2026 2027 2028年の予定",
    "人口 640,000人", "3,000,000円の予算", "2024/10/01に開始", "2-3-1 2-3-2 2-4-1の担当",
    "4242 4242 4242 4241",  # fails the Luhn check: no card
    "1234567890123456",  # 16 digits, no card either
    "@channel 2-4-2の状況",
])
def test_the_plans_kind_of_figures_are_not_personal_data(typed: str) -> None:
    assert find(typed) == []


def test_nothing_the_plan_says_in_its_answers_is_masked(responder: Responder) -> None:
    """Every project's every answer (KPI tables, schedules, years) and every definition, as the bot gives them."""
    texts = [responder.project_answer(pid, intent, audience="staff").text
             for pid in responder.catalog.projects for intent in PROJECT_TEXT]
    texts += [f"{t.term} {t.definition}" for t in responder.catalog.terms.values()]
    assert len(texts) > 100
    assert [t[:60] for t in texts if find(t)] == []


def test_no_question_of_the_question_sets_is_masked() -> None:
    questions = [c["q"] for p in sorted(DATA.glob("*.json")) if p.name != "make_question_sets.py"
                 for c in json.loads(p.read_text(encoding="utf-8")) if isinstance(c, dict) and c.get("q")]
    assert len(questions) > 2000
    assert [q for q in questions if find(q)] == []


def test_the_question_log_keeps_personal_data_masked(db) -> None:
    log = QuestionLog(db, salt="s")
    log.record("折り返しは 080-5512-7730 へ", channel="web", user_id=None, intent="unknown", score=0.0, now=NOW)
    assert [r["text"] for r in log.since(NOW)] == ["折り返しは [phone] へ"]


def test_the_answer_log_keeps_personal_data_masked(responder: Responder) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.care.answers")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    telemetry = Telemetry(logger=logger)
    answer = responder.answer("LGWANとは", audience="citizen")
    telemetry.answered("web", replace(answer, query="LGWANとは 080-5512-7730"), 0.01)
    logger.handlers[0].flush()
    record = stream.getvalue()
    assert "LGWANとは [phone]" in record and "080-5512-7730" not in record


# ------------------------------------------------------------------ the Responder

CARE = [
    ("distress", "毎日しんどくて、もう消えたい", "ja"),
    ("distress", "仕事がつらくて限界かもしれない", "ja"),
    ("distress", "I just want to die", "en"),
    ("distress", "honestly I can't go on like this", "en"),
    ("personal_data", "電話は 080-5512-7730 です。LGWANとは？", "ja"),
    ("personal_data", "my e-mail is kenji.ito@example.net, what is RPA?", "en"),
    ("personal_data", "マイナンバー 4810 2297 3365 で手続きできますか", "ja"),
    ("personal_data", "card 4242 4242 4242 4242 - can I pay taxes with it?", "en"),
    ("opinion", "今の市長についてどう思いますか？", "ja"),
    ("opinion", "公明党と共産党、どっちがいい？", "ja"),
    ("opinion", "Do you think the mayor is doing a good job?", "en"),
    ("opinion", "which political party should I vote for", "en"),
    ("greeting", "こんにちは！", "ja"),
    ("greeting", "はじめまして、よろしくお願いします", "ja"),
    ("greeting", "hi there", "en"),
    # A new user's first message to a bot is often only a check that it is there.
    ("greeting", "テスト", "ja"),
    ("greeting", "てすと てすと あいうえお", "ja"),
    ("greeting", "test test", "en"),
    ("thanks", "ありがとうございました😊", "ja"),
    ("thanks", "Thank you so much!", "en"),
]


@pytest.mark.parametrize(("kind", "message", "lang"), CARE)
def test_careful_replies_on_the_responder(responder: Responder, db, kind: str, message: str, lang: str) -> None:
    answer = responder.answer(message, audience="citizen")
    assert answer.extra.get("care") == kind and answer.lang == lang
    assert answer.intent == ("help" if kind in ("greeting", "thanks") else "care")
    assert not answer.answers and answer.contact is None and not answer.popular
    assert answer.query == mask(message) and not find(answer.query)
    if kind == "distress":
        assert YORISOI in answer.text and INOCHI in answer.text and not answer.suggestions
    if kind == "personal_data":
        assert ("個人情報" if lang == "ja" else "personal details") in answer.text
    if kind == "opinion":
        assert ("意見" if lang == "ja" else "opinions") in answer.text
    if kind in ("greeting", "thanks"):
        assert all(e in answer.text for e in EXAMPLES[lang]) and answer.suggestions
    log = QuestionLog(db, salt="s")
    log.observe(answer, channel="line", user_id="U1", now=NOW)
    assert log.since(NOW) == []  # none of them is an unanswered question


def test_a_masked_question_from_the_queue_is_still_personal_data(responder: Responder) -> None:
    answer = responder.answer("電話は [phone] です", audience="citizen")
    assert answer.extra.get("care") == "personal_data"


@pytest.mark.parametrize(("message", "intent"), [
    ("おはようございます。オープンデータの取り組みを知りたい", None),
    ("こんばんは、LGWANって何ですか", "glossary"),
    ("thanks! and what is LGWAN?", "glossary"),
    ("市長が本部長を務める推進本部とは", None),
    ("次の市議会の選挙はいつ？", None),
    ("RPAの取り組みをどう評価していますか", None),
    ("二次元コードの読み取りテストは終わった？", None),  # a test the plan speaks of
])
def test_questions_are_not_swallowed(responder: Responder, message: str, intent: str | None) -> None:
    answer = responder.answer(message, audience="citizen")
    assert "care" not in answer.extra and answer.intent not in ("care", "help")
    if intent:
        assert answer.intent == intent


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_greetings_examples_are_answered(responder: Responder, lang: str) -> None:
    for example in EXAMPLES[lang]:
        answer = responder.answer(example, audience="staff")
        assert answer.intent not in ("unknown", "clarify", "care", "help"), example


def test_every_channel_draws_a_careful_reply(responder: Responder) -> None:
    for _, message, _ in CARE:
        answer = responder.answer(message, audience="citizen")
        line = line_render.render(answer)
        slack = slack_render.render(answer)
        web = web_render.render(answer)
        assert platform_rules.line_messages_violations(line) == [], message
        assert platform_rules.slack_message_violations(slack) == [], message
        assert line[0]["text"].startswith(answer.text.splitlines()[0])
        assert answer.text.splitlines()[0] in json.dumps(slack, ensure_ascii=False)
        assert web["text"] == answer.text and web["query"] == mask(message)
        if answer.intent == "care":  # the reply, and nothing else
            assert len(line) == 1 and "quickReply" not in line[0]
            assert web["suggestions"] == [] and "contact" not in web


def test_the_cli_answers_with_care(db_path) -> None:
    done = dxbot("ask", "--json", "折り返し 080-5512-7730 でお願いします", env=cli_env(db_path))
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["intent"] == "care" and got["query"] == "折り返し [phone] でお願いします"
    assert "080-5512-7730" not in done.stdout


# ------------------------------------------------------------------ the contact, said at start

def test_serve_says_when_the_contact_is_unset(db_path) -> None:
    said: list[str] = []
    build(Settings(db_path=str(db_path), log_salt="s"), clock=lambda: NOW, host="127.0.0.1", notice=said.append)
    assert any("DXBOT_CONTACT_PHONE and DXBOT_CONTACT_URL unset" in line for line in said), said
    said.clear()
    contact = Settings.from_env({"DXBOT_CONTACT_PHONE": "047-000-1111"}).contact
    build(Settings(db_path=str(db_path), log_salt="s", contact=contact), clock=lambda: NOW, host="127.0.0.1",
          notice=said.append)
    assert any(line.startswith("Contact: DXBOT_CONTACT_URL unset") for line in said), said
    said.clear()
    contact = Settings.from_env({"DXBOT_CONTACT_PHONE": "047-000-1111", "DXBOT_CONTACT_URL": "https://example.jp/q"}).contact
    build(Settings(db_path=str(db_path), log_salt="s", contact=contact), clock=lambda: NOW, host="127.0.0.1",
          notice=said.append)
    assert not any(line.startswith("Contact:") for line in said), said


# ------------------------------------------------------------------ end to end, and nothing unmasked at rest

SLACK_SECRET, LINE_SECRET = "care-signing-secret", "care-line-secret"
# Exactly as typed, and what a grep of the files must never find (the digits alone too).
RAW = {
    "phone": "080-5512-7730", "my_number": "4810 2297 3365", "email": "kenji.ito@example.net",
    "card": "4242 4242 4242 4242", "slack_phone": "090-6633-2019", "slack_email": "m.sato@example.org",
    "web_my_number": "5921-7043-8816",
}
LINE_MESSAGES = {
    "personal_phone": f"子育ての手続きは？ 連絡は{RAW['phone']}へ",
    "personal_my_number": f"マイナンバー{RAW['my_number']}を使える手続きは？",
    "personal_email": f"返事は {RAW['email']} に送って",
    "personal_card": f"カード {RAW['card']} で税金を払える？",
    "distress": "もう何もかもつらくて、消えたい",
    "opinion": "市長は有能だと思う？",
    "greeting": "こんばんは！",
    "thanks": "どうもありがとう",
    "unanswered": "市役所の駐車場は何台とめられる？",
}


def _grep(files, needles: list[str]) -> list[str]:
    found = []
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n in needles if n.encode() in data]
    return found


def test_careful_replies_end_to_end_and_nothing_unmasked_at_rest(db_path, tmp_path) -> None:
    slack, line = slack_api(), line_api()
    env = cli_env(db_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SLACK_SECRET,
                  SLACK_API_URL=slack.url + "/api/", LINE_CHANNEL_SECRET=LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN="token",
                  LINE_API_URL=line.url, DXBOT_LOG_SALT="care-salt", DXBOT_CONTACT_PHONE="047-000-1111",
                  DXBOT_CONTACT_URL="https://example.jp/toiawase")
    log = tmp_path / "serve.log"
    files = [db_path, *(db_path.parent / (db_path.name + s) for s in ("-wal", "-journal", "-shm")), log]
    needles = [*RAW.values(), *(v.replace(" ", "").replace("-", "") for v in RAW.values() if "@" not in v),
               "kenji.ito", "m.sato"]
    server = serve(env, log)
    # The answers wait: what the inbound queue holds of the questions is read while it holds them.
    line.hold("/v2/bot/message/reply")
    slack.hold("/api/chat.postMessage")
    try:
        events = [{"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                   "source": {"type": "user", "userId": "U" + "c4" * 16}, "webhookEventId": f"01HCARE{n:019d}",
                   "deliveryContext": {"isRedelivery": False}, "replyToken": f"rt-{name}",
                   "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": text}}
                  for n, (name, text) in enumerate(LINE_MESSAGES.items())]
        raw = json.dumps({"destination": "Ubot", "events": events}, ensure_ascii=False).encode()
        r = server.http.post("/line/webhook", content=raw, headers={
            "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, raw)})
        assert r.status_code == 200
        for n, (kind, text) in enumerate([("app_mention", f"<@UBOT> 折り返しは{RAW['slack_phone']}で"),
                                          ("message", f"{RAW['slack_email']} に結果を送って")]):
            event = {"type": kind, "user": "U0CARE", "text": text, "ts": f"1700000100.00000{n}", "channel": "DCARE",
                     **({"channel_type": "im"} if kind == "message" else {})}
            body = json.dumps({"type": "event_callback", "event_id": f"EvCARE{n}", "event": event}).encode()
            r = server.http.post("/slack/events", content=body,
                                 headers={"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)})
            assert r.status_code == 200
        command = urlencode({"command": "/dx", "text": "ありがとう", "user_id": "U0CARE", "channel_id": "CCARE",
                             "response_url": slack.url + "/respond/care", "trigger_id": "t"}).encode()
        r = server.http.post("/slack/events", content=command, headers={
            "Content-Type": "application/x-www-form-urlencoded", **slack_headers(SLACK_SECRET, command)})
        assert r.status_code == 200
        line.wait_for("/v2/bot/message/reply", 1, timeout=60)
        slack.wait_for("/api/chat.postMessage", 1, timeout=60)
        queued = sqlite3.connect(db_path).execute("SELECT count(*) FROM inbound_events WHERE payload IS NOT NULL")
        assert queued.fetchone()[0] >= 2
        assert _grep(files, needles) == []  # the queue, with the questions in it
        line.unhold("/v2/bot/message/reply")
        slack.unhold("/api/chat.postMessage")
        web = server.http.post("/api/ask", json={"q": f"個人番号は{RAW['web_my_number']}です", "audience": "citizen"})
        assert web.status_code == 200 and web.json()["intent"] == "care"
        got = {c.json["replyToken"]: c.json["messages"] for c in line.wait_for("/v2/bot/message/reply", len(events), 60)}
        posted = [c.json for c in slack.wait_for("/api/chat.postMessage", 2, timeout=60)]
        responded = slack.wait_for("/respond/care", 1, timeout=60)[0].json
    finally:
        line.unhold("/v2/bot/message/reply")
        slack.unhold("/api/chat.postMessage")
        server.stop()
        slack.close()
        line.close()
    assert server.proc.returncode in (0, -15), log.read_text(errors="replace")[-2000:]

    first = {name: messages[0].get("text", "") for name, messages in ((k[3:], v) for k, v in got.items())}
    for name in ("personal_phone", "personal_my_number", "personal_email", "personal_card"):
        assert first[name].startswith("個人情報（マイナンバー、電話番号"), first[name]
    assert YORISOI in first["distress"] and INOCHI in first["distress"] and len(got["rt-distress"]) == 1
    assert "quickReply" not in got["rt-distress"][0]
    assert first["opinion"].startswith("人物や政党についての意見")
    assert first["greeting"].startswith("こんばんは。") and "quickReply" in got["rt-greeting"][0]
    assert first["thanks"].startswith("どういたしまして")
    unanswered = json.dumps(got["rt-unanswered"], ensure_ascii=False)  # the city's contact, as configured
    assert "047-000-1111" in unanswered and "https://example.jp/toiawase" in unanswered
    assert all("個人情報" in json.dumps(p, ensure_ascii=False) for p in posted)
    assert "どういたしまして" in json.dumps(responded, ensure_ascii=False)

    assert _grep(files, needles) == []  # after a clean stop
    rows = sqlite3.connect(db_path).execute("SELECT text FROM unanswered").fetchall()
    assert [r[0] for r in rows] == [LINE_MESSAGES["unanswered"]]  # only the real unanswered question


@pytest.mark.parametrize(("message", "said"), [("テスト", "届いています"), ("testing", "I'm here")])
def test_a_check_that_the_bot_is_there_is_answered_yes(responder: Responder, message: str, said: str) -> None:
    answer = responder.answer(message, audience="citizen")
    assert answer.text.startswith("はい、" if said == "届いています" else "Yes, ") and said in answer.text
