"""The web chat's rate limit on PostgreSQL: one bucket per client shared by every host and worker
(state/rate_limits.py through bot/web/ratelimit.py), on a real server, time passed in."""

from __future__ import annotations

from bot.web.ratelimit import SharedRateLimiter
from state.conversations import hash_user
from state.database import connect, open_state
from state.statedb import PostgresState

SALT = "a-salt"
T0 = 1_800_000_000.0  # seconds since the epoch: the hosts' shared clock


def hosts(url: str, n: int) -> tuple[list[SharedRateLimiter], list[PostgresState]]:
    """``n`` limiters, each on a connection pool of its own, as ``n`` hosts (or workers) have."""
    open_state(url, sqlite_db=connect(memory=True)).close()  # type: ignore[attr-defined]  # migrated
    states = [PostgresState(url) for _ in range(n)]
    return [SharedRateLimiter(s, rate_per_minute=30, burst=10, salt=SALT) for s in states], states


def test_four_processes_share_one_bucket_per_client(pg_url) -> None:
    limiters, states = hosts(pg_url, 4)
    try:
        # Twenty questions at once from one address, spread over four processes: ten pass (the
        # burst), as from one process; with a bucket per process all twenty would.
        got = [limiters[n % 4].allow("192.0.2.1", now=T0)[0] for n in range(20)]
        assert got == [True] * 10 + [False] * 10
        allowed, wait = limiters[1].allow("192.0.2.1", now=T0)
        assert not allowed and wait == 2.0  # 30 a minute: a token every 2 s
        assert limiters[2].allow("192.0.2.1", now=T0 + 2.0) == (True, 0.0)
        assert limiters[3].allow("192.0.2.1", now=T0 + 2.0)[0] is False
        # Another address has its own bucket; the state holds hashes, never an address.
        assert limiters[0].allow("192.0.2.2", now=T0 + 2.0) == (True, 0.0)
        keys = {r["client"] for r in states[0].rows("SELECT client FROM web_rate_limits")}
        assert keys == {hash_user("192.0.2.1", salt=SALT), hash_user("192.0.2.2", salt=SALT)}
        # Buckets full again are forgotten by the next sweep (a minute on).
        limiters[0].allow("192.0.2.3", now=T0 + 120)
        keys = {r["client"] for r in states[0].rows("SELECT client FROM web_rate_limits")}
        assert keys == {hash_user("192.0.2.3", salt=SALT)}
    finally:
        for s in states:
            s.close()


def test_an_unreachable_database_falls_back_to_the_process_own_bucket(pg_url) -> None:
    [limiter], [state] = hosts(pg_url, 1)
    state.close()  # the database is gone for this process
    got = [limiter.allow("192.0.2.1", now=T0)[0] for _ in range(11)]
    assert got == [True] * 10 + [False]
