"""LINE end to end: our real server, a fake Messaging API on 127.0.0.1, signed webhook bodies."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import parse_qs

import httpx
import pytest
from linebot.v3.messaging import FlexCarousel, FlexMessage, Message, ReplyMessageRequest, TextMessage

from bot.line.render import ALT_TEXT_LIMIT, LABEL_LIMIT, QUICK_REPLY_LIMIT
from bot.line.webhook import LineChannel
from bot.server import Services, create_app
from bot.web.chat import WebChat
from handlers import Responder
from state.catalog import load_catalog
from state.database import connect
from tests.fakes import Scripted, ServerThread, cli_env, dxbot, line_api, line_signature

SECRET = "line-channel-secret"


def utcnow() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def line(db_path, request):
    api = line_api()
    db = connect(db_path)
    responder = Responder(load_catalog(db))
    channel = LineChannel(channel_secret=SECRET, access_token="token", api_url=api.url, responder=responder,
                          db=db, clock=utcnow)
    services = Services(db=db, responder=responder, clock=utcnow, line=channel,
                        web=WebChat(responder=responder, monotonic=time.monotonic),
                        queue_options=getattr(request, "param", {}))  # e.g. a quicker back-off
    server = ServerThread(create_app(services))
    http = httpx.Client(base_url=server.url, timeout=10)

    def post(payload: dict | bytes, *, signature: str | None = "auto") -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Line-Signature"] = line_signature(SECRET, body)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        return http.post("/line/webhook", content=body, headers=headers)

    yield SimpleNamespace(api=api, post=post, db_path=db_path, responder=responder, http=http, services=services)
    http.close()
    server.close()
    api.close()


def text_event(text: str, *, n: int = 1, redelivery: bool = False, age_s: float = 0) -> dict:
    return {"type": "message", "mode": "active", "timestamp": int((time.time() - age_s) * 1000),
            "source": {"type": "user", "userId": "Uabcdef0123456789"}, "webhookEventId": f"01HEVENT{n:04d}",
            "deliveryContext": {"isRedelivery": redelivery}, "replyToken": f"reply-token-{n}",
            "message": {"id": str(1000 + n), "type": "text", "quoteToken": "q", "text": text}}


def body(*events: dict) -> dict:
    return {"destination": "Ubot", "events": list(events)}


def replies(api, count: int = 1) -> list[dict]:
    return [c.json for c in api.wait_for("/v2/bot/message/reply", count)]


def check_limits(message: dict) -> None:
    """Valid against the SDK's models and within the Messaging API's limits."""
    model = Message.from_dict(message)
    assert isinstance(model, (FlexMessage, TextMessage))
    if isinstance(model, FlexMessage):
        assert len(message["altText"]) <= ALT_TEXT_LIMIT
        assert len(json.dumps(message["contents"], ensure_ascii=False).encode()) <= 30_000
    items = message.get("quickReply", {}).get("items", [])
    assert len(items) <= QUICK_REPLY_LIMIT
    assert all(len(i["action"]["label"]) <= LABEL_LIMIT for i in items)


def test_a_glossary_question_gets_a_flex_card(line) -> None:
    assert line.post(body(text_event("LGWANって何？"))).status_code == 200
    reply = replies(line.api)[0]
    ReplyMessageRequest.from_dict(reply)  # the whole request parses with the SDK's model
    assert reply["replyToken"] == "reply-token-1" and len(reply["messages"]) == 1
    msg = reply["messages"][0]
    check_limits(msg)
    assert msg["type"] == "flex" and "LGWAN" in msg["altText"]
    text = json.dumps(msg["contents"], ensure_ascii=False)
    assert "行政専用のネットワーク" in text and "用語集" in text
    labels = [i["action"]["label"] for i in msg["quickReply"]["items"]]
    assert labels[-1] == "使い方"


def test_a_term_with_a_link_and_a_hiragana_question(line) -> None:
    line.post(body(text_event("ふなばしこそだてちいきまっぷ")))
    msg = replies(line.api)[0]["messages"][0]
    check_limits(msg)
    uris = [c["action"]["uri"] for c in msg["contents"]["footer"]["contents"] if c.get("type") == "button"]
    assert uris == ["https://funabashi-map.netlify.app/"]


def test_a_project_card_draws_kpi_progress(line) -> None:
    line.post(body(text_event("RPAの取り組みの状況は？")))
    msg = replies(line.api)[0]["messages"][0]
    check_limits(msg)
    text = json.dumps(msg["contents"], ensure_ascii=False)
    assert "RPA の活用拡充" in text and "94.4%" in text and '"width": "94.4%"' in text


def test_who_is_in_charge_is_answered_in_the_card(line) -> None:
    """LINE refuses a Flex text that is empty; the department answer's one line is its body."""
    line.post(body(text_event("2-4-2の担当課は？", n=1), text_event("2-3-1と2-1-2の担当は？", n=2)))
    got = {r["replyToken"]: r["messages"][0] for r in replies(line.api, 2)}
    assert not line.api.violations  # checked before the call is recorded: final once it is seen
    one = got["reply-token-1"]["contents"]["body"]["contents"][0]["text"]
    assert "担当部署は システム所管課、デジタル行政推進課 です" in one
    two = [b["body"]["contents"][0]["text"] for b in got["reply-token-2"]["contents"]["contents"]]
    assert "担当部署は デジタル行政推進課" in two[0] and "担当部署は 財政課、契約課、会計課" in two[1]


