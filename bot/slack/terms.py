"""The glossary list in Slack: a page of term buttons (each answers the term), then a "more" button."""

from __future__ import annotations

import json
from typing import Any

from handlers.answer import Answer, Ref

TERMS_PAGE = 20  # buttons per message; an actions block takes at most 25


def glossary_list_blocks(answer: Answer, *, page: int, button: Any, header: Any, context: Any,
                         pick_value: Any) -> list[dict[str, Any]]:
    en = answer.lang == "en"
    terms = [t.term for t in answer.terms]
    shown = terms[page * TERMS_PAGE:(page + 1) * TERMS_PAGE]
    start = page * TERMS_PAGE
    blocks: list[dict[str, Any]] = [header(f"Glossary: {len(terms)} terms" if en else f"用語集: {len(terms)}語")]
    if shown:
        blocks.append({"type": "actions", "block_id": f"dx_terms_{page}", "elements": [
            button(answer.name(t), f"dx_pick_{start + i}", pick_value(Ref("glossary", t, t, 100.0), lang=answer.lang))
            for i, t in enumerate(shown)]})
    rest = len(terms) - start - len(shown)
    if rest > 0:
        label = f"Next {min(rest, TERMS_PAGE)} of {rest}" if en else f"次の {min(rest, TERMS_PAGE)} 語（残り {rest} 語）"
        value = json.dumps({"q": answer.query, "page": page + 1}, ensure_ascii=False)
        blocks.append({"type": "actions", "block_id": "dx_more", "elements": [button(label, "dx_more", value[:2000])]})
    blocks.append(context(answer.source))
    return blocks
