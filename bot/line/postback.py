"""What a LINE postback asks for: a rich-menu area (``menu=…``) or a project card's button
(``project=…&intent=…``). Unknown data gets the help, never an error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from bot.render_common import ASK_FOR
from handlers.answer import Contact

MENU_QUESTIONS = {"projects": "事業一覧", "help": "使い方"}  # areas the handler answers as questions
TERM_EXAMPLES = ("マイナポータル", "LGWAN", "オープンデータ", "キャッシュレス決済", "RPA", "テレワーク")


@dataclass(frozen=True)
class Request:
    kind: str  # "question" | "project" | "terms" | "contact"
    text: str = ""  # the question to answer ("question"), or what the button asked ("project")
    project_id: str = ""
    intent: str = ""
    lang: str = "ja"  # a button on an English card asks for an English answer


def parse(data: str) -> Request:
    fields = {k: v[0] for k, v in parse_qs(data or "").items()}
    menu = fields.get("menu")
    if menu in MENU_QUESTIONS:
        return Request("question", MENU_QUESTIONS[menu])
    if menu in {"terms", "contact"}:
        return Request(menu)
    project, intent = fields.get("project", ""), fields.get("intent", "project_status")
    lang = "en" if fields.get("lang") == "en" else "ja"
    if project and intent in ASK_FOR[lang]:
        return Request("project", ASK_FOR[lang][intent].format(project), project, intent, lang)
    return Request("question", "使い方")


def _quick(label: str, text: str) -> dict[str, Any]:
    return {"type": "action", "action": {"type": "message", "label": label[:20], "text": text}}


def terms_prompt() -> list[dict[str, Any]]:
    text = ("調べたい言葉を送ってください。ひらがなや英語でも大丈夫です（例:「まいなぽーたる」「LGWANって何？」）。\n"
            "よく調べられている言葉は下のボタンからどうぞ。")
    items = [_quick(t, f"{t}とは") for t in TERM_EXAMPLES] + [_quick("用語一覧", "用語一覧")]
    return [{"type": "text", "text": text, "quickReply": {"items": items}}]


def contact_message(contact: Contact) -> list[dict[str, Any]]:
    """The city's contact (DXBOT_CONTACT_*), for what a person should answer."""
    lines = ["計画や取り組みについてのお問い合わせは、こちらへどうぞ。", f"窓口: {contact.name}"]
    if contact.phone:
        lines.append(f"電話: {contact.phone}")
    if contact.url:
        lines.append(f"お問い合わせ: {contact.url}")
    if contact.plan_url:
        lines.append(f"計画の公式ページ: {contact.plan_url}")
    return [{"type": "text", "text": "\n".join(lines)}]
