"""The SQLite knowledge base (sqlite-utils): schema, ingest and the bundled plan."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from knowledge import changes
from knowledge.aliases import Alias, AliasData, load_alias_data, reading, romaji_spellings, variants
from knowledge.normalize import normalize
from knowledge.parse import parse_plan
from knowledge.records import Plan, Project
from knowledge.validate import Outline

SCHEMA_VERSION = 2  # 2: schedule.continues
# How aliases are generated from names (readings, romaji): a file built by older rules is rebuilt.
GENERATED_ALIASES = 3  # 2: readings from Sudachi (not pykakasi), romaji spellings; 3: reposts named as their originals
BUNDLED_PLAN = "funabashi_dx_action_plan_r5.txt"
DEFAULT_DB = "dxbot.db"

# Rows a newer edition of the plan replaces. Evaluations submitted through the bot, and aliases
# taught at run time, are not among them.
_PLAN_TABLES = ("search_docs", "kpis", "kpi_indicators", "schedule", "project_departments", "glossary")


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes SQLite's write lock first (BEGIN IMMEDIATE).

    With several processes on one file, a transaction that reads and then writes can be refused
    outright ("database is locked") when another writer got in between; taking the lock up front
    makes it wait its turn (busy timeout) instead. Nested use joins the outer transaction.
    """
    with db.lock:  # type: ignore[attr-defined]
        if db.conn.in_transaction:
            yield db
            return
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")


def bundled_plan_text() -> str:
    return resources.files("knowledge").joinpath(f"data/{BUNDLED_PLAN}").read_text(encoding="utf-8")



