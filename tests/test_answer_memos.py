"""What answering remembers per knowledge-base snapshot must be exactly what it would compute again,
and must go with the snapshot: a plan re-ingested by another process shows at the next question."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from handlers import Responder
from knowledge.records import Evaluation, Plan
from knowledge.store import ingest
from state.catalog import load_catalog
from state.database import connect
from tests.conftest import NOW


def test_typo_matching_scores_only_keys_that_can_match_and_finds_the_same(responder: Responder) -> None:
    # Typo matching skips keys too short or too long to reach the cutoff; it must still find
    # exactly what scoring every key finds, for fragments and misspellings of every length.
    index = responder.resolver.index
    keys = index._keys
    rng = random.Random(5)
    queries = set(keys)
    for _ in range(1500):
        k = rng.choice(keys)
        i = rng.randrange(len(k))
        j = rng.randrange(i + 1, len(k) + 1)
        queries.add(k[i:j] + "".join(rng.choice(k) for _ in range(rng.randrange(4))))
    for q in sorted(queries):
        every_key = [(k, s) for k, s, _ in process.extract(q, keys, scorer=fuzz.ratio, score_cutoff=72, limit=50)]
        assert index._typo_keys(q) == every_key, q


def test_a_reingested_plan_is_answered_from_at_the_next_question(plan: Plan, tmp_path: Path) -> None:
    # Term mentions and list views are kept per snapshot; another process re-ingesting the plan
    # (here: another connection) must not leave the running responder answering from the old one.
    path = tmp_path / "kb.db"
    ingest(connect(path), plan, now=NOW)
    responder = Responder(load_catalog(connect(path)))
    before = responder.answer("A評価の事業", audience="citizen")
    mentioning = responder.resolver.projects_mentioning("LGWAN")
    target = next(p for p in plan.projects if p.id not in mentioning and p not in before.projects)

    graded = Evaluation(fiscal_year=2099, grade="A", comment="")
    changed = replace(plan, projects=tuple(
        replace(p, goal=p.goal + "LGWANを活用する。", evaluations=(*p.evaluations, graded)) if p.id == target.id else p
        for p in plan.projects), source_sha256="changed")
    ingest(connect(path), changed, now=NOW)

    assert responder.refresh()
    assert target.id in responder.resolver.projects_mentioning("LGWAN")
    after = responder.answer("A評価の事業", audience="citizen")
    assert {p.id for p in after.projects} == {p.id for p in before.projects} | {target.id}
    assert not responder.refresh()


def test_words_too_short_for_the_index_find_what_a_like_scan_finds(catalog) -> None:  # type: ignore[no-untyped-def]
    # One- and two-character words ("研修", "AI") are searched in memory; the same texts, in the
    # same order, as SQLite's LIKE scan over the table, for every kind and limit.
    db = catalog.db
    texts = "".join(n for (n,) in db.conn.execute("SELECT normalized FROM search_docs").fetchall())
    rng = random.Random(11)
    needles = {texts[i:i + k] for i in rng.sample(range(len(texts) - 2), 800) for k in (1, 2)} | {"%", "_", "\\", "zz"}
    for needle in sorted(needles):
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for kind in (None, "project", "glossary"):
            sql = "SELECT kind, ref, field, text, normalized FROM search_docs WHERE normalized LIKE ? ESCAPE '\\'"
            params = [f"%{escaped}%", *([kind] if kind else [])]
            like = db.conn.execute(sql + (" AND kind = ?" if kind else "") + " LIMIT 7", params).fetchall()
            assert catalog._docs_containing(needle, kind=kind, limit=7) == like, (needle, kind)
