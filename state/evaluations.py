"""Evaluations submitted through the bot: drafts with history, publishing, progress and export."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knowledge.catalog import Catalog
from knowledge.numbers import stored_actuals
from knowledge.records import fiscal_to_reiwa
from state.statedb import as_state, bump_generation


@dataclass(frozen=True)
class Submission:
    project_id: str
    fiscal_year: int
    grade: str
    actuals: dict[int, float | None]
    comment: str
    submitted_by: str


def submit_draft(db: Any, s: Submission, *, now: datetime) -> int:
    """Store ``s`` as the project's draft for the year; an earlier draft is kept as history.

    ``db`` is the state (or the SQLite knowledge base that holds it)."""
    stamp = now.isoformat(timespec="seconds")
    state = as_state(db)
    with state.transaction():
        state.execute(
            "UPDATE evaluations SET replaced_at = ? WHERE project_id = ? AND fiscal_year = ? "
            "AND source = 'submission' AND status = 'draft' AND replaced_at IS NULL",
            [stamp, s.project_id, s.fiscal_year],
        )
        row = state.one(
            "INSERT INTO evaluations(project_id, fiscal_year, grade, comment, source, status, actuals, submitted_by, "
            "submitted_at) VALUES (?, ?, ?, ?, 'submission', 'draft', ?, ?, ?) RETURNING id",
            [s.project_id, s.fiscal_year, s.grade, s.comment, json.dumps({str(k): v for k, v in s.actuals.items()}),
             s.submitted_by, stamp])
        bump_generation(state)
    assert row is not None
    return int(row["id"])


def publish(db: Any, fiscal_year: int, *, now: datetime) -> list[str]:
    """Turn the year's current drafts into the published evaluations; returns the project ids."""
    stamp = now.isoformat(timespec="seconds")
    state = as_state(db)
    with state.transaction():
        drafts = [r["project_id"] for r in state.rows(
            "SELECT project_id FROM evaluations WHERE fiscal_year = ? AND source = 'submission' "
            "AND status = 'draft' AND replaced_at IS NULL ORDER BY project_id", [fiscal_year])]
        for pid in drafts:
            state.execute("UPDATE evaluations SET replaced_at = ? WHERE project_id = ? AND fiscal_year = ? "
                          "AND source = 'submission' AND status = 'published' AND replaced_at IS NULL",
                          [stamp, pid, fiscal_year])
        state.execute("UPDATE evaluations SET status = 'published' WHERE fiscal_year = ? AND source = 'submission' "
                      "AND status = 'draft' AND replaced_at IS NULL", [fiscal_year])
        if drafts:
            bump_generation(state)
    return drafts


def submitted(db: Any, fiscal_year: int) -> set[str]:
    """Projects with a current submission (draft or published) for the year."""
    return {r["project_id"] for r in as_state(db).rows(
        "SELECT DISTINCT project_id FROM evaluations WHERE fiscal_year = ? AND source = 'submission' "
        "AND replaced_at IS NULL", [fiscal_year])}


def progress_by_department(catalog: Catalog, done: set[str]) -> dict[str, tuple[list[str], list[str]]]:
    """department -> (submitted project ids, missing project ids)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for p in catalog.projects.values():
        for d in p.departments:
            sub, miss = out.setdefault(d, ([], []))
            (sub if p.id in done else miss).append(p.id)
    return dict(sorted(out.items()))


def export_rows(db: Any, catalog: Catalog, fiscal_year: int) -> list[dict[str, str]]:
    rows = {r["project_id"]: r for r in as_state(db).rows(
        "SELECT * FROM evaluations WHERE fiscal_year = ? AND source = 'submission' AND replaced_at IS NULL",
        [fiscal_year])}
    out = []
    for p in catalog.projects.values():
        r = rows.get(p.id)
        actuals = stored_actuals(r["actuals"] if r else None, where=f"evaluation of {p.id}")
        kpi = []
        for ind in p.indicators:
            t = ind.value(fiscal_year, "target")
            a, invalid = actuals.get(ind.no, (None, False))
            target = "—" if t is None or t.value is None else f"{t.value:,g}"
            actual = "invalid" if invalid else "—" if a is None else f"{a:,g}"
            kpi.append(f"{ind.label}: {actual} / {target}")
        out.append({
            "事業番号": p.id, "事業名": p.name, "担当部署": "、".join(p.departments),
            "評価": (r["grade"] if r else "") or "", "状態": ("公表済" if r["status"] == "published" else "下書き") if r else "未提出",
            "参考値 実績/目標": "; ".join(kpi), "コメント": (r["comment"] if r else "") or "",
            "提出者": (r["submitted_by"] if r else "") or "", "提出日時": (r["submitted_at"] if r else "") or "",
        })
    return out


def to_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()


def to_markdown(rows: list[dict[str, str]], *, fiscal_year: int) -> str:
    if not rows:
        return ""
    head = list(rows[0])
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", "<br>")  # noqa: E731
    lines = [f"# 令和{fiscal_to_reiwa(fiscal_year)}年度 事業評価", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines) + "\n"
