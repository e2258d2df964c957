"""Slack end to end: our real server, a fake Slack Web API on 127.0.0.1, signed requests."""

from __future__ import annotations

import json
import time
import urllib.parse
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import httpx
import pytest

from bot.server import Services, create_app
from bot.slack.app import SlackBot, web_client
from bot.web.chat import WebChat
from handlers import Responder
from state.catalog import load_catalog
from state.database import connect
from tests.fakes import Scripted, ServerThread, slack_api, slack_headers

SECRET = "test-signing-secret"


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def slack(db_path):
    api = slack_api()
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    bot = SlackBot(responder=responder, db=db, clock=utcnow, signing_secret=SECRET,
                   client=web_client(token="xoxb-test", base_url=api.url + "/api/"),
                   departments_of=lambda user: ["広報課"] if user == "UPR" else [])
    services = Services(db=db, responder=responder, clock=utcnow, slack=bot, slack_mode="http",
                        web=WebChat(responder=responder, monotonic=time.monotonic))
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=10)

    def post(payload: bytes, content_type: str, **headers: str) -> httpx.Response:
        signed = slack_headers(SECRET, payload)
        signed.update(headers)
        return http.post("/slack/events", content=payload, headers={"Content-Type": content_type, **signed})

    def event(inner: dict, *, event_id: str = "Ev1", **headers: str) -> httpx.Response:
        body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                "event_time": int(time.time()), "event": inner}
        return post(json.dumps(body).encode(), "application/json", **headers)

    def form(data: dict) -> httpx.Response:
        return post(urlencode(data).encode(), "application/x-www-form-urlencoded")

    def action(action_id: str, value: str, *, message_ts: str = "1700000000.000100", thread_ts: str | None = None):
        message = {"type": "message", "ts": message_ts, "text": "card"}
        if thread_ts:
            message["thread_ts"] = thread_ts
        payload = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                   "container": {"type": "message", "message_ts": message_ts, "channel_id": "C1"},
                   "channel": {"id": "C1"}, "message": message, "trigger_id": "t1",
                   "response_url": api.url + "/respond/1",
                   "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                                "action_ts": "1"}]}
        return form({"payload": json.dumps(payload)})

    yield SimpleNamespace(api=api, event=event, form=form, action=action, http=http, db=db, bot=bot)
    http.close()
    server.close()
    api.close()


def mention(text: str, ts: str = "1700000000.000100", thread_ts: str | None = None) -> dict:
    e = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1"}
    if thread_ts:
        e["thread_ts"] = thread_ts
    return e


def posted(api, count: int = 1) -> list[dict]:
    return [c.json for c in api.wait_for("/api/chat.postMessage", count)]


def decoded(value):
    return json.loads(value) if isinstance(value, str) else value


def all_text(message: dict) -> str:
    return message.get("text", "") + json.dumps(decoded(message.get("blocks", [])), ensure_ascii=False)


def test_status_question_gets_a_project_card_in_the_thread(slack) -> None:
    r = slack.event(mention("2-3-1の状況は？"))
    assert r.status_code == 200
    msg = posted(slack.api)[0]
    assert msg["channel"] == "C1" and msg["thread_ts"] == "1700000000.000100"
    blocks = decoded(msg["blocks"])
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "2-3-1 RPA の活用拡充", "emoji": True}}
    text = all_text(msg)
    assert ":large_blue_circle: *B* おおむね予定どおり実施" in text
    assert "94.4%" in text and "出典: アクションプラン 2023年6月改定" in text
    assert "RPA の活用拡充" in msg["text"]  # the plain fallback
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "dx_project_project_kpi" in buttons and "dx_project_project_schedule" in buttons


def test_button_press_answers_in_the_thread(slack) -> None:
    r = slack.action("dx_project_project_kpi", "2-3-1", message_ts="1700000001.000200", thread_ts="1700000000.000100")
    assert r.status_code == 200
    msg = posted(slack.api)[0]
    assert msg["thread_ts"] == "1700000000.000100"
    assert "7,552 / 8,000 = 94.4%" in all_text(msg)


