"""Read the knowledge base into plain records: the one read path handlers use.

The plan is small (26 projects, 39 terms; a 100× plan is still a few thousand rows), so a
snapshot is loaded once and kept in memory; ``Catalog.is_stale`` tells a long-running process
that a re-ingest or a new alias bumped the database's generation.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sqlite_utils import Database

from knowledge.normalize import normalize
from knowledge.numbers import stored_actuals, stored_number
from knowledge.records import (
    Approach,
    Evaluation,
    Indicator,
    KpiValue,
    Policy,
    Project,
    ScheduleItem,
    Term,
)
from knowledge.store import meta

_SEP = "\x00"  # between texts scanned in memory; normalising turns control characters into spaces


@dataclass(frozen=True)
class AliasEntry:
    alias: str
    normalized: str
    kind: str
    target: str
    source: str


@dataclass(frozen=True)
class TextHit:
    kind: str
    ref: str
    field: str
    hits: int


@dataclass(frozen=True)
class TextDoc:
    kind: str
    ref: str
    field: str
    text: str  # as the plan writes it
    normalized: str


@dataclass
class Catalog:
    db: Database
    title: str
    edition: str
    generation: str
    policies: dict[int, Policy]
    approaches: dict[str, Approach]
    projects: dict[str, Project]
    terms: dict[str, Term]
    departments: tuple[str, ...]
    aliases: tuple[AliasEntry, ...]
    english: dict[tuple[str, str], str] = field(default_factory=dict)
    # Where submissions and taught aliases live (the same SQLite file, or PostgreSQL: a
    # state.statedb.StateDB), and its generation when this snapshot was read.
    state: Any = None
    shared_generation: str = ""
    # Texts searched for words too short for the trigram index, per kind (see _docs_containing).
    _short_scan: dict[str | None, tuple[str, list[int], list[tuple[str, str, str, str, str]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    # Projects grouped once per snapshot (at 100x, walking every project per question was the
    # slowest part of a "which one?").
    _groups: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ lookups
    def project(self, pid: str) -> Project | None:
        return self.projects.get(pid)

    def reposts_of(self, pid: str) -> tuple[str, ...]:
        """The projects listed again under another policy as ``pid`` (5-1-2 of 4-1-1)."""
        return self._grouped("reposts", lambda p: p.repost_of).get(pid, ())

    def projects_under(self, approach_id: str) -> tuple[str, ...]:
        """The projects of one approach (施策) in plan order, reposts left out."""
        return self._grouped("approach", lambda p: None if p.repost_of else p.approach_id).get(approach_id, ())

    def _grouped(self, name: str, by: Callable[[Project], str | None]) -> dict[str, tuple[str, ...]]:
        groups = self._groups.get(name)
        if groups is None:
            found: dict[str, list[str]] = {}
            for p in self.projects.values():
                group = by(p)
                if group:
                    found.setdefault(group, []).append(p.id)
            groups = self._groups[name] = {g: tuple(ids) for g, ids in found.items()}
        return groups

    def english_name(self, kind: str, target: str) -> str | None:
        return self.english.get((kind, target))

    def projects_of_department(self, name: str) -> list[Project]:
        return [p for p in self.projects.values() if name in p.departments]

    def projects_with_grade(self, grade: str | None, *, include_drafts: bool = False) -> list[Project]:
        out = []
        for p in self.projects.values():
            e = p.latest_evaluation(include_drafts=include_drafts)
            if e is not None and e.grade == grade:
                out.append(p)
        return out

    def is_stale(self, *, fresh: bool = False) -> bool:
        """Whether a re-ingest, a submission or a taught alias moved a generation since this snapshot.

        The state (``state.catalog.load_catalog`` sets it) reads both generations: one small
        statement when it is the knowledge base's own file, and nothing else is read while they
        stand still. ``fresh``: PostgreSQL's shared generation is read, not taken from its short
        cache (for a caller that already asks only every so often).
        """
        if self.state is None:
            with self.db.lock:  # type: ignore[attr-defined]
                return (meta(self.db, "generation") or "") != self.generation
        plan, shared = self.state.generations(self.db, fresh=fresh)
        return plan != self.generation or shared != self.shared_generation

    # ------------------------------------------------------------------ full text
    def search_text(self, text: str, *, kind: str | None = None, limit: int = 50) -> list[TextHit]:
        """Where the normalised ``text`` occurs in names, definitions and project texts.

        FTS5 with the trigram tokenizer for 3+ characters (the input quoted as one phrase, so
        no user text is ever read as query syntax); LIKE for shorter text, which trigram
        cannot index.
        """
        needle = normalize(text)
        rows = self._docs_containing(needle, kind=kind, limit=int(limit) * 4)
        return [TextHit(k, ref, fld, normalized.count(needle)) for k, ref, fld, _, normalized in rows]

    def documents_containing(self, text: str, *, limit: int = 200) -> list[TextDoc]:
        """The indexed texts (names, definitions, project texts) that contain ``text``, whole."""
        return [TextDoc(*row) for row in self._docs_containing(normalize(text), kind=None, limit=limit)]

    def documents(self, *, fields: tuple[str, ...]) -> list[TextDoc]:
        """Every indexed text of these fields (e.g. all definitions and project texts)."""
        marks = ", ".join("?" * len(fields))
        with self.db.lock:  # type: ignore[attr-defined]
            rows = list(self.db.query(
                f"SELECT kind, ref, field, text, normalized FROM search_docs WHERE field IN ({marks}) ORDER BY id",
                list(fields)))
        return [TextDoc(r["kind"], r["ref"], r["field"], r["text"], r["normalized"]) for r in rows]

    def _docs_containing(self, needle: str, *, kind: str | None, limit: int) -> list[tuple[str, str, str, str, str]]:
        """(kind, ref, field, text, normalized) rows, as the cursor gives them (no dict per row)."""
        if not needle:
            return []
        if len(needle) >= 3:
            phrase = '"' + needle.replace('"', '""') + '"'
            sql = (
                "SELECT d.kind, d.ref, d.field, d.text, d.normalized FROM search_docs_fts f "
                "JOIN search_docs d ON d.rowid = f.rowid WHERE search_docs_fts MATCH ?"
            )
            params: list[object] = [phrase]
        elif _SEP not in needle:
            return self._scan_short(needle, kind=kind, limit=limit)
        else:
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql = "SELECT kind, ref, field, text, normalized FROM search_docs d WHERE normalized LIKE ? ESCAPE '\\'"
            params = [f"%{escaped}%"]
        if kind:
            sql += " AND d.kind = ?"
            params.append(kind)
        with self.db.lock:  # type: ignore[attr-defined]
            return self.db.conn.execute(sql + f" LIMIT {int(limit)}", params).fetchall()

    def _scan_short(self, needle: str, *, kind: str | None, limit: int) -> list[tuple[str, str, str, str, str]]:
        """What ``normalized LIKE '%needle%'`` gives (the same rows, in rowid order), found in memory.

        A word of one or two characters ("研修") cannot use the trigram index, and the LIKE scan
        of every text took over a millisecond per question at 100x the plan. The texts of a kind
        are read once and kept joined, so one ``str.find`` in C walks them. Normalised text is
        case-folded, so LIKE's ASCII case-insensitivity finds nothing more.
        """
        if kind not in self._short_scan:
            with self.db.lock:  # type: ignore[attr-defined]
                sql = "SELECT kind, ref, field, text, normalized FROM search_docs"
                rows = self.db.conn.execute(sql + (" WHERE kind = ? ORDER BY rowid" if kind else " ORDER BY rowid"),
                                            [kind] if kind else []).fetchall()
            starts = list(accumulate((len(r[4]) + 1 for r in rows[:-1]), initial=0))
            self._short_scan[kind] = (_SEP.join(r[4] for r in rows), starts, rows)
        joined, starts, rows = self._short_scan[kind]
        found: list[tuple[str, str, str, str, str]] = []
        at = joined.find(needle)
        while at != -1 and len(found) < limit:
            i = bisect_right(starts, at) - 1
            found.append(rows[i])
            at = joined.find(needle, starts[i + 1]) if i + 1 < len(starts) else -1
        return found


_KIND_ORDER = {"baseline": 0, "target": 1, "actual": 2}


def _by_year(values: list[KpiValue]) -> tuple[KpiValue, ...]:
    return tuple(sorted(values, key=lambda v: (v.fiscal_year, _KIND_ORDER[v.kind])))


def read_catalog(db: Database, submissions: list[dict[str, Any]], taught: list[dict[str, Any]]) -> Catalog:
    policies = {r["id"]: Policy(r["id"], r["title"]) for r in db.query("SELECT * FROM policies ORDER BY id")}
    approaches = {
        r["id"]: Approach(r["id"], r["policy_id"], r["title"], r["vision"])
        for r in db.query("SELECT * FROM approaches ORDER BY id")
    }
    values = _kpi_values(db)
    evaluations, invalid_actuals = _evaluations(db, submissions)
    _complete_actuals(values, evaluations, invalid_actuals)
    projects = _projects(db, values, evaluations)
    terms = {
        r["term"]: Term(r["term"], r["definition"], tuple(json.loads(r["urls"] or "[]")), r["position"])
        for r in db.query("SELECT * FROM glossary ORDER BY position")
    }
    known = {("project", pid) for pid in projects} | {("glossary", term) for term in terms}
    rows = [*db.query("SELECT * FROM aliases WHERE source != 'user'"),
            *(r for r in taught if (r["kind"], r["target"]) in known)]
    aliases = tuple(
        AliasEntry(r["alias"], r["normalized"], r["kind"], r["target"], r["source"])
        for r in sorted(rows, key=lambda r: (r["kind"], r["target"], r["alias"]))
    )
    english = {(r["kind"], r["target"]): r["name"] for r in db.query("SELECT * FROM english_names")}
    departments = tuple(r["name"] for r in db.query("SELECT name FROM departments ORDER BY id"))
    return Catalog(
        db=db, title=meta(db, "title") or "", edition=meta(db, "edition") or "",
        generation=meta(db, "generation") or "", policies=policies, approaches=approaches, projects=projects,
        terms=terms, departments=departments, aliases=aliases, english=english,
    )


def _kpi_values(db: Database) -> dict[tuple[str, int], list[KpiValue]]:
    values: dict[tuple[str, int], list[KpiValue]] = defaultdict(list)
    for r in db.query("SELECT * FROM kpis ORDER BY project_id, indicator, fiscal_year"):
        value, invalid = stored_number(r["value"])
        values[(r["project_id"], r["indicator"])].append(
            KpiValue(r["fiscal_year"], r["kind"], value, r["text"], stored_number(r["revised_from"])[0], invalid)
        )
    return values


def _evaluations(db: Database, submissions: list[dict[str, Any]]
                 ) -> tuple[dict[str, list[Evaluation]], set[tuple[str, int, int]]]:
    """Each project's evaluations, the plan's and the submitted ones, and the published actuals that
    were stored invalid (project, year, indicator)."""
    evaluations: dict[str, list[Evaluation]] = defaultdict(list)
    invalid_actuals: set[tuple[str, int, int]] = set()
    plan_rows = list(db.query("SELECT * FROM evaluations WHERE source = 'plan' AND replaced_at IS NULL "
                              "ORDER BY project_id, fiscal_year, id"))
    # A published submission replaces the plan's own evaluation of that year.
    published = {(r["project_id"], r["fiscal_year"]) for r in submissions if r["status"] == "published"}
    plan_rows = [r for r in plan_rows if (r["project_id"], r["fiscal_year"]) not in published]
    for r in sorted([*plan_rows, *submissions], key=lambda r: (r["project_id"], r["fiscal_year"], r["source"] != "plan",
                                                               r["id"])):
        checked = stored_actuals(r["actuals"], where=f"evaluation {r['id']} ({r['project_id']})")
        actuals = tuple((no, value) for no, (value, _) in checked.items())
        if r["status"] == "published":
            invalid_actuals |= {(r["project_id"], r["fiscal_year"], no) for no, (_, bad) in checked.items() if bad}
        evaluations[r["project_id"]].append(
            Evaluation(
                fiscal_year=r["fiscal_year"], grade=r["grade"], comment=r["comment"] or "", source=r["source"],
                status=r["status"], submitted_by=r["submitted_by"], submitted_at=r["submitted_at"], actuals=actuals,
            )
        )
    return evaluations, invalid_actuals


def _complete_actuals(values: dict[tuple[str, int], list[KpiValue]], evaluations: dict[str, list[Evaluation]],
                      invalid_actuals: set[tuple[str, int, int]]) -> None:
    """Actuals from published submissions complete the KPI tables (the plan only has R4's)."""
    for pid, evs in evaluations.items():
        for e in evs:
            if e.status != "published" or e.source != "submission":
                continue
            for no, value in e.actuals:
                table = values.get((pid, no))
                invalid = (pid, e.fiscal_year, no) in invalid_actuals
                if table is not None and (value is not None or invalid) and not any(
                    v.fiscal_year == e.fiscal_year and v.kind == "actual" for v in table
                ):
                    table.append(KpiValue(e.fiscal_year, "actual", value, "submitted", invalid=invalid))


def _projects(db: Database, values: dict[tuple[str, int], list[KpiValue]],
              evaluations: dict[str, list[Evaluation]]) -> dict[str, Project]:
    depts: dict[str, list[str]] = defaultdict(list)
    for r in db.query(
        "SELECT pd.project_id, d.name FROM project_departments pd JOIN departments d ON d.id = pd.department_id "
        "ORDER BY pd.project_id, pd.position"
    ):
        depts[r["project_id"]].append(r["name"])
    schedule: dict[str, list[ScheduleItem]] = defaultdict(list)
    for r in db.query("SELECT * FROM schedule ORDER BY project_id, row"):
        schedule[r["project_id"]].append(
            ScheduleItem(r["row"], r["fiscal_year"], r["text"], r["new_in"], bool(r.get("continues")))
        )
    indicators: dict[str, list[Indicator]] = defaultdict(list)
    for r in db.query("SELECT * FROM kpi_indicators ORDER BY project_id, indicator"):
        indicators[r["project_id"]].append(Indicator(r["indicator"], r["label"], r["unit"],
                                                     _by_year(values[(r["project_id"], r["indicator"])]), r["note"] or ""))
    projects = {}
    for r in db.query("SELECT * FROM projects WHERE active = 1"):
        projects[r["id"]] = Project(
            id=r["id"], name=r["name"], departments=tuple(depts[r["id"]]), policy_id=r["policy_id"],
            approach_id=r["approach_id"], set_year=r["set_year"], current=r["current"], issue=r["issue"],
            goal=r["goal"], schedule=tuple(schedule[r["id"]]), indicators=tuple(indicators[r["id"]]),
            evaluations=tuple(evaluations[r["id"]]), note=r["note"] or "", repost_of=r["repost_of"], line=r["line"],
        )
    return dict(sorted(projects.items(), key=lambda kv: _id_key(kv[0])))


def _id_key(pid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", pid))
