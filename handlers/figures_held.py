"""Figures a project's texts do not hold: a year outside the plan's tables, a year its own table
lacks, a count in a unit its texts never count in, a measure they never name.

:class:`handlers.respond.Responder` asks :func:`figure_not_held` before answering a project, and
says the reason instead of a card that would look like an answer.
"""

from __future__ import annotations

import re
import unicodedata

from handlers import compose as c
from handlers.by_meaning import GRADE_OF_YEAR
from handlers.question_type import asked_year, years_named
from handlers.understand import Reading, last_clause, last_sentence
from handlers.unheld import (
    actual_unheld_reason,
    counted_unit,
    counts_in,
    counts_unit,
    measured,
    project_text,
    uncounted_reason,
    unmeasured_reason,
    year_unheld_reason,
    years_reason,
)
from knowledge.catalog import Catalog
from knowledge.normalize import fold
from knowledge.records import Project


def plan_years(catalog: Catalog) -> dict[str, tuple[int, int]]:
    """The first and last fiscal years of the plan's KPI tables and of its schedules."""
    kpi = [v.fiscal_year for p in catalog.projects.values() for i in p.indicators for v in i.values]
    schedule = [s.fiscal_year for p in catalog.projects.values() for s in p.schedule]
    graded = [e.fiscal_year for p in catalog.projects.values() for e in p.evaluations]
    return {name: (min(ys), max(ys)) if ys else (0, 9999)
            for name, ys in (("kpi", kpi), ("schedule", schedule), ("evaluation", graded))}


_FIGURE = re.compile(r"[0-9０-９]")


def _has_figures_for(p: Project, year: int, *, asked: str) -> bool:
    """Whether the project's KPI table has a figure for ``year`` (a "—" in its cell is none), or its
    evaluation of that year gives one, or its text names that fiscal year, or a date the question
    ``asked`` names (a figure quoted there)."""
    if any(v.fiscal_year == year and v.value is not None for i in p.indicators for v in i.values):
        return True
    if any(e.fiscal_year == year and _FIGURE.search(e.comment) for e in p.evaluations):
        return True  # that year's evaluation counts what was done (修了生16名, 計232回)
    named = _fiscal_years_named(unicodedata.normalize("NFKC", project_text(p)))
    return year in named or bool(named & _fiscal_years_named(unicodedata.normalize("NFKC", asked)))


# A date in the text: 令和5年度, 令和5年3月末, R5, 2023年3月. January to March belong to the fiscal
# year before (令和5年3月末 is the end of 令和4年度: a figure "at the end of R5" is not it).
_DATED = re.compile(r"(?:令和(\d+)|R(\d+)(?!\d)|(20\d\d))年?(度)?(?:(\d{1,2})月)?")


def _fiscal_years_named(text: str) -> set[int]:
    out = set()
    for m in _DATED.finditer(text):
        reiwa, short, western, fiscal, month = m.groups()
        if western and not m.group(0).endswith(("年", "度", "月")):
            continue  # a bare four-digit number is no year
        year = int(western) if western else int(reiwa or short) + 2018
        out.add(year - 1 if not fiscal and month and 1 <= int(month) <= 3 else year)
    return out


# An actual asked for, not a target: 実績, 結果, "actual", "did they reach".
_ACTUAL_ASKED = re.compile(r"実績|じっせき|結果|けっか|(?:本当|ほんと|ほんとう|実際|じっさい)(?:は|の|に)|時点の(?:数値|数字|値)"
                           r"|時点で(?:何|なん|どれ|いくつ)"
                           r"|(?:上がった|あがった|増えた|ふえた|伸びた|のびた|下がった|減った|へった|達した|届いた)|\bactuals?\b|\bdid\b[^.?]{0,40}\bactually\b|\bresults?\b|\bdid (?:they|it|the city) (?:hit|reach|meet|achieve)")


# A figure asked as it stands or came out (「今何人」「何台になった」, "what was … at the end of"), unless
# a target is what is asked of it.
_ACTUAL_NOW = re.compile(r"(?:今|いま)(?:は|って|で|の)?(?:何|なん|どれ|いくつ)|(?:何|なん)(?:人|台|件|回|か所|箇所|%|％)?に(?:なった|なりました)"
                         r"|\bwhat was\b|\bhow many\b[^?.]{0,60}\b(?:now|currently|so far)\b", re.I)
