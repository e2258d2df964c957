"""The webhooks' offers of one event-loop turn, committed together.

An event is acknowledged only once its row is committed, so every webhook pays a commit before
its 200: on SQLite that commit is most of what the offer costs, on PostgreSQL a round trip that
holds the loop. Requests the loop reads in the same turn need not pay it apart: their offers wait
for the end of the turn (``call_soon``), then each channel's items go to the queue as one offer,
and all channels' offers share one transaction where the queue says that saves a commit
(``InboundQueue.together``). Alone, a request waits one loop turn and pays the same commit.

What each webhook is told is its own: its ids accepted or duplicate, or ``full`` (503) when its
channel's queue would pass the limit. The claimed rows are handed to the workers only after the
commit, so a failed commit answers nothing it did not store. A webhook whose events were not
stored gets the error (its worker answers 503, and the platforms retry): on SQLite every webhook
of the group, on PostgreSQL those of the channel that failed and after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from state.inbound_queue import Item, Offer

log = logging.getLogger("dxbot.worker")


class QueueWorker(Protocol):
    """What the group asks of a queue worker (``bot.worker.QueueWorker`` is one)."""

    channel: str

    def store(self, items: Sequence[Item]) -> Offer: ...

    def took(self, result: Offer) -> Offer: ...


Waiting = tuple[QueueWorker, Sequence[Item], "asyncio.Future[Offer]"]


class OfferGroup:
    """Shared by the queue workers of one queue (one per channel)."""

    def __init__(self, together: Callable[[], AbstractContextManager[bool]]) -> None:
        self.together = together
        self._waiting: list[Waiting] = []
        self.commits = 0  # and the webhooks' offers they carried (/healthz)
        self.offers = 0

    def health(self) -> dict[str, int]:
        return {"commits": self.commits, "offers": self.offers}

    async def offer(self, worker: QueueWorker, items: Sequence[Item]) -> Offer:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Offer] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._commit)
        self._waiting.append((worker, items, future))
        return await future

    def _commit(self) -> None:
        waiting, self._waiting = self._waiting, []
        channels: dict[QueueWorker, list[Item]] = {}
        for worker, items, _ in waiting:
            channels.setdefault(worker, []).extend(items)
        stored: dict[QueueWorker, Offer] = {}
        failure: Exception | None = None
        one_commit = False
        try:
            with self.together() as one_commit:
                for worker, items in channels.items():
                    stored[worker] = worker.store(items)
        except Exception as exc:
            failure = exc
            if one_commit:
                stored.clear()  # rolled back: none of them stands
        self.commits += 1
        self.offers += len(waiting)
        for worker, result in stored.items():
            try:
                worker.took(result)
            except Exception:  # the rows are committed: the webhooks get their 200 and the poller,
                # or the claims' lease running out, gets them answered
                log.exception("%s: taking %d claimed events failed", worker.channel, len(result.claimed))
        for worker, items, future in waiting:
            if future.done():  # its request is gone (the client hung up): a stored row is still answered
                continue
            if worker in stored:
                future.set_result(_share(stored[worker], items))
            else:
                future.set_exception(failure or RuntimeError("not offered"))


def _share(result: Offer, items: Sequence[Item]) -> Offer:
    """One webhook's part of its channel's offer."""
    mine = {i.id for i in items}
    return Offer(accepted=[i for i in result.accepted if i in mine],
                 duplicates=[i for i in result.duplicates if i in mine],
                 claimed=[j for j in result.claimed if j.id in mine], full=result.full)
