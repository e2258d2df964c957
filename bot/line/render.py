"""Answer -> LINE messages (Flex bubble with altText, quick replies), as plain JSON dicts.

The webhook turns them into line-bot-sdk models (``Message.from_dict``), which also validates them.
"""

from __future__ import annotations

import json
from typing import Any

from bot.line import projects as project_cards
from bot.line.lists import list_contents
from bot.line.terms import terms_carousel
from bot.line.wording import ask_term, for_citizens, frame, one_line, reiwa
from bot.render_common import (
    ASK_FOR,
    GRADE_COLOUR,
    bar_width,
    figure,
    grade_meaning,
    percent_text,
    progress,
    project_lines,
    truncate,
)
from handlers.answer import Answer, Ref
from handlers.compose import JAPANESE
from knowledge.records import Project

TEXT_LIMIT = 5000  # a text message
ALT_TEXT_LIMIT = 1500  # a Flex message's altText
BUBBLE_LIMIT = 30_000  # bytes of one bubble's JSON
QUICK_REPLY_LIMIT = 13
LABEL_LIMIT = 20
MAX_MESSAGES = 5  # per reply
BODY_TEXT = 1800  # characters of prose in one bubble

HELP_LABEL = "使い方"
EXAMPLES = ["マイナポータルとは", "LGWANって何？", "キャッシュレス決済の取り組み", "オープンデータとは"]


def _quick(label: str, text: str) -> dict[str, Any]:
    return {"type": "action", "action": {"type": "message", "label": truncate(label, LABEL_LIMIT), "text": text[:300]}}


def _ask_for(ref: Ref, answer: Answer) -> str:
    if ref.kind == "project":
        return ASK_FOR[answer.lang]["project_status"].format(ref.id)
    return ask_term(ref.id, answer.name(ref.id), answer.lang)


def quick_replies(answer: Answer) -> dict[str, Any]:
    refs = answer.suggestions + answer.popular  # an unanswered question also gets terms to try
    items = [_quick(answer.name(r.title) if r.kind == "glossary" else f"{r.id} {r.title}", _ask_for(r, answer))
             for r in refs]
    words = frame(answer.lang)
    items = items[: QUICK_REPLY_LIMIT - 1] + [_quick(words["help"], words["help_q"])]
    return {"items": items}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, "wrap": True, **extra}


def _source(answer: Answer) -> dict[str, Any]:
    return _text(answer.source or frame(answer.lang)["source"], size="xxs", color="#666666")


def _kpi_bar(label: str, percent: float, caption: str, colour: str) -> dict[str, Any]:
    width = percent_text(bar_width(percent))
    return {"type": "box", "layout": "vertical", "spacing": "xs", "contents": [
        _text(truncate(label, 60), size="xs", color="#555555"),
        {"type": "box", "layout": "vertical", "height": "8px", "backgroundColor": "#EEEEEE", "cornerRadius": "4px",
         "contents": [{"type": "box", "layout": "vertical", "width": f"{width}%", "height": "8px",
                       "backgroundColor": colour, "cornerRadius": "4px", "contents": []}]},
        _text(caption, size="xxs", color="#666666"),
    ]}


def project_bubble(answer: Answer, p: Project) -> dict[str, Any]:
    e = p.latest_evaluation()
    grade = e.grade if e else None
    colour = GRADE_COLOUR[grade]
    body: list[dict[str, Any]] = []
    words = frame(answer.lang)
    if answer.intent == "project_status":
        meaning = grade_meaning(p, e, answer.lang)
        body.append({"type": "box", "layout": "horizontal", "spacing": "sm", "contents": [
            {"type": "text", "text": grade or "—", "weight": "bold", "color": "#FFFFFF", "align": "center",
             "gravity": "center", "flex": 0, "size": "lg", "offsetStart": "0px"},
            _text(words["graded"].format(meaning=meaning, reiwa=e.fiscal_year - 2018, fy=e.fiscal_year)
                  if e and grade else meaning, size="sm", gravity="center"),
        ], "backgroundColor": colour + "22", "cornerRadius": "6px", "paddingAll": "8px"})
        body[-1]["contents"][0].update({"color": colour})
        if e and e.comment:
            body.append(_text(truncate(words["comment"].format(e.comment), BODY_TEXT), size="sm"))
        for pr in progress(p):
            if pr.percent is not None:
                caption = words["kpi"].format(reiwa=pr.year - 2018, fy=pr.year, actual=figure(pr.actual, pr.unit),
                                              target=figure(pr.target, pr.unit), percent=percent_text(pr.percent))
                label = f"KPI {JAPANESE}: {pr.label}" if answer.lang == "en" else pr.label
                body.append(_kpi_bar(label, pr.percent, caption, colour))
    else:
        lines = project_lines(answer.text, p, index=list(answer.projects).index(p), count=len(answer.projects),
                              assumed=bool(answer.assumed_project))
        body.append(_text(truncate("\n".join(lines) or p.name, BODY_TEXT), size="sm"))
    name = answer.name(p.name)
    return {
        "type": "bubble", "size": "mega",
        "header": {"type": "box", "layout": "vertical", "contents": [
            _text(words["project"].format(p.id), size="xs", color="#666666"), _text(name, weight="bold", size="lg"),
            *([_text(p.name, size="xs", color="#666666")] if name != p.name else []),  # the name as the plan writes it
            _text(words["owner"] + words["sep"].join(answer.name(d) for d in p.departments), size="xs", color="#666666"),
        ]},
        "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [_source(answer)]},
    }


