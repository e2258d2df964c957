"""The numbered migrations own every table of the shared state, on SQLite as on PostgreSQL: a new
database gets them all, a file left by an earlier version is upgraded without losing a row, and
``dxbot migrate`` reports and runs them on SQLite too."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from bot.cli import main
from knowledge.store import open_knowledge
from state.database import connect
from state.migrations import (
    ALIASES,
    EVALUATIONS,
    INBOUND,
    LATEST,
    MIGRATIONS,
    OUTBOX,
    POSTED_REMINDERS,
    columns,
    migrate,
)
from state.statedb import as_state

STATE_TABLES = {
    "state_meta": ["key", "value"],
    "conversations": ["key", "project_id", "updated_at"],
    "unanswered": ["id", "text", "channel", "user_hash", "intent", "score", "at"],
    "department_routes": ["department", "slack_channel", "slack_users", "teams"],
    "directory_settings": ["key", "value"],
    "plan_source": ["key", "text", "sha256", "stored_at"],
    **{t.name: [c for c, _ in t.columns] for t in (EVALUATIONS, ALIASES, OUTBOX, INBOUND, POSTED_REMINDERS)},
}


def test_every_table_of_the_state_comes_from_the_migrations_on_both_backends(state) -> None:
    assert {t: columns(state, t) for t in STATE_TABLES} == STATE_TABLES
    versions = [r["version"] for r in state.rows("SELECT version FROM state_migrations ORDER BY version")]
    assert versions == [m.version for m in MIGRATIONS] and versions[-1] == LATEST


def test_the_knowledge_base_alone_holds_no_table_of_the_state(tmp_path) -> None:
    kb = open_knowledge(tmp_path / "kb.db")
    assert not set(kb.table_names()) & {*STATE_TABLES, "state_migrations"}


def _version_4_file(path) -> None:
    """A knowledge file as version 4 left it: the stores had made their tables themselves, some
    of them before their newest columns existed, and migrations 1 to 4 were recorded."""
    open_knowledge(path)
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE "evaluations" ("id" INTEGER PRIMARY KEY, "project_id" TEXT REFERENCES '
                     '"projects"("id"), "fiscal_year" INTEGER, "grade" TEXT, "comment" TEXT, "source" TEXT, '
                     '"status" TEXT, "actuals" TEXT, "submitted_by" TEXT, "submitted_at" TEXT, "replaced_at" TEXT)')
        conn.execute('CREATE TABLE "aliases" ("alias" TEXT, "kind" TEXT, "target" TEXT, "source" TEXT, '
                     '"normalized" TEXT, PRIMARY KEY ("alias", "kind", "target"))')
        conn.execute("INSERT INTO aliases VALUES ('ロボ化', 'project', '2-3-1', 'user', 'ロボ化')")
        conn.execute("CREATE TABLE state_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        for m in MIGRATIONS[:4]:
            for stmt in m.sqlite:
                conn.execute(stmt)  # type: ignore[arg-type]
            conn.execute("INSERT INTO state_migrations VALUES (?, ?, '2026-01-01T00:00:00Z')", [m.version, m.name])
        # The outbox from before fenced claims, with a claim in flight.
        conn.execute('CREATE TABLE "outbox" ("id" INTEGER PRIMARY KEY, "key" TEXT, "kind" TEXT, "department" TEXT, '
                     '"route" TEXT, "fiscal_year" INTEGER, "label" TEXT, "projects" TEXT, "due_at" TEXT, '
                     '"late" INTEGER, "state" TEXT, "attempts" INTEGER, "last_error" TEXT, "next_attempt_at" TEXT, '
                     '"claimed_by" TEXT, "claimed_at" TEXT, "sent_at" TEXT, "receipt" TEXT, "created_at" TEXT)')
        conn.execute("INSERT INTO outbox(key, kind, state, claimed_at) VALUES "
                     "('k1', 'reminder', 'sending', '2026-05-01T00:00:00+00:00'), ('k2', 'reminder', 'sent', NULL)")
        conn.execute("CREATE TABLE inbound_events (id TEXT PRIMARY KEY, channel TEXT, state TEXT, updated_at TEXT)")
        conn.execute("INSERT INTO inbound_events VALUES ('Ev1', 'slack', 'done', '2026-11-20T00:00:00+00:00')")
        conn.execute("CREATE TABLE slack_reminder_messages (key TEXT PRIMARY KEY, channel TEXT, ts TEXT, kind TEXT, "
                     "department TEXT, fiscal_year INTEGER, deadline TEXT, late INTEGER, projects TEXT, "
                     "mention TEXT, closed TEXT, posted_at TEXT)")
        conn.execute("INSERT INTO slack_reminder_messages(key, channel, ts) VALUES ('r1', 'C1', '1.0')")


def test_a_file_of_an_earlier_version_is_upgraded_keeping_its_rows(tmp_path) -> None:
    path = tmp_path / "old.db"
    _version_4_file(path)
    state = as_state(open_knowledge(path))
    assert migrate(state) == [m.version for m in MIGRATIONS[4:]]
    assert {t: columns(state, t) for t in STATE_TABLES} == STATE_TABLES
    assert state.rows("SELECT key, lease_until FROM outbox ORDER BY key") == [
        {"key": "k1", "lease_until": "2026-05-01T00:00:00+00:00"}, {"key": "k2", "lease_until": None}]
    assert state.one("SELECT attempts, fence FROM inbound_events WHERE id = 'Ev1'") == {"attempts": 0, "fence": 0}
    assert state.one("SELECT target FROM aliases WHERE alias = 'ロボ化'") == {"target": "2-3-1"}
    assert state.one("SELECT ts FROM slack_reminder_messages") == {"ts": "1.0"}
    assert migrate(state) == []
    connect(path)  # and opened as the bot opens it


def test_dxbot_migrate_reports_and_runs_the_migrations_on_sqlite(tmp_path) -> None:
    env = {"DXBOT_DB": str(tmp_path / "fresh.db")}
    first = CliRunner().invoke(main, ["migrate"], env=env, catch_exceptions=False)
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == (f"sqlite: schema version {LATEST} (applied "
                                         f"{', '.join(str(m.version) for m in MIGRATIONS)})")
    assert all(f"{m.version}  {m.name}  (applied now)" in first.stdout for m in MIGRATIONS)
    again = CliRunner().invoke(main, ["migrate"], env=env, catch_exceptions=False)
    assert "nothing to do" in again.stdout and "(applied now)" not in again.stdout

    old = tmp_path / "old.db"
    _version_4_file(old)
    upgraded = CliRunner().invoke(main, ["migrate"], env={"DXBOT_DB": str(old)}, catch_exceptions=False)
    assert f"(applied {', '.join(str(m.version) for m in MIGRATIONS[4:])})" in upgraded.stdout and "applied 2026-01-01T00:00:00Z" in upgraded.stdout
