"""Citizen wording on LINE: the plan's shorthand "R4" becomes 令和4年度, and altText is one short line."""

from __future__ import annotations

import re
from typing import Any

from bot.render_common import truncate

ALT_SHORT = 100  # what a notification or a screen reader reads out: one line, not the whole answer
_REIWA = re.compile(r"(?<![A-Za-z0-9])R(\d{1,2})(?:年度)?(?!\d)")
_TEXT_KEYS = {"text", "altText", "label", "displayText"}


def reiwa(text: str) -> str:
    """'R4' -> '令和4年度' (the plan's tables write fiscal years as R4; citizens read 令和)."""
    return _REIWA.sub(lambda m: f"令和{m.group(1)}年度", text)


def for_citizens(message: Any) -> Any:
    """Every text a citizen can read in a message (texts, altText, labels), in citizen wording."""
    if isinstance(message, dict):
        return {k: reiwa(v) if k in _TEXT_KEYS and isinstance(v, str) else for_citizens(v) for k, v in message.items()}
    if isinstance(message, list):
        return [for_citizens(v) for v in message]
    return message


def one_line(text: str, *, limit: int = ALT_SHORT) -> str:
    """The text as one line of at most ``limit`` characters, without its source line."""
    kept = [ln for ln in text.splitlines() if not ln.startswith(("出典", "Source"))]
    return truncate(reiwa(" ".join(" ".join(kept).split())), limit)