def test_a_list_opens_any_of_its_projects_by_a_click(slack) -> None:
    slack.event(mention("事業一覧", ts="1700000400.000100"), event_id="Ev40")
    listed = decoded(posted(slack.api)[0]["blocks"])
    selects = [b["accessory"] for b in listed if b.get("accessory", {}).get("type") == "static_select"]
    options = {json.loads(o["value"])["id"]: o for s in selects for o in s["options"]}
    assert len(options) == 26 and all(s["action_id"] == "dx_list_open" for s in selects)

    chosen = options["5-1-2"]
    message = {"type": "message", "ts": "1700000401.000100", "thread_ts": "1700000400.000100", "text": "list"}
    payload = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
               "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1"},
               "channel": {"id": "C1"}, "message": message, "trigger_id": "t1",
               "response_url": slack.api.url + "/respond/list",
               "actions": [{"action_id": "dx_list_open", "block_id": "b", "type": "static_select",
                            "selected_option": chosen, "action_ts": "1"}]}
    assert slack.form({"payload": json.dumps(payload)}).status_code == 200
    card = posted(slack.api, 2)[1]
    assert card["thread_ts"] == "1700000400.000100"
    assert decoded(card["blocks"])[0]["text"]["text"].startswith("5-1-2 ")


def test_follow_up_in_a_thread_uses_the_last_project(slack) -> None:
    slack.event(mention("2-1-2の状況は？", ts="1700000100.000100"), event_id="Ev10")
    posted(slack.api, 1)
    slack.event(mention("そのスケジュールは？", ts="1700000200.000100", thread_ts="1700000100.000100"), event_id="Ev11")
    msg = posted(slack.api, 2)[1]
    assert msg["thread_ts"] == "1700000100.000100"
    text = all_text(msg)
    assert "直前の話題の事業 2-1-2" in text and "次期財務会計システム" in text


def test_direct_messages_and_bot_messages(slack) -> None:
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "LGWANとは", "ts": "1700000300.000100", "channel": "D1"}
    assert slack.event(dm, event_id="Ev20").status_code == 200
    msg = posted(slack.api)[0]
    assert msg["channel"] == "D1" and "thread_ts" not in msg
    assert "行政専用のネットワーク" in all_text(msg)
    own = dict(dm, bot_id="BBOT", text="echo", ts="1700000301.000100")
    assert slack.event(own, event_id="Ev21").status_code == 200  # handled (not a 404), not answered
    time.sleep(0.3)
    assert len(slack.api.to("/api/chat.postMessage")) == 1


def test_app_home_is_a_dashboard_of_the_readers_department(slack) -> None:
    from scheduler.calendar import evaluation_year
    from state.evaluations import Submission, submit_draft

    year = evaluation_year(utcnow())
    submit_draft(slack.db, Submission("1-1-2", year, "B", {}, "発信を強化", "UPR"), now=utcnow())
    slack.event({"type": "app_home_opened", "user": "UPR", "channel": "D9", "tab": "home"}, event_id="Ev30")
    call = slack.api.wait_for("/api/views.publish")[0].json
    assert call["user_id"] == "UPR"
    view = decoded(call["view"])
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "広報課 の事業" in text and "提出 1/1 事業" in text
    card = next(b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "dx_eval_open_1-1-2")
    assert "1-1-2 オンラインによる行政情報の発信強化" in card["text"]["text"] and "提出済（B）" in card["text"]["text"]
    assert json.loads(card["accessory"]["value"]) == {"project": "1-1-2", "year": year}
    assert "評価別の事業数" in text and "B: 19" in text
    assert "2-2-1 テレワーク環境の充実" in text and "3-1-2 スマートフォン講座等の充実" in text  # behind schedule


