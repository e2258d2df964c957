"""The glossary list on LINE: a carousel of pages, each term a row that asks about it when tapped."""

from __future__ import annotations

from typing import Any

from bot.line.wording import ask_term, frame
from bot.render_common import truncate
from handlers.answer import Answer

PER_PAGE = 13  # rows a phone shows in one bubble without scrolling far
MAX_PAGES = 12  # bubbles in a carousel
LINK = "#1565C0"  # 5.7:1 on white (WCAG AA)
MUTED = "#5F6368"  # 6.0:1 on white


def terms_carousel(answer: Answer, quick: dict[str, Any]) -> dict[str, Any]:
    """Pages of terms in the answer's language: an English list shows and asks each term by its English name."""
    words = frame(answer.lang)
    terms = [(answer.name(t.term), ask_term(t.term, answer.name(t.term), answer.lang)) for t in answer.terms]
    pages = [terms[i:i + PER_PAGE] for i in range(0, len(terms), PER_PAGE)][:MAX_PAGES]
    bubbles = []
    for n, page in enumerate(pages, start=1):
        rows = [{"type": "box", "layout": "vertical", "paddingTop": "6px", "paddingBottom": "6px",
                 "action": {"type": "message", "label": truncate(term, 20), "text": question[:300]},
                 "contents": [{"type": "text", "text": term, "size": "sm", "color": LINK, "wrap": True}]}
                for term, question in page]
        bubbles.append({"type": "bubble", "size": "kilo",
                        "header": {"type": "box", "layout": "vertical", "contents": [
                            {"type": "text", "text": words["glossary"].format(n, len(pages)), "weight": "bold", "size": "md"},
                            {"type": "text", "text": words["tap_term"], "size": "xs", "color": MUTED}]},
                        "body": {"type": "box", "layout": "vertical", "spacing": "none", "contents": rows}})
    alt = words["glossary_alt"].format(len(terms))
    return {"type": "flex", "altText": alt, "contents": {"type": "carousel", "contents": bubbles}, "quickReply": quick}
