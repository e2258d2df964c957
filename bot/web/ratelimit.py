"""Token buckets per client. Time is passed in (a monotonic clock in production)."""

from __future__ import annotations

from dataclasses import dataclass


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
