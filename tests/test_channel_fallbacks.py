"""How each channel draws the glossary list and an unanswered question (renderers are pure)."""

from __future__ import annotations

import json

from bot.slack import render as slack_render
from bot.slack.terms import TERMS_PAGE
from bot.web import render as web_render
from handlers import Responder


def _elements(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_slack_pages_the_glossary_as_term_buttons(responder: Responder) -> None:
    answer = responder.answer("用語一覧")
    first = _elements(slack_render.render(answer))
    terms = [e for e in first if e["action_id"].startswith("dx_pick_")]
    assert len(terms) == TERMS_PAGE and json.loads(terms[0]["value"])["kind"] == "glossary"
    more = [e for e in first if e["action_id"] == "dx_more"]
    assert json.loads(more[0]["value"]) == {"q": "用語一覧", "page": 1}
    seen = [e["text"]["text"] for p in range(2) for e in _elements(slack_render.render(answer, page=p))
            if e["action_id"].startswith("dx_pick_")]
    assert len(seen) == len(responder.catalog.terms) == len(set(seen))
    last = _elements(slack_render.render(answer, page=1))
    assert not any(e["action_id"] == "dx_more" for e in last)
    ids = [e["action_id"] for e in last]
    assert len(ids) == len(set(ids))  # Slack rejects a message with two equal action ids


def test_slack_offers_terms_and_help_under_an_unanswered_question(responder: Responder) -> None:
    message = slack_render.render(responder.answer("qwertyuiop"))
    elements = _elements(message)
    help_button = [e for e in elements if e["action_id"] == "dx_more"]
    assert help_button and json.loads(help_button[0]["value"])["q"] == "使い方"
    assert any(json.loads(e["value"]).get("kind") == "glossary" for e in elements if e["action_id"].startswith("dx_pick_"))
    assert "デジタル行政推進課" in json.dumps(message["blocks"], ensure_ascii=False)
    ids = [e["action_id"] for e in elements]
    assert len(ids) == len(set(ids))


def test_the_web_gets_term_chips(responder: Responder) -> None:
    card = web_render.render(responder.answer("list of terms"))["card"]
    assert card["type"] == "terms" and len(card["terms"]) == len(responder.catalog.terms)
