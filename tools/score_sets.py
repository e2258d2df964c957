"""Score labelled question sets in-process, per persona and kind, with the shared scorer's rules.

    uv run python tools/score_sets.py tests/data/meaning_dev.json [-v] [--kind described_term]

Prints accuracy per persona, per kind, the out-of-scope questions answered, and (with -v) misses.
Tune on the development set; the held-out set is scored once, at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers import Responder  # noqa: E402
from knowledge.parse import parse_plan  # noqa: E402
from knowledge.store import bundled_plan_text, ingest  # noqa: E402
from state.catalog import load_catalog  # noqa: E402
from state.database import connect  # noqa: E402
from tests.test_question_sets import judge  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--kind")
    args = ap.parse_args()
    db = connect(memory=True)
    ingest(db, parse_plan(bundled_plan_text()), now=datetime(2026, 11, 24, tzinfo=UTC))
    responder = Responder(load_catalog(db))
    cases = [c for p in args.paths for c in json.loads(Path(p).read_text(encoding="utf-8"))]
    if args.kind:
        cases = [c for c in cases if c.get("kind") == args.kind]
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for case in cases:
        got = responder.answer(case["q"], audience=case.get("audience", "staff")).to_json()
        ok = judge(case, got)
        for group in ("all", f"audience:{case.get('audience', 'staff')}", f"persona:{case.get('persona', '-')}",
                      f"kind:{case.get('kind', case.get('category', '-'))}"):
            total[group] += 1
            right[group] += ok
        if case.get("unknown") and not ok:
            total["oos_answered"] += 1
        if not ok:
            first = (got.get("answers") or got.get("suggestions") or [{}])[0].get("id", "")
            misses.append(f"MISS [{case.get('kind')}] {case['q']!r} want={ {k: case[k] for k in ('intent', 'top', 'top_in', 'set', 'clarify', 'unknown') if k in case} } "
                          f"got={got.get('intent')}:{first}")
    for group in sorted(total):
        if group != "oos_answered":
            print(f"{group:32} {right[group]:4}/{total[group]:4}  {right[group] / total[group]:.3f}")
    print(f"out-of-scope questions answered: {total['oos_answered']}")
    if args.v:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
