"""Numbers read back from the database, which anyone with the file (an operator, an older version,
a bad import) may have written: whatever is stored, the catalog hands on a finite float or None."""

from __future__ import annotations

import json
import logging
import math

log = logging.getLogger("dxbot.knowledge")


def stored_number(raw: object) -> tuple[float | None, bool]:
    """(value, invalid): a finite real as a float; None for an empty cell; (None, True) for anything
    else (Infinity, NaN, text, a list...), so that renderers show "invalid" instead of failing."""
    if raw is None:
        return None, False
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except OverflowError:  # an integer too big for a float
            return None, True
        return (value, False) if math.isfinite(value) else (None, True)
    return None, True


def stored_actuals(raw: str | None, *, where: str) -> dict[int, tuple[float | None, bool]]:
    """An evaluation's ``actuals`` column (JSON: indicator number -> value), read leniently."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        log.warning("%s: unreadable KPI actuals %.80r", where, raw)
        return {}
    if not isinstance(data, dict):
        log.warning("%s: KPI actuals are not a mapping: %.80r", where, raw)
        return {}
    out: dict[int, tuple[float | None, bool]] = {}
    for key, value in data.items():
        if str(key).isdigit():
            out[int(key)] = stored_number(value)
            if out[int(key)][1]:
                log.warning("%s: invalid KPI actual for indicator %s: %.80r", where, key, value)
    return out