def test_follow_sticker_and_unknown_events(line) -> None:
    follow = {"type": "follow", "mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": "01HFOLLOW",
              "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": "U1"},
              "replyToken": "rt-follow", "follow": {"isUnblocked": False}}
    sticker = dict(text_event("", n=7), message={"id": "9", "type": "sticker", "packageId": "1", "stickerId": "2",
                                                  "stickerResourceType": "STATIC", "quoteToken": "q"})
    novel = {"type": "somethingNew", "mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": "01HNEW",
             "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": "U1"}}
    assert line.post(body(follow, sticker, novel)).status_code == 200
    got = {r["replyToken"]: r["messages"][0] for r in replies(line.api, 2)}
    assert "友だち追加ありがとうございます" in got["rt-follow"]["text"]
    assert "文字のメッセージにだけお答えできます" in got["reply-token-7"]["text"]
    for m in got.values():
        check_limits(m)
    time.sleep(0.3)
    assert len(line.api.to("/v2/bot/message/reply")) == 2  # nothing for the unknown event


def test_a_batch_gets_one_reply_per_event(line) -> None:
    events = [text_event(q, n=i) for i, q in enumerate(["DXとは", "クラウドって何", "しびっくてっく"], start=11)]
    line.post(body(*events))
    got = replies(line.api, 3)
    time.sleep(0.3)
    assert sorted(r["replyToken"] for r in line.api.to("/v2/bot/message/reply") for r in [r.json]) == \
        ["reply-token-11", "reply-token-12", "reply-token-13"]
    assert {r["messages"][0]["altText"].split()[0] for r in got} == {"【DX】", "【クラウド】", "【シビックテック】"}


def test_a_redelivery_is_not_answered_twice(line) -> None:
    line.post(body(text_event("テレワークとは", n=21)))
    replies(line.api, 1)
    line.post(body(text_event("テレワークとは", n=21, redelivery=True)))
    time.sleep(0.5)
    assert len(line.api.to("/v2/bot/message/reply")) == 1
    assert line.api.to("/v2/bot/message/push") == []


def test_bad_signature_missing_header_malformed_json_and_verify(line) -> None:
    good = json.dumps(body(text_event("DXとは"))).encode()
    assert line.post(good, signature=line_signature("wrong", good)).status_code == 400
    assert line.post(good, signature=None).status_code == 400
    broken = b'{"events": [ '
    assert line.post(broken).status_code == 400
    assert line.post({"destination": "Ubot", "events": []}).status_code == 200  # the console's "verify"
    time.sleep(0.3)
    assert line.api.calls == []


