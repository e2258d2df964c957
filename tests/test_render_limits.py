"""One suite for every channel renderer: whatever the answer, the platform would accept it."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from linebot.v3.messaging import FlexCarousel, FlexMessage, Message

from bot.line import render as line_render
from bot.line.projects import CAROUSEL_BUBBLES, CAROUSEL_BYTES
from bot.line.wording import ALT_SHORT
from bot.slack import render as slack_render
from bot.web import render as web_render
from handlers import Responder
from handlers.answer import Answer, Ref
from knowledge.records import Term
from tests import platform_rules
from tests.conftest import DATA
from tests.hostile import HOSTILE

GLOSSARY_LISTS = ["用語一覧", "list of terms"]
QUESTIONS = [c["q"] for c in json.loads((DATA / "plan_questions.json").read_text(encoding="utf-8"))]


def corpus(responder: Responder) -> list[Answer]:
    answers = [responder.answer(q, audience=a) for q in QUESTIONS + HOSTILE + GLOSSARY_LISTS for a in ("staff", "citizen")]
    projects = list(responder.catalog.projects.values())
    huge = tuple(replace(p, id=f"{p.policy_id}-{p.approach_id[-1]}-{n}", name=p.name * 8)
                 for n in range(100) for p in projects)
    answers.append(Answer(query="全部", intent="project_list", lang="ja", audience="staff", text="x" * 100_000,
                          answers=tuple(Ref("project", p.id, p.name, 100) for p in huge), projects=huge,
                          list_filter="すべての事業", source="出典"))
    long_term = Term("長い用語" * 50, "定義。" * 20_000, ("https://example.jp/" + "a" * 900,))
    answers.append(Answer(query="長い用語とは", intent="glossary", lang="ja", audience="citizen", text="定義。" * 20_000,
                          answers=(Ref("glossary", long_term.term, long_term.term, 100),), terms=(long_term,),
                          suggestions=tuple(Ref("project", p.id, p.name * 10, 1) for p in projects), source="出典"))
    p = replace(projects[0], evaluations=tuple(replace(e, comment="長いコメント" * 5_000) for e in projects[0].evaluations))
    answers.append(Answer(query="1-1-1", intent="project_status", lang="ja", audience="staff", text="本文" * 30_000,
                          answers=(Ref("project", p.id, p.name, 100),), projects=(p,), source="出典"))
    every = tuple(projects)  # more projects than a carousel holds
    answers.append(Answer(query="全部の状況", intent="project_status", lang="ja", audience="citizen",
                          text="\n\n".join(f"{q.id} {q.name}\n本文" for q in every),
                          answers=tuple(Ref("project", q.id, q.name, 100) for q in every), projects=every, source="出典"))
    return answers


@pytest.fixture(scope="module")
def answers(responder: Responder) -> list[Answer]:
    return corpus(responder)


def test_slack_messages_stay_within_block_kit_limits(answers) -> None:
    for answer in answers:
        message = slack_render.render(answer)
        assert len(message["text"]) <= slack_render.FALLBACK_LIMIT
        blocks = message["blocks"]
        assert 0 < len(blocks) <= 50
        for b in blocks:
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= slack_render.SECTION_LIMIT
            if b["type"] == "header":
                assert len(b["text"]["text"]) <= slack_render.HEADER_LIMIT
            if b["type"] == "actions":
                assert len(b["elements"]) <= 25
                for e in b["elements"]:
                    assert len(e["text"]["text"]) <= slack_render.BUTTON_LIMIT and len(e["value"]) <= 2000
            if b["type"] == "context":
                assert all(len(e["text"]) <= 3000 for e in b["elements"])


def test_long_slack_lists_page_with_a_more_button(answers) -> None:
    big = answers[-4]
    first = slack_render.render(big)
    more = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "dx_more"]
    assert more and json.loads(more[0]["value"])["page"] == 1
    assert "2560" in more[0]["text"]["text"]
    last = slack_render.render(big, page=len(big.projects) // slack_render.PAGE)
    assert not any(e.get("action_id") == "dx_more" for b in last["blocks"] if b["type"] == "actions" for e in b["elements"])


def test_line_messages_stay_within_messaging_api_limits(answers) -> None:
    for answer in answers:
        messages = line_render.render(answer)
        assert 1 <= len(messages) <= line_render.MAX_MESSAGES
        for m in messages:
            model = Message.from_dict(m)  # the SDK's models accept it
            if m["type"] == "text":
                assert len(m["text"]) <= line_render.TEXT_LIMIT
            else:
                assert isinstance(model, FlexMessage)
                assert "\n" not in m["altText"] and len(m["altText"]) <= ALT_SHORT  # one short line
                size = len(json.dumps(m["contents"], ensure_ascii=False).encode())
                if isinstance(model.contents, FlexCarousel):
                    assert len(m["contents"]["contents"]) <= CAROUSEL_BUBBLES and size <= CAROUSEL_BYTES
                    assert all(len(json.dumps(b, ensure_ascii=False).encode()) <= line_render.BUBBLE_LIMIT
                               for b in m["contents"]["contents"])
                else:
                    assert size <= line_render.BUBBLE_LIMIT
            if answer.audience == "citizen":  # citizens read 令和4年度, never the plan's "R4"
                assert not re.search(r"(?<![A-Za-z0-9])R\d", json.dumps(m, ensure_ascii=False)), m
            items = m.get("quickReply", {}).get("items", [])
            assert len(items) <= line_render.QUICK_REPLY_LIMIT
            assert all(len(i["action"]["label"]) <= line_render.LABEL_LIMIT for i in items)
            assert all(len(i["action"]["text"]) <= 300 for i in items)


def test_every_message_passes_the_checks_the_fake_apis_apply(answers) -> None:
    """The SDKs' models round-tripped, non-empty texts, the documented limits (tests/platform_rules.py)."""
    for answer in answers:
        assert platform_rules.line_messages_violations(line_render.render(answer)) == [], answer.query
        assert platform_rules.slack_message_violations(slack_render.render(answer)) == [], answer.query


