"""Nothing personal at rest: after a run of a real `dxbot serve` and a clean stop, no platform user
id is in the database, its WAL or journal, PostgreSQL's data directory, or the log: the ids are
hashed (DXBOT_LOG_SALT) before anything is written, or sealed where they must be read back."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.fakes import cli_env, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

SLACK_SECRET, LINE_SECRET = "test-signing-secret", "line-channel-secret"
SLACK_USER = "U0RAWSLACKID7"
LINE_USER = "U" + "7e1a" * 8  # a LINE user id: U and 32 hex digits
RAW_IDS = (SLACK_USER, LINE_USER)


def slack_posts(server, slack) -> None:  # type: ignore[no-untyped-def]
    events = [
        {"type": "app_mention", "user": SLACK_USER, "text": "<@UBOT> 今日の天気は？", "ts": "1700000000.000001",
         "channel": "CQ"},
        {"type": "message", "channel_type": "im", "user": SLACK_USER, "text": "2-3-1の状況は？",
         "ts": "1700000000.000002", "channel": "DQ"},
        {"type": "app_home_opened", "user": SLACK_USER, "tab": "home", "channel": "DQ"},
    ]
    for n, event in enumerate(events):
        body = json.dumps({"type": "event_callback", "event_id": f"EvPD{n}", "event": event}).encode()
        r = server.http.post("/slack/events", content=body,
                             headers={"Content-Type": "application/json", **slack_headers(SLACK_SECRET, body)})
        assert r.status_code == 200
    command = urlencode({"command": "/dx", "text": "そのKPIは？", "user_id": SLACK_USER, "channel_id": "CQ",
                         "response_url": slack.url + "/respond/1", "trigger_id": "t"}).encode()
    r = server.http.post("/slack/events", content=command, headers={
        "Content-Type": "application/x-www-form-urlencoded", **slack_headers(SLACK_SECRET, command)})
    assert r.status_code == 200


def line_posts(server) -> None:  # type: ignore[no-untyped-def]
    def event(n: int, **what: object) -> dict[str, object]:
        return {"mode": "active", "timestamp": int(time.time() * 1000), "source": {"type": "user", "userId": LINE_USER},
                "webhookEventId": f"01HPD{n:021d}", "deliveryContext": {"isRedelivery": False},
                "replyToken": f"reply-{n}", **what}

    events = [event(1, type="follow"), event(2, type="message", message={"id": "2", "type": "text", "text": "今日の天気は？"}),
              event(3, type="postback", postback={"data": "action=terms"})]
    body = json.dumps({"destination": "Ubot", "events": events}).encode()
    r = server.http.post("/line/webhook", content=body, headers={
        "Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)})
    assert r.status_code == 200


def found_in(files: list[Path]) -> list[str]:
    """Where a raw id is found, as 'file: id'."""
    out = []
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            out += [f"{path}: {raw}" for raw in RAW_IDS if raw.encode() in data]
    return out


def run_and_stop(env: dict[str, str], log: Path) -> None:
    slack, line = slack_api(), line_api()
    env = {**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SLACK_SECRET,
           "SLACK_API_URL": slack.url + "/api/", "LINE_CHANNEL_SECRET": LINE_SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": "token", "LINE_API_URL": line.url, "DXBOT_LOG_SALT": "salt-for-this-test"}
    server = serve(env, log)
    try:
        slack_posts(server, slack)
        line_posts(server)
        slack.wait_for("/api/chat.postMessage", 2, timeout=60)  # the mention and the DM
        slack.wait_for("/api/views.publish", 1, timeout=60)
        slack.wait_for("/respond/1", 1, timeout=60)
        line.wait_for("/v2/bot/message/reply", 3, timeout=60)
    finally:
        server.stop()  # SIGTERM: a clean stop
        slack.close()
        line.close()
    # uvicorn stops cleanly, then re-raises the SIGTERM it caught: -15 is a clean stop
    assert server.proc.returncode in (0, -15), log.read_text(errors="replace")[-2000:]
    assert "drained" in log.read_text(errors="replace")


def test_no_raw_user_id_at_rest_on_sqlite(db_path, tmp_path) -> None:
    log = tmp_path / "serve.log"
    run_and_stop(cli_env(db_path), log)
    files = [db_path, *(db_path.parent / (db_path.name + suffix) for suffix in ("-wal", "-journal", "-shm")), log]
    assert found_in(files) == []
    assert "salt-for-this-test" not in log.read_text(errors="replace")




def test_no_raw_user_id_at_rest_on_postgresql(db_path, own_pg, tmp_path) -> None:
    import psycopg

    url = own_pg.new_database()
    kb = tmp_path / "host.db"
    shutil.copy(db_path, kb)
    log = tmp_path / "serve.log"
    run_and_stop(cli_env(kb, DXBOT_DATABASE_URL=url), log)
    with psycopg.connect(own_pg.url(), autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # what PostgreSQL holds is on disk, in its files
    data = own_pg.base / "data"
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files and found_in([*files, kb, kb.parent / (kb.name + "-wal"), log]) == []
