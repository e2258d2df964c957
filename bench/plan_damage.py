"""Damaged copies of the plan: does ingest refuse every one that would lose content?

Every truncation point (the document cut after line k) and random contiguous deletions (a fixed
seed) are parsed and checked as ``dxbot ingest`` does. Each copy is *refused*, parses to
*exactly* the full plan (the lines lost carried nothing the knowledge base keeps), or is
*accepted with less* — the failure this measures.

    uv run python bench/plan_damage.py     # --deletions 300 --seed 13 --max-span 60 --show 10
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from knowledge.parse import parse_plan
from knowledge.records import Plan


@dataclass(frozen=True)
class Damage:
    name: str
    text: str


def truncations(text: str) -> Iterator[Damage]:
    """The document cut after each of its lines (the last one excluded: that is the whole plan)."""
    lines = text.splitlines(keepends=True)
    for k in range(1, len(lines)):
        yield Damage(f"truncated after line {k}", "".join(lines[:k]))


def single_lines(text: str) -> Iterator[Damage]:
    """The document with each one of its lines removed."""
    lines = text.splitlines(keepends=True)
    for k in range(len(lines)):
        yield Damage(f"line {k + 1} deleted", "".join(lines[:k] + lines[k + 1:]))


def deletions(text: str, *, count: int, seed: int, max_span: int = 60) -> Iterator[Damage]:
    """``count`` copies with one run of 1..max_span lines removed, at random (reproducibly)."""
    lines = text.splitlines(keepends=True)
    rng = random.Random(seed)
    for _ in range(count):
        start = rng.randrange(len(lines))
        span = rng.randint(1, max_span)
        yield Damage(f"lines {start + 1}–{min(start + span, len(lines))} deleted",
                     "".join(lines[:start] + lines[start + span:]))


def content(plan: Plan) -> tuple[object, ...]:
    """What the knowledge base keeps of a plan, without where it came from (the source's hash and
    each project's line number, which any deletion above it shifts)."""
    return plan.policies, plan.approaches, tuple(replace(p, line=0) for p in plan.projects), plan.glossary


Check = Callable[[str, Plan], None]  # (text, parsed plan) -> None, or raise ValueError to refuse


def outcome(damage: Damage, full: Plan, check: Check | None) -> str:
    try:
        plan = parse_plan(damage.text)
        if check is not None:
            check(damage.text, plan)
    except ValueError:  # PlanParseError, PlanCheckError
        return "refused"
    return "exact" if content(plan) == content(full) else "accepted with less"


def measure(text: str, damages: Iterator[Damage], check: Check | None) -> tuple[Counter[str], list[str]]:
    full = parse_plan(text)
    counts: Counter[str] = Counter()
    accepted: list[str] = []
    for damage in damages:
        result = outcome(damage, full, check)
        counts[result] += 1
        if result == "accepted with less":
            accepted.append(damage.name)
    return counts, accepted


def main() -> None:
    from knowledge.store import bundled_plan_text
    from knowledge.validate import Outline, validate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deletions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-span", type=int, default=60)
    parser.add_argument("--show", type=int, default=0, help="list this many copies accepted with less")
    args = parser.parse_args()
    text = bundled_plan_text()
    good = Outline.of(parse_plan(text))
    checks: list[tuple[str, Check | None]] = [
        ("parser alone", None),
        ("+ own structure", lambda t, plan: validate(t, plan)),  # a first ingest: nothing live yet
        ("+ last good plan", lambda t, plan: validate(t, plan, last_good=good)),  # a re-ingest
    ]
    for label, check in checks:
        for kind, damages in (("truncation points", truncations(text)), ("single lines", single_lines(text)),
                              (f"random deletions (seed {args.seed}, 1–{args.max_span} lines)",
                               deletions(text, count=args.deletions, seed=args.seed, max_span=args.max_span))):
            counts, accepted = measure(text, damages, check)
            total = sum(counts.values())
            print(f"{label:18} {kind:42} {total:4d}: refused {counts['refused']}, exact {counts['exact']}, "
                  f"accepted with less {counts['accepted with less']}")
            for name in accepted[:args.show]:
                print(f"    {name}")


if __name__ == "__main__":
    main()
