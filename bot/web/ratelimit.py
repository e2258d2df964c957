"""Token buckets per client. Time is passed in (a monotonic clock for a process's own buckets,
the wall clock for the shared ones)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from state.conversations import hash_user
from state.rate_limits import forget_idle, take
from state.statedb import StateDB

log = logging.getLogger("dxbot.web")
# How often a process drops the shared buckets that are full again (any host may; all do).
SWEEP_SECONDS = 60.0


class Limiter(Protocol):
    def allow(self, client: str, *, now: float) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed); ``now`` on the limiter's clock."""


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, *, rate_per_minute: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, client: str, *, now: float) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed)."""
        b = self._buckets.get(client)
        if b is None:
            if len(self._buckets) >= self.max_clients:
                self._buckets.clear()  # bounded memory: forgetting everyone errs on the side of allowing
            b = self._buckets[client] = _Bucket(float(self.burst), now)
        b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
        b.at = now
        if b.tokens >= 1:
            b.tokens -= 1
            return True, 0.0
        return False, (1 - b.tokens) / self.rate if self.rate else 60.0


class SharedRateLimiter:
    """The same buckets kept in the shared state (PostgreSQL), so that every host and worker draws on
    one bucket per client: with two hosts of two workers a client gets the documented rate, not
    four times it. ``now`` is wall-clock time (``time.time``), the one clock every host shares.

    Clients are keyed by a salted hash of their address: the state never holds a citizen's IP.
    When the database cannot be reached, each process falls back to a bucket of its own rather
    than refusing everyone (the knowledge base, which answers, is local)."""

    def __init__(self, state: StateDB, *, rate_per_minute: float, burst: int, salt: str) -> None:
        self.state = state
        self.interval = 60.0 / rate_per_minute
        self.burst = burst
        self.salt = salt
        self.fallback = RateLimiter(rate_per_minute=rate_per_minute, burst=burst)
        self._swept = 0.0

    def allow(self, client: str, *, now: float) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed)."""
        try:
            if now - self._swept > SWEEP_SECONDS:
                self._swept = now
                forget_idle(self.state, now=now)
            wait = take(self.state, hash_user(client, salt=self.salt), now=now, interval=self.interval,
                        burst=self.burst)
        except Exception:  # noqa: BLE001 - an unreachable database must not stop the web chat
            log.warning("web rate limit: the shared state is unreachable; this process counts alone",
                        exc_info=True)
            return self.fallback.allow(client, now=now)
        return wait == 0.0, wait
