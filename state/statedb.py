"""Where shared state lives: the embedded SQLite file, or PostgreSQL for several hosts.

One small interface, two implementations. The stores (inbound queue, outbox, evaluations,
directory, conversations, unanswered log, taught aliases) write their SQL once, with ``?``
placeholders, in the subset both databases speak: ``INSERT … ON CONFLICT … DO UPDATE/NOTHING``,
``RETURNING``, ISO-8601 UTC text for times (which compares correctly as text on both). The few
differences (identity columns, ``FOR UPDATE SKIP LOCKED``, how a write transaction takes its
lock) are asked of :attr:`StateDB.dialect`. There is no ORM or query compiler on the request
path: a statement costs what the driver costs.

``DXBOT_DATABASE_URL`` unset: the state is in the knowledge base's own SQLite file, exactly as
before. ``postgresql://…``: it is in PostgreSQL, reached through a bounded connection pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

from knowledge import changes
from knowledge.store import meta, write_transaction

Params = Sequence[Any]
# A statement and the parameters of each run of it (``executemany``), for StateDB.batch.
Statement = tuple[str, Sequence[Params]]


class StateDB(Protocol):
    dialect: str  # "sqlite" | "postgresql"

    def transaction(self) -> Any:
        """A context manager: every statement inside is one transaction, holding the write lock
        from the start (SQLite's BEGIN IMMEDIATE); nested use joins the outer one."""

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement (committed at once outside a transaction); the rows it changed."""

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]: ...

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None: ...

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """Each statement run for each of its parameter rows, all in one transaction; per statement,
        the rows changed. On PostgreSQL one round trip when every statement is of one row or an
        ``INSERT … VALUES (…)``."""

    def describe(self) -> str:
        """Where the state is, without credentials (for /healthz and messages)."""

    def generations(self, plan_db: Any, *, fresh: bool = True) -> tuple[str, str]:
        """The generation of the plan in the knowledge base ``plan_db`` and the shared one (what
        ``Catalog.is_stale`` compares); ``fresh=False`` may answer from a short cache."""

    def pin_thread(self) -> None:
        """Let the calling thread keep one connection for all its statements (the event loop's)."""


class SqliteState:
    """The state in the knowledge base's SQLite file (one connection per thread, WAL)."""

    dialect = "sqlite"

    def __init__(self, db: Any) -> None:
        self.db = db  # a sqlite-utils Database or knowledge.store.ThreadLocalDatabase

    def pin_thread(self) -> None:
        """Nothing to do: every thread has its own connection already (ThreadLocalDatabase)."""

    def transaction(self):
        return write_transaction(self.db)

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._run(sql, params, fetch=False)  # type: ignore[return-value]

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return self._run(sql, params, fetch=True)  # type: ignore[return-value]

    def _run(self, sql: str, params: Params, *, fetch: bool) -> int | list[dict[str, Any]]:
        with self.db.lock:
            # Inside a transaction the statement joins it; outside, it commits on its own.
            joined = self.db.conn.in_transaction
            cur = self.db.conn.execute(sql, list(params))
            out: int | list[dict[str, Any]] = cur.rowcount
            if fetch:
                names = [d[0] for d in cur.description or ()]
                out = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            if not joined and self.db.conn.in_transaction:
                self.db.conn.commit()
            return out

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        with write_transaction(self.db):
            # One prepared statement run per row: cheaper on SQLite than one statement over a list (bench).
            return [self.db.conn.executemany(sql, rows).rowcount for sql, rows in statements]

    def describe(self) -> str:
        return "sqlite"

    def generations(self, plan_db: Any, *, fresh: bool = True) -> tuple[str, str]:
        if plan_db is not self.db:
            with plan_db.lock:
                plan = meta(plan_db, "generation") or ""
            return plan, generation(self)
        # The state is in the knowledge base's own file: both read in one statement.
        with self.db.lock:
            rows = dict(self.db.conn.execute(_GENERATIONS).fetchall())
        return rows.get("plan") or "", rows.get("state", "")


_GENERATIONS = ("SELECT 'plan', value FROM meta WHERE key = 'generation' "
                "UNION ALL SELECT 'state', value FROM state_meta WHERE key = 'generation'")


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` placeholders to psycopg's ``%s`` (a literal ``%`` doubled first)."""
    return sql.replace("%", "%%").replace("?", "%s")


# While the database is unreachable, the webhooks must answer 503 at once (Slack gives up after 3 s,
# LINE after 2 s), not wait on it: a statement waits this long for a connection, a connection
# attempt gives up after libpq's shortest timeout (2 s, in the pool's own threads), and a
# connection whose peer stopped answering breaks after a second unacknowledged.
WAIT_SECONDS = 0.5  # the event loop's statements (the webhooks' acknowledgements)
POOL_WAIT_SECONDS = 5.0  # other threads' (Slack commands, the scheduler), which also wait for busy ones
RECONNECT_SECONDS = 24 * 3600  # the pool keeps trying (with back-off) for as long as an outage lasts
# A statement that runs this long is stuck (a lock, an overloaded server): cancelled, not waited on.
# A URL that sets its own (connect_timeout, options=-c statement_timeout=…) keeps them.
DEFAULT_TIMEOUTS = {"connect_timeout": "2", "tcp_user_timeout": "1000", "keepalives_idle": "5",
                    "keepalives_interval": "1", "keepalives_count": "3",
                    "options": "-c statement_timeout=5000 -c lock_timeout=2000"}


AWAY_SECONDS = 1.0


class DatabaseAway(ConnectionError):
    """PostgreSQL did not give a connection a moment ago: not asked again for a second."""


def _timeouts(url: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict  # start-up cost: psycopg only for PostgreSQL

    given = conninfo_to_dict(url)
    return {k: v for k, v in DEFAULT_TIMEOUTS.items() if k not in given}


class PostgresState:
    """The state in PostgreSQL through a psycopg 3 connection pool.

    A transaction keeps its connection for the thread until it ends; a statement outside one
    borrows a connection, runs in autocommit and returns it.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, max_size: int = 8, timeout: float = 15.0, wait: float = WAIT_SECONDS,
                 generation_ttl: float = 0.5, monotonic: Callable[[], float] = time.monotonic) -> None:
        """``timeout``: how long the first connection may take at start; ``wait``: how long the event
        loop's statements wait for a connection (the database gone: an error at once, not a hang)."""
        # start-up cost: psycopg is loaded only when the state is in PostgreSQL.
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.url = url
        self.start_timeout = timeout
        self._away_until = 0.0
        self._local = threading.local()
        # Every question asks whether the answers changed; over the network that is a round trip
        # each. Remember the answer this long: a change on another host shows within it.
        self.generation_ttl = generation_ttl
        self._monotonic = monotonic
        self._seen: tuple[float, str] | None = None
        self.wait = wait
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, timeout=POOL_WAIT_SECONDS, open=False,
                                   kwargs={"autocommit": True, "row_factory": dict_row, **_timeouts(url)},
                                   name="dxbot-state", reconnect_timeout=RECONNECT_SECONDS)
        self.pool.open(wait=True, timeout=timeout)

    def pin_thread(self) -> None:
        """The calling thread keeps one connection of the pool for all its statements.

        For the server's event loop, which runs every statement of the answering path: borrowing
        and returning a pooled connection each time cost a quarter of a statement's client CPU.
        A connection that broke is given back and replaced at the next statement."""
        self._local.pinned = True

    @contextmanager
    def _borrowed(self) -> Iterator[Any]:
        if not getattr(self._local, "pinned", False):
            with self.pool.connection() as conn:
                yield conn
            return
        own = getattr(self._local, "own", None)
        if own is not None and (own.closed or own.broken):
            self.pool.putconn(own)
            own = None
        if own is None:
            if self._monotonic() < self._away_until:
                raise DatabaseAway("PostgreSQL did not answer just now; trying again shortly")
            try:
                own = self._local.own = self.pool.getconn(timeout=self.wait)
            except Exception:
                # One statement a second finds out whether it is back; the others fail at once
                # instead of each holding the event loop for the wait.
                self._away_until = self._monotonic() + AWAY_SECONDS
                raise
        try:
            yield own
        except Exception:
            if own.closed or own.broken:  # the server went away under it
                self._away_until = self._monotonic() + AWAY_SECONDS
            raise

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._borrowed() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[PostgresState]:
        if getattr(self._local, "conn", None) is not None:
            yield self
            return
        with self._borrowed() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield self
            finally:
                self._local.conn = None

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._conn() as conn:
            pinned: Any = getattr(self._local, "own", None)
            if conn is not pinned:
                yield conn.cursor()
                return
            # The pinned thread's connection keeps its cursor too: a cursor per statement is a
            # measurable part of a short statement's cost (bench/README.md).
            cur = getattr(self._local, "cursor", None)
            if cur is None or cur.connection is not conn:
                cur = self._local.cursor = conn.cursor()
            yield cur

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._cursor() as cur:
            return cur.execute(_pg_sql(sql), list(params)).rowcount

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._cursor() as cur:
            cur.execute(_pg_sql(sql), list(params))
            return list(cur.fetchall()) if cur.description else []

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """One statement, one round trip: the writes become the data-modifying CTEs of a single
        ``WITH``, which PostgreSQL runs as one transaction (psycopg's pipeline mode, measured,
        cost more client CPU than the separate statements it saved). So the statements must not
        depend on each other's effects (the CTEs share one snapshot), and an upsert's rows must
        not repeat a key."""
        folded = [_values_for(sql, len(rows)) for sql, rows in statements]
        if getattr(self._local, "conn", None) is not None or None in folded:
            # Inside a transaction already (this joins it), or a statement that cannot take its
            # rows at once (not an INSERT … VALUES): each row a statement, in one transaction.
            with self.transaction():
                return [_many(self._local.conn, sql, rows) for sql, rows in statements]
        if len(statements) == 1 and len(statements[0][1]) == 1:
            return [self.execute(statements[0][0], statements[0][1][0])]
        parts, params = [], []
        for n, (one, (_, rows)) in enumerate(zip(folded, statements, strict=True)):
            parts.append(f"s{n} AS ({one} RETURNING 1)")
            params += [v for row in rows for v in row]
        counts = ", ".join(f"(SELECT count(*) FROM s{n})" for n in range(len(statements)))
        row = self.one(f"WITH {', '.join(parts)} SELECT ARRAY[{counts}] AS counts", params)
        return [int(c) for c in row["counts"]] if row else [0] * len(statements)

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[None]:
        """A session-level lock that every host sees (migrations take it)."""
        with self.pool.connection(timeout=self.start_timeout) as conn:
            conn.execute("SET statement_timeout = 0")  # waiting for another host's migration is no hang
            conn.execute("SELECT pg_advisory_lock(%s)", [key])
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None
                conn.execute("SELECT pg_advisory_unlock(%s)", [key])
                conn.execute("RESET statement_timeout")

    def describe(self) -> str:
        from psycopg.conninfo import conninfo_to_dict  # start-up cost: psycopg only for PostgreSQL

        info = conninfo_to_dict(self.url)
        return f"postgresql {info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"

    def generations(self, plan_db: Any, *, fresh: bool = True) -> tuple[str, str]:
        with plan_db.lock:
            plan = meta(plan_db, "generation") or ""
        return plan, generation(self, fresh=fresh)

    def close(self) -> None:
        self.pool.close()


@lru_cache(maxsize=256)
def _values_for(sql: str, n: int) -> str | None:
    """An ``INSERT … VALUES (?, …) …`` for ``n`` rows at once (a statement of one row as it is);
    None for a statement that cannot take several rows."""
    if n == 1:
        return sql
    head, sep, tail = sql.partition(" VALUES (")
    group, close, rest = tail.partition(")")
    if not sep or not close or "(" in group or not head.lstrip().upper().startswith("INSERT"):
        return None
    return f"{head} VALUES {', '.join([f'({group})'] * n)}{rest}"


def _many(conn: Any, sql: str, rows: Sequence[Params]) -> int:
    if len(rows) == 1:
        return conn.execute(_pg_sql(sql), list(rows[0])).rowcount
    cur = conn.cursor()
    cur.executemany(_pg_sql(sql), [list(r) for r in rows])
    return cur.rowcount


def as_state(db: Any) -> StateDB:
    """The state behind ``db``: itself when it is one, else the SQLite file's (cached on it)."""
    if hasattr(db, "dialect"):
        return db
    state = getattr(db, "_dxbot_state", None)
    if state is None:
        state = SqliteState(db)
        db._dxbot_state = state
    return state


# ------------------------------------------------------------------ the shared generation
# Bumped by whatever changes answers outside the plan (a submission, a publish, a taught alias,
# a new plan stored for every host); each process compares it with the one its catalog was
# loaded at. It lives in the state, so a change on one host is seen on every other.

def bump_generation(state: StateDB) -> None:
    """Call inside the transaction that makes the change, so both commit together."""
    changes.note()
    if hasattr(state, "_seen"):
        state._seen = None  # this process sees its own change at once
    state.execute("INSERT INTO state_meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
                  "SET value = CAST(CAST(state_meta.value AS INTEGER) + 1 AS TEXT)")


def generation(state: StateDB, *, fresh: bool = True) -> str:
    """The shared generation; ``fresh=False`` may answer from a PostgreSQL state's short cache."""
    seen = getattr(state, "_seen", None)
    if not fresh and seen is not None and state._monotonic() - seen[0] < state.generation_ttl:  # type: ignore[attr-defined]
        return seen[1]
    row = state.one("SELECT value FROM state_meta WHERE key = 'generation'")
    value = row["value"] if row else ""
    if not fresh and hasattr(state, "_seen"):
        state._seen = (state._monotonic(), value)  # type: ignore[attr-defined]
    return value
