"""Plain text for list answers: the count first when asked, groups by department, policy or grade."""

from __future__ import annotations

from handlers import compose as c
from handlers.answer import Lang
from handlers.filters import Selection
from knowledge.catalog import Catalog
from knowledge.records import Project


def list_answer_text(catalog: Catalog, sel: Selection, projects: list[Project], lang: Lang) -> str:
    en = lang == "en"
    n = len(projects)
    if sel.group_by and projects:
        body = _grouped(catalog, sel, projects, lang)
    else:
        year = sel.kpi_year
        detail = (lambda p: _figures(p, year, lang)) if year is not None else None
        if sel.show == "project_department":
            detail = (lambda p: f" — {c.departments(catalog, p, lang)}") if en else (lambda p: f"　担当: {c.departments(catalog, p, lang)}")
        body = c.list_text(catalog, projects, sel.label, lang, detail=detail)
        if sel.count and projects:
            head = (f"There {'is' if n == 1 else 'are'} {n} project{'s' if n != 1 else ''} — {sel.label}:"
                    if en else f"{sel.label}は{n}件です。")
            body = "\n".join([head, *body.splitlines()[1:]])
    return "\n".join([body, *sel.notes])


def _grouped(catalog: Catalog, sel: Selection, projects: list[Project], lang: Lang) -> str:
    head = f"{n_text(len(projects), True)} — {sel.label}:" if lang == "en" else f"{sel.label}: {len(projects)}件"
    return "\n".join([head, *group_lines(catalog, sel, projects, lang)])


def group_lines(catalog: Catalog, sel: Selection, projects: list[Project], lang: Lang) -> list[str]:
    """「・デジタル行政推進課: 21件（1-1-1、…）」 per group, largest department first; [] when not grouped."""
    if not sel.group_by:
        return []
    en = lang == "en"
    groups: dict[str, list[Project]] = {}
    for p in projects:
        for name in _group_keys(catalog, sel.group_by, p, lang):
            groups.setdefault(name, []).append(p)
    order = sorted(groups, key=(lambda name: -len(groups[name])) if sel.group_by == "department" else None)
    lines = []
    for name in order:
        ids = (", " if en else "、").join(p.id for p in groups[name])
        lines.append(f"・{name}: {len(groups[name])} ({ids})" if en else f"・{name}: {len(groups[name])}件（{ids}）")
    if sel.group_by == "department" and any(len(p.departments) > 1 for p in projects):
        lines.append("A project run by several departments is counted under each." if en
                     else "複数の部署が担当する事業は、それぞれの部署で数えています。")
    return lines


def n_text(n: int, en: bool) -> str:
    return f"{n} project{'s' if n != 1 else ''}" if en else f"{n}件"


def _group_keys(catalog: Catalog, group_by: str, p: Project, lang: Lang) -> list[str]:
    en = lang == "en"
    if group_by == "department":
        return [f"{catalog.english_name('department', d)} ({d})" if en and catalog.english_name("department", d) else d
                for d in p.departments]
    if group_by == "policy":
        title = catalog.policies[p.policy_id].title if p.policy_id in catalog.policies else ""
        if en:
            title = catalog.english_name("policy", str(p.policy_id)) or f"{title} {c.JAPANESE}"
        return [f"Policy {p.policy_id} ({title})" if en else f"基本方針{p.policy_id}「{title}」"]
    e = p.latest_evaluation()
    if e is None or e.grade is None:
        return ["no grade yet" if en else "評価なし"]
    return [f"{e.grade}"]


def _figures(p: Project, year: int, lang: Lang) -> str:
    """" — 実績 765 / 目標 800（95.6%）" for each indicator with both figures in ``year``."""
    out = []
    for ind in p.indicators:
        t, a = ind.value(year, "target"), ind.value(year, "actual")
        if t is None or a is None or t.value is None or a.value is None:
            continue
        unit = ind.unit or ""
        rate = c.achievement(a.value, t.value)
        pct = f"{c.percent(rate)}%" if rate is not None else ""
        out.append(f"actual {c.number(a.value)}{unit} / target {c.number(t.value)}{unit} ({pct})" if lang == "en"
                   else f"実績 {c.number(a.value)}{unit} / 目標 {c.number(t.value)}{unit}（{pct}）")
    return (" — " + "; ".join(out)) if lang == "en" and out else ("　" + "、".join(out)) if out else ""
