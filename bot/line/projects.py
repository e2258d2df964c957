"""Projects on LINE: one carousel, each bubble with postback buttons (KPI / スケジュール / 概要)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.line.wording import frame, one_line
from bot.render_common import ASK_FOR
from handlers.answer import Answer
from knowledge.records import Project

CAROUSEL_BUBBLES = 12  # the Messaging API's maximum
CAROUSEL_BYTES = 50_000  # ... and the carousel's size limit
ACTIONS = {"ja": (("project_kpi", "KPI"), ("project_schedule", "スケジュール"), ("project_overview", "概要")),
           "en": (("project_kpi", "KPI"), ("project_schedule", "Schedule"), ("project_overview", "Overview"))}


def postback_data(project_id: str, intent: str, lang: str = "ja") -> str:
    """What a button sends back; an English card's buttons ask for an English answer."""
    return urlencode({"project": project_id, "intent": intent, **({"lang": "en"} if lang == "en" else {})})


def with_actions(bubble: dict[str, Any], p: Project, *, shown: str, lang: str = "ja") -> dict[str, Any]:
    """The bubble with a row of buttons for the other views of the same project."""
    lang = "en" if lang == "en" else "ja"
    buttons = [{"type": "button", "style": "link", "height": "sm", "flex": 1,
                "action": {"type": "postback", "label": label, "data": postback_data(p.id, intent, lang),
                           "displayText": ASK_FOR[lang][intent].format(p.id)}}
               for intent, label in ACTIONS[lang] if intent != shown]
    footer = dict(bubble["footer"])
    footer["contents"] = [{"type": "box", "layout": "horizontal", "spacing": "sm", "contents": buttons}] + \
        list(footer["contents"])
    return {**bubble, "footer": footer}


def alt_text(answer: Answer, shown: list[Project]) -> str:
    if len(shown) == 1:
        return one_line(answer.text.splitlines()[1] if answer.assumed_project and len(answer.text.splitlines()) > 1
                        else answer.text, lang=answer.lang)
    words = frame(answer.lang)
    return one_line(words["projects"].format(len(shown)) + words["sep"].join(f"{p.id} {answer.name(p.name)}"
                                                                           for p in shown), lang=answer.lang)


def carousel(answer: Answer, bubbles: list[tuple[Project, dict[str, Any]]], quick: dict[str, Any]) -> list[dict[str, Any]]:
    """One Flex message for one project (a bubble) or several (a carousel that fits the limits);
    projects that do not fit are named in a short text after it."""
    kept: list[tuple[Project, dict[str, Any]]] = []
    size = 0
    for p, b in bubbles[:CAROUSEL_BUBBLES]:
        n = len(json.dumps(b, ensure_ascii=False).encode("utf-8")) + 1
        if kept and size + n > CAROUSEL_BYTES - 200:
            break
        kept.append((p, b))
        size += n
    shown = [p for p, _ in kept]
    contents = kept[0][1] if len(kept) == 1 else {"type": "carousel", "contents": [b for _, b in kept]}
    messages: list[dict[str, Any]] = [{"type": "flex", "altText": alt_text(answer, shown), "contents": contents,
                                       "quickReply": quick}]
    ids = {p.id for p in shown}
    rest = [p for p, _ in bubbles if p.id not in ids]
    if rest:
        words = frame(answer.lang)
        messages.append({"type": "text", "text": one_line(
            words["rest"].format(len(rest), words["sep"].join(p.id for p in rest)), limit=1000, lang=answer.lang)})
    return messages
