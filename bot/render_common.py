"""Small pieces every channel's renderer shares: labels, grade marks, KPI progress."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.compose import achievement, new_since_evaluation, number, percent
from knowledge.records import GRADES, GRADES_EN, Evaluation, Project, fiscal_to_reiwa

PROJECT_BUTTONS = {
    "ja": [("project_status", "評価"), ("project_kpi", "KPI"), ("project_schedule", "スケジュール"),
           ("project_department", "担当部署"), ("project_overview", "概要")],
    "en": [("project_status", "Status"), ("project_kpi", "KPI"), ("project_schedule", "Schedule"),
           ("project_department", "Owner"), ("project_overview", "Overview")],
}
# What a card's button asks for its project: the same words a person would type, so the answer and
# the conversation's follow-ups are the ones a typed question gets.
CARD_ACTIONS = ("project_status", "project_kpi", "project_schedule", "project_overview")
ASK_FOR = {
    "ja": {"project_status": "{}の状況", "project_kpi": "{}のKPI", "project_schedule": "{}のスケジュール",
           "project_overview": "{}の概要"},
    "en": {"project_status": "status of {}", "project_kpi": "KPI of {}", "project_schedule": "schedule of {}",
           "project_overview": "overview of {}"},
}
GRADE_EMOJI = {"A": ":large_green_circle:", "B": ":large_blue_circle:", "C": ":large_orange_circle:",
               "D": ":red_circle:", None: ":white_circle:"}
# Each at least 4.5:1 against white (WCAG AA), as text and behind white text.
GRADE_COLOUR = {"A": "#2e7d32", "B": "#1565c0", "C": "#b45309", "D": "#c62828", None: "#6b6b6b"}


@dataclass(frozen=True)
class Progress:
    label: str
    year: int
    target: float | None
    actual: float | None
    percent: float | None  # rounded to one decimal, never truncated
    unit: str = ""  # the indicator's unit ("%"), shown with the figures


def asks_for_feedback(intent: str) -> bool:
    """A careful reply (distress, personal data, an opinion declined) is that and nothing else: no
    👍 / 👎 under it."""
    return intent != "care"


def progress(p: Project) -> list[Progress]:
    """For each KPI indicator, the latest year that has an actual (else the first target year)."""
    out = []
    for ind in p.indicators:
        years = ind.years()
        with_actual = [y for y in years if (v := ind.value(y, "actual")) is not None and v.value is not None]
        year = with_actual[-1] if with_actual else (years[0] if years else 0)
        t = ind.value(year, "target")
        a = ind.value(year, "actual")
        target = t.value if t else None
        actual = a.value if a else None
        out.append(Progress(ind.label, year, target, actual, achievement(actual, target), ind.unit or ""))
    return out


def grade_meaning(p: Project, e: Evaluation | None, lang: str) -> str:
    """What a grade means; for a project newer than its evaluation year, that its first one is still due."""
    if new_since_evaluation(p, e):
        ry = fiscal_to_reiwa(p.set_year or 0)
        return f"new in R{ry}, first evaluation due for R{ry}" if lang == "en" else f"令和{ry}年度の新規事業（最初の評価は令和{ry}年度分）"
    grade = e.grade if e else None
    return (GRADES_EN if lang == "en" else GRADES).get(grade or "", "no grade" if lang == "en" else "評価なし")


def bar(percent: float | None, width: int = 10) -> str:
    """A text bar; one below 100 % always keeps an empty cell, so it never looks complete."""
    if percent is None:
        return ""
    filled = max(0, min(width, round(percent / 100 * width)))
    if percent < 100:
        filled = min(filled, width - 1)
    return "▓" * filled + "░" * (width - filled)


def bar_width(percent: float) -> float:
    """Width of a drawn bar in percent: below 100 % it stops short of full (at most 96 %)."""
    return 100.0 if percent >= 100 else max(1.0, min(96.0, percent))


def figure(value: float | None, unit: str = "") -> str:
    """7552 -> "7,552"; 26.8 with "%" -> "26.8%" (never rounded to a whole number)."""
    return "—" if value is None else number(value) + unit


percent_text = percent  # 95.6 -> "95.6", 100.0 -> "100"


def project_lines(text: str, p: Project, *, index: int, count: int, assumed: bool = False) -> list[str]:
    """The lines of an answer's ``text`` about its ``index``-th of ``count`` projects: without the
    follow-up note (``assumed``), the source line, and the title line when more lines follow it (a
    one-line answer such as the department's is all content and keeps its line)."""
    if assumed:
        text = text.partition("\n")[2]
    parts = text.split("\n\n")
    part = parts[index] if count > 1 and len(parts) >= count else text
    lines = [ln for ln in part.splitlines() if ln.strip() and not ln.startswith(("出典", "Source"))]
    if len(lines) > 1 and lines[0].startswith(p.id):
        lines = lines[1:]
    return lines


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
