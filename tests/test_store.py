"""The SQLite knowledge base: schema, full-text search, idempotent and edition-safe ingest."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from knowledge.parse import parse_plan
from knowledge.store import ingest
from state.catalog import load_catalog
from state.database import connect
from tests.conftest import NOW

ALIASES_TOML = Path(__file__).parents[1] / "knowledge" / "data" / "aliases.toml"


def test_tables_keys_and_counts(db) -> None:
    names = set(db.table_names())
    for table in ("policies", "approaches", "projects", "departments", "project_departments", "kpis",
                  "kpi_indicators", "schedule", "evaluations", "glossary", "aliases", "search_docs"):
        assert table in names
    assert db["projects"].pks == ["id"]
    assert {fk.other_table for fk in db["projects"].foreign_keys} == {"policies", "approaches"}
    assert {fk.other_table for fk in db["project_departments"].foreign_keys} == {"projects", "departments"}
    assert db["projects"].count == 26 and db["glossary"].count == 39
    assert db["evaluations"].count == 26
    # kpis: one row per indicator, year and kind; R4 is fiscal 2022
    rows = list(db.query("SELECT fiscal_year, kind, value FROM kpis WHERE project_id = '2-3-1' ORDER BY fiscal_year, kind"))
    assert rows[0] == {"fiscal_year": 2021, "kind": "baseline", "value": 6615.0}
    assert {"fiscal_year": 2022, "kind": "actual", "value": 7552.0} in rows
    # 2-1-2 has three departments, stored many-to-many
    depts = [r["name"] for r in db.query(
        "SELECT d.name FROM project_departments pd JOIN departments d ON d.id = pd.department_id "
        "WHERE pd.project_id = '2-1-2' ORDER BY pd.position")]
    assert depts == ["財政課", "契約課", "会計課"]


def test_foreign_keys_are_enforced(db) -> None:
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO evaluations(project_id, fiscal_year, grade, source, status) VALUES ('9-9-9', 2023, 'A', 'submission', 'draft')")


def test_full_text_search_finds_japanese_without_spaces(catalog) -> None:
    hits = {(h.ref, h.field) for h in catalog.search_text("ロールモデル")}
    assert ("2-3-1", "schedule") in hits
    # hiragana in the question meets katakana in the text, through the shared normalisation
    assert any(h.ref == "シビックテック" for h in catalog.search_text("しびっくてっく"))
    # two characters are below the trigram's reach: LIKE takes over
    assert {h.ref for h in catalog.search_text("研修", kind="project")} >= {"4-1-1", "5-1-1", "5-1-2"}


def test_query_syntax_in_search_text_is_literal(catalog) -> None:
    for text in ['"', "AND", "NOT x", "OR OR", "(", "*", "-x", "col:term", 'a"b', "\x00"]:
        catalog.search_text(text)  # must not raise


def test_reingest_is_idempotent(db, plan) -> None:
    before = {t: db[t].count for t in ("projects", "kpis", "schedule", "glossary", "aliases", "evaluations", "search_docs")}
    report = ingest(db, plan, now=NOW)
    assert not report.changed
    assert {t: db[t].count for t in before} == before


def test_newer_edition_keeps_submitted_evaluations(db, plan_text) -> None:
    db["evaluations"].insert({"project_id": "2-3-1", "fiscal_year": 2023, "grade": "A", "comment": "R5 submission",
                              "source": "submission", "status": "draft", "submitted_by": "U1"})
    db["aliases"].insert({"alias": "ロボ", "kind": "project", "target": "2-3-1", "source": "user", "normalized": "ロボ"})
    newer = plan_text.replace("事業名\tRPA の活用拡充", "事業名\tRPA の活用拡充と定着").replace("8,000[7,552]", "8,000[7,600]")
    report = ingest(db, parse_plan(newer), now=NOW)
    assert report.changed
    catalog = load_catalog(db)
    p = catalog.projects["2-3-1"]
    assert p.name == "RPA の活用拡充と定着"
    assert p.indicators[0].value(2022, "actual").value == 7600
    assert [(e.source, e.fiscal_year) for e in p.evaluations] == [("plan", 2022), ("submission", 2023)]
    assert any(a.alias == "ロボ" for a in catalog.aliases)
    assert db["evaluations"].count == 27


def test_a_project_dropped_by_a_newer_edition(db, plan) -> None:
    db["evaluations"].insert({"project_id": "2-2-2", "fiscal_year": 2023, "grade": "B", "comment": "",
                              "source": "submission", "status": "published"})
    fewer = replace(plan, projects=tuple(p for p in plan.projects if p.id not in {"2-2-2", "3-1-3"}),
                    source_sha256="other")
    ingest(db, fewer, now=NOW)
    rows = {r["id"]: r["active"] for r in db.query("SELECT id, active FROM projects")}
    assert rows["2-2-2"] == 0  # kept for its submitted evaluation, hidden from answers
    assert "3-1-3" not in rows
    assert "2-2-2" not in load_catalog(db).projects


def test_readings_are_generated_not_typed() -> None:
    db = connect(memory=True)
    from knowledge.parse import parse_plan as p
    from knowledge.store import bundled_plan_text

    ingest(db, p(bundled_plan_text()), now=NOW)
    readings = {(r["alias"], r["target"]) for r in db.query("SELECT alias, target FROM aliases WHERE source = 'reading'")}
    assert ("でんしけっさい", "電子決裁") in readings
    assert ("きかんけいしすてむ", "基幹系システム") in readings
    # Whole words as a person reads them (働き方 is はたらきかた, not はたらきほう); Latin letters and
    # digits stay as typed, marks are not read out.
    assert ("AI おんせいにんしきしすてむ", "AI 音声認識システム") in readings
    assert any(alias.startswith("たようなはたらきかた") for alias, _ in readings)
    assert not any("きごう" in alias for alias, _ in readings)
    typed = ALIASES_TOML.read_text(encoding="utf-8")
    assert "でんしけっさい" not in typed and "きかんけいしすてむ" not in typed


def test_every_project_and_term_has_an_english_name(plan) -> None:
    data = tomllib.loads(ALIASES_TOML.read_text(encoding="utf-8"))
    assert set(data["projects"]) == {p.id for p in plan.projects}
    assert set(data["terms"]) == {t.term for t in plan.glossary}
    for section in ("projects", "terms"):
        for name, entry in data[section].items():
            assert re.search(r"[A-Za-z]", entry["en"]), name


def test_file_database_is_built_once(tmp_path) -> None:
    from knowledge.store import ensure_ingested

    path = tmp_path / "kb.db"
    assert ensure_ingested(connect(path), now=NOW) is not None
    assert ensure_ingested(connect(path), now=NOW) is None