def _open(target: str) -> Database:
    db = Database(sqlite3.connect(target, check_same_thread=False, timeout=15))
    db.lock = threading.RLock()  # type: ignore[attr-defined]
    db.execute("PRAGMA busy_timeout = 15000")
    db.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten rows are zeroed, not left in the file's free space: a finished
    # queue row's text and ids must not outlive it on disk.
    db.execute("PRAGMA secure_delete = ON")
    if target != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL is durable across application crashes (only an OS crash may lose the
        # last commits) and spares an fsync per commit: the webhooks commit several times a request.
        db.execute("PRAGMA synchronous = NORMAL")
    return db


class ThreadLocalDatabase:
    """One sqlite-utils ``Database`` per thread over one file, used like a ``Database``.

    Bolt, the web server and the scheduler work in thread pools. Sharing one connection would
    need one Python lock around every query, and under the GIL that lock convoys; separate
    connections let SQLite (WAL) do the locking: readers never block, writers queue on
    BEGIN IMMEDIATE, and the GIL is released while they wait.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()

    def _db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = _open(self._path)
        return db

    # The attributes every statement uses, looked up directly: through __getattr__ (a failed
    # normal lookup first) they cost more than a short query.
    @property
    def conn(self) -> sqlite3.Connection:
        return self._db().conn

    @property
    def lock(self) -> threading.RLock:
        return self._db().lock  # type: ignore[attr-defined]

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        return self._db().execute(sql, parameters)

    def __getattr__(self, name: str):
        return getattr(self._db(), name)

    def __getitem__(self, name: str):
        return self._db()[name]

    def __repr__(self) -> str:
        return f"<ThreadLocalDatabase {self._path}>"


def open_knowledge(path: str | Path | None = None, *, memory: bool = False) -> Database:
    """Open the knowledge base with foreign keys enforced (and WAL for files, so readers never block).

    A file gets a connection per thread (:class:`ThreadLocalDatabase`); an in-memory database,
    which exists only inside its one connection, is shared, its ``db.lock`` keeping each unit of
    work whole. Only the plan's own tables are made here: the state's (among them the evaluations
    and aliases that the plan's rows share with submissions and taught aliases) come from the
    state's migrations, which ``state.database.connect`` runs on this file.
    """
    target = ":memory:" if memory or path in (None, ":memory:") else str(path)
    db = _open(target) if target == ":memory:" else ThreadLocalDatabase(target)
    with write_transaction(db):  # type: ignore[arg-type]
        ensure_schema(db)  # type: ignore[arg-type]
    return db  # type: ignore[return-value]


def ensure_schema(db: Database) -> None:
    t = db.table
    if "meta" not in db.table_names():
        db.table("meta").create({"key": str, "value": str}, pk="key")
    t("policies").create({"id": int, "title": str}, pk="id", if_not_exists=True)
    t("approaches").create(
        {"id": str, "policy_id": int, "title": str, "vision": str},
        pk="id",
        foreign_keys=[("policy_id", "policies", "id")],
        if_not_exists=True,
    )
    t("projects").create(
        {
            "id": str, "name": str, "policy_id": int, "approach_id": str, "set_year": int,
            "current": str, "issue": str, "goal": str, "note": str, "repost_of": str,
            "line": int, "active": int,
        },
        pk="id",
        foreign_keys=[("policy_id", "policies", "id"), ("approach_id", "approaches", "id")],
        if_not_exists=True,
    )
    t("departments").create({"id": int, "name": str}, pk="id", if_not_exists=True)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS departments_name ON departments(name)")
    t("project_departments").create(
        {"project_id": str, "department_id": int, "position": int},
        pk=("project_id", "department_id"),
        foreign_keys=[("project_id", "projects", "id"), ("department_id", "departments", "id")],
        if_not_exists=True,
    )
    t("schedule").create(
        {"project_id": str, "row": int, "fiscal_year": int, "text": str, "new_in": int, "continues": int},
        pk=("project_id", "row"),
        foreign_keys=[("project_id", "projects", "id")],
        if_not_exists=True,
    )
    t("kpi_indicators").create(
        {"project_id": str, "indicator": int, "label": str, "unit": str, "note": str},
        pk=("project_id", "indicator"),
        foreign_keys=[("project_id", "projects", "id")],
        if_not_exists=True,
    )
    t("kpis").create(
        {
            "project_id": str, "indicator": int, "fiscal_year": int, "kind": str,
            "value": float, "text": str, "revised_from": float,
        },
        pk=("project_id", "indicator", "fiscal_year", "kind"),
        foreign_keys=[("project_id", "projects", "id")],
        if_not_exists=True,
    )
    t("glossary").create(
        {"term": str, "definition": str, "urls": str, "position": int}, pk="term", if_not_exists=True
    )
    t("english_names").create({"kind": str, "target": str, "name": str}, pk=("kind", "target"), if_not_exists=True)
    if "search_docs" not in db.table_names():
        db.table("search_docs").create(
            {"id": int, "kind": str, "ref": str, "field": str, "text": str, "normalized": str}, pk="id"
        )
        # Trigram: Japanese has no spaces to split words on; any 3-character run is findable.
        db.table("search_docs").enable_fts(["normalized"], tokenize="trigram", create_triggers=True)
    if db["meta"].count == 0 or _meta(db, "schema_version") is None:
        db.table("meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")


def _meta(db: Database, key: str) -> str | None:
    rows = list(db.query("SELECT value FROM meta WHERE key = ?", [key]))
    return rows[0]["value"] if rows else None


def meta(db: Database, key: str) -> str | None:
    return _meta(db, key)


def bump_generation(db: Database, *, commit: bool = True) -> None:
    """Tell running processes that answers changed (a submission, a publish, a new alias).

    Inside ``write_transaction`` pass ``commit=False``: the transaction commits it with the change.
    """
    changes.note()
    db.execute("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
               "SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")
    if commit:
        db.conn.commit()


@dataclass(frozen=True)
class IngestReport:
    projects: int
    terms: int
    kpi_rows: int
    aliases: int
    changed: bool  # False when the same document was ingested already


@lru_cache(maxsize=1)
def inputs_digest() -> str:
    """What a knowledge base is built from besides the plan: this code's schema and the bundled
    aliases (names, readings, English names). A file built from other inputs is rebuilt."""
    aliases = resources.files("knowledge").joinpath("data/aliases.toml").read_text(encoding="utf-8")
    return hashlib.sha256(f"{SCHEMA_VERSION}\n{GENERATED_ALIASES}\n{aliases}".encode()).hexdigest()


def ingest(db: Database, plan: Plan, *, aliases: AliasData | None = None, now: datetime,
           forced: bool = False, text: str | None = None, origin: str = "given") -> IngestReport:
    """Replace every plan-sourced row with ``plan``, in one transaction.

    Submitted evaluations and user-taught aliases survive. A project that a newer edition drops
    is deleted, or kept inactive when evaluations were submitted for it. Unless ``forced`` (an
    operator overrode the checks), the plan becomes the last good one that later copies are
    compared with. ``text`` (the plan as read) and ``origin`` ("bundled", "file", "shared") are
    kept, so that the file can be rebuilt from the same plan when its other inputs change.
    """
    aliases = aliases or load_alias_data()
    with write_transaction(db):
        for table in _PLAN_TABLES:
            db.execute(f"DELETE FROM [{table}]")
        db.execute("DELETE FROM evaluations WHERE source = 'plan'")
        db.execute("DELETE FROM aliases WHERE source != 'user'")
        db.execute("DELETE FROM english_names")
        db.table("policies").upsert_all([{"id": p.id, "title": p.title} for p in plan.policies], pk="id")
        db.table("approaches").upsert_all(
            [{"id": a.id, "policy_id": a.policy_id, "title": a.title, "vision": a.vision} for a in plan.approaches],
            pk="id",
        )
        _write_projects(db, plan.projects)
        db.table("glossary").insert_all(
            [
                {"term": t.term, "definition": t.definition, "urls": json.dumps(list(t.urls)), "position": t.position}
                for t in plan.glossary
            ],
            pk="term",
        )
        alias_rows = _alias_rows(plan, aliases)
        db.table("aliases").insert_all(alias_rows, pk=("alias", "kind", "target"), ignore=True)
        db.table("english_names").insert_all(
            [{"kind": k, "target": t, "name": n} for (k, t), n in aliases.english.items()], pk=("kind", "target")
        )
        db.table("search_docs").insert_all(_search_rows(plan), pk="id")
        _drop_unused(db, {a.id for a in plan.approaches}, {p.id for p in plan.policies})
        previous = _meta(db, "source_sha256")
        changes.note()
        for key, value in {
            "schema_version": str(SCHEMA_VERSION),
            "title": plan.title,
            "edition": plan.edition,
            "source_sha256": plan.source_sha256,
            "source_origin": origin,
            "source_text": text or "",
            "inputs_sha256": inputs_digest(),
            "ingested_at": now.isoformat(),
            "generation": str(int(_meta(db, "generation") or 0) + 1),
            **({} if forced else {"last_good_outline": Outline.of(plan).to_json()}),
        }.items():
            db.table("meta").upsert({"key": key, "value": value}, pk="key")
    return IngestReport(
        projects=len(plan.projects),
        terms=len(plan.glossary),
        kpi_rows=db["kpis"].count,
        aliases=len(alias_rows),
        changed=previous != plan.source_sha256,
    )


def _write_projects(db: Database, projects: tuple[Project, ...]) -> None:
    keep = {p.id for p in projects}
    db.table("projects").upsert_all(
        [
            {
                "id": p.id, "name": p.name, "policy_id": p.policy_id, "approach_id": p.approach_id,
                "set_year": p.set_year, "current": p.current, "issue": p.issue, "goal": p.goal,
                "note": p.note, "repost_of": p.repost_of, "line": p.line, "active": 1,
            }
            for p in projects
        ],
        pk="id",
    )
    for row in list(db.query("SELECT id FROM projects")):
        if row["id"] in keep:
            continue
        submitted = db.execute("SELECT count(*) FROM evaluations WHERE project_id = ?", [row["id"]]).fetchone()[0]
        if submitted:
            db.execute("UPDATE projects SET active = 0 WHERE id = ?", [row["id"]])
        else:
            db.execute("DELETE FROM projects WHERE id = ?", [row["id"]])
    names = sorted({d for p in projects for d in p.departments})
    for name in names:
        db.execute("INSERT OR IGNORE INTO departments(name) VALUES (?)", [name])
    dept_ids = {r["name"]: r["id"] for r in db.query("SELECT id, name FROM departments")}
    db.execute(
        "DELETE FROM departments WHERE name NOT IN ({}) AND id NOT IN (SELECT department_id FROM project_departments)"
        .format(",".join("?" * len(names))),
        names,
    )
    db.table("project_departments").insert_all(
        [
            {"project_id": p.id, "department_id": dept_ids[d], "position": i}
            for p in projects
            for i, d in enumerate(p.departments)
        ],
        pk=("project_id", "department_id"),
    )
    db.table("schedule").insert_all(
        [
            {"project_id": p.id, "row": s.row, "fiscal_year": s.fiscal_year, "text": s.text, "new_in": s.new_in,
             "continues": int(s.continues)}
            for p in projects
            for s in p.schedule
        ],
        pk=("project_id", "row"),
        alter=True,  # a knowledge base from before "continues" gains the column
    )
    db.table("kpi_indicators").insert_all(
        [
            {"project_id": p.id, "indicator": i.no, "label": i.label, "unit": i.unit, "note": i.note}
            for p in projects
            for i in p.indicators
        ],
        pk=("project_id", "indicator"),
    )
    db.table("kpis").insert_all(
        [
            {
                "project_id": p.id, "indicator": i.no, "fiscal_year": v.fiscal_year, "kind": v.kind,
                "value": v.value, "text": v.text, "revised_from": v.revised_from,
            }
            for p in projects
            for i in p.indicators
            for v in i.values
        ],
        pk=("project_id", "indicator", "fiscal_year", "kind"),
    )
    db.table("evaluations").insert_all(
        [
            {
                "project_id": p.id, "fiscal_year": e.fiscal_year, "grade": e.grade, "comment": e.comment,
                "source": "plan", "status": "published", "actuals": None,
            }
            for p in projects
            for e in p.evaluations
        ],
    )


def _drop_unused(db: Database, approach_ids: set[str], policy_ids: set[int]) -> None:
    db.execute("DELETE FROM approaches WHERE id NOT IN (SELECT approach_id FROM projects) "
               "AND id NOT IN ({})".format(",".join("?" * len(approach_ids))), list(approach_ids))
    db.execute("DELETE FROM policies WHERE id NOT IN (SELECT policy_id FROM projects) "
               "AND id NOT IN ({})".format(",".join("?" * len(policy_ids))), list(policy_ids))


def _alias_rows(plan: Plan, data: AliasData) -> list[dict[str, str]]:
    names: list[tuple[str, str, str]] = [("project", p.id, p.name) for p in plan.projects]
    names += [("glossary", t.term, t.term) for t in plan.glossary]
    names += [("department", d, d) for d in sorted({d for p in plan.projects for d in p.departments})]
    names += [("approach", a.id, a.title) for a in plan.approaches]
    # Policies get their listed aliases only: readings of their long titles would slow every lookup.
    known = {(kind, target) for kind, target, _ in names} | {("policy", str(p.id)) for p in plan.policies}
    rows: list[Alias] = [a for a in data.aliases if (a.kind, a.target) in known]
    # A repost (5-1-2 of 4-1-1) is called what its original is called; its title without (再掲) is
    # the original's own name, which names the original.
    reposts = [(p.repost_of, p.id) for p in plan.projects if p.repost_of]
    rows += [replace(a, target=repost) for original, repost in reposts for a in data.aliases
             if a.kind == "project" and a.target == original]
    titles = {normalize(p.name) for p in plan.projects}
    for kind, target, name in names:
        rows += [Alias(v, kind, target, "variant") for v in variants(name) if kind != "project" or normalize(v) not in titles]
    japanese = [(a.kind, a.target, a.alias) for a in rows if a.kind != "policy"] + names
    for kind, target, text in japanese:
        kana = reading(text)
        if kana:
            rows.append(Alias(kana, kind, target, "reading"))
        rows += [Alias(spelled, kind, target, "romaji") for spelled in sorted(romaji_spellings(text))]
    return [
        {"alias": a.alias, "kind": a.kind, "target": a.target, "source": a.source, "normalized": normalize(a.alias)}
        for a in rows
    ]


def _search_rows(plan: Plan) -> list[dict[str, object]]:
    rows: list[tuple[str, str, str, str]] = []
    for p in plan.projects:
        rows += [("project", p.id, "name", p.name), ("project", p.id, "current", p.current),
                 ("project", p.id, "issue", p.issue), ("project", p.id, "goal", p.goal)]
        rows += [("project", p.id, "kpi", i.label) for i in p.indicators]
        rows += [("project", p.id, "schedule", s.text) for s in p.schedule]
        rows += [("project", p.id, "comment", e.comment) for e in p.evaluations if e.comment]
    rows += [("glossary", t.term, "term", t.term) for t in plan.glossary]
    rows += [("glossary", t.term, "definition", t.definition) for t in plan.glossary]
    return [
        {"id": i + 1, "kind": k, "ref": r, "field": f, "text": text, "normalized": normalize(text)}
        for i, (k, r, f, text) in enumerate(rows)
    ]


def ensure_ingested(db: Database, *, now: datetime) -> IngestReport | None:
    """Build the knowledge base when it is empty or out of date: from an older schema, other
    aliases (a kept volume after an upgrade), or an older bundled plan. A plan loaded from a file
    or the shared state is rebuilt from its own text; the bundled one from this release's copy."""
    origin, text, sha = _meta(db, "source_origin"), _meta(db, "source_text"), _meta(db, "source_sha256")
    bundled = bundled_plan_text()
    bundled_sha = hashlib.sha256(bundled.encode("utf-8")).hexdigest()  # as parse_plan records it
    built = bool(db["projects"].count) and _meta(db, "schema_version") == str(SCHEMA_VERSION) and bool(sha)
    if built and origin is None and sha != bundled_sha:
        return None  # a plan loaded by an older release from a file, whose text it did not keep
    if built and _meta(db, "inputs_sha256") == inputs_digest() and (origin != "bundled" or sha == bundled_sha):
        return None
    if origin in ("file", "shared") and text:
        return ingest(db, parse_plan(text), now=now, text=text, origin=origin)
    return ingest(db, parse_plan(bundled), now=now, text=bundled, origin="bundled")
