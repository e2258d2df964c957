"""Is a parsed plan the whole plan? Checked against the document's own structure before it goes live.

The parser refuses what it cannot read; a copy that is cut short or missing a run of lines can
still read cleanly and lose projects or terms. The plan describes itself, so each check compares
one part of the document with another:

- the 目次 (contents) lists every 基本方針 and アプローチ策, and the body has exactly those;
- the 体系図 (the policies-and-approaches diagram), where the document has one, names the same;
- every approach has projects, numbered 1, 2, 3 … without a gap;
- every project block has each of its sections (事業名 … スケジュール … 評価, コメント), and a KPI
  table's rows sit under their 参考値 header (else they would be read as schedule rows);
- a table rule (`--\t---`, which the conversion writes under the first row of a table continued
  on a new page) sits under a table row, so a continued cell that went missing is noticed;
- a glossary listed in the 目次 ends where the document's back cover (its title again) begins,
  so a copy cut inside the glossary is refused.

What no document can say about itself — a whole glossary row or the last project of an approach
removed cleanly — is caught by comparing with the last good plan (:func:`compare`): a re-ingest
that loses projects, terms, approaches or policies is refused unless the operator forces it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from knowledge.records import Plan


class PlanCheckError(ValueError):
    """The parsed plan disagrees with the document's own structure (one line, for the operator)."""


_TOC_ENTRY = re.compile(r"^(?P<title>.*?)[.…・\s]*\t\s*(?P<page>\d+)\s*$")
_TOC_POLICY = re.compile(r"^基本方針\s*(\d+)\s")
_TOC_APPROACH = re.compile(r"^(\d+)\s+\S")
_DIAGRAM_APPROACH = re.compile(r"^[-・]\s*(\d+)-(\d+)\s+\S")
_PROJECT_START = re.compile(r"^事業番号\t\s*(\d+-\d+-\d+)")
_KPI_YEARS = re.compile(r"(^|\t)R\s*\d+\s*\[実績値\]")
_RULE = re.compile(r"^[-|: ]*-[-|: ]*(\t[-|: ]*)+$")
_GLOSSARY = "用語集"
# Each project block's sections, as the first cell of a row begins (評価 may share its row).
_SECTIONS = (("事業名", re.compile(r"^事業名\t")), ("担当部署", re.compile(r"^担当部署\t")),
             ("事業概要", re.compile(r"^事業概要")), ("スケジュール", re.compile(r"^スケジュール")),
             ("評価", re.compile(r"評価")), ("コメント", re.compile(r"コメント")))


@dataclass(frozen=True)
class Contents:
    policies: tuple[int, ...]
    approaches: tuple[str, ...]
    glossary: bool


def contents(lines: list[str]) -> Contents | None:
    """The 目次: its policies, approaches (policy-number) and whether it lists the glossary."""
    start = next((i for i, ln in enumerate(lines) if ln.strip() == "目次"), None)
    if start is None:
        return None
    policies: list[int] = []
    approaches: list[str] = []
    glossary = False
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        m = _TOC_ENTRY.match(line.strip("\n"))
        if m is None:
            break  # the contents end at the first line without a page number
        title = m.group("title").strip()
        if p := _TOC_POLICY.match(title + " "):
            policies.append(int(p.group(1)))
        elif (a := _TOC_APPROACH.match(title)) and policies:
            approaches.append(f"{policies[-1]}-{a.group(1)}")
        elif title == _GLOSSARY:
            glossary = True
    return Contents(tuple(policies), tuple(approaches), glossary)


def _diagram(lines: list[str]) -> set[str]:
    return {f"{m.group(1)}-{m.group(2)}" for ln in lines if (m := _DIAGRAM_APPROACH.match(ln.strip()))}


def _differ(what: str, listed: list[str] | tuple[str, ...], found: list[str] | tuple[str, ...], where: str) -> None:
    missing = [x for x in listed if x not in found]
    extra = [x for x in found if x not in listed]
    if missing:
        raise PlanCheckError(f"the {where} lists {what} {', '.join(missing)} but the body has no such section")
    if extra:
        raise PlanCheckError(f"{what} {', '.join(extra)} in the body is not in the {where}")


def _numbering(plan: Plan) -> None:
    by_approach: dict[str, list[int]] = {a.id: [] for a in plan.approaches}
    for p in plan.projects:
        by_approach.setdefault(p.approach_id, []).append(int(p.id.rsplit("-", 1)[1]))
    for aid, numbers in by_approach.items():
        if not numbers:
            raise PlanCheckError(f"approach {aid} has no projects")
        expected = list(range(1, max(numbers) + 1))
        gaps = [f"{aid}-{n}" for n in expected if n not in numbers]
        if gaps:
            raise PlanCheckError(f"project {', '.join(gaps)} is missing: approach {aid} runs "
                                 f"{', '.join(f'{aid}-{n}' for n in sorted(numbers))}")


