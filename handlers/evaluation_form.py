"""Check an evaluation form (grade, one number per KPI indicator, comment) before it is stored."""

from __future__ import annotations

import re
import unicodedata

from knowledge.evaluations import Submission
from knowledge.records import GRADES, Project

MAX_COMMENT = 1000
_UNIT = re.compile(r"(%|％|人|時間|件|回|様式|台|業務)$")


def parse_number(text: str) -> float | None:
    """'7,552', '７５５２', '26.8 %' -> a number; '' -> None; anything else raises ValueError."""
    s = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace(" ", "")
    s = _UNIT.sub("", s)
    if not s:
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError(text)
    return float(s)


def validate(project: Project, fiscal_year: int, *, grade: str | None, numbers: dict[int, str], comment: str,
             user: str) -> Submission | dict[str, str]:
    """A :class:`Submission`, or field -> message (Japanese, shown next to the field)."""
    errors: dict[str, str] = {}
    if grade not in GRADES:
        errors["grade"] = "評価（A〜D）を選んでください。"
    actuals: dict[int, float | None] = {}
    for ind in project.indicators:
        try:
            actuals[ind.no] = parse_number(numbers.get(ind.no, ""))
        except ValueError:
            errors[f"kpi_{ind.no}"] = "数値で入力してください（例: 7,552 や 26.8）。"
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"コメントは{MAX_COMMENT}文字以内でお願いします（現在 {len(comment)} 文字）。"
    if errors:
        return errors
    return Submission(project.id, fiscal_year, grade or "", actuals, comment, user)
