"""Answer -> the JSON the web chat draws its cards from."""

from __future__ import annotations

from typing import Any

from bot.render_common import ASK_FOR, CARD_ACTIONS, PROJECT_BUTTONS, bar_width, progress, project_lines
from handlers.answer import Answer
from handlers.compose import JAPANESE
from knowledge.records import GRADES, GRADES_EN, Indicator, Project, fiscal_to_reiwa


def year_label(fiscal_year: int, lang: str) -> str:
    """令和4年度 for citizens; "FY2022 (R4)" in English."""
    r = fiscal_to_reiwa(fiscal_year)
    return f"FY{fiscal_year} (R{r})" if lang == "en" else f"令和{r}年度"


def ungraded_reason(p: Project, lang: str) -> str:
    """Why a project shows no grade: new since the year evaluated, or not evaluated yet."""
    e = p.latest_evaluation(include_drafts=True)
    if e is not None and p.set_year is not None and p.set_year > e.fiscal_year:
        if lang == "en":
            return f"New in {year_label(p.set_year, lang)}: there is no grade for {year_label(e.fiscal_year, lang)}."
        return f"{year_label(p.set_year, lang)}からの新しい事業のため、{year_label(e.fiscal_year, lang)}の評価はありません。"
    if lang == "en":
        return "Not graded yet: each fiscal year's projects are graded after the year ends."
    return "まだ評価されていません（評価は年度が終わってから行われます）。"


def _series(ind: Indicator, lang: str) -> dict[str, Any]:
    """Targets against actuals by year, for the chart."""
    rows = []
    for year in ind.years():
        t, a = ind.value(year, "target"), ind.value(year, "actual")
        rows.append({"year": year, "label": year_label(year, lang),
                     "target": t.value if t else None, "actual": a.value if a else None})
    base = ind.baseline
    return {"label": ind.label, "unit": ind.unit or "", "years": rows,
            "baseline": {"year": base.fiscal_year, "label": year_label(base.fiscal_year, lang), "value": base.value}
            if base is not None else None}


def card_actions(p: Project, lang: str, shown: str) -> list[dict[str, str]]:
    """The card's buttons: the project's other views, each the question it asks."""
    labels = dict(PROJECT_BUTTONS[lang])
    return [{"intent": intent, "label": labels[intent], "q": ASK_FOR[lang][intent].format(p.id)}
            for intent in CARD_ACTIONS if intent != shown]


def quoted(label: str, lang: str) -> str:
    """The label before text the plan has only in Japanese, marked in an English answer (the page
    draws that text with lang="ja"); "" in Japanese."""
    return f"{label} {JAPANESE}" if lang == "en" else ""


def _project(p: Project, answer: Answer, titles: dict[str, str]) -> dict[str, Any]:
    lang = answer.lang
    e = p.latest_evaluation(include_drafts=True)
    grades = GRADES_EN if lang == "en" else GRADES
    graded = bool(e and e.grade)
    return {
        "id": p.id, "name": p.name, "title": titles.get(p.id, answer.name(p.name)),
        "departments": [answer.name(d) for d in p.departments], "quoted": quoted("Comment", lang),
        "kpi_quoted": quoted("KPI", lang),
        "grade": e.grade if e else None, "grade_label": grades.get(e.grade or "", "") if e else "",
        "draft": bool(e and e.status == "draft"), "year": e.fiscal_year if e else None,
        "year_label": year_label(e.fiscal_year, lang) if e else "",
        "ungraded_reason": "" if graded else ungraded_reason(p, lang),
        "comment": e.comment if e else "",
        # ``percent`` is the real achievement (it can pass 100); ``bar`` is what a progress bar may show.
        "kpis": [{"label": k.label, "year": k.year, "year_label": year_label(k.year, lang), "target": k.target,
                  "actual": k.actual, "percent": k.percent,
                  "unit": k.unit, "bar": None if k.percent is None else bar_width(k.percent)}
                 for k in progress(p)],
        "series": [_series(ind, lang) for ind in p.indicators],
    }


def render(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    data["lang"] = answer.lang
    card: dict[str, Any] = {"type": "text"}
    titles = {a.id: a.title for a in answer.answers if a.kind == "project"}  # in the answer's language
    if answer.intent == "glossary" and answer.terms:
        t = answer.terms[0]
        card = {"type": "glossary", "term": t.term, "name": answer.name(t.term), "definition": t.definition,
                "quoted": quoted("Definition", answer.lang), "urls": list(t.urls)}
    elif answer.intent == "glossary_list":
        card = {"type": "terms", "terms": [t.term for t in answer.terms],
                "names": [answer.name(t.term) for t in answer.terms]}
    elif answer.intent == "project_list":
        card = {"type": "list", "filter": answer.list_filter, "projects": [_project(p, answer, titles) for p in answer.projects],
                "groups": answer.extra.get("list_groups") or [], "notes": answer.extra.get("list_notes") or []}
    elif answer.intent.startswith("project_") and answer.projects:
        card = {"type": "project", "intent": answer.intent, "assumed": answer.assumed_project,
                "projects": [{**_project(p, answer, titles), "actions": card_actions(p, answer.lang, answer.intent),
                              "lines": project_lines(answer.text, p, index=i, count=len(answer.projects),
                                                     assumed=bool(answer.assumed_project))}
                             for i, p in enumerate(answer.projects)]}
    elif answer.intent in {"clarify", "unknown", "help"}:
        card = {"type": answer.intent}
    card["source"] = answer.source
    data["card"] = card
    return data
