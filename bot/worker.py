"""Answering from the inbound queue: a few threads per channel that take rows and run the channel's work.

The webhook commits a row before it acknowledges (``offer``) and, while this process has spare
hands, claims it in the same transaction so the answer starts at once; anything beyond that waits
in the table, where any worker process takes it. The poller also resumes what a stopped process
left: pending rows, rows due for a retry, and rows whose holder's lease ran out (a dead process on
this host is noticed at once, any other after its lease).

``drain`` is the shutdown: refuse new events (the webhook answers 503 and the platform retries),
let the answers in flight finish within a grace period, and give the rest back as pending.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from handlers.inbound_queue import Claimant, InboundQueue, Item, Job, MAX_ATTEMPTS, Offer

log = logging.getLogger("dxbot.worker")
Clock = Callable[[], datetime]

LEASE = timedelta(seconds=60)
# A send must finish inside the lease: below this much lease left, renew before starting.
SEND_MARGIN = timedelta(seconds=40)


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
    """Threads that answer one channel's rows. ``handle(job)`` answers or raises Retry / GiveUp."""

    def __init__(self, *, queue: InboundQueue, channel: str, handle: Callable[[Job], None], clock: Clock,
                 threads: int = 4, limit: int | None = 1000, lease: timedelta = LEASE, poll_seconds: float = 0.5,
                 backoff: Callable[[int], float] = backoff, max_attempts: int = MAX_ATTEMPTS,
                 name: str | None = None) -> None:
        self.queue = queue
        self.channel = channel
        self.handle = handle
        self.clock = clock
        self.threads = threads
        self.limit = limit
        self.claimant = Claimant(name or worker_id(), lease)
        self.poll_seconds = poll_seconds
        self.backoff = backoff
        self.max_attempts = max_attempts
        self._ready: deque[Job] = deque()
        self._busy = 0
        self._done = 0
        self._cv = threading.Condition()
        self._wake_poller = threading.Event()
        self._stopping = False
        self._backlog = False  # rows were left pending in the table: look again as soon as hands are free
        self.draining = False
        self._pool: list[threading.Thread] = []

    # ------------------------------------------------------------------ intake (request threads)
    def offer(self, items: Sequence[Item]) -> Offer:
        """Commit the events, claiming what this process can start now. ``full`` means answer 503."""
        if self.draining:
            return Offer(full=True)
        with self._cv:
            spare = max(0, 2 * self.threads - len(self._ready) - self._busy)
        result = self.queue.offer(self.channel, items, now=self.clock(), limit=self.limit, claim=self.claimant,
                                  claim_max=spare if self._pool else 0)
        if result.claimed:
            with self._cv:
                stopped = self._stopping  # drain began meanwhile: no thread will take these
                if not stopped:
                    self._ready.extend(result.claimed)
                    self._cv.notify(len(result.claimed))
            if stopped:
                self.queue.release(result.claimed, now=self.clock())
        if len(result.accepted) > len(result.claimed):
            self._backlog = True
            self._wake_poller.set()
        return result

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        if self._pool:
            return
        self._stopping = False
        for n in range(self.threads):
            t = threading.Thread(target=self._run, name=f"dxbot-{self.channel}-{n}", daemon=True)
            t.start()
            self._pool.append(t)
        poller = threading.Thread(target=self._poll, name=f"dxbot-{self.channel}-poll", daemon=True)
        poller.start()
        self._pool.append(poller)

    def drain(self, *, grace: float) -> DrainReport:
        """Stop taking work, finish what is in flight within ``grace`` seconds, give back the rest."""
        self.draining = True
        done_before = self._done
        with self._cv:
            self._stopping = True
            unstarted = list(self._ready)
            self._ready.clear()
            self._cv.notify_all()
            log.info("%s queue draining: %d answers in flight, %d not started", self.channel, self._busy,
                     len(unstarted))
        self._wake_poller.set()
        released = self.queue.release(unstarted, now=self.clock()) if unstarted else 0
        deadline = time.monotonic() + grace
        with self._cv:
            while self._busy and time.monotonic() < deadline:
                self._cv.wait(timeout=max(0.0, deadline - time.monotonic()))
            busy = self._busy
        report = DrainReport(finished=self._done - done_before, released=released, unfinished=busy)
        log.info("%s queue drained: %d finished, %d given back as pending, %d still running", self.channel,
                 report.finished, report.released, report.unfinished)
        return report

    # ------------------------------------------------------------------ threads
    def _poll(self) -> None:
        last_reap = 0.0
        while not self._stopping:
            try:
                if time.monotonic() - last_reap > 10 * self.poll_seconds:
                    last_reap = time.monotonic()
                    dead = dead_here(self.queue.claimants(), me=self.claimant.worker)
                    if dead and self.queue.expire_claims(dead, now=self.clock()):
                        log.warning("%s: resuming the rows of stopped processes %s", self.channel, ", ".join(dead))
                with self._cv:
                    spare = max(0, 2 * self.threads - len(self._ready) - self._busy)
                jobs = self.queue.claim(self.channel, now=self.clock(), claimant=self.claimant, limit=spare)
                if spare:
                    self._backlog = len(jobs) == spare
                if jobs:
                    with self._cv:
                        if self._stopping:
                            self.queue.release(jobs, now=self.clock())
                            return
                        self._ready.extend(jobs)
                        self._cv.notify(len(jobs))
                    if len(jobs) == spare:
                        self._wake_poller.wait(self.poll_seconds / 10)  # more may be waiting: look again soon
                        continue
            except Exception:  # the database was busy or gone for a moment: the next poll tries again
                log.exception("%s: polling the inbound queue failed", self.channel)
            self._wake_poller.wait(self.poll_seconds)
            self._wake_poller.clear()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._ready and not self._stopping:
                    self._cv.wait()
                if self._stopping:
                    return
                job = self._ready.popleft()
                self._busy += 1
            try:
                self._work(job)
            except Exception:  # the database failed us: the row's lease runs out and it is recovered
                log.exception("%s %s: recording the outcome failed", self.channel, job.id)
            finally:
                with self._cv:
                    self._busy -= 1
                    self._done += 1
                    self._cv.notify_all()
                if self._backlog:
                    self._wake_poller.set()

    def _work(self, job: Job) -> None:
        now = self.clock()
        try:
            if job.lease_until - now < SEND_MARGIN:
                until = now + self.claimant.lease
                if not self.queue.renew(job, until=until):
                    log.warning("%s %s: taken over by another worker; left to it", self.channel, job.id)
                    return
                job = replace(job, lease_until=until)
            self.handle(job)
        except Retry as exc:
            delay = exc.after if exc.after is not None else self.backoff(job.attempts)
            state = self.queue.retry(job, error=str(exc), at=self.clock() + timedelta(seconds=delay), now=self.clock(),
                                     max_attempts=self.max_attempts)
            log.warning("%s %s: %s — %s", self.channel, job.id, exc,
                        f"retry in {delay:g} s" if state == "pending" else f"failed after {job.attempts} attempts")
            return
        except GiveUp as exc:
            self.queue.fail(job, error=str(exc), now=self.clock())
            log.error("%s %s failed: %s", self.channel, job.id, exc)
            return
        except Exception as exc:  # a bug or an unexpected reply: retried with back-off, then failed
            log.exception("%s %s: answering failed", self.channel, job.id)
            self.queue.retry(job, error=f"{type(exc).__name__}: {exc}", now=self.clock(),
                             at=self.clock() + timedelta(seconds=self.backoff(job.attempts)),
                             max_attempts=self.max_attempts)
            return
        self.queue.finish(job, now=self.clock())

    # ------------------------------------------------------------------ observing
    def health(self) -> dict[str, Any]:
        counts = self.queue.summary().get(self.channel, {})
        oldest = self.queue.oldest_unfinished(self.channel)
        return {"pending": counts.get("pending", 0), "processing": counts.get("processing", 0),
                "failed": counts.get("failed", 0), "done": counts.get("done", 0),
                "oldest_unfinished_seconds": round((self.clock() - oldest).total_seconds(), 1) if oldest else 0,
                "limit": self.limit, "draining": self.draining}


def drain_all(workers: Sequence[QueueWorker], *, grace: float) -> list[DrainReport]:
    """Drain every channel at once, within one grace period."""
    for w in workers:
        w.draining = True  # refuse new events everywhere before waiting on any
    reports: list[DrainReport | None] = [None] * len(workers)

    def one(n: int) -> None:
        reports[n] = workers[n].drain(grace=grace)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in reports if r is not None]
