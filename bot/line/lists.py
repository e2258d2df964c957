"""Project lists on LINE: pages of rows in a carousel, each row a postback that opens the project."""

from __future__ import annotations

import json
from typing import Any

from bot.line.projects import CAROUSEL_BUBBLES, CAROUSEL_BYTES, postback_data
from bot.line.terms import LINK, MUTED
from bot.line.wording import frame
from bot.render_common import ASK_FOR, GRADE_COLOUR, truncate
from handlers.answer import Answer
from knowledge.records import Project

PER_PAGE = 10  # rows a phone shows in one bubble without scrolling far
ROOM = 1_000  # bytes kept free under the carousel's limit for the last page's note


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, "wrap": True, **extra}


def _row(p: Project, answer: Answer) -> dict[str, Any]:
    """One project, tappable: the postback asks for its status, as its card's buttons do."""
    e = p.latest_evaluation()
    grade = e.grade if e else None
    lang = "en" if answer.lang == "en" else "ja"
    title = f"{p.id} {answer.name(p.name)}"
    return {"type": "box", "layout": "horizontal", "spacing": "sm", "paddingTop": "4px", "paddingBottom": "4px",
            "action": {"type": "postback", "label": truncate(title, 40), "data": postback_data(p.id, "project_status", lang),
                       "displayText": ASK_FOR[lang]["project_status"].format(p.id)},
            "contents": [{"type": "text", "text": grade or "—", "size": "sm", "color": GRADE_COLOUR[grade], "flex": 0,
                          "weight": "bold"},
                         _text(truncate(title, 200), size="sm", color=LINK)]}


def _page(title: str, hint: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bubble", "size": "mega",
            "header": {"type": "box", "layout": "vertical", "contents": [
                _text(title, weight="bold", size="md"), *([_text(hint, size="xs", color=MUTED)] if hint else [])]},
            "body": {"type": "box", "layout": "vertical", "spacing": "none", "contents": rows}}


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def list_contents(answer: Answer, *, source: dict[str, Any]) -> dict[str, Any]:
    """A bubble for a list that fits one page, else a carousel of pages that fits the API's limits;
    projects beyond the last page are counted in a note on it."""
    words = frame(answer.lang)
    heading = words["list"].format(filter=answer.list_filter, n=len(answer.projects))
    intro = [_text(line, size="sm") for line in answer.extra.get("list_groups") or []]
    intro += [_text(line, size="xs", color=MUTED) for line in answer.extra.get("list_notes") or []]
    if not answer.projects:
        page = _page(heading, "", [_text(answer.text.splitlines()[0], size="sm"), *intro])
        return {**page, "footer": {"type": "box", "layout": "vertical", "contents": [source]}}
    chunks = [answer.projects[i:i + PER_PAGE] for i in range(0, len(answer.projects), PER_PAGE)][:CAROUSEL_BUBBLES]
    bubbles: list[dict[str, Any]] = []
    size = _size(source)
    for n, chunk in enumerate(chunks, start=1):
        rows = [*intro, *(_row(p, answer) for p in chunk)] if n == 1 else [_row(p, answer) for p in chunk]
        page = _page(heading if len(chunks) == 1 else f"{heading} {n}/{len(chunks)}", words["tap_project"], rows)
        if bubbles and size + _size(page) > CAROUSEL_BYTES - ROOM:
            break
        bubbles.append(page)
        size += _size(page) + 1
    shown = sum(len(chunk) for chunk in chunks[:len(bubbles)])
    last = bubbles[-1]
    if shown < len(answer.projects):
        last["body"]["contents"].append(_text(words["list_rest"].format(len(answer.projects) - shown),
                                              size="xs", color=MUTED))
    last["footer"] = {"type": "box", "layout": "vertical", "contents": [source]}
    if len(bubbles) == 1:
        return last
    for n, page in enumerate(bubbles, start=1):
        page["header"]["contents"][0]["text"] = f"{heading} {n}/{len(bubbles)}"
    return {"type": "carousel", "contents": bubbles}
