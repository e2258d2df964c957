"""👍 / 👎 under every Slack answer; after 👎 a modal asks for an optional one-line reason."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.render import MAX_BLOCKS
from state.feedback import REASON_LIMIT, Feedback

log = logging.getLogger("dxbot.slack")
UP, DOWN = "dx_feedback_up", "dx_feedback_down"
REASON_VIEW = "dx_feedback_reason"
_WORDS = {
    "ja": {"up": "役に立った", "down": "役に立たなかった", "thanks": "ご意見ありがとうございます。", "title": "ご意見",
           "label": "どこがよくなかったですか（任意・1行）", "send": "送る", "close": "閉じる"},
    "en": {"up": "Helpful", "down": "Not helpful", "thanks": "Thank you for your feedback.", "title": "Feedback",
           "label": "What was wrong with it? (optional, one line)", "send": "Send", "close": "Close"},
}


def feedback_block(answer_id: str, lang: str) -> dict[str, Any]:
    """The two buttons; each carries the answer's id (and its language, for the modal)."""
    words = _WORDS.get(lang, _WORDS["ja"])
    value = json.dumps({"a": answer_id, "l": lang})
    return {"type": "actions", "block_id": "dx_feedback", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": f"👍 {words['up']}", "emoji": True},
         "action_id": UP, "value": value},
        {"type": "button", "text": {"type": "plain_text", "text": f"👎 {words['down']}", "emoji": True},
         "action_id": DOWN, "value": value},
    ]}


def with_feedback(message: dict[str, Any], answer_id: str, lang: str) -> dict[str, Any]:
    """The message (not changed: a drawing may be shared) with the buttons as its last block."""
    return {**message, "blocks": list(message.get("blocks", []))[: MAX_BLOCKS - 1] + [feedback_block(answer_id, lang)]}


def _read(action: dict[str, Any]) -> tuple[str, str]:
    """(answer id, language) from a button's value, read as if forged."""
    try:
        data = json.loads(action.get("value") or "")
        return str(data["a"]), "en" if data.get("l") == "en" else "ja"
    except (ValueError, KeyError, TypeError):
        return "", "ja"


def reason_modal(answer_id: str, lang: str) -> dict[str, Any]:
    words = _WORDS[lang]
    return {"type": "modal", "callback_id": REASON_VIEW, "private_metadata": json.dumps({"a": answer_id, "l": lang}),
            "title": {"type": "plain_text", "text": words["title"]},
            "submit": {"type": "plain_text", "text": words["send"]},
            "close": {"type": "plain_text", "text": words["close"]},
            "blocks": [{"type": "input", "block_id": "reason", "optional": True,
                        "label": {"type": "plain_text", "text": words["label"]},
                        "element": {"type": "plain_text_input", "action_id": "reason",
                                    "max_length": REASON_LIMIT}}]}


def register(app: App, *, feedback: Feedback, clock: Callable[[], datetime]) -> None:
    @app.action(UP)
    @app.action(DOWN)
    def vote(ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient,
             respond: Callable[..., Any]) -> None:
        ack()
        answer_id, lang = _read(action)
        user = (body.get("user") or {}).get("id", "")
        choice = "up" if action.get("action_id") == UP else "down"
        if not feedback.vote(answer_id, vote=choice, channel="slack", user_id=user, now=clock()):
            return
        if choice == "down" and body.get("trigger_id"):
            try:
                client.views_open(trigger_id=body["trigger_id"], view=reason_modal(answer_id, lang))
                return
            except SlackApiError as exc:  # the vote is kept; only the reason is not asked
                log.warning("feedback: the reason modal did not open: %s", exc)
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, text=_WORDS[lang]["thanks"])

    @app.view(REASON_VIEW)
    def reason(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        try:
            answer_id = str(json.loads(view.get("private_metadata") or "")["a"])
        except (ValueError, KeyError, TypeError):
            return
        text = (((view.get("state") or {}).get("values") or {}).get("reason") or {}).get("reason") or {}
        feedback.reason(answer_id, user_id=(body.get("user") or {}).get("id", ""), text=text.get("value") or "",
                        now=clock())
