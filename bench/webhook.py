"""Throughput and time-to-ack of the webhooks: signed LINE webhook bodies and signed Slack events
against the real `dxbot serve` (its own process) on 127.0.0.1, with fake Slack and LINE APIs
counting what the bot sends back (lost or doubled replies are reported).

    uv run python bench/webhook.py [--seconds 15] [--concurrency 16] [--scale 1 --scale 10 --scale 100]
    uv run python bench/webhook.py --database-url temp        # two servers sharing a throwaway PostgreSQL
    uv run python bench/webhook.py --database-url postgresql://… [--servers 2]

Run on demand, not in CI. Prints the machine's core count with its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.ask import grow  # noqa: E402
from knowledge.parse import parse_plan  # noqa: E402
from knowledge.store import bundled_plan_text, connect, ingest  # noqa: E402
from tests.fakes import free_port, line_api, line_signature, slack_api, slack_headers  # noqa: E402

SLACK_SECRET, LINE_SECRET = "bench-slack-secret", "bench-line-secret"
QUESTIONS = ["2-3-1の状況は？", "LGWANって何？", "RPAのKPIは？", "マイナポータルとは", "A評価の事業", "しびっくてっく",
             "1-3-1の担当は？", "来週の天気", "テレワークの推進状況", "what is e-approval"]


def build_db(path: Path, factor: int) -> None:
    db = connect(path)
    ingest(db, grow(parse_plan(bundled_plan_text()), factor), now=datetime.now(timezone.utc))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def bodies(n: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """Pre-signed requests, so the load generator spends its time sending, not hashing. Event ids
    are new each run: a shared database keeps the last run's ids, which would be duplicates."""
    out = []
    now_ms = int(time.time() * 1000)
    run_id = f"{now_ms:x}"
    for i in range(n):
        q = QUESTIONS[i % len(QUESTIONS)]
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
    round-robin load balancer would)."""
    results: list[tuple[str, float, int]] = []
    queue = iter(requests)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = [httpx.AsyncClient(base_url=url, timeout=10, limits=limits) for url in urls]
    try:
        async def worker(client: httpx.AsyncClient) -> None:
            for path, body, headers in queue:
                if time.perf_counter() > deadline:
                    return
                t = time.perf_counter()
                r = await client.post(path, content=body, headers=headers)
                results.append((path, time.perf_counter() - t, r.status_code))
        start = time.perf_counter()
        await asyncio.gather(*(worker(clients[i % len(clients)]) for i in range(concurrency)))
        return results, time.perf_counter() - start
    finally:
        for client in clients:
            await client.aclose()


def run(factor: int, *, seconds: float, concurrency: int, workers: int = 1, database_url: str | None = None,
        servers: int = 1) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="dxbot-bench-"))
    slack, line = slack_api(), line_api()
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
                       SLACK_API_URL=slack.url + "/api/", LINE_CHANNEL_SECRET=LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN="t",
                       LINE_API_URL=line.url, DXBOT_TICK_SECONDS="3600")
            if database_url:
                env["DXBOT_DATABASE_URL"] = database_url
            procs.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--workers",
                                           str(workers)], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            for _ in range(300):
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
        requests = bodies(int(seconds * 2000))
        asyncio.run(drive(urls, requests[-200:], concurrency=concurrency, seconds=2))  # warm-up, not counted
        warm_line = len(line.to("/v2/bot/message/reply"))
        warm_slack = len(slack.to("/api/chat.postMessage"))
        results, elapsed = asyncio.run(drive(urls, requests, concurrency=concurrency, seconds=seconds))
        sent_line = sum(1 for p, _, _ in results if p == "/line/webhook")
        sent_slack = len(results) - sent_line
        # Wait for the answers to drain, then count them at the fakes. A long drain would mean the
        # acks ran ahead of the answering: "sustained" counts only when the replies kept up.
        load_end = time.monotonic()
        settle = load_end + 60
        while time.monotonic() < settle:
            if (len(line.to("/v2/bot/message/reply")) - warm_line >= sent_line
                    and len(slack.to("/api/chat.postMessage")) - warm_slack >= sent_slack):
                break
            time.sleep(0.05)
        drain = time.monotonic() - load_end
        time.sleep(1)
        reply_tokens = Counter(c.json["replyToken"] for c in line.to("/v2/bot/message/reply"))
        threads = Counter(c.json["thread_ts"] for c in slack.to("/api/chat.postMessage"))
        expected_line = {f"rt{i}" for i in range(len(requests)) if i % 2 == 0}
        expected_slack = {f"1700000000.{i:06d}" for i in range(len(requests)) if i % 2 == 1}
        acked_line = {json.loads(b)["events"][0]["replyToken"] for (p, b, _), (_, _, s) in zip(requests, results)
                      if p == "/line/webhook" and s == 200}
        lost = len([t for t in acked_line if reply_tokens[t] == 0])
        acked_slack = {json.loads(b)["event"]["ts"] for (p, b, _), (_, _, s) in zip(requests, results)
                       if p == "/slack/events" and s == 200}
        lost += len([t for t in acked_slack if threads[t] == 0])
        doubled = sum(1 for t, n in reply_tokens.items() if n > 1 and t in expected_line)
        doubled += sum(1 for t, n in threads.items() if n > 1 and t in expected_slack)
        errors = sum(1 for _, _, s in results if s != 200)
        for channel in ("/line/webhook", "/slack/events", None):
            lat = sorted(t * 1000 for p, t, _ in results if channel in (None, p))
            name = channel or "both"
            print(f"  {name:15} {len(lat):6d} req  {len(lat) / elapsed:7.1f} req/s  p50 {statistics.median(lat):6.1f} ms  "
                  f"p90 {lat[int(len(lat) * 0.9) - 1]:6.1f} ms  p99 {lat[int(len(lat) * 0.99) - 1]:6.1f} ms")
        where = "PostgreSQL" if database_url else "SQLite"
        print(f"scale {factor}x, {servers} server(s) x {workers} worker(s) on {where}: {len(results)} signed requests in {elapsed:.1f} s at concurrency {concurrency}; "
              f"non-200 {errors}; replies lost {lost}, doubled {doubled}; last reply {drain:.2f} s after the load "
              f"(replies {len(results) / (elapsed + drain):.0f}/s end to end)")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        slack.close()
        line.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--scale", type=int, action="append")
    ap.add_argument("--workers", type=int, default=1, help="dxbot serve --workers")
    ap.add_argument("--database-url", help="the state in this PostgreSQL database (DXBOT_DATABASE_URL); "
                                           "'temp' starts a throwaway server (tests/pg.py)")
    ap.add_argument("--servers", type=int, help="dxbot serve processes, each a host of its own "
                                                "(default: 2 with --database-url, else 1)")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    servers = args.servers or (2 if args.database_url else 1)
    pg = None
    url = args.database_url
    if url == "temp":
        from tests import pg as pg_server

        pg = pg_server.start()
    try:
        for factor in args.scale or [1, 10, 100]:
            if pg is not None:
                url = pg.new_database("bench")  # empty each time: the plan and queues of one scale only
            run(factor, seconds=args.seconds, concurrency=args.concurrency, workers=args.workers, database_url=url,
                servers=servers)
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
