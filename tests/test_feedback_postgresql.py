"""Votes reach PostgreSQL end to end: a real `dxbot serve` whose state is in PostgreSQL, a signed
Slack mention and its buttons through the fake Slack API, a signed LINE question and its 👍 / 👎
postbacks through the fake LINE API, and a web answer voted twice. Each person's vote on an answer
is one row, whatever channel it came from."""

from __future__ import annotations

import json
import shutil
import time
from urllib.parse import urlencode

import psycopg

from tests.fakes import cli_env, line_api, line_signature, slack_api, slack_headers
from tests.scaleout import serve

LINE_SECRET, SLACK_SECRET = "line-channel-secret", "test-signing-secret"


def _slack(server, body: bytes, kind: str):  # type: ignore[no-untyped-def]
    return server.http.post("/slack/events", content=body, headers={"Content-Type": kind, **slack_headers(SLACK_SECRET, body)})


def _line_body(event: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
    return body, {"Content-Type": "application/json", "X-Line-Signature": line_signature(LINE_SECRET, body)}


def _event(n: int, **kind: object) -> dict:
    return {"mode": "active", "timestamp": int(time.time() * 1000), "source": {"type": "user", "userId": "U" + "7" * 32},
            "webhookEventId": f"01HPGVOTE{n:017d}", "deliveryContext": {"isRedelivery": False},
            "replyToken": f"reply-{n}", **kind}


def _rows(url: str, channel: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT answer_id, vote FROM answer_feedback WHERE channel = %s", [channel]).fetchall()


def _until(condition, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_votes_from_line_and_the_web_land_once_in_postgresql(db_path, pg_url, tmp_path) -> None:
    line, slack = line_api(), slack_api()
    shutil.copy(db_path, tmp_path / "host.db")
    env = cli_env(tmp_path / "host.db", slack, DXBOT_DATABASE_URL=pg_url, LINE_CHANNEL_SECRET=LINE_SECRET,
                  LINE_CHANNEL_ACCESS_TOKEN="token", LINE_API_URL=line.url)
    server = serve(env, tmp_path / "serve.log")
    try:
        mention = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvPgVote1",
                              "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> 2-3-1の状況は？",
                                        "ts": "1700000000.000001", "channel": "CQ"}}).encode()
        assert _slack(server, mention, "application/json").status_code == 200
        posted = _until(lambda: [c.json for c in slack.calls if c.path.endswith("chat.postMessage")])
        blocks = posted[0]["blocks"]
        buttons = (json.loads(blocks) if isinstance(blocks, str) else blocks)[-1]["elements"]
        value = next(b["value"] for b in buttons if b["action_id"] == "dx_feedback_up")
        for n in range(2):  # the same 👍 twice: one row
            payload = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                       "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "CQ"},
                       "channel": {"id": "CQ"}, "message": {"type": "message", "ts": "1700000000.000100", "text": "card"},
                       "trigger_id": f"t{n}", "response_url": slack.url + "/respond/1",
                       "actions": [{"action_id": "dx_feedback_up", "block_id": "dx_feedback", "type": "button",
                                    "value": value, "action_ts": str(n)}]}
            assert _slack(server, urlencode({"payload": json.dumps(payload)}).encode(),
                          "application/x-www-form-urlencoded").status_code == 200
        assert _until(lambda: [v for _, v in _rows(pg_url, "slack")] == ["up"]), _rows(pg_url, "slack")

        body, headers = _line_body(_event(1, type="message", message={"id": "1", "type": "text", "quoteToken": "q",
                                                                      "text": "LGWANって何？"}))
        assert server.http.post("/line/webhook", content=body, headers=headers).status_code == 200
        reply = _until(lambda: [c.json for c in line.delivered if c.path == "/v2/bot/message/reply"])
        items = reply[0]["messages"][-1]["quickReply"]["items"]
        up, down = (next(i["action"]["data"] for i in items if f"fb={k}" in i["action"].get("data", ""))
                    for k in ("up", "down"))
        for n, data in ((2, up), (3, up), (4, down)):  # 👍, the same 👍 again, then a change of mind
            body, headers = _line_body(_event(n, type="postback", postback={"data": data}))
            assert server.http.post("/line/webhook", content=body, headers=headers).status_code == 200
        assert _until(lambda: [v for _, v in _rows(pg_url, "line")] == ["down"]), _rows(pg_url, "line")

        origin = {"Origin": f"http://127.0.0.1:{server.port}"}
        asked = server.http.post("/api/ask", json={"q": "2-3-1の状況は？"}, headers=origin).json()
        for _ in range(2):
            r = server.http.post("/api/feedback", json={"answer": asked["answer_id"], "vote": "up"}, headers=origin)
            assert r.status_code == 200, r.text
        assert _rows(pg_url, "web") == [(asked["answer_id"], "up")]
    finally:
        server.stop()
        line.close()
        slack.close()
