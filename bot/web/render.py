"""Answer -> the JSON the web chat draws its cards from."""

from __future__ import annotations

from typing import Any

from bot.render_common import progress
from handlers.answer import Answer
from knowledge.records import GRADES, GRADES_EN, Project


def _project(p: Project, lang: str) -> dict[str, Any]:
    e = p.latest_evaluation(include_drafts=True)
    grades = GRADES_EN if lang == "en" else GRADES
    return {
        "id": p.id, "name": p.name, "departments": list(p.departments),
        "grade": e.grade if e else None, "grade_label": grades.get(e.grade or "", "") if e else "",
        "draft": bool(e and e.status == "draft"), "year": e.fiscal_year if e else None,
        "comment": e.comment if e else "",
        "kpis": [{"label": k.label, "year": k.year, "target": k.target, "actual": k.actual, "percent": k.percent}
                 for k in progress(p)],
    }


def render(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    data["lang"] = answer.lang
    card: dict[str, Any] = {"type": "text"}
    if answer.intent == "glossary" and answer.terms:
        t = answer.terms[0]
        card = {"type": "glossary", "term": t.term, "definition": t.definition, "urls": list(t.urls)}
    elif answer.intent == "project_list":
        card = {"type": "list", "filter": answer.list_filter, "projects": [_project(p, answer.lang) for p in answer.projects]}
    elif answer.intent.startswith("project_") and answer.projects:
        card = {"type": "project", "intent": answer.intent, "projects": [_project(p, answer.lang) for p in answer.projects]}
    elif answer.intent in {"clarify", "unknown", "help"}:
        card = {"type": answer.intent}
    card["source"] = answer.source
    data["card"] = card
    return data
