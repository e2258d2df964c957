"""Calls to a platform's Web API from the event loop: kept-alive HTTP/1.1 connections per platform.

Answers are sent from the server's event loop (bot/worker.py), so the client is asynchronous.
It is small on purpose: the hot path sends one kind of request (a JSON POST to a fixed host with
fixed headers) and reads a small JSON answer, and every general-purpose client spent more CPU on
its generality than the request cost. Measured on this project's 2-core machine, one POST of a
LINE reply to a local server, client CPU per request: aiohttp 135–140 µs (tuned: no cookie jar,
no decompression, prebuilt URL — no better), slack_sdk's AsyncWebClient 289 µs, line-bot-sdk's
AsyncApiClient 703 µs, and this module about 40 µs. The response is parsed by httptools (the
parser uvicorn uses), TLS is the standard library's with certificate and host name checks.

One :class:`ApiSession` per platform, each with its own connection limit: a slow or stalled
platform holds only its own connections, never the other channel's. Connections idle longer than
``keepalive`` seconds are closed rather than reused (servers drop idle connections; a request on
a dropped one fails without an answer, which is worth avoiding, not just retrying).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools


class Unreachable(Exception):
    """No answer from the API: no connection, reset, or timed out. Worth trying again later."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


class _Connection(asyncio.Protocol):
    """One kept-alive connection: one request at a time, its response parsed as it arrives."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Reply] | None = None
        self.idle_since = time.monotonic()
        self.closed = False
        self._headers: dict[str, str] = {}
        self._name = b""
        self._body: list[bytes] = []

    # ------------------------------------------------------------------ asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(Unreachable(f"malformed response: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(Unreachable(f"connection closed before the response ({exc or 'EOF'})"))

    # ------------------------------------------------------------------ httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if name:
            self._name = name
            self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        else:  # a header value continued in the next chunk of data
            key = self._name.decode("latin-1").lower()
            self._headers[key] = self._headers.get(key, "") + value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        reply = Reply(self.parser.get_status_code(), self._headers, b"".join(self._body))
        keep = self.parser.should_keep_alive()
        self._headers, self._body = {}, []
        waiter, self.waiter = self.waiter, None
        if not keep:
            self.close()
        self.idle_since = time.monotonic()
        if waiter is not None and not waiter.done():
            waiter.set_result(reply)

    # ------------------------------------------------------------------ use
    def send(self, request: bytes, *, timeout: float) -> asyncio.Future[Reply]:
        assert self.transport is not None and self.waiter is None
        loop = asyncio.get_running_loop()
        waiter = self.waiter = loop.create_future()
        timer = loop.call_later(timeout, self._timed_out, waiter, timeout)
        waiter.add_done_callback(lambda _: timer.cancel())
        self.transport.write(request)
        return waiter

    def _timed_out(self, waiter: asyncio.Future[Reply], timeout: float) -> None:
        if self.waiter is waiter:
            self._fail(Unreachable(f"no response within {timeout:g} s"))
            self.close()

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class ApiSession:
    """JSON requests to one API (``base_url`` + path) with fixed headers, on the running event loop."""

    def __init__(self, *, base_url: str, headers: dict[str, str], timeout: float = 10.0,
                 max_connections: int = 64, keepalive: float = 15.0) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.tls = ssl.create_default_context() if url.scheme == "https" else None
        self.prefix = url.path.rstrip("/") + "/"
        host = self.host if url.port is None else f"{self.host}:{url.port}"
        fixed = {"Host": host, "User-Agent": "dxbot", "Accept": "application/json",
                 "Content-Type": "application/json; charset=utf-8", **headers}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode("latin-1")
        self.timeout = timeout
        self.keepalive = keepalive
        self._slots: asyncio.Semaphore | None = None  # made inside the loop that uses it
        self._max = max_connections
        self._idle: list[_Connection] = []

    async def post(self, path: str, body: dict[str, Any] | bytes, *, headers: dict[str, str] | None = None) -> Reply:
        """POST ``body`` as JSON (bytes: already encoded)."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return await self._call("POST", self.prefix + path.lstrip("/"), data, headers)

    async def get(self, path: str, params: dict[str, str]) -> Reply:
        target = self.prefix + path.lstrip("/") + ("?" + urlencode(params) if params else "")
        return await self._call("GET", target, b"", None)

    async def _call(self, method: str, target: str, data: bytes, headers: dict[str, str] | None) -> Reply:
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()).encode("latin-1")
        request = b"%s %s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n%s" % (
            method.encode(), target.encode(), self._head, extra, len(data), data)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max)
        async with self._slots:
            connection = await self._connection()
            try:
                reply = await connection.send(request, timeout=self.timeout)
            except BaseException:
                connection.close()
                raise
            if not connection.closed:
                self._idle.append(connection)
            return reply

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < self.keepalive:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(_Connection, self.host, self.port, ssl=self.tls,
                                       server_hostname=self.host if self.tls else None), self.timeout)
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise Unreachable(f"cannot connect to {self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc
        return connection

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
