"""Throughput and time-to-ack of the webhooks: signed LINE webhook bodies and signed Slack events
against the real `dxbot serve` (its own process) on 127.0.0.1, with fake Slack and LINE APIs
counting what the bot sends back (lost or doubled replies are reported).

    uv run python bench/webhook.py [--seconds 15] [--concurrency 16] [--scale 1 --scale 10 --scale 100] [--rounds 3]
    uv run python bench/webhook.py --database-url temp        # two servers sharing a throwaway PostgreSQL
    uv run python bench/webhook.py --database-url postgresql://… [--servers 2]

Each round runs dxbot, then the ceiling (bench/ceiling.py: the same uvicorn, signature checks
only) under the same load, and prints both and their ratios; server CPU is read from /proc.
Run on demand, not in CI. Prints the machine's core count with its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.ask import grow  # noqa: E402
from knowledge.parse import parse_plan  # noqa: E402
from knowledge.store import bundled_plan_text, ingest  # noqa: E402
from state.database import connect  # noqa: E402
from tests.fakes import free_port, line_signature, slack_headers  # noqa: E402

SLACK_SECRET, LINE_SECRET = "bench-slack-secret", "bench-line-secret"
# The questions of the issue-16 figures: ten, asked in turn, so that after the first round every
# answer can come from the server's answer cache. ``--questions pool`` asks every question written
# for the project's question sets instead (545, in a fixed shuffled order), so that a question
# asked again is as rare as that set makes it: understanding is then paid for almost every request.
QUESTIONS = ["2-3-1の状況は？", "LGWANって何？", "RPAのKPIは？", "マイナポータルとは", "A評価の事業", "しびっくてっく",
             "1-3-1の担当は？", "来週の天気", "テレワークの推進状況", "what is e-approval"]


def question_pool(which: str = "sample") -> list[str]:
    if which == "sample":
        return list(QUESTIONS)
    pool = list(QUESTIONS)
    for name in ("questions_tune.json", "questions_heldout.json", "plan_questions.json"):
        pool += [q["q"] for q in json.loads((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))]
    pool = list(dict.fromkeys(pool))
    random.Random(16).shuffle(pool)
    return pool


def build_db(path: Path, factor: int) -> None:
    db = connect(path)
    ingest(db, grow(parse_plan(bundled_plan_text()), factor), now=datetime.now(UTC))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def bodies(n: int, questions: list[str] = QUESTIONS) -> list[tuple[str, bytes, dict[str, str]]]:
    """Pre-signed requests, so the load generator spends its time sending, not hashing. Event ids
    are new each run: a shared database keeps the last run's ids, which would be duplicates."""
    out = []
    now_ms = int(time.time() * 1000)
    run_id = f"{now_ms:x}"
    for i in range(n):
        q = questions[i % len(questions)]
        if i % 2 == 0:
            event = {"type": "message", "mode": "active", "timestamp": now_ms, "webhookEventId": f"01B{run_id}{i:08d}",
                     "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": f"U{i % 50}"},
                     "replyToken": f"rt{i}", "message": {"id": str(i), "type": "text", "quoteToken": "q", "text": q}}
            body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
            out.append(("/line/webhook", body, {"Content-Type": "application/json",
                                                 "X-Line-Signature": line_signature(LINE_SECRET, body)}))
        else:
            body = json.dumps({"type": "event_callback", "event_id": f"EvBench{run_id}{i}", "team_id": "T1", "api_app_id": "A",
                               "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {q}",
                                         "ts": f"1700000000.{i:06d}", "channel": "CBENCH"}}).encode()
            out.append(("/slack/events", body, {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}))
    return out


