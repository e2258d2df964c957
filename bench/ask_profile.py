"""Where a question's time goes: the answering pipeline timed stage by stage (``bench/ask.py --profile``).

Each stage is a set of functions of the pipeline; while the questions are answered, every call
of those functions is timed, and a stage is charged its *own* time: time spent inside a nested
stage (a text search made while deciding between candidates) is charged to that stage, not to
the caller. What no stage claims (the responder's dispatch, building the ``Answer``) is "other".
Functions a version of the code does not have are skipped, so the same table can be made for an
older commit (copy this file and ``bench/ask.py`` into a checkout of it).

Timing wraps each call (about a microsecond of overhead each), so the per-stage figures add up
to a little more than an uninstrumented run; compare shares and the same table before and after.
"""

from __future__ import annotations

import importlib
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

# (stage, ["module:qualified name", ...]) in pipeline order.
STAGES: list[tuple[str, list[str]]] = [
    ("read / normalise", ["handlers.understand:read", "handlers.glossary_list:asks_for_glossary_list"]),
    ("scope (other organisations)", ["handlers.scope:Scope.check"]),
    ("ids", ["handlers.respond:Responder._by_ids"]),
    ("lists (filters)", ["handlers.resolve:Resolver.list_filter"]),
    ("name lookup (exact, contained, fuzzy)", ["knowledge.search:Index.lookup"]),
    ("deciding between candidates", ["handlers.resolve:Resolver.decide"]),
    ("FTS5 text search (SQLite)", ["knowledge.catalog:Catalog._docs_containing"]),
    ("whole-text passages", ["handlers.respond:Responder._quote"]),
    ("composing the answer", [
        "handlers.respond:Responder._project", "handlers.respond:Responder._list", "handlers.respond:Responder._unknown",
        "handlers.respond:Responder._help", "handlers.respond:Responder._out_of_scope",
        "handlers.respond:Responder._by_topic", "handlers.glossary_list:glossary_list",
    ]),
]
OTHER = "other (dispatch, Answer objects)"


class StageClock:
    """Charges each timed call's own time (less nested timed calls) to its stage."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.own: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._nested: list[float] = []  # per open call: time spent in timed calls inside it

    def wrap(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        clock, nested, own, calls = self.clock, self._nested, self.own, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = clock()
            nested.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = clock() - t0
                own[stage] += elapsed - nested.pop()
                calls[stage] += 1
                if nested:
                    nested[-1] += elapsed

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed


def _instrument(stages: StageClock) -> Callable[[], None]:
    """Wrap every stage function where it is defined and wherever it was imported by name; returns undo."""
    undo: list[Callable[[], None]] = []
    for stage, names in STAGES:
        for name in names:
            module_name, _, qual = name.partition(":")
            owner: Any = importlib.import_module(module_name)
            *path, attr = qual.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            original = getattr(owner, attr, None) if owner is not None else None
            if original is None:
                continue  # not in this version of the code
            timed = stages.wrap(original, stage)
            targets = [owner] if path else [m for m in list(sys.modules.values())
                                            if getattr(m, "__name__", "").startswith(("handlers", "knowledge"))
                                            and getattr(m, attr, None) is original]
            for target in targets:
                setattr(target, attr, timed)
                undo.append(lambda target=target, attr=attr, original=original: setattr(target, attr, original))
    return lambda: [u() for u in reversed(undo)] and None


def profile_questions(responder: Any, questions: list[str], *, clock: Callable[[], float]) -> None:
    """Answer ``questions`` twice: untimed by stage (for the tail), then by stage; print both tables."""
    plain: list[tuple[float, str]] = []
    for q in questions:
        t = clock()
        a = responder.answer(q)
        plain.append(((clock() - t) * 1e6, a.intent))
    stages = StageClock(clock)
    undo = _instrument(stages)
    try:
        top = stages.wrap(type(responder).answer, OTHER)
        for q in questions:
            top(responder, q)
    finally:
        undo()
    n = len(questions)
    total = sum(stages.own.values())
    print(f"  where a question's time goes ({n} questions; mean {total * 1e6 / n:,.0f} µs with timing, "
          f"{statistics.fmean(t for t, _ in plain):,.0f} µs without)")
    print("  | stage | share | µs per question | calls per question |")
    print("  | --- | --- | --- | --- |")
    for stage in [s for s, _ in STAGES] + [OTHER]:
        spent = stages.own.get(stage, 0.0)
        print(f"  | {stage} | {100 * spent / total:.1f} % | {spent * 1e6 / n:,.1f} | {stages.calls[stage] / n:.2f} |")
    times = sorted(t for t, _ in plain)
    p99 = times[int(n * 0.99) - 1]
    tail = Counter(intent for t, intent in plain if t >= p99)
    kinds = Counter(intent for _, intent in plain)
    mean_by = {k: statistics.fmean(t for t, i in plain if i == k) for k in kinds}
    print(f"  the slowest 1 % (≥ p99 {p99 / 1000:.2f} ms), by kind of answer:")
    print("  | answer | of the slowest 1 % | of all questions | mean µs |")
    print("  | --- | --- | --- | --- |")
    for kind, count in sorted(kinds.items(), key=lambda kv: (-tail[kv[0]], -mean_by[kv[0]])):
        print(f"  | {kind} | {tail[kind]} | {count} | {mean_by[kind]:,.0f} |")