def glossary_bubble(answer: Answer) -> dict[str, Any]:
    t = answer.terms[0]
    words = frame(answer.lang)
    definition = "\n".join(ln for ln in t.definition.splitlines() if not ln.startswith("http") and not ln.startswith("【"))
    footer: list[dict[str, Any]] = [
        {"type": "button", "style": "link", "height": "sm",
         "action": {"type": "uri", "label": words["more"] if i == 0 else words["link"].format(i + 1), "uri": url}}
        for i, url in enumerate(t.urls[:3])
    ]
    name = answer.name(t.term)
    footer.append(_source(answer))
    return {
        "type": "bubble", "size": "mega",
        "header": {"type": "box", "layout": "vertical", "contents": [
            _text(words["term"], size="xs", color="#666666"), _text(name, weight="bold", size="xl"),
            *([_text(t.term, size="xs", color="#666666")] if name != t.term else [])]},
        "body": {"type": "box", "layout": "vertical", "contents": [
            _text(truncate(words["definition"].format(definition), BODY_TEXT), size="md")]},
        "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": footer},
    }


def _flex(alt: str, bubble: dict[str, Any], quick: dict[str, Any], lang: str) -> dict[str, Any]:
    if len(json.dumps(bubble, ensure_ascii=False).encode("utf-8")) > BUBBLE_LIMIT:
        return {"type": "text", "text": truncate(alt, TEXT_LIMIT), "quickReply": quick}
    return {"type": "flex", "altText": one_line(alt, lang=lang), "contents": bubble, "quickReply": quick}


def render(answer: Answer) -> list[dict[str, Any]]:
    """At most five messages; every one valid for the Messaging API's limits, in citizen wording."""
    return for_citizens(_render(answer), answer.lang)


def _render(answer: Answer) -> list[dict[str, Any]]:
    if answer.intent == "care":  # distress, personal data, an opinion asked: the reply and nothing else
        return [{"type": "text", "text": truncate(answer.text, TEXT_LIMIT)}]
    quick = quick_replies(answer)
    if answer.intent == "glossary" and answer.terms:
        return [_flex(answer.text, glossary_bubble(answer), quick, answer.lang)]
    if answer.intent == "project_list":
        return [{"type": "flex", "altText": one_line(answer.text, lang=answer.lang), "quickReply": quick,
                 "contents": list_contents(answer, source=_source(answer))}]
    if answer.intent == "glossary_list" and answer.terms:
        return [terms_carousel(answer, quick)]
    if answer.intent.startswith("project_") and answer.projects:
        bubbles = [(p, project_cards.with_actions(project_bubble(answer, p), p, shown=answer.intent, lang=answer.lang))
                   for p in answer.projects]
        messages = project_cards.carousel(answer, bubbles, quick)
        if answer.assumed_project:
            messages = [{"type": "text", "text": answer.text.splitlines()[0]}] + messages
        return messages[:MAX_MESSAGES]
    return [{"type": "text", "text": truncate(reiwa(answer.text, answer.lang), TEXT_LIMIT), "quickReply": quick}]


def privacy_note(*, retention_days: int = 90) -> str:
    return f"答えられなかった質問は回答の改善のため{retention_days}日間保存します（利用者IDは匿名化して記録）。"


def welcome(*, retention_days: int = 90) -> list[dict[str, Any]]:
    text = ("友だち追加ありがとうございます。船橋市のデジタル化の取り組み（DX 推進計画アクションプラン）について、"
            "言葉の意味や取り組みの様子をお答えします。\n例えば「マイナポータルとは」と送ってみてください。"
            f"下のメニューからも選べます。\n\n{privacy_note(retention_days=retention_days)}")
    return [{"type": "text", "text": text, "quickReply": {"items": [_quick(q, q) for q in EXAMPLES] + [_quick(HELP_LABEL, HELP_LABEL)]}}]


def text_only() -> list[dict[str, Any]]:
    text = "ごめんなさい、文字のメッセージにだけお答えできます。知りたい言葉や取り組みを文字で送ってください。"
    return [{"type": "text", "text": text, "quickReply": {"items": [_quick(q, q) for q in EXAMPLES[:3]] + [_quick(HELP_LABEL, HELP_LABEL)]}}]
