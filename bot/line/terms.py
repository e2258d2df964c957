"""The glossary list on LINE: a carousel of pages, each term a row that asks about it when tapped."""

from __future__ import annotations

from typing import Any

from bot.render_common import truncate
from handlers.answer import Answer

PER_PAGE = 13  # rows a phone shows in one bubble without scrolling far
MAX_PAGES = 12  # bubbles in a carousel
LINK = "#1565C0"  # 5.7:1 on white (WCAG AA)
MUTED = "#5F6368"  # 6.0:1 on white


def terms_carousel(answer: Answer, quick: dict[str, Any], *, ask: str = "{}とは") -> dict[str, Any]:
    terms = [t.term for t in answer.terms]
    pages = [terms[i:i + PER_PAGE] for i in range(0, len(terms), PER_PAGE)][:MAX_PAGES]
    bubbles = []
    for n, page in enumerate(pages, start=1):
        rows = [{"type": "box", "layout": "vertical", "paddingTop": "6px", "paddingBottom": "6px",
                 "action": {"type": "message", "label": truncate(term, 20), "text": ask.format(term)[:300]},
                 "contents": [{"type": "text", "text": term, "size": "sm", "color": LINK, "wrap": True}]}
                for term in page]
        bubbles.append({"type": "bubble", "size": "kilo",
                        "header": {"type": "box", "layout": "vertical", "contents": [
                            {"type": "text", "text": f"用語集 {n}/{len(pages)}", "weight": "bold", "size": "md"},
                            {"type": "text", "text": "タップで意味を表示します", "size": "xs", "color": MUTED}]},
                        "body": {"type": "box", "layout": "vertical", "spacing": "none", "contents": rows}})
    alt = f"用語集（{len(terms)}語）"
    return {"type": "flex", "altText": alt, "contents": {"type": "carousel", "contents": bubbles}, "quickReply": quick}
