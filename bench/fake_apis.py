"""Lean fakes of the Slack Web API and the LINE Messaging API for bench/webhook.py, in a process of
their own.

The real platforms are other machines. The bench first used the fakes of tests/fakes.py inside
its own process: their threads and the load generator took turns on one GIL, and a thread per
connection cost the machine more CPU per reply than the bot spent answering, so the bench
measured itself. These answer on one event loop (uvloop, httptools), accept every reply, and
count, per LINE reply token and per Slack thread, how many answers arrived (lost and doubled
answers are what the bench reports). The tests keep tests/fakes.py, which can also refuse, hold
and script answers.

Protocol on stdin/stdout, one JSON line each: at start the process prints the two base URLs;
each ``counts`` line it reads is answered with the counts so far.

    uv run python -m bench.fake_apis
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter

import httptools

try:
    import uvloop
except ImportError:  # pragma: no cover - Windows
    uvloop = None  # type: ignore[assignment]

tokens: Counter[str] = Counter()
threads: Counter[str] = Counter()
_ts = 0


def _answer(path: str, body: bytes) -> bytes:
    global _ts
    if path.endswith("/chat.postMessage"):
        data = json.loads(body or b"{}")
        threads[str(data.get("thread_ts"))] += 1
        _ts += 1
        return json.dumps({"ok": True, "channel": data.get("channel"), "ts": f"1800000000.{_ts:06d}"}).encode()
    if path == "/v2/bot/message/reply":
        tokens[str(json.loads(body or b"{}").get("replyToken"))] += 1
        return b"{}"
    return b'{"ok": true}'


class Api(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        payload = _answer(self.url.decode().split("?", 1)[0], b"".join(self.body))
        self.url, self.body = b"", []
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(payload), payload))


async def main() -> None:
    loop = asyncio.get_running_loop()
    slack = await loop.create_server(Api, "127.0.0.1", 0)
    line = await loop.create_server(Api, "127.0.0.1", 0)
    urls = {name: f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            for name, server in (("slack", slack), ("line", line))}
    print(json.dumps(urls), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line_in := await reader.readline():
        if line_in.strip() == b"counts":
            print(json.dumps({"tokens": tokens, "threads": threads}), flush=True)


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main())