def test_app_home_speaks_the_readers_language(slack) -> None:
    slack.api.script("/api/users.info", Scripted(200, {"ok": True, "user": {"id": "UEN", "locale": "en-US"}}))
    slack.event({"type": "app_home_opened", "user": "UEN", "channel": "D8", "tab": "home"}, event_id="Ev31")
    view = decoded(slack.api.wait_for("/api/views.publish")[0].json["view"])
    text = json.dumps(view, ensure_ascii=False)
    assert "Projects by grade" in text and "Behind schedule" in text and "評価別" not in text
    assert "not in the directory yet" in text  # UEN belongs to no department
    assert slack.api.to("/api/users.info")[0].json["user"] == "UEN"


def test_the_shortcut_opens_a_project_lookup(slack) -> None:
    payload = {"type": "shortcut", "callback_id": "dx_lookup_project", "trigger_id": "trig-sc", "user": {"id": "U1"},
               "team": {"id": "T1"}, "api_app_id": "A1", "action_ts": "1"}
    assert slack.form({"payload": json.dumps(payload)}).status_code == 200
    view = decoded(slack.api.wait_for("/api/views.open")[0].json["view"])
    assert view["title"]["text"] == "事業を調べる"
    select = view["blocks"][0]["accessory"]
    assert sum(len(g["options"]) for g in select["option_groups"]) == 26
    chosen = next(o for g in select["option_groups"] for o in g["options"] if o["value"] == "2-3-1")
    pick = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
            "trigger_id": "trig-pick", "container": {"type": "view", "view_id": "V123"},
            "view": {"id": "V123", "hash": "h1", "type": "modal", "callback_id": "dx_lookup_project"},
            "actions": [{"action_id": "dx_lookup_pick", "block_id": "dx_lookup", "type": "static_select",
                         "selected_option": chosen, "action_ts": "2"}]}
    assert slack.form({"payload": json.dumps(pick)}).status_code == 200
    update = slack.api.wait_for("/api/views.update")[0].json
    assert update["view_id"] == "V123" and update["hash"] == "h1"
    card = json.dumps(decoded(update["view"]), ensure_ascii=False)
    assert "2-3-1 RPA の活用拡充" in card and "94.4%" in card


def test_slash_command(slack) -> None:
    r = slack.form({"command": "/dx", "text": "2-3-1", "user_id": "U1", "channel_id": "C1", "team_id": "T1",
                    "response_url": slack.api.url + "/respond/cmd", "trigger_id": "t"})
    assert r.status_code == 200
    reply = slack.api.wait_for("/respond/cmd")[0].json
    assert reply["response_type"] == "ephemeral" and "RPA の活用拡充" in json.dumps(reply, ensure_ascii=False)
    share = next(e for b in decoded(reply["blocks"]) if b.get("block_id") == "dx_share" for e in b["elements"])
    assert share["text"]["text"] == "チャンネルに共有"
    assert slack.api.to("/api/chat.postMessage") == []  # private until shared

    # 「チャンネルに共有」 posts the answer in the channel for everyone and removes the private copy.
    press = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
             "container": {"type": "message", "message_ts": "1700000500.000100", "channel_id": "C1", "is_ephemeral": True},
             "channel": {"id": "C1"}, "trigger_id": "t5", "response_url": slack.api.url + "/respond/share",
             "actions": [{"action_id": "dx_share", "block_id": "dx_share", "type": "button", "value": share["value"],
                          "action_ts": "5"}]}
    assert slack.form({"payload": json.dumps(press)}).status_code == 200
    shared = posted(slack.api)[0]
    assert shared["channel"] == "C1" and "thread_ts" not in shared
    assert "<@U1> さんが /dx の回答を共有しました" in all_text(shared) and "RPA の活用拡充" in all_text(shared)
    assert slack.api.wait_for("/respond/share")[0].json["delete_original"] is True
    slack.form({"command": "/dx", "text": "help", "user_id": "U1", "channel_id": "C1", "team_id": "T1",
                "response_url": slack.api.url + "/respond/help", "trigger_id": "t"})
    assert "2-3-1の状況は？" in slack.api.wait_for("/respond/help")[0].json["text"]


