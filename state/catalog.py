"""The plan's catalog read together with the state: submitted evaluations, taught aliases and the
shared generation that tells when they changed (``knowledge.catalog`` reads the plan's part)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from knowledge.catalog import Catalog, read_catalog
from state.shared_plan import follow_shared_plan
from state.statedb import as_state, generation


def load_catalog(db: Database, *, state: Any = None) -> Catalog:
    """A snapshot of the plan in ``db`` with the submissions and taught aliases in ``state``
    (default: the same file)."""
    shared = as_state(state or db)
    if shared.dialect != "sqlite":
        follow_shared_plan(db, shared)
    # Read the generation first: a change committed while loading makes the snapshot stale
    # at once rather than hiding behind a newer number.
    shared_gen = generation(shared)
    submissions = shared.rows("SELECT * FROM evaluations WHERE source = 'submission' AND replaced_at IS NULL "
                              "ORDER BY project_id, fiscal_year, id")
    taught = shared.rows("SELECT * FROM aliases WHERE source = 'user'")
    with db.lock:  # type: ignore[attr-defined]
        catalog = read_catalog(db, submissions, taught)
    return replace(catalog, state=shared, shared_generation=shared_gen)
