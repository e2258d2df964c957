"""The documented topology, run for real: PostgreSQL, two ``dxbot serve`` hosts and Debian's nginx
with the shipped ``deploy/nginx.conf`` (names and ports substituted as docs/deploy.md says), the
hosts configured as the compose file configures them (nginx trusted, the public name allowed).
Citizens get a rate-limit bucket each, whatever X-Forwarded-For they send; a browser on a
non-default port is answered; a host killed mid-load costs the platforms no webhook."""

from __future__ import annotations

import json
import shutil
import signal
import ssl
import threading
import time
from collections import Counter
from types import SimpleNamespace

import httpx
import pytest

from bot.web.chat import WEB_BURST, WEB_RATE_PER_MINUTE
from state.conversations import hash_user
from state.statedb import PostgresState
from tests import nginx
from tests.fakes import cli_env, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

SLACK_SECRET, LINE_SECRET, SALT = "test-signing-secret", "line-channel-secret", "deploy-test-salt"
CITIZEN_A, CITIZEN_B = "127.0.0.1", "127.0.0.2"  # two client addresses on the loopback
QUESTIONS = ["2-3-1の状況は？", "LGWANって何？", "RPAのKPIは？", "マイナポータルとは"]


def slack_event(n: int) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"EvD{n:04d}",
                       "event_time": int(time.time()),
                       "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {QUESTIONS[n % 4]}",
                                 "ts": f"1700000000.{n:06d}", "channel": "CQ"}}).encode()
    return "/slack/events", body, {"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)}


def line_event(n: int) -> tuple[str, bytes, dict[str, str]]:
    event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
             "source": {"type": "user", "userId": f"U{n:032d}"}, "webhookEventId": f"01DD{n:022d}",
             "deliveryContext": {"isRedelivery": False}, "replyToken": f"reply-{n}",
             "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": QUESTIONS[n % 4]}}
    body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
    return "/line/webhook", body, {"Content-Type": "application/json",
                                   "X-Line-Signature": line_signature(LINE_SECRET, body)}


@pytest.fixture()
def deployed(db_path, pg_url, tmp_path):
    nginx.require()  # before anything starts: skipped (outside CI) without Debian's nginx
    slack, line = slack_api(), line_api()
    hosts = []

    def start(name: str):  # type: ignore[no-untyped-def]
        kb = tmp_path / f"{name}.db"  # each host its own knowledge file, as each container its volume
        shutil.copy(db_path, kb)
        env = cli_env(kb, slack, DXBOT_DATABASE_URL=pg_url, DXBOT_TRUSTED_PROXIES="127.0.0.1",
                      DXBOT_ALLOWED_HOSTS=nginx.PUBLIC_NAME, DXBOT_LOG_SALT=SALT, LINE_CHANNEL_SECRET=LINE_SECRET,
                      LINE_CHANNEL_ACCESS_TOKEN="token", LINE_API_URL=line.url)
        hosts.append(serve(env, tmp_path / f"{name}.log"))

    start("a")
    start("b")
    lb = nginx.configure(tmp_path / "nginx", upstreams=tuple(f"127.0.0.1:{h.port}" for h in hosts))  # type: ignore[arg-type]
    lb.start()
    trust = ssl.create_default_context(cafile=str(lb.ca))
    origin = f"https://{nginx.PUBLIC_NAME}:{lb.tls_port}"  # what a browser on this port sends

    def client(address: str) -> httpx.Client:
        """A client from ``address``, naming the public host with its port, as a browser does."""
        return httpx.Client(base_url=f"https://127.0.0.1:{lb.tls_port}", timeout=20,
                            transport=httpx.HTTPTransport(verify=trust, local_address=address),
                            headers={"Host": f"{nginx.PUBLIC_NAME}:{lb.tls_port}"})

    state = PostgresState(pg_url)
    yield SimpleNamespace(hosts=hosts, lb=lb, client=client, origin=origin, state=state)
    state.close()
    lb.stop()
    for h in hosts:
        h.stop(kill=True)
    slack.close()
    line.close()


def ask(http: httpx.Client, origin: str, **headers: str) -> httpx.Response:
    return http.post("/api/ask", json={"q": "2-3-1の状況は？"}, headers={"Origin": origin, **headers})


def test_behind_nginx_each_citizen_has_a_bucket_shared_by_both_hosts(deployed) -> None:
    a, b = deployed.client(CITIZEN_A), deployed.client(CITIZEN_B)
    # A browser on a non-default port names it in Origin and Host alike: answered, over TLS, and
    # the cookie is Secure (nginx's X-Forwarded-Proto believed).
    first = ask(a, deployed.origin)
    assert first.status_code == 200, (first.status_code, first.text, deployed.lb.log()[-2000:])
    assert first.json()["answers"][0]["id"] == "2-3-1"
    assert "secure" in first.headers["set-cookie"].lower()
    # Round robin over both hosts, one bucket: the burst, and a token back every 2 s, then 429.
    began, allowed, refused = time.monotonic(), 1, None
    for _ in range(3 * WEB_BURST):
        r = ask(a, deployed.origin)
        if r.status_code == 429:
            refused = r
            break
        assert r.status_code == 200, r.text
        allowed += 1
    elapsed = time.monotonic() - began
    assert refused is not None and allowed <= WEB_BURST + 1 + elapsed * WEB_RATE_PER_MINUTE / 60, (allowed, elapsed)
    # A spoofed X-Forwarded-For is not a bucket of its own; another address is.
    for n in range(3):
        ask(a, deployed.origin, **{"X-Forwarded-For": f"198.51.100.{n}"})
    assert ask(b, deployed.origin).status_code == 200
    buckets = {r["client"] for r in deployed.state.rows("SELECT client FROM web_rate_limits")}
    assert buckets == {hash_user(CITIZEN_A, salt=SALT), hash_user(CITIZEN_B, salt=SALT)}, buckets


def test_a_host_killed_mid_load_loses_no_webhook(deployed) -> None:
    events = [f(n) for n in range(60) for f in (slack_event, line_event)]
    statuses: list[int | str] = []
    lock = threading.Lock()
    sent = threading.Semaphore(0)

    def platform(share: list[tuple[str, bytes, dict[str, str]]]) -> None:
        """Slack or LINE: every delivery must be acknowledged (200); anything else it would see."""
        with deployed.client(CITIZEN_A) as http:
            for path, body, headers in share:
                try:
                    status: int | str = http.post(path, content=body, headers=headers).status_code
                except httpx.HTTPError as exc:
                    status = repr(exc)
                with lock:
                    statuses.append(status)
                sent.release()

    threads = [threading.Thread(target=platform, args=(events[k::6],)) for k in range(6)]
    for t in threads:
        t.start()
    for _ in range(len(events) // 3):
        sent.acquire(timeout=60)  # a third delivered: host A dies with deliveries under way
    deployed.hosts[0].proc.send_signal(signal.SIGKILL)
    for t in threads:
        t.join(timeout=120)
    assert Counter(statuses) == Counter({200: len(events)}), (Counter(statuses), deployed.lb.log()[-3000:])
    stored = Counter(r["channel"] for r in deployed.state.rows("SELECT channel FROM inbound_events"))
    assert stored == Counter({"slack": 60, "line": 60})
