"""A damaged copy of the plan never goes live unnoticed.

Measured with ``bench/plan_damage.py`` (the same generators; figures in bench/README.md). Before
the checks, 54 of 634 truncation points and 71 of 300 random deletions (seed 13, runs of 1–60
lines) parsed cleanly into a plan with less in it. After: none of either. What no check can see
is a line lost *inside* a project or a glossary entry (a schedule row, a KPI note, a glossary URL
line): 22 of 3,000 deletions (seed 7) and 32 of the 635 single-line deletions still lose one.
"""

from __future__ import annotations

import time

import httpx
import pytest

from bench.plan_damage import deletions, measure, truncations
from knowledge.health import plan_health
from knowledge.parse import parse_plan
from knowledge.validate import Outline, validate
from state.database import connect
from tests.fakes import cli_env, dxbot, free_port


def test_every_truncation_point_is_refused_or_reads_as_the_whole_plan(plan_text: str) -> None:
    # A first ingest: nothing live to compare with, only the document's own structure.
    counts, accepted = measure(plan_text, truncations(plan_text), lambda text, plan: validate(text, plan))
    assert sum(counts.values()) >= 630 and counts["refused"] > 600
    assert accepted == [], f"{len(accepted)} truncated copies accepted with less: {accepted[:5]}"


def test_random_deletions_are_refused_or_read_as_the_whole_plan(plan_text: str) -> None:
    # A re-ingest over the live plan, as `dxbot ingest` does it.
    good = Outline.of(parse_plan(plan_text))
    counts, accepted = measure(plan_text, deletions(plan_text, count=300, seed=13, max_span=60),
                               lambda text, plan: validate(text, plan, last_good=good))
    assert sum(counts.values()) == 300 and counts["exact"] > 0  # some runs only held narrative text
    assert accepted == [], f"{len(accepted)} damaged copies accepted with less: {accepted[:5]}"


def test_the_whole_plan_passes_every_check(plan_text: str) -> None:
    plan = parse_plan(plan_text)
    validate(plan_text, plan, last_good=Outline.of(plan))


@pytest.fixture()
def copies(plan_text: str, tmp_path):
    lines = plan_text.splitlines(keepends=True)
    glossary = next(i for i, ln in enumerate(lines) if ln.strip() == "用語集")
    cut = tmp_path / "cut.txt"
    cut.write_text("".join(lines[:glossary + 4]), encoding="utf-8")  # cut inside the glossary: one term
    middle = tmp_path / "middle.txt"
    middle.write_text("".join(lines[:239] + lines[273:]), encoding="utf-8")  # 34 lines from the middle
    return cut, middle


def test_ingest_refuses_a_damaged_copy_with_the_reason_and_force_loads_it(db_path, copies) -> None:
    cut, middle = copies
    refused = dxbot("ingest", str(cut), env=cli_env(db_path))
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1  # one line, naming the file and the reason
    assert str(cut) in refused.stderr and "用語集" in refused.stderr and "--force" in refused.stderr
    middling = dxbot("ingest", str(middle), env=cli_env(db_path))
    assert middling.returncode == 1 and "approach 1-2" in middling.stderr
    assert len(dxbot("glossary", env=cli_env(db_path)).stdout.splitlines()) == 39  # nothing changed

    forced = dxbot("ingest", "--force", str(cut), env=cli_env(db_path))
    assert forced.returncode == 0 and "1 glossary terms" in forced.stdout and "forced" in forced.stderr
    # The server says so: still serving (200), but degraded against the last good plan.
    port = free_port()
    proc = dxbot("serve", "--port", str(port), env=cli_env(db_path), background=True)
    try:
        body = None
        deadline = time.monotonic() + 60
        while body is None and time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                assert r.status_code == 200
                body = r.json()
            except httpx.HTTPError:
                time.sleep(0.2)
        assert body is not None, "serve did not start"
        assert body["status"] == "degraded"
        assert body["plan"]["live"]["terms"] == 1 and body["plan"]["last_good"] == {"projects": 26, "terms": 39}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # A whole copy again: accepted, and healthy.
    assert dxbot("ingest", env=cli_env(db_path)).returncode == 0
    assert plan_health(connect(db_path)) == {}
