"""Real local HTTP fakes of the Slack Web API and the LINE Messaging API, and a server runner.

They listen on 127.0.0.1, record every request, and can be told to answer 429/400/409, or to
hold a response until the test lets it go. Like the real APIs they check what they receive
(tests/platform_rules.py): a payload the platform would refuse is answered with the platform's
error and kept in ``api.violations``, which fails the test at teardown (tests/conftest.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from tests import platform_rules


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None  # what the fake answered (set once it has decided)
    violations: list[str] = field(default_factory=list)  # what the real platform would refuse in it

    @property
    def json(self) -> Any:
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return json.loads(self.body or b"{}")


@dataclass
class Scripted:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    # The platform did the work (the default answer's effects) and then answered this instead:
    # a response lost on the way back.
    deliver: bool = False


Check = Callable[[Call], list[str]]
Refusal = Callable[[Call], Scripted]
LIVE: list[FakeApi] = []  # every fake made, so that a fixture can fail the test on a violation


class FakeApi:
    """Answers by path; ``script(path, ...)`` queues one-off answers; ``hold(path)`` blocks them.

    ``check`` says what the real platform would refuse in a call; such a call is answered with
    ``refuse(call)`` (unless the test scripted an answer) and listed in ``violations``."""

    def __init__(self, default: Callable[[Call], Scripted], *, name: str = "fake", check: Check | None = None,
                 refuse: Refusal | None = None) -> None:
        self.name = name
        self.calls: list[Call] = []
        self.violations: list[Call] = []
        self._check = check or (lambda call: [])
        self._refuse = refuse or (lambda call: Scripted(400, {"message": "; ".join(call.violations)}))
        self._default = default
        self._scripts: dict[str, list[Scripted]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs: clients' pooled connections get used
            # Headers and body go out in two writes: with Nagle on, the body waited for the client's
            # delayed ACK (40 ms on Linux) on every kept-alive request. Real APIs answer at once.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path, _, query = self.path.partition("?")
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers["content-type"] = "application/x-www-form-urlencoded"  # read the query like a form
                self._answer(Call("GET", path, headers, query.encode()))

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                call = Call("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                self._answer(call)

            def do_DELETE(self) -> None:  # noqa: N802
                self._answer(Call("DELETE", self.path, {k.lower(): v for k, v in self.headers.items()}, b""))

            def _answer(self, call: Call) -> None:
                call.violations = fake._check(call)
                with fake._lock:
                    fake.calls.append(call)
                    if call.violations:
                        fake.violations.append(call)
                    gate = fake._holds.get(call.path)
                    delay = fake._delays.get(call.path, 0.0)
                if gate is not None:
                    gate.wait(timeout=30)
                time.sleep(delay)
                with fake._lock:  # scripted after the hold: a test may decide the outcome meanwhile
                    queued = fake._scripts.get(call.path)
                    scripted = queued.pop(0) if queued else None
                if scripted is None and call.violations:
                    reply = fake._refuse(call)  # refused as the platform would: nothing delivered
                else:
                    reply = fake._default(call) if scripted is None or scripted.deliver else None
                    reply = scripted or reply
                call.status = reply.status
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client died waiting (a test killed it)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        LIVE.append(self)

    def script(self, path: str, *replies: Scripted) -> None:
        with self._lock:
            self._scripts.setdefault(path, []).extend(replies)

    def hold(self, path: str) -> threading.Event:
        gate = threading.Event()
        with self._lock:
            self._holds[path] = gate
        return gate

    def slow(self, path: str, seconds: float) -> None:
        """Answer ``path`` only after ``seconds`` (a slow platform)."""
        with self._lock:
            self._delays[path] = seconds

    def unhold(self, path: str) -> None:
        with self._lock:
            gate = self._holds.pop(path, None)
        if gate is not None:
            gate.set()

    def to(self, path: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.to(path)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        raise AssertionError(f"{path}: {len(self.to(path))} calls, expected {count}; saw {[c.path for c in self.calls]}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _slack_check(call: Call) -> list[str]:
    if call.method != "POST":
        return []
    try:
        data = call.json
    except ValueError as exc:
        return [f"the body is not JSON: {exc}"]
    return platform_rules.slack_request_violations(call.path, data)


def _slack_refusal(call: Call) -> Scripted:
    """Slack refuses a bad Web API call with HTTP 200 and ok: false; a response_url with 400."""
    if call.path.startswith("/respond/"):
        return Scripted(400, {"ok": False, "error": "invalid_blocks"})
    view = any(call.path.endswith("/" + m) for m in platform_rules.SLACK_VIEW_METHODS)
    return Scripted(200, {"ok": False, "error": "invalid_arguments" if view else "invalid_blocks",
                          "response_metadata": {"messages": call.violations}})


def _line_check(call: Call) -> list[str]:
    return platform_rules.line_request_violations(call.method, call.path, call.body)


def _line_refusal(call: Call) -> Scripted:
    """The Messaging API's 400: a message, and one detail per problem."""
    details = [{"message": v.split(": ", 1)[-1], "property": v.split(": ", 1)[0]} for v in call.violations]
    return Scripted(400, {"message": f"The request body has {len(details)} error(s)", "details": details})