def test_expired_reply_token_falls_back_to_one_push(line) -> None:
    line.api.script("/v2/bot/message/reply", Scripted(400, {"message": "Invalid reply token"}))
    line.post(body(text_event("SNSとは", n=31)))
    push = line.api.wait_for("/v2/bot/message/push")[0]
    assert push.json["to"] == "Uabcdef0123456789"
    key = push.headers["x-line-retry-key"]
    assert len(key) == 36
    assert "SNS" in push.json["messages"][0]["altText"]


def test_a_late_answer_is_pushed_and_a_retried_push_is_not_doubled(line) -> None:
    # LINE accepts the push but its answer is lost on the way back (HTTP 500): the bot retries with
    # the same retry key, LINE answers 409 "already accepted", and the user has one message.
    line.api.script("/v2/bot/message/push", Scripted(500, {"message": "upstream timeout"}, deliver=True))
    old = text_event("RPAとは", n=41, age_s=120)  # the reply token has expired by now
    line.post(body(old))
    # Done only once the bot has its answer to the second push (a 409 counts as delivered).
    assert wait_state(line.db_path, "01HEVENT0041") == "done"
    pushes = line.api.to("/v2/bot/message/push")
    assert line.api.to("/v2/bot/message/reply") == []
    assert [c.status for c in pushes] == [500, 409]
    assert pushes[0].headers["x-line-retry-key"] == pushes[1].headers["x-line-retry-key"]
    assert len(line.api.delivered) == 1
    time.sleep(1.5)
    assert len(line.api.to("/v2/bot/message/push")) == 2  # and no further tries


def test_a_late_answer_to_a_group_is_pushed_to_the_group(line) -> None:
    event = text_event("SNSとは", n=111, age_s=120)
    event["source"] = {"type": "group", "groupId": "Cgroup0123456789", "userId": "Uabcdef0123456789"}
    line.post(body(event))
    push = line.api.wait_for("/v2/bot/message/push")[0]
    assert push.json["to"] == "Cgroup0123456789"  # answered where it was asked, not in a private chat


def test_a_push_refused_with_5xx_is_retried_with_its_key_and_delivered_once(line) -> None:
    line.api.script("/v2/bot/message/push", Scripted(500, {"message": "Internal error"}),
                    Scripted(503, {"message": "Service unavailable"}))
    line.post(body(text_event("RPAとは", n=71, age_s=120)))
    assert wait_state(line.db_path, "01HEVENT0071") == "done"
    pushes = line.api.to("/v2/bot/message/push")
    assert [c.status for c in pushes] == [500, 503, 200]
    assert len({c.headers["x-line-retry-key"] for c in pushes}) == 1
    assert len(line.api.delivered) == 1 and "RPA" in line.api.delivered[0].json["messages"][0]["altText"]


@pytest.mark.parametrize("line", [{"backoff": lambda attempts: 0.1, "max_attempts": 3}], indirect=True)
def test_a_push_that_keeps_failing_ends_failed_and_visible(line) -> None:
    line.api.script("/v2/bot/message/push", *[Scripted(500, {"message": "Internal error"})] * 5)
    line.post(body(text_event("RPAとは", n=81, age_s=120)))
    assert wait_state(line.db_path, "01HEVENT0081", "failed") == "failed"
    assert len(line.api.to("/v2/bot/message/push")) == 3  # bounded: no fourth try
    health = line.http.get("/healthz").json()
    assert health["inbound"]["line"]["failed"] == 1
    assert 'dxbot_inbound_rows{channel="line",state="failed"} 1.0' in line.http.get("/metrics").text
    status = dxbot("inbound", "status", env=cli_env(line.db_path))
    assert "failed" in status.stdout and "01HEVENT0081" in status.stdout and "HTTP 500" in status.stdout
    # The operator queues it again once LINE is back; the running server delivers it once.
    assert "1 queued again" in dxbot("inbound", "retry", "--failed", env=cli_env(line.db_path)).stdout
    assert wait_state(line.db_path, "01HEVENT0081") == "done"
    assert len(line.api.delivered) == 1