async def drive(urls: list[str], requests: list, *, concurrency: int,
                seconds: float) -> tuple[list[tuple[str, float, int]], float]:
    """Send ``requests`` with ``concurrency`` connections spread evenly over the servers (as a
    round-robin load balancer would). The results are in the order of ``requests`` (the ones sent
    are a prefix of it), so that each can be paired with its request."""
    results: list[tuple[int, str, float, int]] = []
    queue = enumerate(requests)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = [httpx.AsyncClient(base_url=url, timeout=10, limits=limits) for url in urls]
    try:
        async def worker(client: httpx.AsyncClient) -> None:
            for n, (path, body, headers) in queue:
                if time.perf_counter() > deadline:
                    return
                t = time.perf_counter()
                r = await client.post(path, content=body, headers=headers)
                results.append((n, path, time.perf_counter() - t, r.status_code))
        start = time.perf_counter()
        await asyncio.gather(*(worker(clients[i % len(clients)]) for i in range(concurrency)))
        elapsed = time.perf_counter() - start
        return [(path, t, status) for _, path, t, status in sorted(results)], elapsed
    finally:
        for client in clients:
            await client.aclose()



def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children still running (uvicorn's --workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15)
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's --workers), from /proc."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0) / 1024
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                for c in (t / "children").read_text().split()]
    except OSError:
        return []


