"""Personal data in what people type: found, and masked before anything keeps the text.

A question may hold a My Number, a phone number, an e-mail address or a payment card number. The
bot never needs them, so what is stored — the inbound queue, the unanswered log, the logs — keeps
only a placeholder in their place (``[phone]``…). GOV.UK Chat's ``PiiValidator`` is the model; the
patterns here are Japan's:

- **My Number** (個人番号): 12 digits, together or as 4-4-4 with one separator;
- **phone**: a domestic number of 10 or 11 digits starting with 0 (03-1234-5678, 090-1234-5678,
  0120-279-338, 047(436)2111), or +81 followed by 9 or 10 digits;
- **e-mail**: local part @ a domain with a dot;
- **card**: 13–19 digits, together or in the groups cards are printed in, passing the Luhn check.

The plan's own figures are not personal data and stay: ids (2-3-1), years (2024, R6, 2024-2027),
dates, KPI figures with thousands separators (12,345) or decimals, percentages. A run of digits
counts only when nothing but a separator joins it to its neighbours, and four-digit groups that
are all years (2024 2025 2026) are years. Fullwidth digits, hyphens and ＠ are read as their ASCII
forms (one character for one, so the positions found are the text's own).
"""

from __future__ import annotations

import re

PLACEHOLDERS = {"my_number": "[my-number]", "phone": "[phone]", "email": "[email]", "card": "[card]"}
# A placeholder in a text masked earlier (at the edge, before the queue): the question held personal data.
MASKED = re.compile(r"\[(?:my-number|phone|email|card)\]")

_ASCII = str.maketrans(
    "０１２３４５６７８９＋＠．（）　－‐‑‒–—―−＿"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789+@.() --------_"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
# The katakana long mark is a hyphen between digits (090ー1234ー5678), and a letter elsewhere (マイナンバー).
_LONG_MARK = re.compile(r"(?<=\d)[ーｰ](?=\d)")
# Not inside a longer run of letters, digits or joined numbers (2-3-1-2024…, 1,234, 3.5).
_START = r"(?<![0-9A-Za-z+\-.,/])"
_END = r"(?![0-9A-Za-z]|[\-.,/]\d)"
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
# Not a group of a longer grouped number either (4242 4242 4242 4241 is no My Number).
_MY_NUMBER = re.compile(_START + r"(?<!\d[ \-.])\d{4}([ \-.]?)\d{4}\1\d{4}(?![ \-.]\d)" + _END)
_CARD = re.compile(_START + r"(?:\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ \-])\d{6}\2\d{4,5})"
                   + _END)
_PHONE = re.compile(_START + r"(?:\+81[ \-]?(?:\(0\)[ \-]?)?\d{1,4}[ \-]?\d{1,4}[ \-]?\d{3,4}"
                    r"|\(?0\d{1,4}[ ()\-]{0,2}\d{1,4}[ ()\-]{0,2}\d{3,4})" + _END)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _years(found: str) -> bool:
    """2024 2025 2026: years side by side, not a number."""
    groups = re.split(r"[ \-.]", found)
    return len(groups) > 1 and all(_YEAR.fullmatch(g) for g in groups)


def _is_phone(found: str) -> bool:
    digits = _digits(found)
    if found.startswith("+"):
        return digits.startswith("81") and 11 <= len(digits) <= 12 + found.count("(0)")
    return digits.startswith("0") and 10 <= len(digits) <= 11


_KINDS = (
    ("email", _EMAIL, lambda s: True),
    ("card", _CARD, lambda s: not _years(s) and luhn(_digits(s))),
    ("my_number", _MY_NUMBER, lambda s: not _years(s)),
    ("phone", _PHONE, _is_phone),
)


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every piece of personal data in ``text``, in order, none overlapping."""
    if not any(ch.isdigit() or ch in "@＠" for ch in text):  # most questions: nothing to look at
        return []
    plain = _LONG_MARK.sub("-", text.translate(_ASCII))
    spans: list[tuple[int, int, str]] = []
    for kind, pattern, holds in _KINDS:
        for m in pattern.finditer(plain):
            if holds(m.group()) and not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), kind))
    return sorted(spans)


def mask(text: str) -> str:
    """``text`` with each piece of personal data replaced by its placeholder (``[phone]``…)."""
    spans = find(text)
    if not spans:
        return text
    out, at = [], 0
    for start, end, kind in spans:
        out += [text[at:start], PLACEHOLDERS[kind]]
        at = end
    return "".join([*out, text[at:]])


def holds_personal_data(text: str) -> bool:
    """Whether ``text`` holds personal data, as typed or already masked."""
    return bool(MASKED.search(text) or find(text))
