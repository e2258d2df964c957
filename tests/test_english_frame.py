"""Issue 24: an English question is answered in English all the way — LINE's card frame, buttons and
lists, Slack's cards and lists, the web card, the CLI text — and whatever the plan has only in
Japanese (a comment, a 現状, a KPI label, a definition) is marked "(Japanese)" wherever it is shown.

What may stay Japanese in an English answer: the names of projects, departments and terms (shown
beside their English name where the knowledge base has one), and text after a "(Japanese)" mark.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from bot.slack.render import render as slack_render
from bot.web.render import render as web_render
from handlers import Responder
from tests import test_line_e2e, test_slack_e2e
from tests.test_line_e2e import body, check_limits, postback_event, replies, text_event
from tests.test_slack_e2e import decoded, mention, posted

line = test_line_e2e.line  # the fixtures: our server with the fake LINE and Slack APIs
slack = test_slack_e2e.slack

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60、。「」・]")
MARK = "(Japanese)"
ENGLISH_QUESTIONS = [
    "what is the status of 2-3-1?", "KPI of 2-1-3", "schedule of 2-3-1", "overview of 2-3-1",
    "who is in charge of 2-3-1", "what is open data?", "projects under policy 2", "list of terms",
    "tell me about quantum teleportation",
]
VISIBLE = {"text", "altText", "label", "displayText"}  # what a LINE user can read (not postback data)


def names(catalog) -> list[str]:
    """Every name that may appear as the plan writes it, longest first (so that 「オープンデータカタログサイト」
    is taken whole before 「オープンデータ」)."""
    found = {p.name for p in catalog.projects.values()}
    found |= {d for p in catalog.projects.values() for d in p.departments}
    found |= set(catalog.terms)
    return sorted(found, key=len, reverse=True)


def unmarked_japanese(text: str, catalog) -> str:
    """What is Japanese in ``text`` once the names and the quotations marked "(Japanese)" are left out;
    "" when nothing is. A quotation runs on over the lines of its own text (a comment of two
    paragraphs) until a line that starts in Latin letters (the next label)."""
    if text.endswith("…"):  # a short altText cut in the middle of a name: the cut name is a name
        text = text[:max(text.rfind(" "), text.rfind("("), 0)]
    kept, quoting = [], False
    for row in text.splitlines():
        if MARK in row:
            row, quoting = row.split(MARK)[0], True
        elif quoting and not re.match(r"[A-Za-z]", row):
            continue
        else:
            quoting = False
        kept.append(row.removeprefix("・"))  # a list's bullet is no label
    text = "\n".join(kept)
    for name in names(catalog):
        text = text.replace(name, "")
    return "".join(JAPANESE.findall(text))


def visible_texts(value, keys=VISIBLE) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in ([v] if k in keys and isinstance(v, str) else visible_texts(v, keys))]
    if isinstance(value, list):
        return [t for v in value for t in visible_texts(v, keys)]
    return []


def japanese_in(texts: list[str], catalog) -> list[tuple[str, str]]:
    return [(t[:80], left) for t in texts if (left := unmarked_japanese(t, catalog))]


# ---------------------------------------------------------------------- the text (CLI, fallbacks)
@pytest.mark.parametrize("question", ENGLISH_QUESTIONS)
def test_the_english_text_marks_every_japanese_quotation(responder, question: str) -> None:
    """The text every channel starts from (and `dxbot ask` prints): each Japanese-only part marked."""
    answer = responder.answer(question, audience="citizen")
    assert answer.lang == "en"
    assert not unmarked_japanese(answer.text, responder.catalog), answer.text


def test_an_english_overview_marks_each_part_of_the_plan_it_quotes(responder) -> None:
    text = responder.answer("overview of 2-3-1", audience="citizen").text
    for label in ("Current state", "Issue", "Goal"):
        assert f"{label} (Japanese): " in text
    assert "KPI 1 (Japanese): RPA を用いて削減できた時間数" in responder.answer("KPI of 2-3-1").text
    assert "R4 (Japanese): [new in R4] ロールモデル作成" in responder.answer("schedule of 2-3-1").text


def test_english_answers_carry_the_english_names_and_japanese_ones_none(responder) -> None:
    en = responder.answer("projects under policy 2", audience="citizen")
    assert en.names["RPA の活用拡充"] == "Expanding the use of RPA"
    assert en.names["デジタル行政推進課"] == "Digital Administration Promotion Division"
    assert responder.answer("what is open data").name("オープンデータ") == "Open data"
    assert responder.answer("基本方針2の事業").names == {}


# ---------------------------------------------------------------------- LINE, through the fake API
def test_an_english_question_on_line_gets_an_english_frame(line) -> None:
    for n, question in enumerate(ENGLISH_QUESTIONS, start=1):
        line.post(body(text_event(question, n=n)))
    got = {r["replyToken"]: r["messages"] for r in replies(line.api, len(ENGLISH_QUESTIONS))}
    catalog = line.responder.catalog
    for n, question in enumerate(ENGLISH_QUESTIONS, start=1):
        messages = got[f"reply-token-{n}"]
        for m in messages:
            check_limits(m)
        left = japanese_in(visible_texts(messages), catalog)
        assert not left, f"{question}: {left}"
        # What a reader sees says FY2022, never R4 (postback data may hold any letters, ids and hashes).
        assert not re.search(r"(?<![A-Za-z0-9])R\d", "\n".join(visible_texts(messages))), question

    status = got["reply-token-1"][0]
    header = [c["text"] for c in status["contents"]["header"]["contents"]]
    assert header[:2] == ["Project 2-3-1", "Expanding the use of RPA"] and "RPA の活用拡充" in header
    assert "Owner: Digital Administration Promotion Division" in header
    blob = json.dumps(status, ensure_ascii=False)
    assert "Comment (Japanese): RPA を活用している" in blob and "mostly on schedule (FY2022)" in blob
    assert [i["action"]["label"] for i in status["quickReply"]["items"]][-1] == "Help"

    term = got["reply-token-6"][0]["contents"]
    assert [c["text"] for c in term["header"]["contents"]] == ["Term", "Open data", "オープンデータ"]
    assert term["body"]["contents"][0]["text"].startswith("Definition (Japanese): 国、地方公共団体")

    listed = got["reply-token-7"][0]["contents"]["contents"]
    rows = [r for page in listed for r in page["body"]["contents"] if "action" in r]
    assert "2-3-1 Expanding the use of RPA" in [r["contents"][1]["text"] for r in rows]
    assert all(r["action"]["displayText"].startswith("status of ") for r in rows)


def test_a_button_on_an_english_line_card_answers_in_english(line) -> None:
    line.post(body(text_event("what is the status of 2-3-1?", n=1)))
    card = replies(line.api)[0]["messages"][0]
    buttons = {b["action"]["label"]: b["action"] for row in card["contents"]["footer"]["contents"]
               if row["type"] == "box" for b in row["contents"]}
    assert list(buttons) == ["KPI", "Schedule", "Overview"]
    assert parse_qs(buttons["Schedule"]["data"])["lang"] == ["en"]
    line.post(body(postback_event(buttons["Schedule"]["data"], n=2)))
    schedule = replies(line.api, 2)[1]["messages"]
    blob = json.dumps(schedule, ensure_ascii=False)
    assert "FY2022 (Japanese): [new in FY2022] ロールモデル作成" in blob and "Project 2-3-1" in blob
    assert not japanese_in(visible_texts(schedule), line.responder.catalog)

    # A list row opens its project in English too.
    line.post(body(text_event("projects under policy 5", n=3)))
    page = replies(line.api, 3)[2]["messages"][0]["contents"]
    row = next(r for r in (page.get("contents") or [page])[0]["body"]["contents"] if "action" in r)
    line.post(body(postback_event(row["action"]["data"], n=4)))
    opened = replies(line.api, 4)[3]["messages"][0]["contents"]
    assert opened["header"]["contents"][0]["text"].startswith("Project ")


def test_japanese_questions_keep_the_japanese_frame_on_line(line) -> None:
    line.post(body(text_event("2-3-1の状況は？", n=1)))
    card = replies(line.api)[0]["messages"][0]
    header = [c["text"] for c in card["contents"]["header"]["contents"]]
    assert header == ["事業 2-3-1", "RPA の活用拡充", "担当: デジタル行政推進課"]
    assert "lang" not in json.dumps(card["contents"]["footer"]) and "（令和4年度）" in json.dumps(card, ensure_ascii=False)


# ---------------------------------------------------------------------- Slack, through the fake API
def test_slack_shows_english_names_and_marks_japanese_in_english_answers(slack) -> None:
    questions = ["what is the status of 2-3-1?", "what is open data?", "projects under policy 2"]
    for n, q in enumerate(questions):
        slack.event(mention(q, ts=f"17000005{n:02d}.000100"), event_id=f"EvEn{n}")
    got = {m["thread_ts"]: decoded(m["blocks"]) for m in posted(slack.api, len(questions))}
    status, term, listed = (got[f"17000005{n:02d}.000100"] for n in range(len(questions)))
    catalog = slack.bot.responder.catalog
    for blocks in (status, term, listed):
        left = japanese_in(visible_texts(blocks, {"text"}), catalog)
        assert not left, left
    assert status[0]["text"]["text"] == "2-3-1 Expanding the use of RPA"
    assert "Owner: Digital Administration Promotion Division" in json.dumps(status)
    assert term[0]["text"]["text"] == "Open data (オープンデータ)"
    assert term[1]["text"]["text"].startswith("Definition (Japanese): 国、地方公共団体")
    text = json.dumps(listed, ensure_ascii=False)
    assert "2-3-1 Expanding the use of RPA" in text and "RPA の活用拡充" not in text
    options = [o for b in listed if "accessory" in b for o in b["accessory"]["options"]]
    assert "2-3-1 Expanding the use of RPA" in [o["text"]["text"] for o in options]
    assert all(json.loads(o["value"])["lang"] == "en" for o in options)


def test_a_button_on_an_english_slack_card_answers_in_english(slack) -> None:
    slack.event(mention("what is the status of 2-3-1?", ts="1700000600.000100"), event_id="EvEnB")
    card = decoded(posted(slack.api)[0]["blocks"])
    kpi = next(e for b in card if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "dx_project_project_kpi")
    slack.action("dx_project_project_kpi", kpi["value"], thread_ts="1700000600.000100")
    answer = posted(slack.api, 2)[1]
    assert "KPI 1 (Japanese): RPA を用いて削減できた時間数" in answer["text"]
    assert decoded(answer["blocks"])[0]["text"]["text"] == "2-3-1 Expanding the use of RPA"


def test_slack_buttons_on_japanese_cards_keep_their_plain_value(responder) -> None:
    blocks = slack_render(responder.answer("2-3-1の状況は？"))["blocks"]
    values = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert values and all(v == "2-3-1" for v in values)


# ---------------------------------------------------------------------- the web card's JSON
def test_the_web_card_marks_japanese_text_and_names_in_english(responder) -> None:
    status = web_render(responder.answer("what is the status of 2-3-1?", audience="citizen"))["card"]["projects"][0]
    assert status["quoted"] == "Comment (Japanese)" and status["kpi_quoted"] == "KPI (Japanese)"
    assert status["title"] == "Expanding the use of RPA"
    assert status["departments"] == ["Digital Administration Promotion Division"]
    term = web_render(responder.answer("what is open data?", audience="citizen"))["card"]
    assert term["quoted"] == "Definition (Japanese)" and term["name"] == "Open data"
    ja = web_render(responder.answer("2-3-1の状況は？", audience="citizen"))["card"]["projects"][0]
    assert ja["quoted"] == "" and ja["departments"] == ["デジタル行政推進課"]



@pytest.mark.parametrize("question, term", [
    ("RPA is short for what?", "RPA"),
    ("how many digits are in a My Number?", "マイナンバーカード"),  # 12桁: a count the term's definition gives
    ("who is behind the Yahoo! Kurashi service?", "Yahoo!くらし"),  # "behind" the service grades nothing
    # A name in capitals typed as two words, inside a sentence
    ("I saw LG WAN written in a city leaflet. What is it?", "LGWAN"),
    ("what company is behind 'Yahoo! Kurashi'?", "Yahoo!くらし"),  # a quoted name after "behind": no delay
    # "how is that described": of a description, the entry it describes; of a name, its own entry
    ("The service where you notify your old city online that you're moving out and then reserve a visit at the new "
     "city hall - how is that described?", "転出届・転入予約サービス"),
    ("RPA - how is it described?", "RPA"),
])
def test_english_asks_a_terms_facts_in_everyday_ways(responder, question: str, term: str) -> None:  # type: ignore[no-untyped-def]
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == ("glossary", [term]), a.text


@pytest.mark.parametrize("question, intent, pid", [
    # A term's name with "project" after it is the project about it, not the word.
    ("what is the smartphone concierge project?", "project_overview", "3-1-1"),
    # "human resources" inside the project's own English title is no Personnel Division.
    ("Is the digital human resources project on schedule?", "project_status", "5-1-1"),
])
def test_a_project_named_in_english_is_the_project(responder, question, intent, pid):  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text


@pytest.mark.parametrize("question, intent, pid", [
    # "who" after a noun describes ("the people who wanted to"); it asks who only opening a clause.
    ("Of the staff who wanted to work from home, what % actually could in FY2022?", "project_kpi", "2-2-1"),
    ("do you know who handles open data?", "project_department", "1-3-1"),
    ("RPA - who owns it?", "project_department", "2-3-1"),
])
def test_who_asks_only_when_it_opens_a_clause(responder, question, intent, pid):  # type: ignore[no-untyped-def]
    a = responder.answer(question)
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text


@pytest.mark.parametrize("question, intent, pid", [
    # What the city does about something asks what the project is; how it is doing, how it went.
    ("My kids' forms never end. Is the city doing anything so I don't have to go to city hall for childcare "
     "applications?", "project_overview", "1-1-1"),
    ("What is the city doing about cashless payments for city taxes?", "project_overview", "1-2-2"),
    ("How is the cashless payments project doing?", "project_status", "1-2-2"),
])
def test_what_the_city_is_doing_about_something_is_what_it_does(responder, question, intent, pid):  # type: ignore[no-untyped-def]
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == (intent, [pid]), a.text


@pytest.mark.parametrize("question", ["What do you call the team that jumps in when the city's systems have a security problem?",
                                      "what's the team called that handles security incidents at city hall?"])
def test_the_team_described_is_what_is_named_not_a_department_asked(responder, question):  # type: ignore[no-untyped-def]
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers]) == ("glossary", ["CSIRT"]), a.text
    assert responder.answer("which team is in charge of the cashless payments project?").intent == "project_department"


@pytest.mark.parametrize(("question", "lang"), [
    # An English sentence around a Japanese name is English …
    ("What projects is システム所管課 in charge of?", "en"),
    ("Who runs the 'AI 等先進技術の強化' project?", "en"),
    ("can u explain what ふなっぷ is", "en"),
    # … a Japanese one around Latin names, or a name alone, is Japanese.
    ("RPAのKPIは？", "ja"),
    ("LGWANってwhat?", "ja"),
    ("Web会議の推進のstatusを教えて", "ja"),
])
def test_the_reply_is_in_the_language_the_sentence_is_written_in(responder: Responder, question: str, lang: str) -> None:
    assert responder.answer(question).lang == lang
