"""👍 / 👎 end to end through the fake Slack and LINE: real signed requests into our real server."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from state.conversations import hash_user
from state.database import connect
from tests.test_line_e2e import body, line, postback_event, replies, text_event  # noqa: F401 - the fixture
from tests.test_slack_e2e import decoded, mention, posted, slack  # noqa: F401 - the fixture


def votes(db) -> list[dict]:
    rows = db.execute("SELECT answer_id, user_hash, channel, intent, vote, reason FROM answer_feedback").fetchall()
    return [dict(zip(["answer_id", "user_hash", "channel", "intent", "vote", "reason"], r, strict=True)) for r in rows]


def _until(condition, timeout: float = 10):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def test_a_slack_vote_and_its_reason_land_once(slack) -> None:  # noqa: F811
    slack.event(mention("2-3-1の状況は？"), event_id="EvFb1")
    blocks = decoded(posted(slack.api)[0]["blocks"])
    buttons = blocks[-1]
    assert buttons["block_id"] == "dx_feedback"
    assert [e["action_id"] for e in buttons["elements"]] == ["dx_feedback_up", "dx_feedback_down"]
    value = buttons["elements"][1]["value"]
    answer_id = json.loads(value)["a"]
    assert slack.action("dx_feedback_up", value).status_code == 200
    # Bolt runs each click's listener after acknowledging it, on its own thread: a person's second
    # click comes after the first has landed, and so does this one.
    assert _until(lambda: [v["vote"] for v in votes(slack.db)] == ["up"])
    assert slack.action("dx_feedback_down", value).status_code == 200  # replaces the 👍
    modal = decoded(slack.api.wait_for("/api/views.open")[0].json["view"])
    assert modal["callback_id"] == "dx_feedback_reason" and json.loads(modal["private_metadata"])["a"] == answer_id
    submission = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
                  "trigger_id": "t2", "view": {**modal, "id": "V1", "hash": "h1", "state": {"values": {
                      "reason": {"reason": {"type": "plain_text_input", "value": "評価の年度が古い"}}}}}}
    assert slack.form({"payload": json.dumps(submission)}).status_code == 200
    want = [{"answer_id": answer_id, "user_hash": hash_user("U1", salt="dxbot"), "channel": "slack",
             "intent": "project_status", "vote": "down", "reason": "評価の年度が古い"}]
    assert _until(lambda: votes(slack.db) == want), votes(slack.db)
    logged = slack.db.execute("SELECT channel, intent, outcome, subjects FROM answer_log WHERE id = ?",
                              [answer_id]).fetchall()
    assert logged == [("slack", "project_status", "answered", "project:2-3-1")]
    thanks = slack.action("dx_feedback_up", value)
    assert thanks.status_code == 200
    assert _until(lambda: [v["vote"] for v in votes(slack.db)] == ["up"]), votes(slack.db)
    assert slack.api.wait_for("/respond/1")[0].json["text"] == "ご意見ありがとうございます。"


def test_a_line_vote_and_its_reason_land_once(line) -> None:  # noqa: F811
    line.post(body(text_event("LGWANって何？", n=81)))
    items = replies(line.api)[0]["messages"][-1]["quickReply"]["items"]
    assert items[-1]["action"]["label"] == "使い方"  # the help stays last
    down = next(i["action"] for i in items if i["action"]["type"] == "postback" and "fb=down" in i["action"]["data"])
    answer_id = parse_qs(down["data"])["a"][0]
    line.post(body(postback_event(down["data"], n=82)))
    asked = replies(line.api, 2)[1]["messages"][0]
    reasons = [i["action"] for i in asked["quickReply"]["items"]]
    assert [r["label"] for r in reasons] == ["答えが違う", "情報が足りない", "わかりにくい", "その他"]
    line.post(body(postback_event(reasons[1]["data"], n=83)))
    assert "受け付けました" in replies(line.api, 3)[2]["messages"][0]["text"]
    line.post(body(postback_event(down["data"], n=84)))  # the same vote again: still one
    replies(line.api, 4)
    db = connect(line.db_path)
    got = votes(db)
    assert got == [{"answer_id": answer_id, "user_hash": hash_user("Uabcdef0123456789", salt="dxbot"),
                    "channel": "line", "intent": "glossary", "vote": "down", "reason": "情報が足りない"}]
    assert not line.api.violations


def test_an_english_line_answer_gets_english_votes(line) -> None:  # noqa: F811
    line.post(body(text_event("What is LGWAN?", n=91)))
    labels = [i["action"]["label"] for i in replies(line.api)[0]["messages"][-1]["quickReply"]["items"]]
    assert "👍 Helpful" in labels and "👎 Not helpful" in labels
