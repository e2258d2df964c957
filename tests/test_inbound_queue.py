"""The inbound queue's contract: dedupe, the limit, claims with leases and fences, recovery, retention.

Written against the ``InboundQueue`` protocol and run against both implementations: the embedded
SQLite file and a real PostgreSQL server (``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.worker import dead_here
from state.database import connect
from state.inbound_queue import MAX_ATTEMPTS, Claimant, Item, SqliteInboundQueue
from state.statedb import as_state

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
A = Claimant("host:1", timedelta(seconds=60))
B = Claimant("host:2", timedelta(seconds=60))


def items(*ids: str) -> list[Item]:
    return [Item(i, {"text": f"question {i}", "user_id": "U1"}) for i in ids]


@pytest.fixture()
def queue(connect_queue):
    return connect_queue()


def test_an_event_is_stored_once_and_a_redelivery_is_a_duplicate(queue) -> None:
    first = queue.offer("line", items("e1", "e2"), now=T0, limit=10)
    assert first.accepted == ["e1", "e2"] and not first.full
    again = queue.offer("line", items("e2", "e3"), now=T0, limit=10)
    assert again.accepted == ["e3"] and again.duplicates == ["e2"]
    assert queue.summary() == {"line": {"pending": 3}}


def test_past_the_limit_nothing_is_stored_but_known_events_are_still_duplicates(queue) -> None:
    queue.offer("line", items("e1", "e2"), now=T0, limit=3)
    full = queue.offer("line", items("e3", "e4"), now=T0, limit=3)
    assert full.full and full.accepted == []
    assert queue.offer("line", items("e1"), now=T0, limit=3).duplicates == ["e1"]
    assert queue.offer("slack", items("s1", "s2", "s3"), now=T0, limit=3).accepted == ["s1", "s2", "s3"]  # per channel
    assert sum(queue.summary()["line"].values()) == 2


def test_a_claim_made_with_the_offer_is_answered_by_that_process_alone(queue) -> None:
    offer = queue.offer("line", items("e1", "e2", "e3"), now=T0, limit=None, claim=A, claim_max=2)
    assert [j.id for j in offer.claimed] == ["e1", "e2"]
    assert [j.id for j in queue.claim("line", now=T0, claimant=B, limit=10)] == ["e3"]
    assert queue.claim("line", now=T0 + timedelta(seconds=59), claimant=B, limit=10) == []


def test_a_lease_that_runs_out_is_recovered_and_the_old_holder_is_fenced_off(queue) -> None:
    queue.offer("line", items("e1"), now=T0, limit=None)
    (old,) = queue.claim("line", now=T0, claimant=A, limit=1)
    assert not old.recovering and old.attempts == 1
    (new,) = queue.claim("line", now=T0 + timedelta(seconds=61), claimant=B, limit=1)
    assert new.recovering and new.attempts == 2 and new.fence == old.fence + 1
    assert not queue.finish(old, now=T0 + timedelta(seconds=62))  # too late: B holds it
    assert not queue.renew(old, until=T0 + timedelta(minutes=5))
    assert queue.summary() == {"line": {"processing": 1}}
    assert queue.finish(new, now=T0 + timedelta(seconds=63))
    assert queue.summary() == {"line": {"done": 1}}


def test_a_finished_row_keeps_no_user_text(queue) -> None:
    queue.offer("line", items("e1"), now=T0, limit=None)
    (job,) = queue.claim("line", now=T0, claimant=A, limit=1)
    assert job.payload["text"] == "question e1"
    queue.finish(job, now=T0)
    stored = as_state(getattr(queue, "state", None) or queue.db).rows("SELECT payload FROM inbound_events")
    assert stored == [{"payload": None}]


def stored_payloads(queue) -> dict[str, object]:
    rows = as_state(getattr(queue, "state", None) or queue.db).rows("SELECT id, payload FROM inbound_events")
    return {r["id"]: r["payload"] for r in rows}


def test_finishing_many_at_once_skips_a_row_another_worker_took_over(queue) -> None:
    queue.offer("line", items("e1", "e2", "e3", "e4"), now=T0, limit=None)
    early = queue.claim("line", now=T0, claimant=A, limit=2)  # e1, e2: their lease ends at T0 + 60 s
    late = queue.claim("line", now=T0 + timedelta(seconds=30), claimant=A, limit=1)  # e3, until T0 + 90 s
    (taken,) = queue.claim("line", now=T0 + timedelta(seconds=61), claimant=B, limit=1)
    assert taken.id == "e1" and taken.recovering  # A looked dead: B answers e1 now
    assert queue.finish_many([*early, *late], now=T0 + timedelta(seconds=62)) == 2  # e2 and e3, not e1
    assert queue.summary() == {"line": {"done": 2, "processing": 1, "pending": 1}}
    payloads = stored_payloads(queue)
    assert payloads["e2"] is None and payloads["e3"] is None  # finished: no user text kept
    assert payloads["e1"] and payloads["e4"]  # B's claim and the waiting row keep theirs
    assert queue.finish_many([*early, *late], now=T0 + timedelta(seconds=63)) == 0  # finishing twice changes nothing
    assert queue.finish_many([], now=T0) == 0
    assert queue.finish_many([taken], now=T0 + timedelta(seconds=64)) == 1
    assert queue.summary() == {"line": {"done": 3, "pending": 1}}


def test_finished_rows_free_their_place_under_the_limit(queue) -> None:
    offer = queue.offer("slack", items("e1", "e2", "e3"), now=T0, limit=3, claim=A, claim_max=3)
    assert queue.offer("slack", items("e4"), now=T0, limit=3).full
    assert queue.finish_many(offer.claimed[:2], now=T0) == 2
    assert queue.offer("slack", items("e4", "e5"), now=T0, limit=3).accepted == ["e4", "e5"]
    assert queue.offer("slack", items("e6"), now=T0, limit=3).full


def test_with_no_limit_to_count_an_offer_claims_every_new_row_or_none(queue) -> None:
    """The common offer (room for all, far from the limit) takes the short path on PostgreSQL."""
    queue.offer("line", items("e1"), now=T0, limit=None)
    offer = queue.offer("line", items("e1", "e2", "e3", "e2"), now=T0, limit=None, claim=A, claim_max=5)
    assert (offer.accepted, offer.duplicates) == (["e2", "e3"], ["e1"])
    assert [(j.id, j.fence, j.lease_until) for j in offer.claimed] == [("e2", 1, T0 + timedelta(seconds=60)),
                                                                       ("e3", 1, T0 + timedelta(seconds=60))]
    pending = queue.offer("line", items("e3", "e4"), now=T0, limit=None, claim=A, claim_max=0)
    assert (pending.accepted, pending.duplicates, pending.claimed) == (["e4"], ["e3"], [])
    assert queue.summary() == {"line": {"pending": 2, "processing": 2}}
    assert (queue.unfinished("line"), queue.unfinished("slack")) == (4, 0)
    assert queue.finish_many(offer.claimed, now=T0) == 2  # the claims hold the rows' fences
    assert queue.unfinished("line") == 2
    assert [j.id for j in queue.claim("line", now=T0, claimant=B, limit=10)] == ["e1", "e4"]


def test_an_offer_claims_new_rows_only_up_to_its_claim_max(queue) -> None:
    queue.offer("line", items("e1"), now=T0, limit=10)
    offer = queue.offer("line", items("e1", "e2", "e3", "e2", "e4"), now=T0, limit=10, claim=A, claim_max=2)
    assert (offer.accepted, offer.duplicates) == (["e2", "e3", "e4"], ["e1"])
    assert [(j.id, j.attempts, j.fence, j.lease_until, j.recovering) for j in offer.claimed] == [
        ("e2", 1, 1, T0 + timedelta(seconds=60), False), ("e3", 1, 1, T0 + timedelta(seconds=60), False)]
    assert offer.claimed[0].payload == {"text": "question e2", "user_id": "U1"}
    assert [j.id for j in queue.claim("line", now=T0, claimant=B, limit=10)] == ["e1", "e4"]  # the waiting ones
    full = queue.offer("line", items("e5", "e6"), now=T0, limit=5, claim=A, claim_max=2)
    assert full.full and full.claimed == [] and full.accepted == []
    assert queue.summary() == {"line": {"processing": 4}}
    assert queue.finish_many(offer.claimed, now=T0) == 2  # the offer's claims hold the row's fence


@pytest.mark.parametrize("limit", [1000, None], ids=["limit counted", "plain insert"])
def test_the_same_event_offered_from_two_connections_at_once_is_stored_once(connect_queue, limit) -> None:
    """A platform redelivers while the first delivery is being stored (or two hosts get one event):
    both offers race on the same id, and exactly one stores and claims it."""
    ids = [f"e{n}" for n in range(40)]
    results: list[list] = [[], []]
    errors: list[BaseException] = []
    together = threading.Barrier(2)

    def run(n: int) -> None:
        q = connect_queue()
        claimant = Claimant(f"host:{n}", timedelta(seconds=60))
        try:
            for i in ids:
                together.wait(timeout=30)  # both offer this id at the same moment
                results[n].append(q.offer("line", items(i), now=T0, limit=limit, claim=claimant, claim_max=1))
        except BaseException as exc:  # noqa: BLE001 - reported below; the other thread must not wait for ever
            errors.append(exc)
            together.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    assert [len(r) for r in results] == [len(ids), len(ids)]
    for i, (a, b) in zip(ids, zip(*results, strict=True), strict=True):
        assert sorted([a.accepted, b.accepted]) == [[], [i]] and sorted([a.duplicates, b.duplicates]) == [[], [i]]
        assert [j.id for j in a.claimed + b.claimed] == [i]
    assert connect_queue().summary() == {"line": {"processing": len(ids)}}


def test_released_claims_go_back_without_counting_an_attempt(queue) -> None:
    queue.offer("line", items("e1", "e2"), now=T0, limit=None)
    jobs = queue.claim("line", now=T0, claimant=A, limit=2)
    assert queue.release(jobs, now=T0) == 2
    again = queue.claim("line", now=T0, claimant=B, limit=2)
    assert [(j.attempts, j.recovering) for j in again] == [(1, False), (1, False)]


def test_retries_wait_their_turn_and_end_failed(queue) -> None:
    queue.offer("line", items("e1"), now=T0, limit=None)
    now = T0
    for attempt in range(1, 4):
        (job,) = queue.claim("line", now=now, claimant=A, limit=1)
        assert job.attempts == attempt
        state = queue.retry(job, error="push: HTTP 500", at=now + timedelta(seconds=10), now=now, max_attempts=3)
        assert queue.claim("line", now=now + timedelta(seconds=9), claimant=A, limit=1) == [] or state == "failed"
        now += timedelta(seconds=10)
    assert state == "failed"
    assert queue.rows(states=("failed",))[0]["last_error"] == "push: HTTP 500"
    assert queue.requeue(["e1"], now=now) == 1
    assert queue.claim("line", now=now, claimant=A, limit=1)[0].attempts == 1


def test_a_row_that_keeps_killing_its_process_is_given_up(queue) -> None:
    queue.offer("line", items("poison"), now=T0, limit=None)
    now = T0
    for _ in range(MAX_ATTEMPTS):
        assert queue.claim("line", now=now, claimant=A, limit=1)
        now += timedelta(seconds=61)  # the process died each time; its lease ran out
    assert queue.claim("line", now=now, claimant=A, limit=1) == []
    assert "stopped" in queue.rows(states=("failed",))[0]["last_error"]


def test_two_workers_claiming_at_once_never_share_a_row(connect_queue) -> None:
    connect_queue().offer("slack", items(*[f"e{n}" for n in range(300)]), now=T0, limit=None)
    taken: list[list[str]] = [[], []]
    start, holding = threading.Barrier(2), threading.Barrier(2)

    def run(n: int) -> None:
        q = connect_queue()  # a connection of its own, as another process has
        claimant = Claimant(f"host:{n}", timedelta(seconds=60))
        start.wait()
        jobs = q.claim("slack", now=T0, claimant=claimant, limit=1)
        holding.wait()  # both hold a first claim before either goes on: they really race, even under load
        while jobs:
            taken[n] += [j.id for j in jobs]
            time.sleep(0.002)  # answering takes a moment: the other worker claims meanwhile
            jobs = q.claim("slack", now=T0, claimant=claimant, limit=1)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken[0] and taken[1]  # they did race
    assert sorted(taken[0] + taken[1]) == sorted(f"e{n}" for n in range(300))  # and no row went to both


def test_purge_forgets_finished_rows_only(queue) -> None:
    queue.offer("line", items("old", "waiting"), now=T0, limit=None)
    (job,) = queue.claim("line", now=T0, claimant=A, limit=1)
    queue.finish(job, now=T0)
    assert queue.purge(before=T0 + timedelta(days=8)) == 1
    assert queue.summary() == {"line": {"pending": 1}}


def test_an_older_database_is_upgraded_and_its_orphaned_claims_are_reported(db_path) -> None:
    with sqlite3.connect(db_path) as conn:  # as a version before the migrations made this table left it
        conn.execute("DROP TABLE inbound_events")
        conn.execute("DELETE FROM state_migrations WHERE version >= 5")
        conn.execute("CREATE TABLE inbound_events (id TEXT PRIMARY KEY, channel TEXT, state TEXT, updated_at TEXT)")
        conn.execute("INSERT INTO inbound_events VALUES ('Ev1', 'slack', 'processing', '2026-11-20T00:00:00+00:00'), "
                     "('Ev2', 'slack', 'done', '2026-11-20T00:00:00+00:00')")
    queue = SqliteInboundQueue(connect(db_path))
    (lost,) = queue.rows(states=("failed",))
    assert lost["id"] == "Ev1" and "before the inbound queue existed" in lost["last_error"]
    assert queue.offer("slack", items("Ev2"), now=T0, limit=None).duplicates == ["Ev2"]


def test_claims_of_a_dead_process_on_this_host_are_noticed() -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    me = f"host-a:{os.getpid()}"
    claimants = [f"host-a:{gone.stdout.strip()}", f"host-a:{os.getppid()}", "host-b:1", me]
    assert dead_here(claimants, me=me) == [f"host-a:{gone.stdout.strip()}"]
