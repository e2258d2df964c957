"""Who gets staff answers on the web chat (drafts), which Host names are answered, and whose
X-Forwarded-For is believed — on the real ASGI app and on a real ``dxbot serve``."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
import pytest

from bot.server import Services, create_app
from bot.web.access import COOKIE, SESSION_SECONDS, StaffAccess, allowed_hosts
from bot.web.chat import WebChat
from handlers import Responder
from knowledge.store import bump_generation
from state.catalog import load_catalog
from state.database import connect
from tests.fakes import ServerThread, cli_env, dxbot, free_port

DRAFT = "未公表の下書きコメント"
TOKEN = "correct-horse-battery-staple-42"


def utcnow() -> datetime:
    return datetime.now(UTC)


def add_draft(db) -> None:
    with db.lock:
        db["evaluations"].insert({"project_id": "2-3-1", "fiscal_year": 2023, "grade": "A", "comment": DRAFT,
                                  "source": "submission", "status": "draft"})
        bump_generation(db)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def server(db_path):
    servers = []

    def run(*, token: str | None, hosts: list[str] | None = None, clock=time.time):
        db = connect(db_path)
        add_draft(db)
        responder = Responder(load_catalog(db))
        web = WebChat(responder=responder, staff=StaffAccess(token=token, clock=clock), monotonic=time.monotonic)
        s = ServerThread(create_app(Services(db=db, responder=responder, clock=utcnow, web=web, allowed_hosts=hosts)))
        servers.append(s)
        return httpx.Client(base_url=s.url, timeout=10)

    yield run
    for s in servers:
        s.close()


def ask_staff(http: httpx.Client, **headers: str) -> httpx.Response:
    return http.post("/api/ask", json={"q": "2-3-1の状況は？", "audience": "staff"}, headers=headers)


def test_without_a_token_the_web_chat_is_citizen_only(server) -> None:
    http = server(token=None)  # served on 127.0.0.1, as behind a same-host nginx
    r = ask_staff(http)
    assert r.status_code == 403 and DRAFT not in r.text
    assert ask_staff(http, Authorization="Bearer anything").status_code == 403
    assert 'data-allow-staff="false"' in http.get("/").text
    assert http.post("/staff", data={"token": "anything"}).status_code == 403
    citizen = http.post("/api/ask", json={"q": "2-3-1の状況は？", "audience": "citizen"})
    assert citizen.status_code == 200 and DRAFT not in citizen.text


def test_staff_answers_need_the_token(server) -> None:
    http = server(token=TOKEN)
    assert ask_staff(http).status_code == 403
    assert ask_staff(http, Authorization="Bearer wrong-token").status_code == 403
    assert ask_staff(http, Authorization=f"Bearer {TOKEN}x").status_code == 403
    r = ask_staff(http, Authorization=f"Bearer {TOKEN}")
    assert r.status_code == 200 and DRAFT in r.json()["text"]


def test_staff_sign_in_sets_a_signed_strict_cookie(server) -> None:
    clock = Clock()
    http = server(token=TOKEN, clock=clock)
    assert http.get("/staff").status_code == 200
    refused = http.post("/staff", data={"token": "guess"})
    assert refused.status_code == 403 and COOKIE not in refused.cookies
    signed = http.post("/staff", data={"token": TOKEN})
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain http here
    assert TOKEN.lower() not in cookie
    assert 'data-allow-staff="true"' in http.get("/").text
    assert DRAFT in ask_staff(http).json()["text"]

    value = http.cookies[COOKIE]
    issued, mac = value.split(".")
    with httpx.Client(base_url=http.base_url, timeout=10) as other:
        forged = f"{int(issued) + 60}.{mac}"  # a later time with the old signature
        assert ask_staff(other, Cookie=f"{COOKIE}={forged}").status_code == 403
        assert ask_staff(other, Cookie=f"{COOKIE}={value}").status_code == 200
        clock.now += SESSION_SECONDS + 1  # a day later the session has run out
        assert ask_staff(other, Cookie=f"{COOKIE}={value}").status_code == 403
        clock.now -= SESSION_SECONDS + 1
    http.post("/staff/sign-out")
    assert COOKIE not in http.cookies and ask_staff(http).status_code == 403


def test_sign_in_over_https_sets_a_secure_cookie_and_guessing_is_slowed(db_path) -> None:
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    web = WebChat(responder=responder, staff=StaffAccess(token=TOKEN), monotonic=time.monotonic)
    app = create_app(Services(db=db, responder=responder, clock=utcnow, web=web))

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://dx.city.example") as client:
            signed = await client.post("/staff", data={"token": TOKEN})
            assert signed.status_code == 303 and "secure" in signed.headers["set-cookie"].lower()
            guesses = [(await client.post("/staff", data={"token": f"guess-{i}"})).status_code for i in range(8)]
            assert guesses[:4] == [403] * 4 and guesses[-1] == 429

    asyncio.run(run())


def test_foreign_host_names_are_refused(server) -> None:
    http = server(token=TOKEN, hosts=allowed_hosts(configured=None, bind_host="127.0.0.1"))
    assert http.get("/").status_code == 200  # Host: 127.0.0.1:<port>
    assert http.get("/", headers={"Host": "localhost:8000"}).status_code == 200
    # A page on attacker.example whose name now resolves to 127.0.0.1 (DNS rebinding):
    r = http.post("/api/ask", json={"q": "2-3-1の状況は？", "audience": "staff"},
                  headers={"Host": "attacker.example", "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400 and DRAFT not in r.text
    assert http.get("/healthz", headers={"Host": "attacker.example"}).status_code == 400
    assert allowed_hosts(configured=["dx.city.example"], bind_host="127.0.0.1")[0] == "dx.city.example"
    assert allowed_hosts(configured=None, bind_host="0.0.0.0") == ["*"]


# ------------------------------------------------------------------ a real `dxbot serve`


def serve(db_path, **env: str):
    port = free_port()
    proc = dxbot("serve", "--port", str(port), env=cli_env(db_path, **env), background=True)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + 60
    while True:
        try:
            if http.get("/healthz").status_code == 200:
                return proc, http
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(proc.communicate()[1])
        time.sleep(0.1)


def stop(proc) -> str:
    proc.terminate()
    return proc.communicate(timeout=30)[1]


def test_serve_on_loopback_is_citizen_only_and_says_so(db_path) -> None:
    add_draft(connect(db_path))
    proc, http = serve(db_path)
    try:
        r = ask_staff(http)
        assert r.status_code == 403 and DRAFT not in r.text
        assert http.get("/", headers={"Host": "rebound.attacker.example"}).status_code == 400
        # X-Forwarded-For from a client that is no configured proxy changes nothing: the burst of 10
        # still runs out although every request claims another address.
        codes = [http.post("/api/ask", json={"q": "DXとは"}, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                 for i in range(14)]
        assert 429 in codes
    finally:
        err = stop(proc)
    assert "citizen-only" in err and "Accepting Host: 127.0.0.1, localhost" in err


def test_serve_with_a_token_and_a_proxy(db_path) -> None:
    add_draft(connect(db_path))
    proc, http = serve(db_path, DXBOT_WEB_STAFF_TOKEN=TOKEN, DXBOT_TRUSTED_PROXIES="127.0.0.1",
                       DXBOT_ALLOWED_HOSTS="dx.city.example")
    try:
        host = {"Host": "dx.city.example"}
        assert http.get("/", headers={"Host": "dx.other.example"}).status_code == 400
        assert ask_staff(http, **host).status_code == 403
        assert DRAFT in ask_staff(http, Authorization=f"Bearer {TOKEN}", **host).json()["text"]
        # Behind the trusted proxy each forwarded client has a bucket of its own.
        codes = [http.post("/api/ask", json={"q": "DXとは"}, headers={"X-Forwarded-For": f"198.51.100.{i}", **host})
                 .status_code for i in range(14)]
        assert codes == [200] * 14
    finally:
        err = stop(proc)
    assert "staff with DXBOT_WEB_STAFF_TOKEN" in err and TOKEN not in err
