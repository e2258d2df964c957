"""Citizen wording on LINE: the plan's shorthand "R4" becomes 令和4年度 (FY2022 in English), altText is
one short line, and the cards' frame (headings, labels, buttons) is in the answer's language."""

from __future__ import annotations

import re
from typing import Any

from bot.render_common import truncate

ALT_SHORT = 100  # what a notification or a screen reader reads out: one line, not the whole answer
_REIWA = re.compile(r"(?<![A-Za-z0-9])R(\d{1,2})(?:年度)?(?!\d)")
_TEXT_KEYS = {"text", "altText", "label", "displayText"}

# The frame of every card and reply, by the answer's language. Text the plan has only in Japanese
# keeps the handlers' mark ("Comment (Japanese): …"); names keep their Japanese beside the English.
FRAME: dict[str, dict[str, str]] = {
    "ja": {"project": "事業 {}", "owner": "担当: ", "sep": "、", "source": "出典: 船橋市 DX 推進計画アクションプラン",
           "graded": "{meaning}（令和{reiwa}年度）", "kpi": "令和{reiwa}年度 実績 {actual} / 目標 {target}（{percent}%）", "comment": "{}",
           "term": "用語", "more": "くわしく見る", "link": "リンク {}", "definition": "{}",
           "help": "使い方", "help_q": "使い方", "ask_term": "{}とは",
           "list": "{filter}（{n}件）", "tap_project": "タップで詳しく表示します",
           "list_rest": "ほか {} 件（条件を絞って聞いてください）",
           "projects": "{}件の事業: ", "rest": "ほか {} 件: {}（番号で聞いてください）",
           "glossary": "用語集 {}/{}", "tap_term": "タップで意味を表示します", "glossary_alt": "用語集（{}語）"},
    "en": {"project": "Project {}", "owner": "Owner: ", "sep": ", ", "source": "Source: Funabashi DX Action Plan",
           "graded": "{meaning} (FY{fy})", "kpi": "FY{fy} actual {actual} / target {target} ({percent}%)", "comment": "Comment (Japanese): {}",
           "term": "Term", "more": "Read more", "link": "Link {}", "definition": "Definition (Japanese): {}",
           "help": "Help", "help_q": "help", "ask_term": "what is {}",
           "list": "{n} project(s) {filter}", "tap_project": "Tap a project to see it",
           "list_rest": "{} more (narrow the question to see them)",
           "projects": "{} projects: ", "rest": "{} more: {} (ask by number)",
           "glossary": "Glossary {}/{}", "tap_term": "Tap a term to see what it means", "glossary_alt": "Glossary ({} terms)"},
}


def frame(lang: str) -> dict[str, str]:
    return FRAME["en" if lang == "en" else "ja"]


def ask_term(term: str, english: str, lang: str) -> str:
    """The question a term's button sends: in English by a name in Latin letters (the term's own,
    else its English name), so that the answer comes in English too."""
    return frame(lang)["ask_term"].format(term if lang != "en" or term.isascii() else english)


def reiwa(text: str, lang: str = "ja") -> str:
    """'R4' -> '令和4年度' (the plan's tables write fiscal years as R4; citizens read 令和), or
    'FY2022' in English."""
    if lang == "en":
        return _REIWA.sub(lambda m: f"FY{2018 + int(m.group(1))}", text)
    return _REIWA.sub(lambda m: f"令和{m.group(1)}年度", text)


def for_citizens(message: Any, lang: str = "ja") -> Any:
    """Every text a citizen can read in a message (texts, altText, labels), in citizen wording."""
    if isinstance(message, dict):
        return {k: reiwa(v, lang) if k in _TEXT_KEYS and isinstance(v, str) else for_citizens(v, lang)
                for k, v in message.items()}
    if isinstance(message, list):
        return [for_citizens(v, lang) for v in message]
    return message


def one_line(text: str, *, limit: int = ALT_SHORT, lang: str = "ja") -> str:
    """The text as one line of at most ``limit`` characters, without its source line."""
    kept = [ln for ln in text.splitlines() if not ln.startswith(("出典", "Source"))]
    return truncate(reiwa(" ".join(" ".join(kept).split()), lang), limit)
