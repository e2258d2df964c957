"""Smaller holes found by probing a real server: the log salt, nested JSON, body caps, forged
snoozes, and the command line's failures (bad databases, plan files and dates)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import httpx
import pytest

from bot.config import Settings
from bot.server import build, create_app
from knowledge.store import bundled_plan_text
from state.conversations import hash_user
from tests.fakes import ServerThread, cli_env, dxbot, line_api, line_signature, slack_api, slack_headers

SLACK_SECRET, LINE_SECRET, SALT = "slack-secret", "line-secret", "a-salt-of-our-own"


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def served(db_path):
    """``dxbot serve``'s own wiring (``build``) from settings, against fake Slack and LINE APIs."""
    slack_fake, line_fake = slack_api(), line_api()
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SLACK_SECRET,
                        slack_api_url=slack_fake.url + "/api/", line_channel_secret=LINE_SECRET,
                        line_channel_access_token="token", line_api_url=line_fake.url, log_salt=SALT)
    services = build(settings, clock=utcnow, host="127.0.0.1", notice=lambda line: None)
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=20)

    def slack(body: bytes, content_type: str = "application/json") -> httpx.Response:
        return http.post("/slack/events", content=body,
                         headers={"Content-Type": content_type, **slack_headers(SLACK_SECRET, body)})

    def line(body: bytes) -> httpx.Response:
        return http.post("/line/webhook", content=body, headers={
            "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)})

    yield SimpleNamespace(http=http, slack=slack, line=line, slack_api=slack_fake, line_api=line_fake,
                          port=server.port, db_path=db_path, services=services)
    http.close()
    server.close()  # its shutdown drains the inbound queue
    slack_fake.close()
    line_fake.close()


def line_text(text: str, *, user: str, n: int) -> bytes:
    event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
             "source": {"type": "user", "userId": user}, "webhookEventId": f"01HSALT{n}", "replyToken": f"r{n}",
             "deliveryContext": {"isRedelivery": False},
             "message": {"id": str(n), "type": "text", "quoteToken": "q", "text": text}}
    return json.dumps({"destination": "B", "events": [event]}).encode()


def test_the_log_salt_is_used_for_slack_and_line(served) -> None:
    event = {"type": "event_callback", "event_id": "EvSalt", "event": {
        "type": "app_mention", "user": "USLACK1", "text": "<@UBOT> 火星の天気は？", "ts": "1.1", "channel": "C1"}}
    assert served.slack(json.dumps(event).encode()).status_code == 200
    assert served.line(line_text("火星の天気は？", user="ULINE1", n=1)).status_code == 200
    served.slack_api.wait_for("/api/chat.postMessage")
    served.line_api.wait_for("/v2/bot/message/reply")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(served.db_path) as conn:
            rows = dict(conn.execute("SELECT channel, user_hash FROM unanswered").fetchall())
        if len(rows) == 2:
            break
        time.sleep(0.05)
    assert rows == {"slack": hash_user("USLACK1", salt=SALT), "line": hash_user("ULINE1", salt=SALT)}
    assert hash_user("USLACK1", salt="dxbot") not in rows.values()


DEEP = "[" * 5_000 + "]" * 5_000  # fits the web chat's 16 KB; Python's parser gives up near 1,000


def test_deeply_nested_json_is_a_400_on_every_webhook(served) -> None:
    web = served.http.post("/api/ask", content='{"q": ' + DEEP + "}", headers={"Content-Type": "application/json"})
    assert web.status_code == 400
    assert served.http.post("/api/ask", content=DEEP, headers={"Content-Type": "application/json"}).status_code == 400
    slack_event = b'{"type": "event_callback", "event_id": "EvDeep", "event": ' + DEEP.encode() + b"}"
    assert served.slack(slack_event).status_code == 400
    interaction = urlencode({"payload": '{"type": "block_actions", "actions": ' + DEEP + "}"}).encode()
    assert served.slack(interaction, "application/x-www-form-urlencoded").status_code == 400
    assert served.line(b'{"destination": "B", "events": ' + DEEP.encode() + b"}").status_code == 400
    # and the server is still answering
    assert served.http.post("/api/ask", json={"q": "DXとは"}).status_code == 200


def raw_request(port: int, path: str, head: dict[str, str], chunks: list[bytes], *, timeout: float = 10) -> int:
    """Send a request by hand (a declared length that never arrives, or chunks) and read the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in head.items())]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed while we were still sending: that is the point
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize("path", ["/api/ask", "/slack/events", "/line/webhook"])
def test_bodies_are_read_with_a_cap(served, path: str) -> None:
    head = {"Content-Type": "application/json", "X-Line-Signature": "x"}
    # A client that declares 100 MB is refused at once, before anything is read.
    assert raw_request(served.port, path, {**head, "Content-Length": str(100 * 2**20)}, [b"{"]) == 413
    # One that streams without a length is cut off at the limit, not read to the end.
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    assert raw_request(served.port, path, {**head, "Transfer-Encoding": "chunked"}, [chunk] * 40 + [b"0\r\n\r\n"]) == 413


# ------------------------------------------------------------------ snoozing a department's reminder


def snooze(served, user: str, value: dict, *, n: int) -> str:
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
               "trigger_id": "t", "channel": {"id": "CSOMU"}, "container": {"channel_id": "CSOMU"},
               "message": {"ts": "1.2"}, "response_url": f"{served.slack_api.url}/respond/{n}",
               "actions": [{"action_id": "dx_snooze_1", "value": json.dumps(value, ensure_ascii=False),
                            "type": "button", "block_id": "dx_snooze", "action_ts": "2"}]}
    assert served.slack(urlencode({"payload": json.dumps(payload)}).encode(),
                        "application/x-www-form-urlencoded").status_code == 200
    return served.slack_api.wait_for(f"/respond/{n}")[0].json["text"]


def snoozed(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT department, route, projects FROM outbox WHERE kind = 'snooze'").fetchall()


def test_only_the_department_or_an_admin_may_snooze(served) -> None:
    directory = served.services.reminders.directory
    from state.directory import Route

    directory.set(Route("総務法制課", "CSOMU", ("US1",)))
    directory.set(Route("デジタル行政推進課", "CDIGI", ("UD1",)))
    directory.set_admin(channel="CADMIN", users=["UADMIN"])
    own = {"department": "総務法制課", "year": 2026, "projects": ["2-1-1"]}
    assert "担当者と管理者だけ" in snooze(served, "UOUTSIDER", own, n=1)  # a channel member not in the directory
    assert "担当者と管理者だけ" in snooze(served, "US1", dict(own, department="デジタル行政推進課"), n=2)
    assert "見つかりません" in snooze(served, "US1", dict(own, department="存在しない課"), n=3)
    assert "読み取れません" in snooze(served, "US1", {"department": "総務法制課"}, n=4)
    assert snoozed(served.db_path) == []  # nothing refused was queued
    # The department's own member, with another department's project smuggled in: only its own is kept.
    assert "もう一度お知らせします" in snooze(served, "US1", dict(own, projects=["2-1-1", "2-3-1"]), n=5)
    assert snoozed(served.db_path) == [("総務法制課", "総務法制課", '["2-1-1"]')]
    assert "もう一度お知らせします" in snooze(served, "UADMIN", dict(own, department="デジタル行政推進課",
                                                                   projects=["2-3-1"]), n=6)
    assert len(snoozed(served.db_path)) == 2


def test_a_forged_modal_is_refused_and_nothing_stored(served) -> None:
    served.services.reminders.directory.set_admin(channel="CADMIN", users=["UADMIN"])
    for meta in ('{"project": "2-1-1", "year": "soon"}', '{"project": "2-1-1", "year": 99999}', '{"project": ["x"]}',
                 "not json", '{"project": "9-9-9", "year": 2026}'):
        view = {"id": "V1", "type": "modal", "callback_id": "dx_eval_submit", "private_metadata": meta,
                "state": {"values": {"grade": {"value": {"type": "static_select", "selected_option": {"value": "A"}}}}}}
        payload = {"type": "view_submission", "user": {"id": "UADMIN"}, "team": {"id": "T1"}, "api_app_id": "A1",
                   "view": view}
        r = served.slack(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")
        assert r.status_code == 200 and r.json()["response_action"] == "errors", meta
    with sqlite3.connect(served.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM evaluations WHERE source = 'submission'").fetchone()[0] == 0


# ------------------------------------------------------------------ the command line


def one_line_error(result: subprocess.CompletedProcess, *, names: str) -> str:
    assert result.returncode not in (0, None), result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and names in lines[0], result.stderr
    return lines[0]


def test_bad_databases_give_one_line(tmp_path, db_path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database\n" * 200)
    assert "not a SQLite database" in one_line_error(dxbot("ask", "DXとは", env=cli_env(corrupt)), names=str(corrupt))
    missing = tmp_path / "no" / "such" / "dir" / "dxbot.db"
    assert "cannot be opened" in one_line_error(dxbot("ask", "DXとは", env=cli_env(missing)), names=str(missing))
    locked_down = make_read_only(db_path)
    try:
        result = dxbot("aliases", "add", "ふなっぷアプリ", "1-1-2", env=cli_env(db_path))
        assert "read-only" in one_line_error(result, names=str(db_path))
    finally:
        locked_down()


def make_read_only(path):
    """chmod is enough for an ordinary user; root ignores it, so there the file is made immutable."""
    if os.geteuid() != 0:
        os.chmod(path, 0o444)
        os.chmod(path.parent, 0o555)
        return lambda: (os.chmod(path.parent, 0o755), os.chmod(path, 0o644))
    subprocess.run(["chattr", "+i", str(path)], check=True)
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_plan_files_that_are_not_utf8_text_give_one_line(tmp_path, db_path) -> None:
    sjis = tmp_path / "plan-sjis.txt"
    sjis.write_bytes(bundled_plan_text().encode("shift_jis", errors="replace"))
    binary = tmp_path / "plan.pdf"
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02" + bytes(range(256)) * 40)
    env = cli_env(db_path)
    assert "not UTF-8" in one_line_error(dxbot("ingest", str(sjis), env=env), names=str(sjis))
    assert "binary" in one_line_error(dxbot("ingest", str(binary), env=env), names=str(binary))
    assert dxbot("glossary", env=env).returncode == 0  # the live plan is untouched


@pytest.mark.parametrize("args", [["remind", "--dry-run", "--at", "tomorrow"], ["unanswered", "--since", "last week"],
                                  ["remind", "--dry-run", "--at", "2027-13-45"]])
def test_dates_that_are_not_dates_are_usage_errors(db_path, args) -> None:
    result = dxbot(*args, env=cli_env(db_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "ISO 8601" in result.stderr and "Usage:" in result.stderr


def test_without_a_salt_serve_makes_one_keeps_it_in_the_state_and_says_so(db_path, tmp_path) -> None:
    """No DXBOT_LOG_SALT with Slack configured: the user ids are never hashed with a constant every
    deployment shares; a salt is made once and kept in the state database, which the next start
    (and every other worker) uses, and the start says so."""
    slack_fake = slack_api()
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SLACK_SECRET,
                        slack_api_url=slack_fake.url + "/api/")
    try:
        said: list[str] = []
        first = build(settings, clock=utcnow, host="127.0.0.1", notice=said.append, new_salt=lambda: "made-at-start")
        assert any("DXBOT_LOG_SALT is unset" in line and "generated now" in line for line in said), said
        assert first.slack is not None and first.slack.questions.salt == "made-at-start"
        assert first.telemetry.salt == "made-at-start"
        said.clear()
        again = build(settings, clock=utcnow, host="127.0.0.1", notice=said.append, new_salt=lambda: "another")
        assert again.slack is not None and again.slack.questions.salt == "made-at-start"
        assert any("kept in the state database" in line and "generated now" not in line for line in said), said
        # The salt moves with the hashes it made.
        moved = dxbot("export-state", str(tmp_path / "state.json"), env=cli_env(db_path))
        assert moved.returncode == 0, moved.stderr
        exported = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))["tables"]["state_meta"]
        assert exported == [{"key": "log_salt", "value": "made-at-start"}]
        # A salt of the operator's own wins, and nothing is said.
        said.clear()
        own = build(Settings(**{**settings.__dict__, "log_salt": SALT}), clock=utcnow, host="127.0.0.1",
                    notice=said.append)
        assert own.slack is not None and own.slack.questions.salt == SALT
        assert not any("salt" in line for line in said)
    finally:
        slack_fake.close()
