"""Lead a project answer with what the question asked (see :mod:`handlers.question_type`).

- a figure: the latest actual with its year, target and achievement; when the measure asked
  (交付率) is not a KPI of the project, the plan's sentences that give it, newest first;
- 課題: the 課題 section before 現状 and 目標;
- a year: that year's schedule cells, or a clear note that its cell is empty.

The full answer follows the lead, so nothing the card showed before is lost.
"""

from __future__ import annotations

import re

from handlers import compose as c
from handlers.answer import Lang
from handlers.question_type import QuestionType
from knowledge.catalog import Catalog
from knowledge.normalize import normalize
from knowledge.records import Indicator, Project

MAX_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=。)")
_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(r"\d[\d,.]*\s*(?:%|件|人|名|回|台|業務|様式|時間|種類|手続)")


def focused_text(catalog: Catalog, p: Project, q: QuestionType, intent: str, lang: Lang, text: str) -> str:
    """``text`` (the answer for ``intent``) led by what ``q`` asks; unchanged when it asks nothing more."""
    if q.kind == "issue" and intent == "project_overview":
        return issue_first(catalog, p, lang)
    # A project with no KPI table is answered by its status (see Responder._project), led by its figures.
    if q.kind == "quantity" and (intent == "project_kpi" or intent == "project_status" and not p.indicators):
        lead = figure_lines(p, q, lang)
    elif intent == "project_kpi" and q.year is not None:
        lead = [line for ind in p.indicators for line in _year_lines(ind, lang, q.year)]
    elif q.kind == "schedule" and intent == "project_schedule" and q.year is not None:
        lead = year_lines(p, q.year, lang, last=max((s.fiscal_year for x in catalog.projects.values() for s in x.schedule),
                                                     default=q.year))
    else:
        return text
    if not lead:
        return text
    title, _, rest = text.partition("\n")
    return "\n".join([title, *lead, "", rest]) if rest else "\n".join([title, *lead])


def issue_first(catalog: Catalog, p: Project, lang: Lang) -> str:
    if lang == "en":
        sections = [("Issue (Japanese): ", p.issue), ("Current state (Japanese): ", p.current),
                    ("Goal (Japanese): ", p.goal)]
    else:
        sections = [("【課題】", p.issue), ("【現状】", p.current), ("【目標】", p.goal)]
    return "\n".join([c.project_title(catalog, p, lang), *(label + body for label, body in sections)])


# ---------------------------------------------------------------------- figures
# Counters every KPI label says as 〜数 or 〜率: the KPI answers them. Others (台, 業務) may be
# counted only in the text (「計300台を運用」).
_GENERIC_COUNTERS = ("件", "回", "人", "名", "個", "%", "パーセント", "割")


def figure_lines(p: Project, q: QuestionType, lang: Lang) -> list[str]:
    indicators = [i for i in p.indicators if _latest_actual(i) is not None]
    counted = [i for i in indicators if q.counter and q.counter in i.label]
    if counted:
        return [line for i in counted for line in _year_lines(i, lang, q.year)]
    if q.counter and (not indicators or not q.counter.startswith(_GENERIC_COUNTERS)):
        quoted = counted_sentences(p, q.counter, lang)
        if quoted:
            return quoted
    if q.measure:
        named = [i for i in indicators if _mentions(i.label, q.measure)]
        if named:
            return [line for i in named for line in _year_lines(i, lang, q.year)]
        quoted = measure_sentences(p, q.measure, lang)
        if quoted:
            return quoted
    if not indicators:  # no KPI: the figures the project's text gives ("the issuance rate" in English)
        return _sentences(p, lang, lambda s: _FIGURE.search(s) is not None)
    return [line for i in indicators[:MAX_SENTENCES] for line in _year_lines(i, lang, q.year)]


def _year_lines(ind: Indicator, lang: Lang, year: int | None) -> list[str]:
    """The headline for the year asked: its actual, or its target and outlook when it has no
    actual yet (「R5の目標は？」 leads with R5, not with the latest actual); the latest actual when
    no year was asked or the plan has nothing for it."""
    if year is None or _actual(ind, year) is not None:
        return [_actual_line(ind, lang, year=year)]
    return _year_values(ind, year, lang) or [_actual_line(ind, lang)]


def _latest_actual(ind: Indicator) -> int | None:
    years = [v.fiscal_year for v in ind.values if v.kind == "actual" and v.value is not None]
    return max(years) if years else None


def _actual(ind: Indicator, year: int) -> float | None:
    v = ind.value(year, "actual")
    return v.value if v else None


