"""The web chat's rate limit kept in the shared state, so every host and worker draws on one bucket
per client (PostgreSQL; on SQLite each worker keeps its own in memory, see bot/web/ratelimit.py).

The bucket is GCRA, the token bucket written as one number per client: its *theoretical arrival
time* (``tat``), when the bucket would be full again. A request at ``now`` is allowed while
``tat - now`` leaves room for one more interval within the burst, and then moves ``tat`` on by one
interval; a refused request changes nothing. Allowing and moving on is one upsert, so two hosts
asking for the same client at once are serialised by the row lock, and neither can spend a token
the other spent. Times are seconds since the epoch, passed in: every host's clock must agree
(NTP), a skew of a second only shifts a refill by that second.
"""

from __future__ import annotations

from state.statedb import StateDB

# The row is written only when the request is allowed; no row back means refused.
_TAKE = ("INSERT INTO web_rate_limits AS b (client, tat) VALUES (?, ?) "
         "ON CONFLICT (client) DO UPDATE SET tat = CASE WHEN b.tat > ? THEN b.tat ELSE ? END + ? "
         "WHERE b.tat - ? <= ? RETURNING tat")


def take(state: StateDB, client: str, *, now: float, interval: float, burst: int) -> float:
    """Spend one request of ``client``'s bucket: 0.0 when allowed, else the seconds to wait.

    ``interval`` is the seconds one request's token takes to come back (60 / per minute), ``burst``
    how many may come at once from a full bucket."""
    tolerance = (burst - 1) * interval
    if state.one(_TAKE, [client, now + interval, now, now, interval, now, tolerance]) is not None:
        return 0.0
    row = state.one("SELECT tat FROM web_rate_limits WHERE client = ?", [client])
    # Gone between the two statements (an idle bucket forgotten): the next request will be allowed.
    return max(0.0, float(row["tat"]) - now - tolerance) if row else 0.0


def forget_idle(state: StateDB, *, now: float) -> int:
    """Drop the buckets that are full again (a missing row is a full bucket); how many."""
    return state.execute("DELETE FROM web_rate_limits WHERE tat <= ?", [now])
