"""Answering from the inbound queue, on the server's event loop.

The webhook commits a row before it acknowledges (``admit``) and, while this process has room,
claims it in the same transaction; anything beyond that waits in the table, where any worker
process takes it. The poller also resumes what a stopped process left: pending rows, rows due for
a retry, and rows whose holder's lease ran out (a dead process on this host is noticed at once,
any other after its lease).

Per channel, a claimed row goes through two stages:

- **answering** — the channel's ``handle(job)`` runs synchronously on the loop (understanding the
  question and drawing the reply is CPU work, a fraction of a millisecond) and returns the
  coroutine that sends the reply. One answer per loop turn per channel, so the acknowledgements of
  new webhooks are never kept waiting behind a pile of answers;
- **sending** — the reply goes out on a pooled keep-alive connection as a task, up to
  ``max_sending`` at once per channel: a slow platform fills its own channel's slots only.

When answering falls behind, ``admit`` waits (briefly) for room before committing, so the
acknowledgements slow down to the pace of the answers instead of running ahead of them; after
``room_wait`` seconds the row is committed as pending anyway, and past ``limit`` unfinished rows
the webhook answers 503 (the platforms retry). The offer counts the unfinished rows only past half
the limit; below it the worker goes by the poller's count plus what it stored since. No thread
hand-offs on the way: each costs more CPU than answering a question. Webhooks read in the same
loop turn commit their events together (``group``, bot.offer_group).

Finished rows are recorded together: answers finished within ``flush_seconds`` of each other share
one transaction, which also carries the answers' other writes (``behind``: the conversations' last
projects, unanswered questions). A crash before that write leaves the rows claimed; they are
recovered after their lease as "recovering", and the channels know how not to answer twice.

``drain`` is the shutdown: refuse new events (503, the platform retries), give back what was not
started, let the replies in flight finish within a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.offer_group import OfferGroup
from state.conversations import WriteBehind
from state.inbound_queue import MAX_ATTEMPTS, Claimant, InboundQueue, Item, Job, Offer

log = logging.getLogger("dxbot.worker")
Clock = Callable[[], datetime]
Handle = Callable[[Job], Awaitable[None]]

LEASE = timedelta(seconds=60)
# A send must finish inside the lease: below this much lease left, renew before starting.
SEND_MARGIN = timedelta(seconds=40)
# How long the platforms take at most to act on a request already sent (the replies' HTTP timeout).
IN_FLIGHT_GRACE = timedelta(seconds=10)
FLUSH_RETRY_SECONDS = 1.0  # answers sent while the database was away are recorded once it is back


class Retry(Exception):
    """The platform failed for now (5xx, 429, no connection): try again later.

    ``after``: the platform said when (Retry-After); otherwise exponential back-off.
    """

    def __init__(self, reason: str, *, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class GiveUp(Exception):
    """Retrying cannot help (the platform refused the request itself): the row fails, visibly."""


def backoff(attempts: int) -> float:
    """Seconds before the next try: 1, 2, 4 … up to five minutes."""
    return float(min(300, 2 ** max(0, attempts - 1)))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dead_here(claimants: Sequence[str], *, me: str) -> list[str]:
    """Claimants that were processes on this host and no longer run (their leases can end now)."""
    host = me.rsplit(":", 1)[0]
    dead = []
    for c in claimants:
        chost, _, pid = (c or "").rpartition(":")
        if c == me or chost != host or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(c)
        except PermissionError:
            pass  # alive, another user's
    return dead


@dataclass(frozen=True)
class DrainReport:
    finished: int
    released: int
    unfinished: int  # still running at the end of the grace period: recovered after their lease


class QueueWorker:
    """One channel's answering, on the event loop. ``handle(job)`` does the CPU part of answering
    synchronously and returns the coroutine that sends the reply; either part raises Retry / GiveUp."""

    def __init__(self, *, queue: InboundQueue, channel: str, handle: Handle, clock: Clock,
                 limit: int | None = 1000, lease: timedelta = LEASE, poll_seconds: float = 0.5,
                 backoff: Callable[[int], float] = backoff, max_attempts: int = MAX_ATTEMPTS,
                 name: str | None = None, max_ready: int = 16, max_sending: int = 64, room_wait: float = 0.5,
                 flush_seconds: float = 0.01, behind: WriteBehind | None = None,
                 group: OfferGroup | None = None) -> None:
        self.queue = queue
        self.channel = channel
        self.handle = handle
        self.clock = clock
        self.limit = limit
        self.claimant = Claimant(name or worker_id(), lease)
        self.poll_seconds = poll_seconds
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.max_ready = max_ready
        self.max_sending = max_sending
        self.room_wait = room_wait
        self.flush_seconds = flush_seconds
        self.behind = behind
        self.group = group
        self.draining = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: deque[Job] = deque()
        self._sending: set[asyncio.Task[None]] = set()
        self._finished: list[Job] = []
        self._flush_at: asyncio.TimerHandle | None = None
        self._moved: asyncio.Event | None = None  # set whenever ready or sending changed
        self._wake_poller: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._backlog = False  # rows were left pending in the table: look again as soon as there is room
        self._done = 0
        self._unfinished: int | None = None  # the channel's unfinished rows as last counted, plus ours since

    # ------------------------------------------------------------------ intake
    def _room(self) -> int:
        return max(0, self.max_ready - len(self._ready)) if self._loop is not None else 0

    async def admit(self, items: Sequence[Item]) -> Offer:
        """``offer`` from the event loop, once there is room to answer at once (see wait_for_room);
        with a ``group``, together with the other webhooks' offers of the same loop turn."""
        await self.wait_for_room()
        if self.group is None:
            return self.offer(items)
        try:
            return await self.group.offer(self, items)
        except Exception as exc:
            return self._unstored(items, exc)

    def _unstored(self, items: Sequence[Item], exc: Exception) -> Offer:
        """The database failed (gone, a full disk): nothing was stored, so 503 and the platform
        retries. The error is the database's, not the request's: logged in one line."""
        log.warning("%s: storing %d events failed, answered 503: %s: %s", self.channel, len(items),
                    type(exc).__name__, exc)
        return Offer(full=True)

    async def wait_for_room(self) -> None:
        """Wait up to ``room_wait`` seconds for room to answer one more event at once: this is what
        keeps the acknowledgements at the pace of the answers. Then the row is committed anyway, as
        pending, and the poller takes it when there is room. No wait when the platform is what is
        slow (every send slot taken): room would not come soon, and the row waits in the table."""
        if (self._loop is not None and not self._room() and not self.draining
                and len(self._sending) < self.max_sending):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._until(lambda: self._room() > 0 or self.draining), self.room_wait)

    def offer(self, items: Sequence[Item]) -> Offer:
        """Commit the events, claiming what this process can answer now. ``full`` means answer 503.
        Callable from any thread (Socket Mode's listeners run in their own)."""
        try:
            return self.took(self.store(items))
        except Exception as exc:
            return self._unstored(items, exc)

    def store(self, items: Sequence[Item]) -> Offer:
        """The queue's part of ``offer``: the rows written (in the caller's transaction, if any) and
        claimed, but not yet taken for answering; ``took`` that once the transaction committed."""
        if self.draining:
            return Offer(full=True)
        limit = self.limit if self._near_limit(len(items)) else None
        result = self.queue.offer(self.channel, items, now=self.clock(), limit=limit, claim=self.claimant,
                                  claim_max=self._room())
        if self._unfinished is not None:
            self._unfinished += len(result.accepted)
        return result

    def _near_limit(self, more: int) -> bool:
        """Whether the offer must count the unfinished rows against the limit. Far below it, the
        count is skipped (on PostgreSQL that makes the offer a plain insert): the poller reads the
        count every poll and this process adds what it accepted since, so what can be missed is
        only other hosts' rows since the last poll, and half the limit is left as their margin."""
        if self.limit is None:
            return False
        return self._unfinished is None or self._unfinished + more > self.limit // 2

    def took(self, result: Offer) -> Offer:
        """Answer what ``store`` claimed, and let the poller know about what it left pending."""
        loop = self._loop
        if result.claimed:
            assert loop is not None
            if _on(loop):
                self._take(result.claimed)
            else:
                loop.call_soon_threadsafe(self._take, result.claimed)
        if len(result.accepted) > len(result.claimed):
            self._backlog = True
            if loop is not None:
                self._poke() if _on(loop) else loop.call_soon_threadsafe(self._poke)
        return result

    def _take(self, jobs: Sequence[Job]) -> None:
        if self.draining:  # drain began meanwhile: nobody will answer these here
            self.queue.release(jobs, now=self.clock())
            return
        self._ready.extend(jobs)
        self._notify()

    def _poke(self) -> None:
        if self._wake_poller is not None:
            self._wake_poller.set()

    def _notify(self) -> None:
        if self._moved is not None:
            self._moved.set()

    async def _until(self, condition: Callable[[], bool]) -> None:
        """Wait until ``condition()`` holds; it is looked at again whenever ready or sending moved."""
        assert self._moved is not None
        while not condition():
            self._moved.clear()
            await self._moved.wait()

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        """Begin answering on the running loop (resumes what a stopped process left)."""
        if self._tasks:
            return
        self._loop = asyncio.get_running_loop()
        self._moved = asyncio.Event()
        self._wake_poller = asyncio.Event()
        self.draining = False
        if self.behind is not None:
            self.behind.on_write(self._wake_flush)
        self._tasks = [self._loop.create_task(self._answer_loop(), name=f"dxbot-{self.channel}-answer"),
                       self._loop.create_task(self._poll(), name=f"dxbot-{self.channel}-poll")]

    async def drain(self, *, grace: float) -> DrainReport:
        """Stop taking work, give back what was not started, let the replies in flight finish within
        ``grace`` seconds."""
        self.draining = True
        done_before = self._done
        unstarted = list(self._ready)
        self._ready.clear()
        log.info("%s queue draining: %d answers in flight, %d not started", self.channel, len(self._sending),
                 len(unstarted))
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        released = self.queue.release(unstarted, now=self.clock()) if unstarted else 0
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=grace)
        self._flush()
        report = DrainReport(finished=self._done - done_before, released=released, unfinished=len(self._sending))
        log.info("%s queue drained: %d finished, %d given back as pending, %d still running", self.channel,
                 report.finished, report.released, report.unfinished)
        return report

    # ------------------------------------------------------------------ answering
    async def _answer_loop(self) -> None:
        while True:
            await self._until(lambda: bool(self._ready) and len(self._sending) < self.max_sending)
            job = self._ready.popleft()
            self._notify()  # room for one more: an admit may be waiting
            self._answer(job)
            await asyncio.sleep(0)  # one answer per loop turn: acknowledgements get their turn

    def _answer(self, job: Job) -> None:
        now = self.clock()
        try:
            if job.lease_until - now < SEND_MARGIN:
                until = now + self.claimant.lease
                if not self.queue.renew(job, until=until):
                    log.warning("%s %s: taken over by another worker; left to it", self.channel, job.id)
                    return
                job = replace(job, lease_until=until)
            send = self.handle(job)
        except Exception as exc:
            self._outcome(job, exc)
            return
        task = self._loop.create_task(self._send(job, send))  # type: ignore[union-attr]
        self._sending.add(task)
        task.add_done_callback(self._sent)

    async def _send(self, job: Job, send: Awaitable[None]) -> None:
        try:
            await send
        except Exception as exc:
            self._outcome(job, exc)
            return
        self._finished.append(job)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_at is None and self._loop is not None:
            self._flush_at = self._loop.call_later(self.flush_seconds, self._flush)

    def _wake_flush(self) -> None:
        """A write was held back (state.conversations.WriteBehind). Made while answering on the loop, it
        goes with that answer's finish (or its failure's record); from another thread (a Slack
        button), it gets a flush of its own."""
        loop = self._loop
        if loop is not None and not _on(loop):
            loop.call_soon_threadsafe(self._schedule_flush)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._done += 1
        self._notify()
        if self._backlog:
            self._poke()

    def _flush(self) -> None:
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        jobs, self._finished = self._finished, []
        if jobs or (self.behind is not None and len(self.behind)):
            try:
                if self.behind is None:
                    self.queue.finish_many(jobs, now=self.clock())
                else:  # the answers' other writes in the same transaction
                    self.behind.flush(lambda also: self.queue.finish_many(jobs, now=self.clock(), also=also))
            except Exception as exc:  # the database is away: kept, and written again shortly (each
                # row's finish is fenced, so one taken over meanwhile is left alone). Should this
                # process stop first, the leases run out and another claim takes them as
                # "recovering": the channels then check whether the answer went out (a spent LINE
                # reply token, the answer's metadata in the Slack thread) and do not send it again.
                log.warning("%s: recording %d answers as done failed, retrying in %g s: %s: %s", self.channel,
                            len(jobs), FLUSH_RETRY_SECONDS, type(exc).__name__, exc)
                self._finished[:0] = jobs
                if self._loop is not None and self._flush_at is None and not self.draining:
                    self._flush_at = self._loop.call_later(FLUSH_RETRY_SECONDS, self._flush)

    def _outcome(self, job: Job, exc: Exception) -> None:
        """Record a failed attempt: retried later (Retry, or a bug), or failed for good (GiveUp)."""
        if self.behind is not None and len(self.behind):
            self._schedule_flush()  # what answering it held back still gets written
        try:
            if isinstance(exc, GiveUp):
                self.queue.fail(job, error=str(exc), now=self.clock())
                log.error("%s %s failed: %s", self.channel, job.id, exc)
                return
            if isinstance(exc, Retry):
                delay, error = (exc.after if exc.after is not None else self.backoff(job.attempts)), str(exc)
            else:  # a bug or an unexpected reply: retried with back-off, then failed
                log.error("%s %s: answering failed", self.channel, job.id, exc_info=exc)
                delay, error = self.backoff(job.attempts), f"{type(exc).__name__}: {exc}"
            state = self.queue.retry(job, error=error, at=self.clock() + timedelta(seconds=delay), now=self.clock(),
                                     max_attempts=self.max_attempts)
            log.warning("%s %s: %s — %s", self.channel, job.id, error,
                        f"retry in {delay:g} s" if state == "pending" else f"failed after {job.attempts} attempts")
        except Exception:  # the database failed us: the row's lease runs out and it is recovered
            log.exception("%s %s: recording the outcome failed", self.channel, job.id)

    # ------------------------------------------------------------------ polling
    async def _poll(self) -> None:
        assert self._wake_poller is not None
        last_reap = 0.0
        while True:
            try:
                if time.monotonic() - last_reap > 10 * self.poll_seconds:
                    last_reap = time.monotonic()
                    dead = dead_here(self.queue.claimants(), me=self.claimant.worker)
                    # Not at once: a reply the dead process had sent may still be on its way, and
                    # whether it arrived is what the next holder checks (Slack's thread history).
                    if dead and self.queue.expire_claims(dead, now=self.clock() + IN_FLIGHT_GRACE):
                        log.warning("%s: resuming the rows of stopped processes %s in %d s", self.channel, ", ".join(dead),
                                    IN_FLIGHT_GRACE.total_seconds())
                self._unfinished = self.queue.unfinished(self.channel)
                room = self._room()
                if room:
                    jobs = self.queue.claim(self.channel, now=self.clock(), claimant=self.claimant, limit=room)
                    self._backlog = len(jobs) == room  # more may be waiting
                    if jobs:
                        self._take(jobs)
            except Exception:  # the database was busy or gone for a moment: the next poll tries again
                log.exception("%s: polling the inbound queue failed", self.channel)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_poller.wait(), self.poll_seconds)
            self._wake_poller.clear()

    # ------------------------------------------------------------------ observing
    def health(self) -> dict[str, Any]:
        counts = self.queue.summary().get(self.channel, {})
        oldest = self.queue.oldest_unfinished(self.channel)
        return {"pending": counts.get("pending", 0), "processing": counts.get("processing", 0),
                "failed": counts.get("failed", 0), "done": counts.get("done", 0),
                "oldest_unfinished_seconds": round((self.clock() - oldest).total_seconds(), 1) if oldest else 0,
                "limit": self.limit, "draining": self.draining}


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


async def drain_all(workers: Sequence[QueueWorker], *, grace: float) -> list[DrainReport]:
    """Drain every channel at once, within one grace period."""
    for w in workers:
        w.draining = True  # refuse new events everywhere before waiting on any
    return list(await asyncio.gather(*(w.drain(grace=grace) for w in workers)))


def drain_all_from_thread(workers: Sequence[QueueWorker], *, grace: float) -> list[DrainReport]:
    """``drain_all`` for a caller outside the loop (an operator's thread, a test)."""
    loop = next((w._loop for w in workers if w._loop is not None), None)
    if loop is None:
        return []
    return asyncio.run_coroutine_threadsafe(drain_all(workers, grace=grace), loop).result(timeout=grace + 30)
