"""Progress, export and the directory through the dxbot command."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from click.testing import CliRunner

from bot.cli import main
from state.database import connect
from state.evaluations import Submission, submit_draft


def run(db_path, *args: str):
    return CliRunner().invoke(main, list(args), env={"DXBOT_DB": str(db_path)})


def submit(db_path, pid: str, grade: str, actuals: dict, comment: str = "") -> None:
    db = connect(db_path)
    submit_draft(db, Submission(pid, 2026, grade, actuals, comment, "U1"), now=datetime(2027, 5, 10, tzinfo=UTC))


def test_status_per_department(db_path) -> None:
    submit(db_path, "2-1-1", "B", {1: 62.0})
    out = run(db_path, "evaluations", "status", "--year", "2026").stdout
    assert "総務法制課: submitted 1/1 — done" in out
    assert "契約課: submitted 0/1 — missing 2-1-2" in out
    assert "デジタル行政推進課: submitted 0/21" in out


def test_export_csv_and_markdown(db_path, tmp_path) -> None:
    submit(db_path, "2-3-1", "A", {1: 10500.0}, "目標を上回った | 良好")
    text = run(db_path, "evaluations", "export", "--year", "2025", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 26 and rows[0]["事業番号"] == "1-1-1" and rows[0]["状態"] == "未提出"
    run(db_path, "evaluations", "export", "--year", "2026", "--format", "md", "--output", str(tmp_path / "r8.md"))
    md = (tmp_path / "r8.md").read_text(encoding="utf-8")
    assert md.startswith("# 令和8年度 事業評価")
    line = next(ln for ln in md.splitlines() if ln.startswith("| 2-3-1"))
    assert "| A | 下書き |" in line and "10,500" in line and "目標を上回った \\| 良好" in line


def test_publish_twice_keeps_one_published_row(db_path) -> None:
    submit(db_path, "2-1-1", "C", {1: 55.0})
    assert "published 1 evaluations" in run(db_path, "evaluations", "publish", "--year", "2026").stdout
    submit(db_path, "2-1-1", "B", {1: 61.0})
    assert "published 1 evaluations" in run(db_path, "evaluations", "publish", "--year", "2026").stdout
    db = connect(db_path)
    current = list(db.query("SELECT grade, status FROM evaluations WHERE project_id = '2-1-1' AND fiscal_year = 2026 "
                            "AND replaced_at IS NULL"))
    assert current == [{"grade": "B", "status": "published"}]
    assert db.execute("SELECT count(*) FROM evaluations WHERE project_id = '2-1-1' AND fiscal_year = 2026").fetchone()[0] == 2


def test_departments_commands(db_path, tmp_path) -> None:
    assert run(db_path, "departments", "set", "総務法制課", "--channel", "C1", "--user", "U1").exit_code == 0
    assert run(db_path, "departments", "set", "システム所管課", "--team", "情報政策課").exit_code == 0
    listing = run(db_path, "departments", "list").stdout
    assert "総務法制課: channel C1, users U1" in listing
    assert "システム所管課: teams 情報政策課" in listing
    assert "広報課: NO ROUTE" in listing
    assert run(db_path, "departments", "set", "広報課").exit_code != 0  # nothing to set
    assert run(db_path, "departments", "remove", "総務法制課").exit_code == 0
    assert "総務法制課: NO ROUTE" in run(db_path, "departments", "list").stdout


def test_dry_run_prints_and_writes_nothing(db_path) -> None:
    run(db_path, "departments", "set", "総務法制課", "--channel", "C1")
    out = run(db_path, "remind", "--dry-run", "--at", "2027-04-30T09:00")
    assert out.exit_code == 0
    assert "due: reminder-30" in out.stdout and "--- to 総務法制課" in out.stdout
    assert "NO ROUTE for:" in out.output
    assert connect(db_path)["outbox"].count == 0
    early = run(db_path, "remind", "--dry-run", "--at", "2027-04-01T09:00").stdout
    assert "due: nothing yet" in early and "Next: reminder-30 at 2027-04-30 09:00" in early
