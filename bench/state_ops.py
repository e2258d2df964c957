"""Client CPU per state operation on each backend: what one answered question pays for its
dedupe row, its conversation context and the generation check.

    uv run python bench/state_ops.py [--database-url postgresql://… | temp] [-n 2000]

Run on demand, not in CI. CPU is this process's (time.process_time), so a database server on
the same machine does not count; wall time is printed beside it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.state import Conversations  # noqa: E402
from knowledge.statedb import generation, open_state  # noqa: E402
from knowledge.store import connect  # noqa: E402

NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


def measure(label: str, n: int, op) -> None:  # type: ignore[no-untyped-def]
    op(-1)  # warm: prepared statements, pool
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        op(i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"  {label:34} {cpu / n * 1e6:7.1f} µs CPU  {wall / n * 1e6:7.1f} µs wall")


def run(url: str | None, n: int) -> None:
    db = connect(Path(tempfile.mkdtemp(prefix="dxbot-ops-")) / "kb.db")
    state = open_state(url, sqlite_db=db)
    print(f"{state.describe()}:")
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
    args = ap.parse_args()
    run(None, args.n)
    if args.database_url:
        pg = None
        url = args.database_url
        if url == "temp":
            from tests import pg as pg_server

            pg = pg_server.start()
            url = pg.new_database("ops")
        try:
            run(url, args.n)
        finally:
            if pg is not None:
                pg.stop()


if __name__ == "__main__":
    main()