def test_a_request_refused_as_malformed_is_not_retried(line) -> None:
    line.api.script("/v2/bot/message/push", Scripted(400, {"message": "The request body has 1 error(s)"}))
    line.post(body(text_event("RPAとは", n=91, age_s=120)))
    assert wait_state(line.db_path, "01HEVENT0091", "failed") == "failed"
    time.sleep(1.5)
    assert len(line.api.to("/v2/bot/message/push")) == 1


def test_shutdown_finishes_the_answer_in_flight_and_refuses_new_events(line) -> None:
    from bot.worker import drain_all_from_thread as drain_all

    gate = line.api.hold("/v2/bot/message/reply")
    line.post(body(text_event("DXとは", n=101)))
    line.api.wait_for("/v2/bot/message/reply")
    drained = []
    stopper = threading.Thread(target=lambda: drained.extend(drain_all(list(line.services.queues.values()), grace=10)))
    stopper.start()
    time.sleep(0.3)
    assert line.post(body(text_event("クラウドとは", n=102))).status_code == 503  # LINE redelivers it later
    gate.set()
    line.api.unhold("/v2/bot/message/reply")
    stopper.join(timeout=15)
    assert drained[0].finished == 1 and drained[0].unfinished == 0
    assert wait_state(line.db_path, "01HEVENT0101") == "done"
    assert wait_state(line.db_path, "01HEVENT0102", timeout=0.1) is None  # never stored: nothing to lose
    assert len(line.api.delivered) == 1


def wait_state(db_path, event_id: str, want: str = "done", timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        with sqlite3.connect(db_path) as conn:
            row = conn.execute("SELECT state FROM inbound_events WHERE id = ?", [event_id]).fetchone()
        state = row[0] if row else None
        if state == want:
            break
        time.sleep(0.05)
    return state


def test_unanswered_questions_are_logged_without_the_user_id(line) -> None:
    line.post(body(text_event("ラーメンのおすすめは？", n=51)))
    replies(line.api)
    time.sleep(0.2)
    with sqlite3.connect(line.db_path) as conn:
        rows = conn.execute("SELECT text, channel, user_hash FROM unanswered").fetchall()
        dump = "\n".join(conn.iterdump())
    assert rows and rows[0][0] == "ラーメンのおすすめは？" and rows[0][1] == "line"
    assert rows[0][2] and "Uabcdef0123456789" not in dump


def test_citizens_on_line_never_see_an_unpublished_evaluation(line) -> None:
    from state.evaluations import Submission, submit_draft

    submit_draft(connect(line.db_path), Submission("2-3-1", 2026, "A", {1: 11000.0}, "内部向けの下書きコメント", "U1"),
                 now=utcnow())
    line.post(body(text_event("2-3-1の状況は？", n=61)))
    msg = replies(line.api)[0]["messages"][0]
    blob = json.dumps(msg, ensure_ascii=False)
    assert "内部向けの下書きコメント" not in blob and "下書き" not in blob and "11,000" not in blob
    assert "おおむね予定どおり実施" in blob  # the published R4 grade, B


def test_a_follow_up_from_the_same_user(line) -> None:
    line.post(body(text_event("2-3-1の状況は？", n=1)))
    replies(line.api, 1)
    line.post(body(text_event("そのKPIは？", n=2)))
    follow_up = replies(line.api, 2)[1]["messages"]
    for m in follow_up:
        check_limits(m)
    assert "2-3-1" in follow_up[0]["text"]  # it says which project it assumed
    card = json.dumps(follow_up[1]["contents"], ensure_ascii=False)
    assert "RPA の活用拡充" in card and "10,000" in card  # 2-3-1's KPI targets
    other = dict(text_event("そのKPIは？", n=3), source={"type": "user", "userId": "Uother"})
    line.post(body(other))
    assert "わかりません" in replies(line.api, 3)[2]["messages"][0]["text"]  # another user has no context
    with sqlite3.connect(line.db_path) as conn:  # the context is kept with the user id hashed
        keys = [k for (k,) in conn.execute("SELECT key FROM conversations")]
    assert keys and not any("Uabcdef0123456789" in k for k in keys)


def test_the_glossary_list_is_a_carousel_of_terms(line) -> None:
    line.post(body(text_event("用語一覧")))
    msg = replies(line.api)[0]["messages"][0]
    check_limits(msg)
    assert msg["contents"]["type"] == "carousel" and msg["altText"] == "用語集（39語）"
    rows = [r for b in msg["contents"]["contents"] for r in b["body"]["contents"]]
    assert len(rows) == 39 and all(r["action"]["text"].endswith("とは") for r in rows)


def test_an_unanswered_question_offers_terms_help_and_the_city(line) -> None:
    line.post(body(text_event("qwertyuiop")))
    msg = replies(line.api)[0]["messages"][0]
    check_limits(msg)
    assert "デジタル行政推進課" in msg["text"] and "https://www.city.funabashi.lg.jp/" in msg["text"]
    labels = [i["action"]["label"] for i in msg["quickReply"]["items"]]
    assert len(labels) >= 3 and labels[-1] == "使い方"


def postback_event(data: str, *, n: int) -> dict:
    return {"type": "postback", "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": "Uabcdef0123456789"}, "webhookEventId": f"01HPOST{n:04d}",
            "deliveryContext": {"isRedelivery": False}, "replyToken": f"reply-token-{n}", "postback": {"data": data}}


