"""The platforms' HTTP client (bot/http_out.py) against a scripted server on 127.0.0.1: what a
real API may do — answer in chunks, close the connection, drop an idle one, never answer."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.http_out import ApiSession, Unreachable
from tests.fakes import free_port


class Scripted:
    """A raw HTTP/1.1 server: each request gets ``answer(n)``'s bytes (None: no answer at all)."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                self.requests.append(head + await reader.readexactly(length))
                reply = self.answer(len(self.requests))
                if reply is None:
                    continue
                writer.write(reply)
                await writer.drain()
                if b"connection: close" in reply.lower():
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def ok(body: dict, *, extra: bytes = b"") -> bytes:
    data = json.dumps(body).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s" % (extra, len(data), data)


def run(script: Scripted, scenario) -> None:
    async def main() -> None:
        port = free_port()
        server = await asyncio.start_server(script.serve, "127.0.0.1", port)
        try:
            await scenario(ApiSession(base_url=f"http://127.0.0.1:{port}/api/", headers={"Authorization": "Bearer t"},
                                      timeout=0.5))
        finally:
            server.close()

    asyncio.run(main())


def test_requests_share_one_kept_alive_connection_and_carry_the_headers() -> None:
    script = Scripted(lambda n: ok({"ok": True, "n": n}))

    async def scenario(api: ApiSession) -> None:
        for n in range(1, 4):
            reply = await api.post("chat.postMessage", {"text": "こんにちは"})
            assert reply.status == 200 and reply.json() == {"ok": True, "n": n}
        await api.close()

    run(script, scenario)
    assert script.connections == 1
    first = script.requests[0].decode()
    assert first.startswith("POST /api/chat.postMessage HTTP/1.1\r\n")
    assert "Authorization: Bearer t\r\n" in first and "Host: 127.0.0.1:" in first
    assert json.loads(first.split("\r\n\r\n", 1)[1]) == {"text": "こんにちは"}


def test_a_chunked_answer_and_a_retry_after_header_are_read() -> None:
    chunked = (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\n{\"ok\"\r\nc\r\n: false, \"x\"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\n\r\n")
    script = Scripted(lambda n: chunked)

    async def scenario(api: ApiSession) -> None:
        reply = await api.post("chat.postMessage", {})
        assert reply.status == 429 and reply.headers["retry-after"] == "7"
        assert reply.json() == {"ok": False, "x": 1}

    run(script, scenario)


def test_a_server_closing_the_connection_gets_a_new_one_for_the_next_request() -> None:
    script = Scripted(lambda n: ok({"n": n}, extra=b"Connection: close\r\n" if n == 1 else b""))

    async def scenario(api: ApiSession) -> None:
        assert (await api.post("a", {})).json() == {"n": 1}
        assert (await api.post("b", {})).json() == {"n": 2}

    run(script, scenario)
    assert script.connections == 2


def test_an_idle_connection_the_server_dropped_is_not_reused() -> None:
    script = Scripted(lambda n: ok({"n": n}))

    async def scenario(api: ApiSession) -> None:
        assert (await api.post("a", {})).json() == {"n": 1}
        script.writers[0].close()  # the server drops the idle kept-alive connection
        await asyncio.sleep(0.1)
        assert (await api.post("b", {})).json() == {"n": 2}

    run(script, scenario)
    assert script.connections == 2


def test_no_answer_within_the_timeout_is_unreachable_and_the_connection_is_not_reused() -> None:
    script = Scripted(lambda n: None if n == 1 else ok({"n": n}))

    async def scenario(api: ApiSession) -> None:
        with pytest.raises(Unreachable, match="no response within"):
            await api.post("a", {})
        assert (await api.post("b", {})).json() == {"n": 2}

    run(script, scenario)
    assert script.connections == 2


def test_nobody_listening_is_unreachable() -> None:
    async def main() -> None:
        api = ApiSession(base_url=f"http://127.0.0.1:{free_port()}", headers={}, timeout=0.5)
        with pytest.raises(Unreachable, match="cannot connect"):
            await api.post("/v2/bot/message/reply", {})

    asyncio.run(main())


def test_a_garbled_answer_is_unreachable() -> None:
    script = Scripted(lambda n: b"NOT HTTP AT ALL\r\n\r\n")

    async def scenario(api: ApiSession) -> None:
        with pytest.raises(Unreachable):
            await api.post("a", {})

    run(script, scenario)
