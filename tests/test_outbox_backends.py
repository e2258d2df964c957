"""The reminder outbox's claims and fences, the same on the embedded SQLite file and on PostgreSQL
(where candidates are taken with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from state.database import connect, open_state
from state.outbox import Outbox
from state.outbox_pg import PostgresOutbox
from state.statedb import PostgresState

T0 = datetime(2027, 4, 30, 0, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", "postgresql"])
def open_outbox(request, db_path):
    """Opens the outbox with a connection of its own, as another scheduler process would."""
    if request.param == "sqlite":
        yield lambda: Outbox(connect(db_path), lease=LEASE)
        return
    url = request.getfixturevalue("pg_url")
    states = [open_state(url, sqlite_db=connect(memory=True))]  # migrated

    def open_one() -> PostgresOutbox:
        states.append(PostgresState(url))
        return PostgresOutbox(states[-1], lease=LEASE)

    yield open_one
    for st in states:
        st.close()  # type: ignore[attr-defined]


def enqueue(outbox, key: str, *, due: datetime = T0) -> bool:
    return outbox.enqueue(key, kind="reminder", department="総務法制課", route="総務法制課", fiscal_year=2026,
                          label="30日前", projects=["2-1-1"], due_at=due, late=False, now=T0)


def test_a_key_is_queued_once(open_outbox) -> None:
    outbox = open_outbox()
    assert enqueue(outbox, "k1") and not enqueue(outbox, "k1") and outbox.exists("k1")
    assert outbox.summary() == {"pending": 1}


def test_a_claim_past_its_lease_is_recovered_and_the_first_sender_fenced_off(open_outbox) -> None:
    a, b = open_outbox(), open_outbox()
    enqueue(a, "k1")
    (first,) = a.claim(T0, worker="a")
    assert not first.recovering and b.claim(T0 + timedelta(minutes=4), worker="b") == []  # live claim
    assert a.renew(first, now=T0 + timedelta(minutes=4))  # the sender renews while it works
    assert b.claim(T0 + timedelta(minutes=8), worker="b") == []  # renewed: still live
    (second,) = b.claim(T0 + timedelta(minutes=10), worker="b")
    assert second.recovering and second.token != first.token  # a new fence; look the key up first
    assert not a.mark_sent(first, receipt="ts1", now=T0 + timedelta(minutes=10))  # too late: b holds it
    assert not a.renew(first, now=T0 + timedelta(minutes=10))
    assert b.mark_sent(second, receipt="ts2", now=T0 + timedelta(minutes=10))
    assert a.summary() == {"sent": 1}


def test_an_unverifiable_row_waits_for_an_operator(open_outbox) -> None:
    outbox = open_outbox()
    enqueue(outbox, "k1")
    (row,) = outbox.claim(T0, worker="a")
    assert outbox.mark_unknown(row, error="history: missing_scope")
    assert outbox.claim(T0 + timedelta(days=1), worker="a") == []  # never re-sent blindly
    with pytest.raises(ValueError, match="no reminder"):
        outbox.resolve("k9", "sent", now=T0)
    assert outbox.resolve("k1", "resend", now=T0 + timedelta(hours=1)) == "pending"
    (again,) = outbox.claim(T0 + timedelta(hours=1), worker="a")
    assert again.key == "k1" and not again.recovering
    assert outbox.mark_sent(again, receipt="ts", now=T0 + timedelta(hours=1))
    with pytest.raises(ValueError, match="only unknown or failed"):
        outbox.resolve("k1", "resend", now=T0 + timedelta(hours=2))  # decided once


def test_retries_back_off_and_end_failed(open_outbox) -> None:
    outbox = open_outbox()
    enqueue(outbox, "k1")
    now = T0
    while True:
        (row,) = outbox.claim(now, worker="a")
        outbox.mark_retry(row, error="ratelimited", at=now + timedelta(minutes=1))
        assert outbox.claim(now + timedelta(seconds=59), worker="a") == []
        now += timedelta(minutes=1)
        if outbox.summary().get("failed"):
            break
    assert outbox.rows(states=("failed",))[0]["last_error"] == "ratelimited"


def test_schedulers_claiming_at_once_never_share_a_row(open_outbox) -> None:
    first = open_outbox()
    for n in range(120):
        enqueue(first, f"k{n:03d}")
    taken: list[list[str]] = [[], [], []]
    start, holding = threading.Barrier(3), threading.Barrier(3)

    def run(n: int) -> None:
        outbox = open_outbox()
        start.wait()
        rows = outbox.claim(T0, worker=f"w{n}", limit=2)
        # Every scheduler holds its first claim while the others take theirs, so they really race
        # even when one thread would otherwise drain the table before the others are scheduled.
        holding.wait()
        while rows:
            taken[n] += [r.key for r in rows]
            time.sleep(0.01)  # the post takes a moment: the others claim meanwhile
            for r in rows:
                assert outbox.mark_sent(r, receipt="ts", now=T0)
            rows = outbox.claim(T0, worker=f"w{n}", limit=2)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(taken)  # they did race
    assert sorted(k for t in taken for k in t) == [f"k{n:03d}" for n in range(120)]  # each once
    assert first.summary() == {"sent": 120}
