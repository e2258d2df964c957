"""Client CPU per state operation on each backend: what one answered question pays for its
inbound-queue row (offer, claim, finish), its conversation context and the generation check.

    uv run python bench/state_ops.py [--database-url postgresql://… | temp] [-n 2000] [--history 20000]

Run on demand, not in CI. CPU is this process's (time.process_time), so a database server on
the same machine does not count; wall time is printed beside it.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from state.conversations import Conversations  # noqa: E402
from state.database import connect, open_state  # noqa: E402
from state.inbound_queue import Claimant, Item  # noqa: E402
from state.inbound_queue_pg import open_inbound_queue  # noqa: E402
from state.statedb import as_state, generation  # noqa: E402

NOW = datetime(2026, 11, 24, tzinfo=UTC)


CLAIMANT = Claimant("bench:1", timedelta(seconds=60))


def measure(label: str, n: int, op) -> None:  # type: ignore[no-untyped-def]
    op(-1)  # warm: prepared statements, pool
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        op(i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"  {label:34} {cpu / n * 1e6:7.1f} µs CPU  {wall / n * 1e6:7.1f} µs wall")


def measure_op(label: str, n: int, op: Callable[[Any], Any], *, before: Callable[[int], Any] = lambda i: i,
               after: Callable[[Any], Any] = lambda out: None, per: int = 1) -> None:
    """Only ``op`` is timed; ``before`` makes its argument and ``after`` cleans up, untimed (so the
    queue stays as short as a served one is). ``per``: jobs per call, for a per-job figure too."""
    cpu = wall = 0.0
    for i in range(-5, n):  # the first five warm up (psycopg prepares a statement on its fifth use)
        arg = before(i)
        c, w = time.process_time(), time.perf_counter()
        out = op(arg)
        c, w = time.process_time() - c, time.perf_counter() - w
        after(out)
        if i >= 0:
            cpu, wall = cpu + c, wall + w
    line = f"  {label:34} {cpu / n * 1e6:7.1f} µs CPU  {wall / n * 1e6:7.1f} µs wall"
    if per > 1:
        line += f"   per job {cpu / n / per * 1e6:6.1f} / {wall / n / per * 1e6:6.1f}"
    print(line)


def queue_ops(db: Any, n: int, *, history: int) -> None:
    """What answering one event writes: offer (with the claim the receiving process makes), or a
    claim by a polling worker, then the finish; and finishing several answers together. The table
    first holds ``history`` finished rows, as the week it keeps for deduplication does."""
    queue = open_inbound_queue(db)
    as_state(db).execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
        "INSERT INTO inbound_events(id, channel, state, updated_at, received_at, attempts, fence) "
        "SELECT 'old' || x, 'line', 'done', ?, ?, 1, 1 FROM n", [history, NOW.isoformat(), NOW.isoformat()])
    seq = iter(range(10**9))

    def items(k: int) -> list[Item]:
        return [Item(f"ev{next(seq)}", {"text": "2-3-1の状況は？", "user_id": "U0123456789abcdef",
                                        "reply_token": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"}) for _ in range(k)]

    def offered(k: int, *, claim: bool = True) -> list[Any]:
        return queue.offer("line", items(k), now=NOW, limit=1000, claim=CLAIMANT if claim else None,
                           claim_max=k if claim else 0).claimed

    def finish_all(jobs: list[Any]) -> None:
        for job in jobs:
            queue.finish(job, now=NOW)

    for k in (1, 4):
        measure_op(f"queue offer {k}, claim {k} (limit on)", n // k,
                   lambda _, k=k: queue.offer("line", items(k), now=NOW, limit=1000, claim=CLAIMANT, claim_max=k),
                   after=lambda out: finish_all(out.claimed), per=k)
    # What a worker far below its limit offers (bot.worker: the count is skipped); on PostgreSQL a
    # plain insert since issue 16's third pass.
    measure_op("queue offer 1, claim 1 (no count)", n,
               lambda _: queue.offer("line", items(1), now=NOW, limit=None, claim=CLAIMANT, claim_max=1),
               after=lambda out: finish_all(out.claimed))
    measure_op("queue offer 1, no claim (limit on)", n, lambda _: queue.offer("line", items(1), now=NOW, limit=1000),
               after=lambda out: finish_all(queue.claim("line", now=NOW, claimant=CLAIMANT, limit=1)))
    measure_op("queue offer 1, a redelivery", n, lambda ev: queue.offer("line", [ev], now=NOW, limit=1000),
               before=lambda i: items(1)[0] if i < 0 else Item("ev0", {}))
    measure_op("queue claim 1 (1 due)", n, lambda _: queue.claim("line", now=NOW, claimant=CLAIMANT, limit=1),
               before=lambda i: offered(1, claim=False), after=finish_all)
    measure_op("queue claim, nothing due", n, lambda _: queue.claim("line", now=NOW, claimant=CLAIMANT, limit=4))
    for k in (1, 4, 16):
        measure_op(f"queue finish x{k}, one call each", max(n // k, 50), finish_all,
                   before=lambda i, k=k: offered(k), per=k)
    finish_many = getattr(queue, "finish_many", None)  # absent before issue 16: the figures compare
    for k in (1, 4, 16):
        if finish_many is not None:
            measure_op(f"queue finish_many of {k}", max(n // k, 50), lambda jobs: finish_many(jobs, now=NOW),
                       before=lambda i, k=k: offered(k), per=k)
    if finish_many is not None and "also" in inspect.signature(finish_many).parameters:
        # The server's flush: the finished rows and the answers' conversation writes, one transaction.
        from state.conversations import WriteBehind

        behind = WriteBehind()
        conversations = Conversations(db, behind=behind)

        def finish_remembered(jobs: list[Any]) -> None:
            for job in jobs:
                conversations.remember(f"line:{job.id}", "2-3-1", now=NOW)
            behind.flush(lambda also: finish_many(jobs, now=NOW, also=also))

        for k in (1, 4):
            measure_op(f"finish_many of {k} + {k} remembers", max(n // k, 50), finish_remembered,
                       before=lambda i, k=k: offered(k), per=k)


def run(url: str | None, n: int, *, history: int) -> None:
    db = connect(Path(tempfile.mkdtemp(prefix="dxbot-ops-")) / "kb.db")
    state = open_state(url, sqlite_db=db)
    state.pin_thread()  # one connection for every statement, as the server's event loop has
    print(f"{state.describe()}:")
    queue_ops(db, n, history=history)
    conv = Conversations(state)
    measure("conversation remember (1 upsert)", n, lambda i: conv.remember(f"line:U{i}", "2-3-1", now=NOW))
    measure("conversation recall (1 select)", n, lambda i: conv.recall(f"line:U{i}", now=NOW))
    measure("generation check, uncached", n, lambda i: generation(state))
    measure("generation check per question", n, lambda i: generation(state, fresh=False))

    def tx(i: int) -> None:
        with state.transaction():
            state.execute("INSERT INTO conversations(key, project_id, updated_at) VALUES (?, ?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at", [f"tx{i}", "1", "x"])
            state.one("SELECT project_id FROM conversations WHERE key = ?", [f"tx{i}"])
    measure("transaction: upsert + select", n, tx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--database-url", help="PostgreSQL URL, or 'temp' for a throwaway server (tests/pg.py)")
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--history", type=int, default=20000, help="finished queue rows kept (a week's worth)")
    args = ap.parse_args()
    run(None, args.n, history=args.history)
    if args.database_url:
        pg = None
        url = args.database_url
        if url == "temp":
            from tests import pg as pg_server

            pg = pg_server.start()
            url = pg.new_database("ops")
        try:
            run(url, args.n, history=args.history)
        finally:
            if pg is not None:
                pg.stop()


if __name__ == "__main__":
    main()
