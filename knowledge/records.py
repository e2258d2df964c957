"""Plain, frozen records for the action plan: what the parser produces and the store returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

#: The evaluation grades and what each means, as the plan defines them.
GRADES: dict[str, str] = {
    "A": "予定より早く実施",
    "B": "おおむね予定どおり実施",
    "C": "予定より遅れて実施",
    "D": "実施に至らなかった",
}
GRADES_EN: dict[str, str] = {
    "A": "ahead of schedule",
    "B": "mostly on schedule",
    "C": "behind schedule",
    "D": "not carried out",
}


def reiwa_to_fiscal(reiwa: int) -> int:
    """Reiwa year N is fiscal (Gregorian) year 2018 + N: R4 is 2022."""
    return 2018 + reiwa


def fiscal_to_reiwa(year: int) -> int:
    return year - 2018


@dataclass(frozen=True)
class Policy:
    id: int
    title: str


@dataclass(frozen=True)
class Approach:
    id: str  # "1-3"
    policy_id: int
    title: str
    vision: str  # 目指すべき姿


@dataclass(frozen=True)
class ScheduleItem:
    row: int
    fiscal_year: int
    text: str
    new_in: int | None = None  # fiscal year of a 【R● 新】 marker
    continues: bool = False  # empty cells follow it in its row: it runs on from its year (the arrow was lost)


@dataclass(frozen=True)
class KpiValue:
    fiscal_year: int
    kind: str  # "baseline" | "target" | "actual"
    value: float | None  # None where the plan shows "—"
    text: str  # the cell as written, e.g. "24,000 ⇒ 20,000"
    revised_from: float | None = None
    invalid: bool = False  # the stored number was not a finite number: shown as invalid, value None


@dataclass(frozen=True)
class Indicator:
    no: int
    label: str
    unit: str | None = None
    values: tuple[KpiValue, ...] = ()
    note: str = ""

    def value(self, fiscal_year: int, kind: str) -> KpiValue | None:
        for v in self.values:
            if v.fiscal_year == fiscal_year and v.kind == kind:
                return v
        return None

    @property
    def baseline(self) -> KpiValue | None:
        return next((v for v in self.values if v.kind == "baseline"), None)

    def years(self) -> list[int]:
        return sorted({v.fiscal_year for v in self.values if v.kind != "baseline"})


@dataclass(frozen=True)
class Evaluation:
    fiscal_year: int
    grade: str | None  # A–D, None where the plan shows "—"
    comment: str
    source: str = "plan"  # "plan" | "submission"
    status: str = "published"  # "published" | "draft"
    submitted_by: str | None = None
    submitted_at: str | None = None
    actuals: tuple[tuple[int, float | None], ...] = ()  # (indicator no, value)


@dataclass(frozen=True)
class Project:
    id: str  # "2-3-1"
    name: str
    departments: tuple[str, ...]
    policy_id: int
    approach_id: str
    set_year: int | None
    current: str  # 現状
    issue: str  # 課題
    goal: str  # 目標
    schedule: tuple[ScheduleItem, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    note: str = ""
    repost_of: str | None = None  # 5-1-2 repeats 4-1-1 ("再掲")
    line: int = 0

    def latest_evaluation(self, *, include_drafts: bool = False) -> Evaluation | None:
        # Remembered per record (records are frozen): a list answer asks it of thousands of
        # projects at 100x the plan, filtering and then printing each one's grade.
        return self._latest_with_drafts if include_drafts else self._latest_published

    @cached_property
    def _latest_published(self) -> Evaluation | None:
        return _latest([e for e in self.evaluations if e.status == "published"])

    @cached_property
    def _latest_with_drafts(self) -> Evaluation | None:
        return _latest(list(self.evaluations))


def _latest(evaluations: list[Evaluation]) -> Evaluation | None:
    if not evaluations:
        return None
    # A draft outranks the published row of the same year: staff want to see the newest word.
    return max(evaluations, key=lambda e: (e.fiscal_year, e.status == "draft", e.submitted_at or ""))


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    urls: tuple[str, ...] = ()
    position: int = 0


@dataclass(frozen=True)
class Plan:
    title: str
    edition: str
    policies: tuple[Policy, ...]
    approaches: tuple[Approach, ...]
    projects: tuple[Project, ...]
    glossary: tuple[Term, ...]
    source_sha256: str = ""
    extras: dict[str, str] = field(default_factory=dict)