def _year_values(ind: Indicator, year: int, lang: Lang) -> list[str]:
    """The indicator's line for ``year`` ("RPAのR5の目標値"), under the indicator's name."""
    label = f"  {c.year_label(year, lang)}:"
    return [f"{line.strip()} — {ind.label}" for line in c.indicator_lines(ind, lang) if line.startswith(label)]


def _actual_line(ind: Indicator, lang: Lang, *, year: int | None = None) -> str:
    """The actual for ``year`` when the plan has one, else the latest, with its target and achievement."""
    actual_years = {v.fiscal_year for v in ind.values if v.kind == "actual" and v.value is not None}
    asked = year
    year = year if year in actual_years else _latest_actual(ind)
    assert year is not None
    actual = ind.value(year, "actual")
    target = ind.value(year, "target")
    unit = ind.unit or ""
    a = actual.value if actual else None
    t = target.value if target else None
    rate = c.achievement(a, t)
    label = c.year_label(year, lang)
    if lang == "en":
        extra = f" (target {c.number(t)}{unit}" + (f", {rate}% achieved" if rate is not None else "") + ")" if t is not None else ""
        head = f"Actual for {label}" if asked == year else f"Latest actual ({label})"
        return f"{head}: {c.number(a)}{unit}{extra} — KPI {c.JAPANESE}: {ind.label}"
    extra = f"（目標 {c.number(t)}{unit}" + (f"、達成率 {rate}%" if rate is not None else "") + "）" if t is not None else ""
    head = f"{label}の実績" if asked == year else f"最新の実績（{label}）"
    return f"{head}: {c.number(a)}{unit}{extra} — {ind.label}"


def counted_sentences(p: Project, counter: str, lang: Lang) -> list[str]:
    """The plan's sentences that count in ``counter`` ("計300台", "74業務"), newest first."""
    pattern = re.compile(rf"\d[\d,.]*\s*{re.escape(counter)}")
    return _sentences(p, lang, lambda s: pattern.search(s) is not None)


def measure_sentences(p: Project, measure: str, lang: Lang) -> list[str]:
    """The plan's sentences that give ``measure`` with a number, newest first (evaluation comments)."""
    return _sentences(p, lang, lambda s: _DIGIT.search(s) is not None and _mentions(s, measure))


def _sentences(p: Project, lang: Lang, keep) -> list[str]:
    sources: list[tuple[str, str]] = []
    for e in sorted(p.evaluations, key=lambda e: -e.fiscal_year):
        if e.status == "published" and e.comment:
            where = (f"{c.year_label(e.fiscal_year, lang)} evaluation comment" if lang == "en"
                     else f"{c.year_label(e.fiscal_year, lang)}の評価コメント")
            sources.append((where, e.comment))
    sources += [("current state" if lang == "en" else "現状", p.current), ("goal" if lang == "en" else "目標", p.goal),
                ("issue" if lang == "en" else "課題", p.issue)]
    out: list[str] = []
    for where, text in sources:
        for sentence in _SENTENCE_END.split(text):
            sentence = sentence.strip()
            if sentence and keep(sentence):
                out.append(f"From the plan's {where} (Japanese): {sentence}" if lang == "en"
                           else f"計画の記述（{where}）: {sentence}")
    return out[:MAX_SENTENCES]


def _mentions(text: str, measure: str) -> bool:
    return normalize(measure) in normalize(text)


# ---------------------------------------------------------------------- schedule
def year_lines(p: Project, year: int, lang: Lang, *, last: int) -> list[str]:
    """That year's cells; or that the column is empty, or beyond the plan (``last``: its final year)."""
    label = c.year_label(year, lang)
    cells = [s.text for s in p.schedule if s.fiscal_year == year]
    if cells:
        return [(f"Planned for {label} {c.JAPANESE}: " if lang == "en" else f"{label}の予定: ") + " / ".join(cells)]
    if not p.schedule:
        return []
    years = sorted({s.fiscal_year for s in p.schedule})
    earlier = [y for y in years if y < year]
    if year > last:
        end = c.year_label(last, lang)
        lines = [f"The plan's schedule runs to {end}; it says nothing about {label}." if lang == "en"
                 else f"アクションプランのスケジュールは{end}までで、{label}の記載はありません。"]
    else:
        lines = [f"The plan's schedule has no entry in the {label} column." if lang == "en"
                 else f"スケジュールの{label}の欄には記載がありません。"]
    if earlier:
        last = earlier[-1]
        text = " / ".join(s.text for s in p.schedule if s.fiscal_year == last)
        lines.append(f"Latest entry before it ({c.year_label(last, lang)}) {c.JAPANESE}: {text}" if lang == "en"
                     else f"それ以前の直近の記載（{c.year_label(last, lang)}）: {text}")
    return lines
