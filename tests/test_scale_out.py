"""Several workers and several hosts: /metrics adds up across worker processes, /healthz reports the
database, and two hosts on one PostgreSQL answer each question once."""

from __future__ import annotations

import re

from state.migrations import LATEST
from tests.fakes import cli_env
from tests.scaleout import serve


def questions_total(metrics: str) -> float:
    return sum(float(v) for v in re.findall(r'^dxbot_questions_total\{[^}]*\} (\S+)$', metrics, re.M))


def test_metrics_add_up_across_worker_processes(db_path, tmp_path) -> None:
    server = serve(cli_env(db_path), tmp_path / "serve.log", "--workers", "2")
    try:
        for i in range(8):  # within one client's web burst, whichever worker takes each
            assert server.http.post("/api/ask", json={"q": f"{1 + i % 5}-1-1の状況は？"}).status_code == 200
        # Each scrape lands on either worker; every one of them reports all eight.
        totals = {questions_total(server.http.get("/metrics").text) for _ in range(8)}
        assert totals == {8.0}
        health = server.http.get("/healthz").json()
        assert health["database"]["backend"] == "sqlite" and health["database"]["reachable"] is True
        assert health["database"]["migration"] == LATEST
    finally:
        server.stop()


def test_healthz_reports_postgresql(db_path, pg_url, tmp_path) -> None:
    server = serve(cli_env(db_path, DXBOT_DATABASE_URL=pg_url), tmp_path / "serve.log")
    try:
        db = server.http.get("/healthz").json()["database"]
        assert db["backend"] == "postgresql" and db["reachable"] is True and db["migration"] == LATEST
        assert "127.0.0.1" in db["where"] and "@" not in db["where"]  # no credentials in health output
    finally:
        server.stop()
