"""The live plan against the last good one: what ``dxbot ingest`` compares with, and what
``/healthz`` reports when an operator forced a smaller plan live."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from knowledge.store import meta
from knowledge.validate import Outline

LAST_GOOD = "last_good_outline"


def last_good(db: Database) -> Outline | None:
    """The outline of the last plan that passed every check (None before the first one)."""
    value = meta(db, LAST_GOOD)
    return Outline.from_json(value) if value else None


def plan_health(db: Database) -> dict[str, Any]:
    """``{"status": "degraded", "plan": …}`` when the live plan has fewer projects or terms than the
    last good one; ``{}`` otherwise (a health part for ``/healthz``)."""
    good = last_good(db)
    if good is None:
        return {}
    with db.lock:  # type: ignore[attr-defined]
        projects = db.execute("SELECT count(*) FROM projects WHERE active = 1").fetchone()[0]
        terms = db.execute("SELECT count(*) FROM glossary").fetchone()[0]
    if projects >= len(good.projects) and terms >= len(good.terms):
        return {}
    return {"status": "degraded", "plan": {
        "live": {"projects": projects, "terms": terms},
        "last_good": {"projects": len(good.projects), "terms": len(good.terms)},
        "reason": "the live plan has fewer projects or terms than the last good one (forced ingest?); "
                  "run `dxbot ingest` with a complete copy"}}
