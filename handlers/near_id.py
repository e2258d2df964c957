"""A mistyped project number: 「2-31」, 「231」, 「2-3-l」 mean 2-3-1 when no other id fits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import ne

_DIGITS = re.compile(r"\D")


def same_digits(typed: str, ids: Iterable[str]) -> list[str]:
    """Real ids written with the same digits in the same order (2-31 → 2-3-1)."""
    digits = _DIGITS.sub("", typed)
    return [i for i in ids if i.replace("-", "") == digits and i != typed]  # a real id is digits and dashes


def one_digit_off(typed: str, ids: Iterable[str]) -> list[str]:
    """Real ids one digit away (2-3-9 → 2-3-1, 2-3-2, 2-3-3), for "did you mean"."""
    parts = typed.split("-")
    # (every id of thousands is walked at 100x: map over the parts, no generator per id)
    return [i for i in ids if len(other := i.split("-")) == len(parts) and sum(map(ne, parts, other)) == 1]