def test_a_one_line_project_answer_keeps_its_line(responder) -> None:
    """The department answer is one line with no title line above it: it is the card's body."""
    for p in responder.catalog.projects.values():
        answer = responder.project_answer(p.id, "project_department", audience="citizen")
        line = answer.text.splitlines()[0]
        bubble = line_render.render(answer)[0]["contents"]
        assert bubble["body"]["contents"][0]["text"] == line, p.id
        blocks = slack_render.render(answer)["blocks"]
        assert any(b["type"] == "section" and b["text"]["text"] == slack_render.escape(line) for b in blocks), p.id


def test_line_carousel_keeps_what_fits_and_names_the_rest(answers) -> None:
    messages = line_render.render(answers[-1])
    carousel = messages[0]["contents"]
    assert carousel["type"] == "carousel" and len(carousel["contents"]) == CAROUSEL_BUBBLES
    assert messages[0]["altText"].startswith(f"{CAROUSEL_BUBBLES}件の事業")
    assert messages[1]["type"] == "text" and messages[1]["text"].startswith(f"ほか {len(answers[-1].projects) - 12} 件")


def test_long_line_lists_page_what_fits_and_count_the_rest(answers) -> None:
    big = answers[-4]
    carousel = line_render.render(big)[0]["contents"]
    rows = [r for b in carousel["contents"] for r in b["body"]["contents"] if r.get("action")]
    assert len(carousel["contents"]) <= CAROUSEL_BUBBLES and len(rows) >= 50
    assert [r["action"]["data"] for r in rows] == [f"project={p.id}&intent=project_status" for p in big.projects[:len(rows)]]
    assert f"ほか {len(big.projects) - len(rows)} 件" in json.dumps(carousel["contents"][-1], ensure_ascii=False)


def test_web_answers_are_json(answers) -> None:
    for answer in answers:
        data = web_render.render(answer)
        json.dumps(data, ensure_ascii=False)
        assert data["card"]["type"] in {"text", "glossary", "terms", "list", "project", "clarify", "unknown",
                                           "help"}


def test_line_messages_outside_answers_parse_too() -> None:
    """The greeting, the non-text reply and the rich menu's own answers, held to the same models."""
    from bot.line import postback
    from handlers.answer import Contact

    contact = Contact(name="船橋市 デジタル行政推進課", phone="047-436-0000", url="https://example.jp/a")
    for m in (line_render.welcome() + line_render.text_only() + postback.terms_prompt()
              + postback.contact_message(contact)):
        Message.from_dict(m)
        assert len(m["text"]) <= line_render.TEXT_LIMIT
        items = m.get("quickReply", {}).get("items", [])
        assert len(items) <= line_render.QUICK_REPLY_LIMIT
        assert all(len(i["action"]["label"]) <= line_render.LABEL_LIMIT for i in items)
