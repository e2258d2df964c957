"""/dx answers privately; 「チャンネルに共有」 posts the same answer in the channel for everyone."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.render import MAX_BLOCKS, render
from handlers import Context, Responder
from handlers.answer import Answer

log = logging.getLogger("dxbot.slack")
ACTION = "dx_share"
NOT_SHARED = {"help", "unknown"}  # nothing the channel needs to see


def with_share_button(message: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """The private answer with a button that shares it; the button carries the question, not the answer."""
    if answer.intent in NOT_SHARED:
        return message
    value = json.dumps({"q": answer.query[:1000], "p": answer.assumed_project, "lang": answer.lang}, ensure_ascii=False)
    label = "Share in channel" if answer.lang == "en" else "チャンネルに共有"
    button = {"type": "actions", "block_id": "dx_share", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": ACTION, "value": value}]}
    return {**message, "blocks": message["blocks"][: MAX_BLOCKS - 1] + [button]}


def register(app: App, *, responder: Responder) -> None:
    @app.action(ACTION)
    def share(ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient,
              respond: Callable[..., Any]) -> None:
        ack()
        try:  # the value comes back from the client: read it as if forged
            data = json.loads(action.get("value") or "")
            question = str(data["q"])[:1000]
            last = data.get("p") if isinstance(data.get("p"), str) else None
        except (ValueError, KeyError, TypeError):
            respond(response_type="ephemeral", replace_original=False, text="このボタンの内容を読み取れませんでした。")
            return
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        en = data.get("lang") == "en"
        if not channel:  # an action from a view with no conversation behind it: nowhere to post
            respond(response_type="ephemeral", replace_original=False,
                    text="Cannot share from here." if en else "ここからは共有できません。")
            return
        responder.refresh()
        answer = responder.answer(question, audience="staff", context=Context(last_project=last))
        message = render(answer)
        by = f"<@{user}> shared this from /dx" if en else f"<@{user}> さんが /dx の回答を共有しました"
        blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": by}]}] + message["blocks"][: MAX_BLOCKS - 1]
        try:
            client.chat_postMessage(channel=channel, text=message["text"], blocks=blocks)
        except SlackApiError as exc:  # not a member of the channel, or a DM the bot cannot post in
            log.info("share to %s refused: %s", channel, exc.response.get("error"))
            respond(response_type="ephemeral", replace_original=False, text=(
                "I can't post in this channel: invite me first (/invite @dxbot)." if en else
                "このチャンネルには投稿できませんでした。先に /invite @dxbot で招待してください。"))
            return
        respond(delete_original=True)  # the private copy is no longer needed