def _sections(lines: list[str], glossary_at: int) -> None:
    starts = [(i, m.group(1)) for i, ln in enumerate(lines[:glossary_at]) if (m := _PROJECT_START.match(ln))]
    for n, (i, pid) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else glossary_at
        block = [ln.strip() for ln in lines[i + 1:end]]
        missing = [name for name, pattern in _SECTIONS if not any(pattern.search(ln) for ln in block)]
        if missing:
            raise PlanCheckError(f"project {pid} (line {i + 1}) lacks its {', '.join(missing)} section")
        kpi_rows = [ln for ln in block if _KPI_YEARS.search(ln)]
        if kpi_rows and not any(ln.startswith("参考値") for ln in block):
            raise PlanCheckError(f"project {pid} (line {i + 1}) has a KPI table (R…[実績値]) without its 参考値 header")


def _rules(lines: list[str]) -> None:
    for i, line in enumerate(lines):
        if _RULE.match(line.strip("\n")) and (i == 0 or "\t" not in lines[i - 1] or not lines[i - 1].strip()):
            raise PlanCheckError(f"line {i + 1}: a table rule without the table row above it (a line is missing)")


def check(text: str, plan: Plan) -> None:
    """Refuse (PlanCheckError) a parsed plan that disagrees with its own document."""
    lines = text.splitlines()
    toc = contents(lines)
    if toc is None or not toc.policies:
        raise PlanCheckError("no 目次 (table of contents) listing the 基本方針: cannot tell whether the plan is whole")
    _differ("基本方針", [str(p) for p in toc.policies], [str(p.id) for p in plan.policies], "目次")
    _differ("approach", toc.approaches, [a.id for a in plan.approaches], "目次")
    diagram = _diagram(lines)
    if diagram:
        _differ("approach", sorted(diagram), [a.id for a in plan.approaches], "体系図")
    _numbering(plan)
    glossary_at = next((i for i, ln in enumerate(lines) if ln.strip() == _GLOSSARY), len(lines))
    _sections(lines, glossary_at)
    _rules(lines)
    if toc.glossary:
        if glossary_at == len(lines) or not plan.glossary:
            raise PlanCheckError("the 目次 lists a 用語集 but the document has none")
        if not any(ln.strip() == plan.title for ln in lines[glossary_at + 1:]):
            raise PlanCheckError(f"the 用語集 runs to the end of the document (line {len(lines)}) without the back "
                                 f"cover that closes it: the copy looks cut short ({len(plan.glossary)} terms read)")


# --------------------------------------------------------------------------- against the last good plan


@dataclass(frozen=True)
class Outline:
    """What a plan holds, by id and name: enough to tell what a new copy would lose."""

    policies: tuple[int, ...]
    approaches: tuple[str, ...]
    projects: tuple[str, ...]
    terms: tuple[str, ...]

    @classmethod
    def of(cls, plan: Plan) -> Outline:
        return cls(tuple(p.id for p in plan.policies), tuple(a.id for a in plan.approaches),
                   tuple(p.id for p in plan.projects), tuple(t.term for t in plan.glossary))

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Outline:
        data = json.loads(text)
        return cls(*(tuple(data[k]) for k in ("policies", "approaches", "projects", "terms")))


def losses(new: Outline, old: Outline) -> list[str]:
    """What ``old`` has that ``new`` lacks, as short phrases (empty: nothing is lost)."""
    out = []
    for what, before, after in (("基本方針", old.policies, new.policies), ("approach", old.approaches, new.approaches),
                                ("project", old.projects, new.projects), ("term", old.terms, new.terms)):
        gone = [str(x) for x in before if x not in after]
        if gone:
            shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
            out.append(f"{len(gone)} {what}{'s' if len(gone) > 1 else ''} ({shown})")
    return out


def compare(plan: Plan, last_good: Outline | None) -> None:
    """Refuse a plan that loses what the last good plan had (a new edition that drops items is forced)."""
    if last_good is None:
        return
    lost = losses(Outline.of(plan), last_good)
    if lost:
        raise PlanCheckError(f"it would drop {'; '.join(lost)} that the last good plan has")


def validate(text: str, plan: Plan, *, last_good: Outline | None = None) -> None:
    """Every check ``dxbot ingest`` makes before a plan goes live."""
    check(text, plan)
    compare(plan, last_good)
