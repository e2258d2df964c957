"""Webhooks that arrive in the same event-loop turn share the commit of their events
(bot.offer_group), and each is still told only about its own: on both backends, with real queue
workers over the real queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.offer_group import OfferGroup
from bot.worker import QueueWorker
from state.inbound_queue import Item, Job

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def items(*ids: str) -> list[Item]:
    return [Item(i, {"text": f"question {i}", "user_id": "U1"}) for i in ids]


async def never(job: Job) -> None:
    raise AssertionError("nothing is answered here")


def workers(queue, *, limit: int | None = 10) -> tuple[OfferGroup, QueueWorker, QueueWorker]:
    group = OfferGroup(queue.together)
    make = {"queue": queue, "handle": never, "clock": lambda: T0, "limit": limit, "group": group}
    return group, QueueWorker(channel="line", **make), QueueWorker(channel="slack", **make)


def test_webhooks_of_one_loop_turn_share_one_commit_and_each_hears_its_own_events(connect_queue) -> None:
    queue = connect_queue()
    queue.offer("line", items("e0"), now=T0, limit=None)
    group, line, slack = workers(queue)

    async def burst():  # four webhooks read by the loop in one turn, one a redelivery racing the first
        return await asyncio.gather(line.admit(items("e1")), slack.admit(items("s1", "s2")),
                                    line.admit(items("e0", "e2")), line.admit(items("e1")))

    first, both, mixed, racing = asyncio.run(burst())
    assert group.health() == {"commits": 1, "offers": 4}
    assert (first.accepted, first.duplicates) == (["e1"], [])
    assert (both.accepted, both.duplicates) == (["s1", "s2"], [])
    assert (mixed.accepted, mixed.duplicates) == (["e2"], ["e0"])
    assert racing.accepted == ["e1"] and not racing.full  # one row for both: stored once, answered once
    assert queue.summary() == {"line": {"pending": 3}, "slack": {"pending": 2}}

    async def apart():  # turns apart, commits apart
        return [await line.admit(items("e3")), await slack.admit(items("s3"))]

    assert [o.accepted for o in asyncio.run(apart())] == [["e3"], ["s3"]]
    assert group.health() == {"commits": 3, "offers": 6}


def test_a_full_channel_turns_away_only_its_own_webhooks(connect_queue) -> None:
    queue = connect_queue()
    group, line, slack = workers(queue, limit=2)

    async def burst():
        return await asyncio.gather(line.admit(items("e1")), slack.admit(items("s1")), line.admit(items("e2", "e3")))

    one, other, two = asyncio.run(burst())
    assert one.full and two.full and one.accepted == two.accepted == []  # 3 would pass line's limit of 2
    assert other.accepted == ["s1"] and not other.full
    assert queue.summary() == {"slack": {"pending": 1}}


def test_a_failed_commit_acknowledges_nothing_it_did_not_store(connect_queue) -> None:
    queue = connect_queue()
    group, line, slack = workers(queue)
    broken = Item("s1", {"text": {"not", "json"}})  # its row cannot be written

    async def burst():
        return await asyncio.gather(line.admit(items("e1")), slack.admit([broken]), return_exceptions=True)

    line_said, slack_said = asyncio.run(burst())
    assert slack_said.full and slack_said.accepted == []  # the webhook answers 503 and the platform retries
    with queue.together() as one_commit:
        pass
    if one_commit:  # SQLite: line's row was in the same transaction, rolled back with it
        assert line_said.full and line_said.accepted == [] and queue.summary() == {}
    else:  # PostgreSQL: line's offer had committed on its own before slack's failed
        assert line_said.accepted == ["e1"] and queue.summary() == {"line": {"pending": 1}}
    assert queue.offer("slack", [Item("s1", {"text": "retried"})], now=T0, limit=None).accepted == ["s1"]


@pytest.mark.parametrize("unfinished", [0, 4])
def test_the_limit_holds_whether_or_not_the_offer_counts(connect_queue, unfinished) -> None:
    """Far below the limit the worker's offer skips the count (it knows the count from its poller
    and what it accepted since); near it, the count decides."""
    queue = connect_queue()
    queue.offer("line", items(*[f"old{n}" for n in range(unfinished)]), now=T0, limit=None)
    group = OfferGroup(queue.together)
    line = QueueWorker(queue=queue, channel="line", handle=never, clock=lambda: T0, limit=5, group=group,
                       max_ready=0, room_wait=0)  # claims nothing: the rows stay unfinished

    async def one_by_one():
        await line.start()
        while line._unfinished is None:  # until the poller has counted once
            await asyncio.sleep(0.01)
        said = [await line.admit(items(f"e{n}")) for n in range(6)]
        await line.drain(grace=0)
        return said

    said = asyncio.run(one_by_one())
    assert [not o.full for o in said] == [n < 5 - unfinished for n in range(6)]
    assert queue.unfinished("line") == 5