def slack_api(clock: Callable[[], float] = time.time) -> FakeApi:
    """Slack's Web API as far as dxbot uses it. Posted messages are kept (``api.messages``), so
    ``conversations.history`` can find them by metadata, as the real one does. ``clock`` stamps
    messages: give it the bot's (DXBOT_CLOCK) time, as real Slack and the bot share one clock."""
    messages: list[dict[str, Any]] = []

    def default(call: Call) -> Scripted:
        if call.path.endswith("/auth.test"):
            return Scripted(200, {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"})
        if call.path.endswith("/chat.postMessage"):
            data = call.json
            ts = f"{clock():.6f}"
            metadata = data.get("metadata")
            messages.append({"channel": data.get("channel"), "ts": ts, "thread_ts": data.get("thread_ts"),
                             "text": data.get("text"), "blocks": data.get("blocks"),
                             "metadata": json.loads(metadata) if isinstance(metadata, str) else metadata})
            return Scripted(200, {"ok": True, "channel": data.get("channel"), "ts": ts})
        if call.path.endswith("/chat.update"):
            data = call.json
            found = [m for m in messages if m["channel"] == data.get("channel") and m["ts"] == data.get("ts")]
            if not found:
                return Scripted(200, {"ok": False, "error": "message_not_found"})
            found[0].update(text=data.get("text"), blocks=data.get("blocks"), updated=True)
            return Scripted(200, {"ok": True, "channel": data.get("channel"), "ts": data.get("ts")})
        if call.path.endswith(("/conversations.history", "/conversations.replies")):
            data = call.json
            found = [m for m in messages if m["channel"] == data.get("channel")
                     and float(m["ts"]) >= float(data.get("oldest") or 0)
                     and (call.path.endswith("/conversations.history") or m["thread_ts"] == data.get("ts"))]
            return Scripted(200, {"ok": True, "messages": list(reversed(found)), "has_more": False})
        if call.path.endswith("/conversations.open"):
            users = call.json.get("users", "")
            return Scripted(200, {"ok": True, "channel": {"id": "G" + users.replace(",", "_")}})
        return Scripted(200, {"ok": True})

    api = FakeApi(default, name="Slack", check=_slack_check, refuse=_slack_refusal)
    api.messages = messages  # type: ignore[attr-defined]
    return api


def slack_api_at(start: str) -> FakeApi:
    """The fake Slack with its clock set to ``start`` (ISO 8601), as DXBOT_CLOCK sets the bot's."""
    from datetime import datetime

    offset = datetime.fromisoformat(start).timestamp() - time.time()
    return slack_api(clock=lambda: time.time() + offset)


def line_api() -> FakeApi:
    """The Messaging API as far as dxbot uses it: replies, pushes and rich menus (``api.richmenus``
    by id, ``api.default_richmenu``). As the real one: a reply token works once, and a push whose
    X-Line-Retry-Key was accepted before gets 409. What reached users is ``api.delivered`` (one
    entry per accepted reply or push)."""
    seen_keys: set[str] = set()
    used_tokens: set[str] = set()
    delivered: list[Call] = []
    lock = threading.Lock()
    menus: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {"default": None, "created": 0}

    def richmenu(call: Call) -> Scripted | None:
        if call.path == "/v2/bot/richmenu/list" and call.method == "GET":
            return Scripted(200, {"richmenus": [{"richMenuId": k, **v} for k, v in menus.items()]})
        if call.path == "/v2/bot/richmenu" and call.method == "POST":
            state["created"] += 1
            menu_id = f"richmenu-{state['created']:04d}"
            menus[menu_id] = call.json
            return Scripted(200, {"richMenuId": menu_id})
        if call.path.startswith("/v2/bot/user/all/richmenu/") and call.method == "POST":
            menu_id = call.path.rsplit("/", 1)[1]
            if menu_id not in menus:
                return Scripted(404, {"message": "Not found"})
            state["default"] = menu_id
            return Scripted(200, {})
        if call.path.startswith("/v2/bot/richmenu/") and call.method == "DELETE":
            return Scripted(200, {}) if menus.pop(call.path.rsplit("/", 1)[1], None) else Scripted(404, {})
        return None

    def default(call: Call) -> Scripted:
        if call.path.startswith("/v2/bot/richmenu") or call.path.startswith("/v2/bot/user/all/richmenu"):
            return richmenu(call) or Scripted(404, {"message": "Not found"})
        with lock:
            if call.path == "/v2/bot/message/push":
                key = call.headers.get("x-line-retry-key")
                if key and key in seen_keys:
                    return Scripted(409, {"message": "The retry key is already accepted"},
                                    {"x-line-accepted-request-id": "accepted"})
                if key:
                    seen_keys.add(key)
            if call.path == "/v2/bot/message/reply":
                token = call.json.get("replyToken")
                if token in used_tokens:
                    return Scripted(400, {"message": "Invalid reply token"})
                used_tokens.add(token)
            if call.path in ("/v2/bot/message/push", "/v2/bot/message/reply"):
                delivered.append(call)
        return Scripted(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    api = FakeApi(default, name="LINE", check=_line_check, refuse=_line_refusal)
    api.richmenus = menus  # type: ignore[attr-defined]
    api.delivered = delivered  # type: ignore[attr-defined]
    api.richmenu_state = state  # type: ignore[attr-defined]
    return api


def line_data_api() -> FakeApi:
    """LINE's data host (api-data.line.me): rich menu images are uploaded here, not to the API host."""

    def default(call: Call) -> Scripted:
        if call.method == "POST" and call.path.startswith("/v2/bot/richmenu/") and call.path.endswith("/content"):
            if call.headers.get("content-type") not in {"image/png", "image/jpeg"}:
                return Scripted(400, {"message": "unsupported content type"})
            return Scripted(200, {})
        return Scripted(404, {"message": "Not found"})

    return FakeApi(default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """Our real ASGI app under uvicorn, on 127.0.0.1, in a background thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def slack_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:".encode() + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


def line_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def cli_env(db_path: Any, api: FakeApi | None = None, *, clock: str | None = None, secret: str = "test-signing-secret",
            **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LINE_", "DXBOT_"))}
    env["DXBOT_DB"] = str(db_path)
    if api is not None:
        env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=secret, SLACK_API_URL=api.url + "/api/")
    if clock:
        env["DXBOT_CLOCK"] = clock
    env.update(extra)
    return env


def dxbot(*args: str, env: dict[str, str], background: bool = False):  # type: ignore[no-untyped-def]
    """Run the real ``dxbot`` command in a process of its own."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "bot.cli", *args]
    if background:
        return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