_TARGET_ASKED = re.compile(r"目標|もくひょう|見込|予定|計画|\btarget|\bgoal|\baim|\bplan(?:ned)?\b", re.I)


def _actual_asked(text: str) -> bool:
    return bool(_ACTUAL_ASKED.search(text) or _ACTUAL_NOW.search(text) and not _TARGET_ASKED.search(text))


# "How many people took it": a count in 人, which a table of rates (受講した割合) does not give.
_EN_UNIT = re.compile(r"\bhow many (?:(people|persons|staff|employees|residents|users)(?! hours?\b| time\b)"
                      r"|(times|sessions)|(pcs|computers|laptops|devices|terminals))\b|\b(headcount)\b", re.I)


def _english_unit(clause: str) -> str | None:
    m = _EN_UNIT.search(clause)
    if m is None:
        return None
    return "回" if m.group(2) else "台" if m.group(3) else "人"


def figure_not_held(r: Reading, p: Project, intent: str, *, years: dict[str, tuple[int, int]],
                    title: str) -> str | None:
    """Why the project cannot give the figure asked (said in the reader's language, naming the
    project by ``title``), or None when it may."""
    year = r.question.year
    table = ("schedule" if intent == "project_schedule" or r.question.kind == "schedule"
             else "kpi" if intent == "project_kpi" or r.question.kind == "quantity"
             else "evaluation" if GRADE_OF_YEAR.search(r.text) else None)
    if year is not None and table is None and asked_year(fold(last_clause(r.text), kana=False)) == year:
        # 「令和2年度はどうだった」「れいわ10ねんにもある？」: a year before or after every table of the plan,
        # asked (not a story's 「2020年に引っ越してきた」).
        earliest, latest = min(f for f, _ in years.values()), max(t for _, t in years.values())
        if not earliest <= year <= latest:
            table = "kpi" if year < earliest else "schedule"
    if year is not None and table is not None:
        first, last = years[table]
        if not first <= year <= last:
            return years_reason(table, first, last, year, r.lang, c.year_label)
        if table == "kpi" and not _has_figures_for(p, year, asked=r.text):
            # 「令和6年度の全国の普及率」 of a project whose table (if any) has no such year.
            return year_unheld_reason(c.year_label(year, r.lang), r.lang, what=title)
        if table == "kpi" and p.indicators and _actual_asked(r.text) and years_named(r.cue_form) == 1 and not any(
                v.fiscal_year == year and v.kind != "target" and v.value is not None  # an actual, or the baseline
                for i in p.indicators for v in i.values):
            # 「R5の実績値、もう出てる？」: the plan (2023) gives that year's targets, not yet its actuals.
            return actual_unheld_reason(c.year_label(year, r.lang), r.lang, what=title)
    if table != "kpi":
        return None
    # The measure counts when the clause that asks names it (a story may mention 受け入れ可能人数).
    asking = last_clause(r.text)
    held = project_text(p)
    # A figure of something the project's texts (its KPI labels among them) never name is not held,
    # KPI table or not: 店舗数 of the cashless project, ダウンロード数 of open data, 職員数.
    measures = (r.question.rate_of, r.question.measure)
    unnamed = next((m for m in measures if m and m in asking and not measured(m, held)), None)
    unit = counted_unit(r.question.counter) if r.question.counter else _english_unit(last_sentence(r.text)) if r.lang == "en" else None
    if unit and p.indicators and any(counts_unit(i.label, unit) for i in p.indicators):
        unit = None  # 「ふなっぷは何人？」: its table counts users
    measure = r.question.measure if not p.indicators and r.question.measure in asking else ""
    said = r.question.counter in asking or r.lang == "en"  # an English count is read from that clause
    if not unnamed and unit and said and not counts_in(unit, held, near=measure):
        # 「何人減らせた？」 of a project with no KPI table whose texts count nothing in 人.
        return uncounted_reason(unit, r.lang, what=title)
    if unnamed:
        # 「PayPayで払ったらポイント何％？」「対応している店舗数」: a figure of something the
        # project's texts never name.
        return unmeasured_reason(unnamed, r.lang, what=title, kpis=tuple(i.label for i in p.indicators))
    return None
