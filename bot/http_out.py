"""Calls to a platform's Web API from the event loop: one keep-alive connection pool per platform.

Answers are sent from the server's event loop (bot/worker.py), so the client is asynchronous
(aiohttp). A reply then costs one round trip on an open connection and little CPU: measured on
this project's 2-core machine against a local server, 135 µs of CPU per JSON POST here, against
289 µs through slack_sdk's AsyncWebClient, 703 µs through line-bot-sdk's AsyncApiClient and
(before this module) ~600 µs for a synchronous SDK call handed to a thread — the SDKs' own
request building and response models cost more than the request itself. So the channels build the
few requests they send on the hot path (chat.postMessage, the LINE reply and push) themselves,
and everything else keeps using the SDKs.

One pool per platform, each with its own connection limit: a slow or stalled platform holds only
its own connections, never the other channel's.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp


class Unreachable(Exception):
    """No answer from the API: no connection, reset, or timed out. Worth trying again later."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


class ApiSession:
    """POSTs JSON to one API (``base_url`` + path) with fixed headers, on the running event loop.

    The aiohttp session is made on first use, inside the loop that uses it.
    """

    def __init__(self, *, base_url: str, headers: dict[str, str], timeout: float = 10.0,
                 max_connections: int = 64) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # No cookie jar and no decompression: the APIs set no cookies and answer small JSON.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections, enable_cleanup_closed=True),
                cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, timeout=self.timeout)
        return self._session

    async def post(self, path: str, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> Reply:
        data = json.dumps(body, ensure_ascii=False).encode()
        return await self._call("POST", path, data=data, headers=headers)

    async def get(self, path: str, params: dict[str, str]) -> Reply:
        return await self._call("GET", path, params=params)

    async def _call(self, method: str, path: str, *, data: bytes | None = None, params: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> Reply:
        try:
            async with self._open().request(method, self.base_url + path.lstrip("/"), data=data, params=params,
                                            headers={**self.headers, **headers} if headers else self.headers,
                                            allow_redirects=False) as resp:
                body = await resp.read()
                return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, body)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