def start(cmd: list[str], env: dict[str, str], port: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code in (200, 503):
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, url


@dataclass
class Figures:
    requests: int
    rps: float
    p50: float
    p99: float
    cpu_ms: float  # server CPU per answered request (the ceiling: per acknowledged request)
    drain: float = 0.0
    errors: int = 0
    lost: int = 0
    doubled: int = 0
    rss_mb: float = 0.0  # the servers' resident memory after the load

    def line(self, name: str) -> str:
        return (f"  {name:8} {self.requests:6d} req {self.rps:7.1f} req/s  p50 {self.p50:5.1f} ms  p99 {self.p99:6.1f} ms  "
                f"CPU {self.cpu_ms:5.2f} ms/req  drain {self.drain:5.2f} s  non-200 {self.errors}  "
                f"lost {self.lost} doubled {self.doubled}  RSS {self.rss_mb:5.0f} MB")


def latency(results: list[tuple[str, float, int]], elapsed: float, *, channel: str | None = None) -> tuple[int, float, float, float]:
    lat = sorted(t * 1000 for p, t, _ in results if channel in (None, p))
    return len(lat), len(lat) / elapsed, statistics.median(lat), lat[max(0, int(len(lat) * 0.99) - 1)]


def run_ceiling(*, seconds: float, concurrency: int) -> Figures:
    """The same load against bench/ceiling.py: signature checks and 200, nothing else."""
    port = free_port()
    env = dict(os.environ, SLACK_SIGNING_SECRET=SLACK_SECRET, LINE_CHANNEL_SECRET=LINE_SECRET)
    proc, url = start([sys.executable, "-m", "bench.ceiling", "--port", str(port)], env, port)
    try:
        requests = bodies(int(seconds * 4000))
        asyncio.run(drive([url], requests[-200:], concurrency=concurrency, seconds=2))
        cpu = cpu_seconds(proc.pid)
        results, elapsed = asyncio.run(drive([url], requests, concurrency=concurrency, seconds=seconds))
        cpu = cpu_seconds(proc.pid) - cpu
        n, rps, p50, p99 = latency(results, elapsed)
        return Figures(n, rps, p50, p99, cpu * 1000 / max(1, n), errors=sum(1 for _, _, s in results if s != 200))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Fakes:
    """bench/fake_apis.py in its own process: the platforms are not in the load generator's GIL."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.fake_apis"], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        urls = json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]
        self.slack_url, self.line_url = urls["slack"], urls["line"]

    def counts(self) -> tuple[Counter, Counter]:
        self.proc.stdin.write("counts\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        got = json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]
        return Counter(got["tokens"]), Counter(got["threads"])

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        self.proc.wait(timeout=10)


def run(factor: int, *, seconds: float, concurrency: int, workers: int = 1, channels: bool = True,
        profile: str | None = None, database_url: str | None = None, servers: int = 1,
        server_env: dict[str, str] | None = None, questions: list[str] = QUESTIONS) -> Figures:
    tmp = Path(tempfile.mkdtemp(prefix="dxbot-bench-"))
    fakes = Fakes()
    procs: list[subprocess.Popen] = []
    try:
        build_db(tmp / "bench.db", factor)
        urls = []
        for n in range(servers):
            # Each server is a host of its own: its own knowledge file, the state shared.
            kb = tmp / f"host{n}.db"
            shutil.copy(tmp / "bench.db", kb)
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LINE_", "DXBOT_"))}
            env.update(DXBOT_DB=str(kb), SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SLACK_SECRET,
                       SLACK_API_URL=fakes.slack_url + "/api/", LINE_CHANNEL_SECRET=LINE_SECRET,
                       LINE_CHANNEL_ACCESS_TOKEN="t", LINE_API_URL=fakes.line_url, DXBOT_TICK_SECONDS="3600")
            if database_url:
                env["DXBOT_DATABASE_URL"] = database_url
            env.update(server_env or {})
            proc, url = start([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--workers", str(workers)],
                              env, port)
            procs.append(proc)
            urls.append(url)
        requests = bodies(int(seconds * 2000), questions)
        asyncio.run(drive(urls, requests[-200:], concurrency=concurrency, seconds=2))  # warm-up, not counted
        time.sleep(0.5)  # let the warm-up's answers finish before the CPU is read
        cpu = sum(cpu_seconds(p.pid) for p in procs)
        spy = None
        if profile:  # py-spy's own sampling of the server (all threads, idle ones left out), during the load
            spy = subprocess.Popen(["py-spy", "record", "-p", str(procs[0].pid), "-d", str(int(seconds)), "-r", "200",
                                    "-f", "raw", "-o", profile, "--subprocesses"], stdout=subprocess.DEVNULL)
        results, elapsed = asyncio.run(drive(urls, requests, concurrency=concurrency, seconds=seconds))
        if spy is not None:
            spy.wait(timeout=60)
        sent_line = sum(1 for p, _, s in results if p == "/line/webhook" and s == 200)
        sent_slack = sum(1 for p, _, s in results if p == "/slack/events" and s == 200)
        # Wait for the answers to drain, then count them at the fakes. A long drain would mean the
        # acks ran ahead of the answering: "sustained" counts only when the replies kept up. The
        # wait is for every acknowledged request's own answer (a count could be met early by the
        # warm-up's answers still arriving).
        acked_line = {json.loads(b)["events"][0]["replyToken"] for (p, b, _), (_, _, s) in zip(requests, results, strict=False)
                      if p == "/line/webhook" and s == 200}
        acked_slack = {json.loads(b)["event"]["ts"] for (p, b, _), (_, _, s) in zip(requests, results, strict=False)
                       if p == "/slack/events" and s == 200}

        def unanswered() -> tuple[Counter, Counter, int]:
            tokens, threads = fakes.counts()
            missing = sum(1 for t in acked_line if not tokens[t]) + sum(1 for t in acked_slack if not threads[t])
            return tokens, threads, missing

        load_end = time.monotonic()
        settle = load_end + 60
        while unanswered()[2] and time.monotonic() < settle:
            time.sleep(0.05)
        drain = time.monotonic() - load_end
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu
        time.sleep(1)  # a doubled answer would come after the first
        reply_tokens, threads, lost = unanswered()
        expected_line = {f"rt{i}" for i in range(len(requests)) if i % 2 == 0}
        expected_slack = {f"1700000000.{i:06d}" for i in range(len(requests)) if i % 2 == 1}
        doubled = sum(1 for t, n in reply_tokens.items() if n > 1 and t in expected_line)
        doubled += sum(1 for t, n in threads.items() if n > 1 and t in expected_slack)
        errors = sum(1 for _, _, s in results if s != 200)
        if channels:
            for channel in ("/line/webhook", "/slack/events"):
                n, rps, p50, p99 = latency(results, elapsed, channel=channel)
                print(f"    {channel:15} {n:6d} req {rps:7.1f} req/s  p50 {p50:5.1f} ms  p99 {p99:6.1f} ms")
        n, rps, p50, p99 = latency(results, elapsed)
        answered = sent_line + sent_slack - lost
        return Figures(n, rps, p50, p99, cpu * 1000 / max(1, answered), drain=drain, errors=errors, lost=lost,
                       doubled=doubled, rss_mb=sum(rss_mb(p.pid) for p in procs))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        fakes.close()
        shutil.rmtree(tmp, ignore_errors=True)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def compare(factor: int, *, rounds: int, seconds: float, concurrency: int, workers: int,
            database_url: str | None = None, servers: int = 1, fresh_database=None,
            server_env: dict[str, str] | None = None, questions: list[str] = QUESTIONS) -> None:
    """dxbot and the ceiling in turn, ``rounds`` times (the machine is shared: the spread says how much)."""
    where = "PostgreSQL" if database_url or fresh_database else "SQLite"
    print(f"scale {factor}x, {servers} server(s) x {workers} worker(s) on {where}, concurrency {concurrency}, "
          f"{seconds:g} s per run, {rounds} round(s)")
    ratios: dict[str, list[float]] = {"req/s": [], "p99 ack": [], "CPU/req": []}
    bots: list[Figures] = []
    for n in range(rounds):
        url = fresh_database() if fresh_database else database_url  # empty each run: one run's queues only
        bot = run(factor, seconds=seconds, concurrency=concurrency, workers=workers, database_url=url, servers=servers,
                  server_env=server_env, questions=questions)
        ceiling = run_ceiling(seconds=seconds, concurrency=concurrency)
        bots.append(bot)
        print(f"  round {n + 1}")
        print(bot.line("dxbot"))
        print(ceiling.line("ceiling"))
        ratios["req/s"].append(bot.rps / ceiling.rps)
        ratios["p99 ack"].append(bot.p99 / ceiling.p99)
        ratios["CPU/req"].append(bot.cpu_ms / ceiling.cpu_ms)
        print("  dxbot / ceiling: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in ratios.items()))
    print("  median (min–max) over rounds — dxbot / ceiling: " + ", ".join(f"{k} {spread(v)}" for k, v in ratios.items()))
    print(f"  dxbot: CPU {spread([b.cpu_ms for b in bots])} ms per answered request, drain "
          f"{spread([b.drain for b in bots])} s, lost {sum(b.lost for b in bots)}, doubled {sum(b.doubled for b in bots)}, "
          f"RSS after load {spread([b.rss_mb for b in bots])} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--scale", type=int, action="append")
    ap.add_argument("--workers", type=int, default=1, help="dxbot serve --workers")
    ap.add_argument("--rounds", type=int, default=3, help="dxbot and the ceiling in turn, this many times")
    ap.add_argument("--profile", metavar="FILE", help="only dxbot, once, sampled by py-spy (raw folded stacks) into FILE")
    ap.add_argument("--database-url", help="the state in this PostgreSQL database (DXBOT_DATABASE_URL); "
                                           "'temp' starts a throwaway server (tests/pg.py)")
    ap.add_argument("--servers", type=int, help="dxbot serve processes, each a host of its own "
                                                "(default: 2 with --database-url, else 1)")
    ap.add_argument("--questions", choices=["sample", "pool"], default="sample",
                    help="sample: the ten questions of the issue-16 figures; pool: all 545 of the question sets")
    ap.add_argument("--answer-cache", type=int, help="DXBOT_ANSWER_CACHE for dxbot (0: every question understood anew)")
    args = ap.parse_args()
    questions = question_pool(args.questions)
    servers = args.servers or (2 if args.database_url else 1)
    server_env = {} if args.answer_cache is None else {"DXBOT_ANSWER_CACHE": str(args.answer_cache)}
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}, "
          f"{len(questions)} distinct questions, answer cache "
          f"{'server default' if args.answer_cache is None else args.answer_cache}")
    pg = None
    if args.database_url == "temp":
        from tests import pg as pg_server

        pg = pg_server.start()
    try:
        if args.profile:  # the first server only, sampled by py-spy
            url = pg.new_database("bench") if pg else args.database_url
            print(run((args.scale or [1])[0], seconds=args.seconds, concurrency=args.concurrency, workers=args.workers,
                      profile=args.profile, server_env=server_env, database_url=url, servers=servers,
                      questions=questions).line("dxbot"))
            return
        for factor in args.scale or [1, 10, 100]:
            compare(factor, rounds=args.rounds, seconds=args.seconds, concurrency=args.concurrency,
                    workers=args.workers, servers=servers,
                    database_url=None if pg else args.database_url, server_env=server_env, questions=questions,
                    fresh_database=(lambda: pg.new_database("bench")) if pg else None)
    finally:
        if pg is not None:
            pg.stop()

if __name__ == "__main__":
    main()
