"""The issue-12 question set, written from the plan by people who had not read the handlers.

Judged with the rules of the shared scorer (top / top_in / set / unknown / clarify / intent), on
the tune half only; the heldout half is scored by hand at the end, never tuned against.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter

import pytest

from handlers import Responder
from knowledge.catalog import Catalog
from tests.conftest import DATA

TUNE = json.loads((DATA / "questions_tune.json").read_text(encoding="utf-8"))
HELDOUT = json.loads((DATA / "questions_heldout.json").read_text(encoding="utf-8"))
# The tune half scored 0.732 when the set was written and 1.000 once issue 12 landed; the floor
# leaves room for a few deliberate trade-offs, not for a category to regress.
ACCURACY_FLOOR = 0.97
LABELS = ("top", "top_in", "set", "unknown", "clarify", "intent")


def norm(s: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(s)).split())


def judge(case: dict, got: dict) -> bool:
    answers = got.get("answers") or []
    ids = [norm(a.get("id", "")) for a in answers]
    intent_ok = case.get("intent") is None or got.get("intent") == case["intent"]
    if case.get("unknown"):
        return not answers
    if "clarify" in case:
        pool = {norm(s.get("id", "")) for s in got.get("suggestions") or []} | set(ids)
        return got.get("intent") == "clarify" and all(norm(c) in pool for c in case["clarify"])
    if "set" in case:
        projects = {norm(a.get("id")) for a in answers if a.get("kind") == "project"}
        return intent_ok and projects == {norm(x) for x in case["set"]}
    if "top" in case:
        return intent_ok and ids[:1] == [norm(case["top"])]
    if "top_in" in case:
        return intent_ok and bool(ids) and ids[0] in {norm(x) for x in case["top_in"]}
    return intent_ok


def ask(responder: Responder, case: dict) -> dict:
    return responder.answer(case["q"], audience=case.get("audience", "staff")).to_json()


def table(results: list[tuple[dict, bool]]) -> str:
    total, right = Counter(), Counter()
    for case, ok in results:
        total[case["category"]] += 1
        right[case["category"]] += ok
    rows = [f"{cat:16} {right[cat]:3}/{total[cat]:3}  {right[cat] / total[cat]:.2f}" for cat in sorted(total)]
    misses = [f"MISS {c['q']}" for c, ok in results if not ok]
    return "\n".join(rows + misses)


def test_both_halves_cover_every_category_and_name_real_targets(catalog: Catalog) -> None:
    projects = {norm(pid) for pid in catalog.projects}
    terms = {norm(term) for term in catalog.terms}
    tune_cats = Counter(c["category"] for c in TUNE)
    held_cats = Counter(c["category"] for c in HELDOUT)
    assert set(tune_cats) == set(held_cats)
    assert not {c["q"] for c in TUNE} & {c["q"] for c in HELDOUT}
    assert sum(1 for c in TUNE + HELDOUT if c.get("unknown")) >= 60
    for case in TUNE + HELDOUT:
        assert any(k in case for k in LABELS), case
        named = [case.get("top")] + case.get("top_in", []) + case.get("set", []) + case.get("clarify", [])
        for target in filter(None, named):
            assert norm(target) in projects | terms, (case["q"], target)


def test_no_out_of_scope_question_gets_an_answer(responder: Responder) -> None:
    answered = [(c["q"], [a["id"] for a in got["answers"]])
                for c in TUNE if c.get("unknown") and (got := ask(responder, c))["answers"]]
    assert answered == []


def test_tune_half_accuracy_stays_above_the_floor(responder: Responder) -> None:
    results = [(c, judge(c, ask(responder, c))) for c in TUNE]
    accuracy = sum(ok for _, ok in results) / len(results)
    assert accuracy >= ACCURACY_FLOOR, f"accuracy {accuracy:.3f} < {ACCURACY_FLOOR}\n" + table(results)


# The development sets of understanding by meaning (tests/data/meaning_README.md), written from
# the plan in free language by personas. The floors keep what was won; the held-out sets beside
# them are never scored here.
MEANING_DEV = json.loads((DATA / "meaning_dev.json").read_text(encoding="utf-8"))
MEANING_DEV2 = json.loads((DATA / "meaning_dev2.json").read_text(encoding="utf-8"))
MEANING_FLOORS = {"meaning_dev": 0.83, "meaning_dev2": 0.73}


def test_meaning_sets_name_real_targets_and_do_not_overlap(catalog: Catalog) -> None:
    heldout = [c for name in ("meaning_heldout", "meaning_heldout2")
               for c in json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))]
    projects = {norm(pid) for pid in catalog.projects}
    terms = {norm(term) for term in catalog.terms}
    assert not {c["q"] for c in MEANING_DEV + MEANING_DEV2} & {c["q"] for c in heldout}
    for case in MEANING_DEV + MEANING_DEV2 + heldout:
        named = [case.get("top")] + case.get("top_in", []) + case.get("set", []) + case.get("clarify", [])
        for target in filter(None, named):
            assert norm(target) in projects | terms, (case["q"], target)


@pytest.mark.parametrize("name", sorted(MEANING_FLOORS))
def test_meaning_development_sets_stay_above_their_floors(responder: Responder, name: str) -> None:
    cases = MEANING_DEV if name == "meaning_dev" else MEANING_DEV2
    results = [(dict(c, category=c["kind"]), judge(c, ask(responder, c))) for c in cases]
    accuracy = sum(ok for _, ok in results) / len(results)
    floor = MEANING_FLOORS[name]
    assert accuracy >= floor, f"{name}: accuracy {accuracy:.3f} < {floor}\n" + table(results)
