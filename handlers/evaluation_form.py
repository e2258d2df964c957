"""Check an evaluation form (grade, one number per KPI indicator, comment) before it is stored."""

from __future__ import annotations

import math
import re
import unicodedata

from knowledge.records import GRADES, Indicator, Project
from state.evaluations import Submission

MAX_COMMENT = 1000
MAX_COUNT = 1e12  # far above any count in the plan (the largest is tens of thousands)
_UNIT = re.compile(r"(%|％|人|時間|件|回|様式|台|業務)$")


def parse_number(text: str) -> float | None:
    """'7,552', '７５５２', '26.8 %' -> a number; '' -> None; anything else raises ValueError."""
    s = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace(" ", "")
    s = _UNIT.sub("", s)
    if not s:
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError(text)
    value = float(s)
    if not math.isfinite(value):  # 400 digits make Infinity
        raise ValueError(text)
    return value


def is_percent(ind: Indicator) -> bool:
    return (ind.unit or "").strip() in {"%", "％"}


def range_error(ind: Indicator, value: float) -> str | None:
    """Why ``value`` cannot be this indicator's actual, or None: a share is 0–100 % (more only where
    the plan itself goes higher), a count is 0 or more and below a trillion."""
    if is_percent(ind):
        top = max([100.0, *(v.value for v in ind.values if v.value is not None)])
        if not 0 <= value <= top:
            return f"0〜{top:g} の範囲の割合（%）で入力してください。"
    elif not 0 <= value < MAX_COUNT:
        return "0 以上 1兆 未満の数値で入力してください。"
    return None


def validate(project: Project, fiscal_year: int, *, grade: str | None, numbers: dict[int, str], comment: str,
             user: str) -> Submission | dict[str, str]:
    """A :class:`Submission`, or field -> message (Japanese, shown next to the field)."""
    errors: dict[str, str] = {}
    if grade not in GRADES:
        errors["grade"] = "評価（A〜D）を選んでください。"
    actuals: dict[int, float | None] = {}
    for ind in project.indicators:
        try:
            value = parse_number(numbers.get(ind.no, ""))
        except ValueError:
            errors[f"kpi_{ind.no}"] = "数値で入力してください（例: 7,552 や 26.8）。"
            continue
        problem = None if value is None else range_error(ind, value)
        if problem:
            errors[f"kpi_{ind.no}"] = problem
        actuals[ind.no] = value
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"コメントは{MAX_COMMENT}文字以内でお願いします（現在 {len(comment)} 文字）。"
    if errors:
        return errors
    return Submission(project.id, fiscal_year, grade or "", actuals, comment, user)
