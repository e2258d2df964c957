"""Growing from one SQLite host to PostgreSQL: ``dxbot migrate``, ``export-state`` / ``import-state``,
and a plan ingested on one host answered on every other."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from bot.cli import main
from handlers import Responder
from state.catalog import load_catalog
from state.database import connect, open_state
from state.evaluations import Submission, submit_draft
from state.migrations import LATEST


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_an_sqlite_deployment_moves_to_postgresql(db_path, pg_url, tmp_path) -> None:
    old = {"DXBOT_DB": str(db_path)}
    submit_draft(connect(db_path), Submission("2-3-1", 2026, "A", {1: 11000.0}, "移行前の下書き", "U1"),
                 now=datetime(2027, 5, 10, tzinfo=UTC))
    assert run(old, "departments", "set", "契約課", "--channel", "CKEIYAKU").exit_code == 0
    assert run(old, "aliases", "add", "ロボ化", "2-3-1").exit_code == 0
    export = tmp_path / "state.json"
    out = run(old, "export-state", str(export))
    assert out.exit_code == 0 and "evaluations 1" in out.stdout and "aliases 1" in out.stdout
    assert json.loads(export.read_text(encoding="utf-8"))["migration"] == LATEST

    # The new host: an empty knowledge file of its own, the state in PostgreSQL.
    new = {"DXBOT_DB": str(tmp_path / "host2.db"), "DXBOT_DATABASE_URL": pg_url}
    migrated = run(new, "migrate")
    assert migrated.exit_code == 0 and f"schema version {LATEST}" in migrated.stdout
    assert "nothing to do" in run(new, "migrate").stdout
    imported = run(new, "import-state", str(export))
    assert imported.exit_code == 0, imported.output
    assert "契約課: channel CKEIYAKU" in run(new, "departments", "list").stdout
    assert "総務法制課: submitted 0/1" in run(new, "evaluations", "status", "--year", "2026").stdout
    assert "移行前の下書き" in run(new, "evaluations", "export", "--year", "2026").stdout
    assert "2-3-1" in run(new, "ask", "--json", "ロボ化の進み具合").stdout
    again = run(new, "import-state", str(export))
    assert again.exit_code != 0 and "already holds state" in again.output
    # Ids continue after the imported ones.
    st = open_state(pg_url, sqlite_db=connect(tmp_path / "host3.db"))
    later = submit_draft(st, Submission("2-1-2", 2026, "B", {}, "", "U2"), now=datetime(2027, 5, 11, tzinfo=UTC))
    assert later > 1
    st.close()  # type: ignore[attr-defined]


def test_a_plan_ingested_on_one_host_is_answered_on_another(pg_url, plan_text, tmp_path) -> None:
    revised = plan_text.replace("おくやみコーナー", "おわかれ手続きコーナー")
    path = tmp_path / "plan_r6.txt"
    path.write_text(revised, encoding="utf-8")
    host_b = connect(tmp_path / "b.db")
    state_b = open_state(pg_url, sqlite_db=host_b)
    from state.shared_plan import sync_plan

    sync_plan(host_b, state_b, now=datetime(2026, 11, 24, tzinfo=UTC))
    responder = Responder(load_catalog(host_b))
    assert not responder.catalog.search_text("おわかれ手続き")
    result = run({"DXBOT_DB": str(tmp_path / "a.db"), "DXBOT_DATABASE_URL": pg_url}, "ingest", str(path))
    assert result.exit_code == 0, result.output
    assert responder.refresh()  # host B saw the shared generation move and rebuilt its file
    assert responder.catalog.search_text("おわかれ手続き")
    assert not responder.refresh()
    state_b.close()  # type: ignore[attr-defined]