def test_several_projects_come_as_one_carousel_with_buttons_that_answer(line) -> None:
    line.post(body(text_event("2-3-1と2-1-2の状況は？", n=71)))
    reply = replies(line.api)[0]
    ReplyMessageRequest.from_dict(reply)
    assert len(reply["messages"]) == 1
    msg = reply["messages"][0]
    check_limits(msg)
    model = FlexMessage.from_dict(msg)
    assert isinstance(model.contents, FlexCarousel) and len(model.contents.contents) == 2
    assert "\n" not in msg["altText"] and len(msg["altText"]) <= 100
    assert "2-3-1" in msg["altText"] and "2-1-2" in msg["altText"]
    blob = json.dumps(msg, ensure_ascii=False)
    assert "令和4年度" in blob and not re.search(r"(?<![A-Za-z0-9])R\d", blob)
    buttons = [c["action"] for bubble in msg["contents"]["contents"]
               for row in bubble["footer"]["contents"] if row["type"] == "box" for c in row["contents"]]
    assert [b["label"] for b in buttons[:3]] == ["KPI", "スケジュール", "概要"]
    assert all(b["type"] == "postback" for b in buttons)

    # Tapping "KPI" on 2-3-1's bubble answers 2-3-1's KPI.
    kpi = next(b for b in buttons if b["label"] == "KPI")
    line.post(body(postback_event(kpi["data"], n=72)))
    answer = replies(line.api, 2)[1]["messages"][0]
    check_limits(answer)
    text = json.dumps(answer, ensure_ascii=False)
    assert "RPA の活用拡充" in text and "7,552" in text

    # The button's project is now the conversation's: a typed follow-up means 2-3-1.
    line.post(body(text_event("そのスケジュールは？", n=73)))
    follow_up = replies(line.api, 3)[2]["messages"]
    assert "2-3-1" in follow_up[0]["text"] and "ロールモデル" in json.dumps(follow_up, ensure_ascii=False)