def test_bad_or_stale_signatures_are_rejected(slack) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvBad", "event": mention("2-3-1")}).encode()
    wrong = slack_headers("not-the-secret", body)
    r = slack.http.post("/slack/events", content=body, headers={"Content-Type": "application/json", **wrong})
    assert r.status_code == 401
    stale = slack_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    r = slack.http.post("/slack/events", content=body, headers={"Content-Type": "application/json", **stale})
    assert r.status_code == 401
    r = slack.http.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    # A slash command is checked at the same door (Bolt, which runs it, checks nothing again).
    form = urllib.parse.urlencode({"command": "/dx", "text": "2-3-1", "user_id": "U1", "channel_id": "C1",
                                   "response_url": slack.api.url + "/respond/forged"}).encode()
    r = slack.http.post("/slack/events", content=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", **slack_headers("not-the-secret", form)})
    assert r.status_code == 401
    time.sleep(0.3)
    assert slack.api.to("/api/chat.postMessage") == [] and slack.api.to("/respond/forged") == []


def test_a_retried_event_is_answered_once(slack) -> None:
    slack.event(mention("1-3-1の担当は？"), event_id="EvRetry")
    posted(slack.api, 1)
    r = slack.event(mention("1-3-1の担当は？"), event_id="EvRetry", **{"X-Slack-Retry-Num": "1",
                                                                       "X-Slack-Retry-Reason": "http_timeout"})
    assert r.status_code == 200
    time.sleep(0.5)
    assert len(slack.api.to("/api/chat.postMessage")) == 1


def test_ack_comes_before_the_slow_work(slack) -> None:
    gate = slack.api.hold("/api/chat.postMessage")  # Slack's API is slow today
    try:
        r = slack.event(mention("2-3-1の状況は？"), event_id="EvSlow")
        # The event was acknowledged while the answer is still stuck in chat.postMessage.
        assert r.status_code == 200
        call = slack.api.wait_for("/api/chat.postMessage")[0]
        assert "2-3-1" in call.json["text"]
    finally:
        gate.set()


def test_rate_limited_post_is_retried_and_delivered_once(slack) -> None:
    slack.api.script("/api/chat.postMessage", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}))
    slack.event(mention("LGWANとは"), event_id="Ev429")
    calls = slack.api.wait_for("/api/chat.postMessage", 2)
    time.sleep(0.3)
    assert len(slack.api.to("/api/chat.postMessage")) == 2  # one refused, one delivered
    assert calls[0].json["text"] == calls[1].json["text"]


def test_a_post_refused_with_5xx_is_retried_and_delivered_once(slack) -> None:
    slack.api.script("/api/chat.postMessage", Scripted(503, {"ok": False, "error": "service_unavailable"}))
    slack.event(mention("LGWANとは", ts="1700000500.000100"), event_id="Ev503")
    calls = slack.api.wait_for("/api/chat.postMessage", 2)
    assert calls[0].json["text"] == calls[1].json["text"]
    time.sleep(1.5)
    assert [m["thread_ts"] for m in slack.api.messages] == ["1700000500.000100"]  # one answer reached the thread


def test_a_post_slack_refuses_for_good_fails_visibly_without_retrying(slack) -> None:
    slack.api.script("/api/chat.postMessage", Scripted(200, {"ok": False, "error": "channel_not_found"}))
    slack.event(mention("LGWANとは"), event_id="EvGone")
    slack.api.wait_for("/api/chat.postMessage")
    deadline = time.monotonic() + 10
    while slack.http.get("/healthz").json()["inbound"]["slack"]["failed"] != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slack.http.get("/healthz").json()["inbound"]["slack"]["failed"] == 1
    time.sleep(1.5)
    assert len(slack.api.to("/api/chat.postMessage")) == 1


