"""The fake Slack and LINE APIs refuse what the real ones refuse, and a refusal fails the test."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from tests.fakes import REPO, line_api, slack_api


@pytest.fixture()
def line():
    api = line_api()
    yield api
    api.close()


@pytest.fixture()
def slack():
    api = slack_api()
    yield api
    api.close()


def bubble(*texts: str) -> dict:
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                       "contents": [{"type": "text", "text": t, "wrap": True} for t in texts]}}


def flex(contents: dict, **extra) -> dict:
    return {"type": "flex", "altText": "答え", "contents": contents, **extra}


def quick(label: str) -> dict:
    return {"items": [{"type": "action", "action": {"type": "message", "label": label, "text": "使い方"}}]}


def reply(api, *messages: dict, token: str = "t") -> httpx.Response:
    return httpx.post(api.url + "/v2/bot/message/reply", json={"replyToken": token, "messages": list(messages)})


def refused(api) -> list[str]:
    """What the fake refused so far; cleared, since these tests send it on purpose."""
    problems = [p for call in api.violations for p in call.violations]
    api.violations.clear()
    return problems


def test_line_refuses_an_empty_flex_text_as_the_real_api_does(line) -> None:
    r = reply(line, flex(bubble("", "二行目")))
    assert r.status_code == 400
    assert r.json()["details"] == [{"message": "must be non-empty text",
                                    "property": "messages[0].contents.body.contents[0].text"}]
    assert not line.delivered
    assert refused(line) == ["messages[0].contents.body.contents[0].text: must be non-empty text"]
    # A text with spans needs no text of its own.
    spans = {"type": "text", "contents": [{"type": "span", "text": "太字", "weight": "bold"}]}
    assert reply(line, flex({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [spans]}}),
                 token="t2").status_code == 200
    assert reply(line, {"type": "text", "text": ""}, token="t3").status_code == 400
    assert refused(line) == ["messages[0].text: must be non-empty text of at most 5000 characters (0)"]


def test_line_refuses_an_over_long_label_per_place(line) -> None:
    assert reply(line, {"type": "text", "text": "はい", "quickReply": quick("あ" * 21)}).status_code == 400
    assert "quickReply.items[0].action.label: 21 characters, at most 20" in refused(line)[0]
    button = {"type": "button", "action": {"type": "postback", "label": "い" * 40, "data": "x=1"}}
    ok = flex({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [button]}})
    assert reply(line, ok, token="t2").status_code == 200  # a Flex button's label may be 40 long
    button["action"]["label"] = "い" * 41
    assert reply(line, ok, token="t3").status_code == 400
    assert "label: 41 characters, at most 40" in refused(line)[0]


def test_line_refuses_unknown_keys_limits_and_counts(line) -> None:
    cases = {
        "unknown key": flex(bubble("本文"), color="#000000"),
        "altText too long": {**flex(bubble("本文")), "altText": "あ" * 1501},
        "13 bubbles": flex({"type": "carousel", "contents": [bubble("x")] * 13}),
        "14 quick replies": {"type": "text", "text": "はい", "quickReply": {"items": quick("a")["items"] * 14}},
        "big bubble": flex(bubble("字" * 10_001)),
    }
    for n, (case, message) in enumerate(cases.items()):
        assert reply(line, message, token=f"t{n}").status_code == 400, case
        assert len(refused(line)) == 1, case
    assert reply(line, *[{"type": "text", "text": "はい"}] * 6, token="six").status_code == 400
    assert refused(line) and reply(line, {"type": "text", "text": "はい"}, token="ok").status_code == 200


def test_slack_refuses_empty_texts_long_labels_and_unknown_keys(slack) -> None:
    def post(blocks: list[dict]) -> dict:
        return httpx.post(slack.url + "/api/chat.postMessage",
                          json={"channel": "C1", "text": "fallback", "blocks": blocks}).json()

    button = {"type": "button", "text": {"type": "plain_text", "text": "x" * 76}, "action_id": "a", "value": "v"}
    cases = {
        "empty header": [{"type": "header", "text": {"type": "plain_text", "text": ""}}],
        "long button": [{"type": "actions", "elements": [button]}],
        "long section": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        "unknown key": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": "red"}],
        "51 blocks": [{"type": "divider"}] * 51,
    }
    for case, blocks in cases.items():
        answer = post(blocks)
        assert answer["ok"] is False and answer["error"] == "invalid_blocks", case
        assert len(refused(slack)) >= 1, case
    assert not slack.messages  # nothing refused was posted
    assert post([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}])["ok"] is True


def test_slack_refuses_a_view_over_its_limits(slack) -> None:
    view = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    answer = httpx.post(slack.url + "/api/views.publish", json={"user_id": "U1", "view": view}).json()
    assert answer == {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": refused(slack)}}
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "長" * 25}, "blocks": [{"type": "divider"}]}
    assert httpx.post(slack.url + "/api/views.open", json={"trigger_id": "t", "view": json.dumps(modal)}).json()["ok"] is False
    assert "title" in refused(slack)[0]


def test_a_request_the_platform_would_refuse_fails_the_test(tmp_path) -> None:
    """The teardown check in tests/conftest.py turns a refused request into a failing test."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import platforms_accept_every_request  # noqa: F401\n")
    (tmp_path / "test_sends_bad.py").write_text(
        "import httpx\nfrom tests.fakes import line_api\n\n"
        "def test_bad():\n    api = line_api()\n"
        "    httpx.post(api.url + '/v2/bot/message/reply', json={'replyToken': 't', 'messages': [{'type': 'text', 'text': ''}]})\n"
        "    api.close()\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout and "must be non-empty text" in run.stdout