def test_rich_menu_areas_are_understood(line) -> None:
    from bot.line.richmenu import definition
    from handlers.answer import Contact

    line.responder.contact = Contact(name="船橋市 情報政策課", phone="047-436-0000", url="https://example.jp/ask",
                                     plan_url="https://example.jp/dx-plan")  # as DXBOT_CONTACT_* configure it

    areas = {a["action"]["label"]: a["action"]["data"] for a in definition()["areas"]}
    for n, label in enumerate(["用語を調べる", "事業一覧", "使い方", "問い合わせ"], start=81):
        line.post(body(postback_event(areas[label], n=n)))
    got = {r["replyToken"]: r["messages"][0] for r in replies(line.api, 4)}
    for m in got.values():
        check_limits(m)
    terms, projects, usage, contact = (got[f"reply-token-{n}"] for n in range(81, 85))
    assert "調べたい言葉を送ってください" in terms["text"]
    assert "マイナポータル" in [i["action"]["label"] for i in terms["quickReply"]["items"]]
    assert projects["type"] == "flex" and "1-1-1 オンライン申請の拡充" in json.dumps(projects, ensure_ascii=False)
    assert "マイナポータル" in usage["text"]
    assert "船橋市 情報政策課" in contact["text"] and "047-436-0000" in contact["text"]
    assert "https://example.jp/ask" in contact["text"] and "https://example.jp/dx-plan" in contact["text"]


def test_every_project_is_reached_from_the_rich_menus_list_by_taps(line) -> None:
    """事業一覧 (the rich menu) lists all 26 projects as tappable rows; a tap opens that project."""
    from bot.line.richmenu import definition

    data = next(a["action"]["data"] for a in definition()["areas"] if a["action"]["label"] == "事業一覧")
    line.post(body(postback_event(data, n=1)))
    msg = replies(line.api)[0]["messages"][0]
    carousel = msg["contents"]
    assert carousel["type"] == "carousel" and len(carousel["contents"]) == 3
    rows = [r["action"] for b in carousel["contents"] for r in b["body"]["contents"] if "action" in r]
    projects = {p.id for p in line.responder.catalog.projects.values()}
    assert len(projects) == 26 and {parse_qs(a["data"])["project"][0] for a in rows} == projects
    assert all(a["type"] == "postback" for a in rows) and "ほか" not in json.dumps(msg, ensure_ascii=False)

    last = next(a for a in rows if "project=5-1-2" in a["data"])  # the one the single bubble used to leave out
    assert last["displayText"] == "5-1-2の状況"
    line.post(body(postback_event(last["data"], n=2)))
    card = replies(line.api, 2)[1]["messages"][0]
    assert card["contents"]["header"]["contents"][0]["text"] == "事業 5-1-2"


def test_the_greeting_says_what_is_kept_and_offers_examples(line) -> None:
    follow = {"type": "follow", "mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": "01HFOLLOW2",
              "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": "U2"},
              "replyToken": "rt-follow-2", "follow": {"isUnblocked": False}}
    line.post(body(follow))
    msg = replies(line.api)[0]["messages"][0]
    check_limits(msg)
    assert "90日間保存" in msg["text"] and "匿名化" in msg["text"]
    labels = [i["action"]["label"] for i in msg["quickReply"]["items"]]
    assert "マイナポータルとは" in labels and labels[-1] == "使い方"


def test_unknown_postback_data_gets_the_help(line) -> None:
    for n, data in enumerate(["menu=../../etc", "project=9-9-9&intent=project_kpi", "%%%", ""], start=91):
        line.post(body(postback_event(data, n=n)))
    got = {r["replyToken"]: r["messages"] for r in replies(line.api, 4)}
    for n in (91, 93, 94):
        assert "マイナポータル" in got[f"reply-token-{n}"][0]["text"]  # the help's examples
    assert "わかりません" in got["reply-token-92"][0]["text"]  # an unknown project is not guessed
    for messages in got.values():
        for m in messages:
            check_limits(m)


def test_what_the_queue_keeps_of_an_event_is_all_that_answering_it_needs() -> None:
    from bot.line.inbound import Incoming, classify

    item = classify({**text_event("LGWANとは", n=7), "source": {"type": "group", "groupId": "Cg1", "userId": "U1"}})
    assert Incoming.from_payload(json.loads(json.dumps(item.payload()))) == item
    assert (item.kind, item.to, item.user_id, item.reply_token) == ("text", "Cg1", "U1", "reply-token-7")