def test_socket_mode_events_go_through_the_same_queue(slack) -> None:
    from slack_bolt.request import BoltRequest

    body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSocket",
            "event": mention("LGWANとは", ts="1700000600.000100")}
    # What SocketModeHandler does with an envelope: it acknowledges only a 200.
    assert slack.bot.app.dispatch(BoltRequest(mode="socket_mode", body=body)).status == 200
    assert posted(slack.api)[0]["thread_ts"] == "1700000600.000100"
    assert slack.bot.app.dispatch(BoltRequest(mode="socket_mode", body=body)).status == 200  # a retry
    time.sleep(0.5)
    assert len(slack.api.to("/api/chat.postMessage")) == 1


def test_user_text_cannot_ping_the_channel(slack) -> None:
    slack.event(mention("<!channel> <@U999> 研修の状況"), event_id="EvPing")
    msg = posted(slack.api)[0]
    text = all_text(msg)
    assert "<!channel>" not in text and "<@U999>" not in text


def test_sharing_where_the_bot_cannot_post_says_how_to_fix_it(slack) -> None:
    slack.api.script("/api/chat.postMessage", Scripted(200, {"ok": False, "error": "not_in_channel"}))
    value = json.dumps({"q": "LGWANとは", "p": None, "lang": "ja"}, ensure_ascii=False)
    press = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
             "container": {"type": "message", "message_ts": "1.1", "channel_id": "C7", "is_ephemeral": True},
             "channel": {"id": "C7"}, "trigger_id": "t6", "response_url": slack.api.url + "/respond/share7",
             "actions": [{"action_id": "dx_share", "block_id": "dx_share", "type": "button", "value": value,
                          "action_ts": "6"}]}
    assert slack.form({"payload": json.dumps(press)}).status_code == 200
    reply = slack.api.wait_for("/respond/share7")[0].json
    assert "/invite @dxbot" in reply["text"] and reply.get("delete_original") is not True


def test_app_home_in_english_shows_submissions_in_english(slack) -> None:
    from scheduler.calendar import evaluation_year
    from state.evaluations import Submission, submit_draft

    submit_draft(slack.db, Submission("1-1-2", evaluation_year(utcnow()), "A", {}, "", "UPR"), now=utcnow())
    slack.api.script("/api/users.info", Scripted(200, {"ok": True, "user": {"id": "UPR", "locale": "en-GB"}}))
    slack.event({"type": "app_home_opened", "user": "UPR", "channel": "D9", "tab": "home"}, event_id="Ev32")
    text = json.dumps(decoded(slack.api.wait_for("/api/views.publish")[0].json["view"]), ensure_ascii=False)
    assert "広報課's projects" in text and "1 of 1 submitted" in text and "submitted" in text and "(A)" in text
    assert "提出済" not in text and "Edit" in text


def test_a_forged_share_value_posts_nothing(slack) -> None:
    for n, value in enumerate(["not json", json.dumps({"p": "2-3-1"}), json.dumps(["q"])]):
        press = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                 "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1", "is_ephemeral": True},
                 "channel": {"id": "C1"}, "trigger_id": "t7", "response_url": slack.api.url + f"/respond/forged{n}",
                 "actions": [{"action_id": "dx_share", "block_id": "dx_share", "type": "button", "value": value,
                              "action_ts": "7"}]}
        assert slack.form({"payload": json.dumps(press)}).status_code == 200
        assert "読み取れませんでした" in slack.api.wait_for(f"/respond/forged{n}")[0].json["text"]
    assert slack.api.to("/api/chat.postMessage") == []


def test_events_from_socket_mode_are_queued_and_answered_once(slack) -> None:
    """Socket Mode hands events to Bolt on its own threads, not the server's event loop."""
    from slack_bolt import BoltRequest

    body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSocket",
            "event_time": int(time.time()), "event": mention("RPAのKPIは？", ts="1700000000.000900")}
    for _ in range(2):  # a redelivery after a lost acknowledgement
        response = slack.bot.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        assert response.status == 200
    call = slack.api.wait_for("/api/chat.postMessage")[0]
    assert call.json["thread_ts"] == "1700000000.000900" and "RPA" in call.json["text"]
    time.sleep(0.5)
    assert len(slack.api.to("/api/chat.postMessage")) == 1
