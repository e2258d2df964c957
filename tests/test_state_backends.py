"""The shared state behaves the same on the embedded SQLite file and on PostgreSQL: each test runs
against both (the ``state`` fixture), as one job-store suite runs against every store."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import psycopg
import pytest

from handlers import Responder
from knowledge.store import ingest
from state.aliases import add_user_alias
from state.catalog import load_catalog
from state.conversations import Conversations, QuestionLog, WriteBehind
from state.database import connect, open_state
from state.directory import Directory, Route
from state.evaluations import Submission, export_rows, publish, submit_draft, submitted
from state.inbound_queue import Claimant, Item
from state.inbound_queue_pg import open_inbound_queue
from state.migrations import LATEST, current_version, migrate
from tests.conftest import NOW

# A batch that breaks a unique key fails with the backend's own integrity error.
INTEGRITY = (sqlite3.IntegrityError, psycopg.IntegrityError)


def test_migrations_are_versioned_and_run_once(state) -> None:
    assert current_version(state) == LATEST
    assert migrate(state) == []  # on every start: nothing left to do
    rows = state.rows("SELECT version FROM state_migrations ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, LATEST + 1))


def test_workers_starting_together_apply_each_migration_once(pg_url, db) -> None:
    """Eight workers start at once against an empty PostgreSQL database: the advisory lock lets
    one apply the migrations; the others find them done."""
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            st = open_state(pg_url, sqlite_db=db, migrate_now=False)
            applied.append(migrate(st))
            st.close()  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(applied, key=len) == [[]] * 7 + [list(range(1, LATEST + 1))]


def test_conversation_context(state) -> None:
    conv = Conversations(state)
    conv.remember("line:U1", "2-3-1", now=NOW)
    conv.remember("line:U1", "2-1-2", now=NOW + timedelta(minutes=1))  # the latest project wins
    conv.remember("web:s1", "1-1-1", now=NOW - timedelta(days=2))
    assert conv.recall("line:U1", now=NOW) == "2-1-2"
    assert conv.recall("line:U1", now=NOW + timedelta(minutes=20), ttl=timedelta(minutes=10)) is None
    assert conv.recall("line:U2", now=NOW) is None
    assert conv.purge(before=NOW - timedelta(days=1), prefix="web:") == 1
    assert conv.recall("web:s1", now=NOW) is None and conv.recall("line:U1", now=NOW) == "2-1-2"


def test_unanswered_log_hashes_users_and_keeps_its_retention(state) -> None:
    log = QuestionLog(state, salt="city-salt")
    log.record("ゴミの出し方", channel="line", user_id="U123", intent="unknown", score=0.0, now=NOW)
    log.record("古い質問", channel="slack", user_id=None, intent="clarify", score=40.5, now=NOW - timedelta(days=100))
    rows = log.since(NOW - timedelta(days=365))
    assert [r["text"] for r in rows] == ["古い質問", "ゴミの出し方"]
    assert rows[1]["user_hash"] and "U123" not in rows[1]["user_hash"] and rows[0]["score"] == 40.5
    assert log.enforce_retention(now=NOW, days=90) == 1
    assert [r["text"] for r in log.since(NOW - timedelta(days=365))] == ["ゴミの出し方"]


def test_a_batch_is_one_transaction_whatever_its_statements(state) -> None:
    """Statements on different rows (what the server's flush writes: the finished events, the
    conversations, the unanswered log), committed together or not at all."""
    for key in ("k0", "k9"):
        state.execute("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, '1-1-1', 'x')", [key])
    upsert = ("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) "
              "DO UPDATE SET project_id = excluded.project_id")
    assert state.batch([(upsert, [["k0", "2-3-1", "y"], ["k1", "2-1-2", "y"]]),
                        ("UPDATE conversations SET updated_at = ? WHERE key = ?", [["z", "k9"]])]) == [2, 1]

    def stored() -> list[tuple[str, str, str]]:
        return [(r["key"], r["project_id"], r["updated_at"])
                for r in state.rows("SELECT key, project_id, updated_at FROM conversations ORDER BY key")]

    before = stored()
    assert before == [("k0", "2-3-1", "x"), ("k1", "2-1-2", "y"), ("k9", "1-1-1", "z")]
    # Several rows of an UPDATE, and a statement that fails: nothing of the batch stays.
    with pytest.raises(INTEGRITY):
        state.batch([("UPDATE conversations SET project_id = ? WHERE key = ?", [["9-9-9", "k0"], ["9-9-9", "k9"]]),
                     ("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?)", [["k2", "1", "y"],
                                                                                                 ["k1", "1", "y"]])])
    with pytest.raises(INTEGRITY):  # the same, all in one statement on PostgreSQL
        state.batch([(upsert, [["k3", "3-1-1", "y"]]),
                     ("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?)", [["k4", "1", "y"],
                                                                                                 ["k1", "1", "y"]])])
    assert stored() == before


def test_held_writes_are_read_back_at_once_and_written_with_the_finished_events(state, db) -> None:
    """The server holds the conversations' and the unanswered log's writes for a few milliseconds
    and writes them in the transaction that records the answered events as done."""
    behind = WriteBehind()
    woken: list[int] = []
    behind.on_write(lambda: woken.append(1))
    here, elsewhere = Conversations(state, behind=behind), Conversations(state)
    log = QuestionLog(state, salt="s", behind=behind)
    here.remember("line:U1", "2-3-1", now=NOW)
    log.record("ゴミの出し方", channel="line", user_id="U1", intent="unknown", score=0.0, now=NOW)
    assert here.recall("line:U1", now=NOW) == "2-3-1"  # this process sees its own write at once
    assert here.recall("line:U1", now=NOW + timedelta(minutes=20), ttl=timedelta(minutes=10)) is None
    assert elsewhere.recall("line:U1", now=NOW) is None and log.since(NOW) == [] and len(woken) == 2

    def broken(statements: object) -> None:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        behind.flush(broken)
    assert len(behind) == 2  # kept for the next flush

    queue = open_inbound_queue(db)
    claimant = Claimant("test:1", timedelta(seconds=60))
    jobs = queue.offer("line", [Item("ev1", {"text": "2-3-1"})], now=NOW, limit=None, claim=claimant,
                       claim_max=1).claimed
    behind.flush(lambda also: queue.finish_many(jobs, now=NOW, also=also))
    assert len(behind) == 0
    assert elsewhere.recall("line:U1", now=NOW) == "2-3-1"
    assert [r["text"] for r in log.since(NOW)] == ["ゴミの出し方"]
    assert queue.summary()["line"].get("done") == 1


def test_department_directory(state) -> None:
    d = Directory(state)
    d.set(Route("財政課", "CFIN", ("U1",)))
    d.set(Route("契約課", None, ("U2", "U3")))
    d.set(Route("システム所管課", teams=("財政課", "未登録課")))
    d.set(Route("財政課", "CFIN2", ("U1",)))  # an edit replaces the route
    assert list(d.routes()) == sorted(["財政課", "契約課", "システム所管課"])
    assert [r.slack_channel for r in d.resolve("システム所管課")] == ["CFIN2"]
    assert set(d.departments_of("U1")) == {"財政課", "システム所管課"}  # a team counts for its placeholder
    assert d.may_submit("U2", ("契約課",)) and not d.may_submit("U2", ("財政課",))
    d.set_admin(channel="CADMIN", users=["UA"])
    assert d.admin().channel == "CADMIN" and d.may_submit("UA", ("財政課",))
    assert d.remove("契約課") and not d.remove("契約課")


def test_evaluations_drafts_history_and_publish(state, db) -> None:
    first = submit_draft(state, Submission("2-3-1", 2026, "B", {1: 9000.0}, "途中経過", "U1"), now=NOW)
    second = submit_draft(state, Submission("2-3-1", 2026, "A", {1: 11000.0}, "下書きのコメント", "U1"),
                          now=NOW + timedelta(hours=1))
    assert second > first
    assert submitted(state, 2026) == {"2-3-1"} and submitted(state, 2025) == set()
    history = state.rows("SELECT grade, replaced_at FROM evaluations WHERE source = 'submission' ORDER BY id")
    assert [h["grade"] for h in history] == ["B", "A"] and history[0]["replaced_at"] and not history[1]["replaced_at"]
    responder = Responder(load_catalog(db, state=state))
    staff = responder.answer("2-3-1の状況は？", audience="staff")
    citizen = responder.answer("2-3-1の状況は？", audience="citizen")
    assert "下書きのコメント" in staff.text and "下書きのコメント" not in citizen.text
    assert publish(state, 2026, now=NOW + timedelta(days=1)) == ["2-3-1"]
    assert responder.refresh()  # the publish bumped the shared generation
    assert "下書きのコメント" in responder.answer("2-3-1の状況は？", audience="citizen").text
    row = next(r for r in export_rows(state, responder.catalog, 2026) if r["事業番号"] == "2-3-1")
    assert row["評価"] == "A" and row["状態"] == "公表済" and "11,000" in row["参考値 実績/目標"]


def test_taught_alias_and_unknown_target(state, db) -> None:
    responder = Responder(load_catalog(db, state=state))
    assert [a.id for a in responder.answer("ロボ化の状況は？").answers[:1]] != ["2-3-1"]
    add_user_alias(db, "ロボ化", "2-3-1", state=state)
    assert responder.refresh()
    assert responder.answer("ロボ化の状況は？").answers[0].id == "2-3-1"
    with pytest.raises(ValueError, match="9-9-9"):
        add_user_alias(db, "何か", "9-9-9", state=state)
    assert not responder.refresh()  # nothing changed: no reload


def test_a_change_on_one_host_reaches_the_other(pg_url, plan) -> None:
    """Two hosts, each with its own knowledge file, share one PostgreSQL: a draft submitted and an
    alias taught on one are answered on the other."""
    hosts = []
    for _ in range(2):
        kb = connect(memory=True)
        ingest(kb, plan, now=NOW)
        hosts.append((kb, open_state(pg_url, sqlite_db=kb)))
    (kb_a, state_a), (kb_b, state_b) = hosts
    on_b = Responder(load_catalog(kb_b, state=state_b))
    submit_draft(state_a, Submission("2-1-2", 2026, "A", {}, "別ホストの下書き", "U9"), now=NOW)
    add_user_alias(kb_a, "電子契約の件", "2-1-2", state=state_a)
    assert on_b.refresh()
    assert on_b.answer("電子契約の件の状況は？", audience="staff").answers[0].id == "2-1-2"
    assert "別ホストの下書き" in on_b.answer("2-1-2の状況は？", audience="staff").text
    for _, st in hosts:
        st.close()  # type: ignore[attr-defined]


def test_the_generation_check_is_cached_briefly_on_postgresql(pg_url, db) -> None:
    """A question does not cost a PostgreSQL round trip each: the generation is asked at most
    once per ttl; a change made by this process is seen at once, another host's within the ttl."""
    from state.statedb import PostgresState, generation

    ticks = [100.0]
    here = PostgresState(pg_url, generation_ttl=0.5, monotonic=lambda: ticks[0])
    there = open_state(pg_url, sqlite_db=connect(memory=True))
    catalog = load_catalog(db, state=here)
    assert not catalog.is_stale()
    submit_draft(there, Submission("2-3-1", 2026, "A", {}, "", "U1"), now=NOW)
    assert not catalog.is_stale()  # asked 0 s ago: the cached answer stands
    ticks[0] += 0.6
    assert catalog.is_stale()  # past the ttl: asked again, and it moved
    fresh = load_catalog(db, state=here)
    submit_draft(here, Submission("2-3-1", 2026, "B", {}, "", "U1"), now=NOW)
    assert fresh.is_stale() and generation(here) == generation(there)
    here.close()
    there.close()  # type: ignore[attr-defined]


def test_posted_reminders_are_found_and_closed_from_any_host(state) -> None:
    from datetime import date

    from scheduler.notices import Item, Notice
    from state.reminder_messages import PostedReminders

    posted = PostedReminders(state)
    item = Item("2-1-1", "事業", None, None, "", ())
    notice = Notice("2026:reminder-30:総務法制課", "reminder", "総務法制課", 2026, date(2027, 5, 31), items=(item,))
    posted.record(notice, channel="CSOMU", ts="1.000001", now=NOW)
    posted.record(notice, channel="CSOMU", ts="1.000002", now=NOW)  # posted again: the newest ts is kept
    (found,) = posted.find(fiscal_year=2026, project_id="2-1-1")
    assert (found.channel, found.ts, found.projects, found.closed) == ("CSOMU", "1.000002", ("2-1-1",), None)
    assert posted.find(fiscal_year=2026, department="契約課") == []
    posted.close(notice.key, reason="deadline")
    assert PostedReminders(state).find(fiscal_year=2026)[0].closed == "deadline"
