"""Latency of question understanding: p50/p99 per question and questions/s, on the real plan and
on knowledge bases grown N× with synthetic projects and terms.

    uv run python bench/ask.py [--questions 10000] [--scale 1 --scale 100] [--clock wall|cpu] [--profile]

Run on demand, not in CI. Prints the machine's core count with the figures. ``--clock cpu``
times each question by the CPU time of the answering thread: on a machine shared with other
busy processes, wall time mostly measures the neighbours. ``--profile`` prints where a
question's time goes, stage by stage (see :mod:`bench.ask_profile`), and which kinds of
answer make the slowest 1 %.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers import Responder  # noqa: E402
from knowledge.parse import parse_plan  # noqa: E402
from knowledge.records import Plan, Term  # noqa: E402
from knowledge.store import bundled_plan_text, ingest  # noqa: E402
from state.catalog import load_catalog  # noqa: E402
from state.database import connect  # noqa: E402

TEMPLATES = [
    "{id}の状況は？", "{id}の担当は？", "{id}のKPIは？", "{id}のスケジュール", "{id}の概要", "what is the status of {id}",
    "{name}の進捗", "{name}の担当部署", "{term}とは", "{term}って何？", "what is {term}", "{typo}の状況",
]
NOISE = ["来週の天気", "NFTとは", "qwertyuiop", "野球の試合結果", "こんにちは", "B評価の事業", "基本方針2の事業",
         "研修の状況", "広報課の事業", "projects graded C", "ラーメンのおすすめ", "8-2-1の進捗"]


def grow(plan: Plan, factor: int) -> Plan:
    """The plan with every project and term repeated ``factor`` times under new ids and names."""
    if factor <= 1:
        return plan
    projects, terms = list(plan.projects), list(plan.glossary)
    for i in range(1, factor):
        for p in plan.projects:
            pol, app, num = p.id.split("-")
            projects.append(replace(p, id=f"{pol}-{app}-{int(num) + 10 * i}", name=f"{p.name}（第{i}期）", repost_of=None))
        for t in plan.glossary:
            terms.append(Term(term=f"{t.term}{i}", definition=t.definition, urls=t.urls, position=len(terms) + 1))
    return replace(plan, projects=tuple(projects), glossary=tuple(terms), source_sha256=f"x{factor}")


def questions(plan: Plan, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.15:
            out.append(rng.choice(NOISE))
            continue
        p = rng.choice(plan.projects)
        t = rng.choice(plan.glossary)
        typo = p.name[:-1] if len(p.name) > 3 else p.name
        out.append(rng.choice(TEMPLATES).format(id=p.id, name=p.name, term=t.term, typo=typo))
    return out


CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def run(factor: int, n: int, *, clock: str = "wall", profile: bool = False) -> None:
    tick = CLOCKS[clock]
    plan = grow(parse_plan(bundled_plan_text()), factor)
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        ingest(db, plan, now=datetime.now(UTC))
        ingest_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        responder = Responder(load_catalog(db))
        load_s = time.perf_counter() - t0
        qs = questions(plan, n)
        for q in qs[:200]:
            responder.answer(q)  # warm caches
        if profile:
            from bench.ask_profile import profile_questions

            print(f"scale {factor}x: {len(plan.projects)} projects, {len(plan.glossary)} terms")
            profile_questions(responder, qs, clock=tick)
            return
        times = []
        start = time.perf_counter()
        for q in qs:
            t = tick()
            responder.answer(q)
            times.append((tick() - t) * 1000)
        total = time.perf_counter() - start
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"scale {factor:>4}x: {len(plan.projects):>5} projects, {len(plan.glossary):>5} terms | "
          f"ingest {ingest_s:6.1f} s, load {load_s * 1000:6.0f} ms | {n} questions: "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.1f} ms, {n / total:,.0f} q/s ({clock} clock)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=10_000)
    ap.add_argument("--scale", type=int, action="append")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    ap.add_argument("--profile", action="store_true", help="time each stage of answering instead")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    for factor in args.scale or [1, 10, 100]:
        run(factor, args.questions, clock=args.clock, profile=args.profile)


if __name__ == "__main__":
    main()
