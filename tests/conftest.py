from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers import Responder
from knowledge.catalog import Catalog
from knowledge.parse import parse_plan
from knowledge.records import Plan
from knowledge.store import bundled_plan_text, ingest
from state.catalog import load_catalog
from state.database import connect

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def platforms_accept_every_request():
    """Fails the test if any fake Slack or LINE API made during it received a request the real
    platform would refuse (tests/platform_rules.py). A test that sends one on purpose clears
    ``api.violations`` once it has checked it."""
    from tests import fakes

    start = len(fakes.LIVE)
    yield
    made = fakes.LIVE[start:]
    del fakes.LIVE[start:]
    refused = [f"{api.name} {call.method} {call.path}: {problem}" for api in made for call in api.violations
               for problem in call.violations]
    assert not refused, "requests the real platform would refuse:\n" + "\n".join(refused[:20])


@pytest.fixture(scope="session")
def plan_text() -> str:
    return bundled_plan_text()


@pytest.fixture(scope="session")
def plan(plan_text: str) -> Plan:
    return parse_plan(plan_text)


@pytest.fixture()
def db(plan: Plan):
    database = connect(memory=True)
    ingest(database, plan, now=NOW)
    return database


@pytest.fixture(scope="session")
def shared_db(plan: Plan):
    """One ingested in-memory database for read-only tests (ingest takes most of a second)."""
    database = connect(memory=True)
    ingest(database, plan, now=NOW)
    return database


@pytest.fixture(scope="session")
def catalog(shared_db) -> Catalog:
    return load_catalog(shared_db)


@pytest.fixture(scope="session")
def responder(catalog: Catalog) -> Responder:
    return Responder(catalog)


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory, plan: Plan) -> Path:
    """An ingested database file, built once; tests get a copy of their own."""
    path = tmp_path_factory.mktemp("kb") / "template.db"
    db = connect(path)
    ingest(db, plan, now=NOW)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture()
def db_path(kb_template: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "dxbot.db"
    shutil.copy(kb_template, target)
    return target


# ------------------------------------------------------------------ shared state on both databases


def _started_pg():  # type: ignore[no-untyped-def]
    """A PostgreSQL server of tests/pg.py. Missing under CI: a failure, not a skip."""
    import os

    from tests import pg

    try:
        return pg.start()
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the state tests: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the session."""
    server = _started_pg()
    yield server
    server.stop()


@pytest.fixture()
def own_pg():
    """A PostgreSQL server of one test's own: it may be stopped and started again, or its files read."""
    server = _started_pg()
    yield server
    server.stop()


@pytest.fixture()
def pg_url(pg_server) -> str:
    """A fresh empty database on the session's server."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, db):
    """The shared state on each backend: the knowledge base's own SQLite file (the embedded
    default), and a fresh PostgreSQL database migrated by the code under test."""
    from state.database import open_state

    if request.param == "sqlite":
        yield open_state(None, sqlite_db=db)
        return
    url = request.getfixturevalue("pg_url")
    st = open_state(url, sqlite_db=db)
    yield st
    st.close()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgresql"])
def connect_queue(request, db_path):
    """Opens the inbound queue with a connection of its own, as another process would, on each backend."""
    from state.database import open_state
    from state.inbound_queue import SqliteInboundQueue
    from state.inbound_queue_pg import PostgresInboundQueue
    from state.statedb import PostgresState

    if request.param == "sqlite":
        yield lambda: SqliteInboundQueue(connect(db_path))
        return
    url = request.getfixturevalue("pg_url")
    states = [open_state(url, sqlite_db=connect(memory=True))]  # migrated

    def open_one() -> PostgresInboundQueue:
        states.append(PostgresState(url))
        return PostgresInboundQueue(states[-1])

    yield open_one
    for st in states:
        st.close()  # type: ignore[attr-defined]
