"""What the real Slack and LINE APIs refuse, checked on every request our fakes receive.

Each payload is read with the platforms' official models (``linebot.v3.messaging``,
``slack_sdk.models``) and written back: a key the model does not know, or a value it cannot
read, is missing from the round trip and reported. The models do not know every rule, so the
documented ones are checked here too: non-empty texts, character limits, counts and sizes.

Sources: https://developers.line.biz/en/reference/messaging-api/ (message objects, Flex
containers and components, action objects and "Specifications of the label", rich menu object)
and https://api.slack.com/reference/block-kit (blocks, composition objects, views).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from linebot.v3.messaging import Message, PushMessageRequest, ReplyMessageRequest, RichMenuRequest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# ------------------------------------------------------------------ LINE
LINE_TEXT = 5000  # a text message
LINE_ALT_TEXT = 1500  # a Flex message's altText
LINE_MESSAGES = 5  # per reply or push
LINE_QUICK_REPLIES = 13
LINE_CAROUSEL_BUBBLES = 12
LINE_BUBBLE_BYTES = 30_000  # "30 KB"; read as the stricter decimal kilobytes
LINE_CAROUSEL_BYTES = 50_000
LINE_LABEL = {"quick_reply": 20, "rich_menu": 20, "flex_button": 40, "flex": 40}  # the label spec, per place
LINE_LABEL_REQUIRED = {"quick_reply", "flex_button"}
LINE_ACTION_TEXT = 300  # message action text, postback data and displayText
LINE_URI = 1000
LINE_CHAT_BAR = 14
LINE_MENU_AREAS = 20

_LINE_SENDS = {"/v2/bot/message/reply": ReplyMessageRequest, "/v2/bot/message/push": PushMessageRequest}


def utf16(text: str) -> int:
    """LINE counts text in UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def lost_in_round_trip(original: Any, parsed: Any, where: str) -> list[str]:
    """Every key or value of ``original`` that the model's ``to_dict`` did not give back."""
    if isinstance(original, dict):
        if not isinstance(parsed, dict):
            return [f"{where}: read as {parsed!r:.80}"]
        out: list[str] = []
        for key, value in original.items():
            if key not in parsed:
                out.append(f"{where}.{key}: not accepted by the model (unknown, empty or invalid): {value!r:.80}")
            else:
                out += lost_in_round_trip(value, parsed[key], f"{where}.{key}")
        return out
    if isinstance(original, list):
        if not isinstance(parsed, list) or len(parsed) != len(original):
            return [f"{where}: {len(original)} items read as {parsed!r:.80}"]
        return [p for n, (o, q) in enumerate(zip(original, parsed, strict=True))
                for p in lost_in_round_trip(o, q, f"{where}[{n}]")]
    return [] if original == parsed else [f"{where}: {original!r:.80} read as {parsed!r:.80}"]


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def line_action_violations(action: Any, where: str, *, place: str) -> list[str]:
    if not isinstance(action, dict):
        return [f"{where}: an action must be an object"]
    out: list[str] = []
    label = action.get("label")
    if label is None or label == "":
        if place in LINE_LABEL_REQUIRED:
            out.append(f"{where}.label: required here, must be non-empty text")
    elif len(label) > LINE_LABEL[place]:
        out.append(f"{where}.label: {len(label)} characters, at most {LINE_LABEL[place]} here: {label!r}")
    kind = action.get("type")
    if kind == "message" and not 0 < utf16(action.get("text") or "") <= LINE_ACTION_TEXT:
        out.append(f"{where}.text: must be non-empty text of at most {LINE_ACTION_TEXT} characters")
    if kind == "postback":
        if not 0 < utf16(action.get("data") or "") <= LINE_ACTION_TEXT:
            out.append(f"{where}.data: must be 1 to {LINE_ACTION_TEXT} characters")
        if utf16(action.get("displayText") or "") > LINE_ACTION_TEXT:
            out.append(f"{where}.displayText: over {LINE_ACTION_TEXT} characters")
    if kind == "uri":
        uri = action.get("uri") or ""
        if not uri.startswith(("http://", "https://", "line://", "tel:")) or len(uri) > LINE_URI:
            out.append(f"{where}.uri: must be http, https, line or tel and at most {LINE_URI} characters")
    return out


def _flex_nodes(node: Any, where: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every object inside a Flex container, with where it is."""
    if isinstance(node, dict):
        yield node, where
        for key, value in node.items():
            if key != "action":
                yield from _flex_nodes(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _flex_nodes(value, f"{where}[{n}]")


def flex_violations(container: Any, where: str) -> list[str]:
    if not isinstance(container, dict):
        return [f"{where}: a Flex container must be an object"]
    out: list[str] = []
    if container.get("type") == "carousel":
        bubbles = container.get("contents") or []
        if not 0 < len(bubbles) <= LINE_CAROUSEL_BUBBLES:
            out.append(f"{where}.contents: {len(bubbles)} bubbles, a carousel holds 1 to {LINE_CAROUSEL_BUBBLES}")
        if _size(container) > LINE_CAROUSEL_BYTES:
            out.append(f"{where}: carousel of {_size(container)} bytes, at most {LINE_CAROUSEL_BYTES}")
        for n, bubble in enumerate(bubbles):
            if _size(bubble) > LINE_BUBBLE_BYTES:
                out.append(f"{where}.contents[{n}]: bubble of {_size(bubble)} bytes, at most {LINE_BUBBLE_BYTES}")
    elif _size(container) > LINE_BUBBLE_BYTES:
        out.append(f"{where}: bubble of {_size(container)} bytes, at most {LINE_BUBBLE_BYTES}")
    for node, at in _flex_nodes(container, where):
        kind = node.get("type")
        if kind == "text" and not node.get("contents") and not node.get("text"):
            out.append(f"{at}.text: must be non-empty text")  # a text needs its text unless it has spans
        if kind == "span" and not node.get("text"):
            out.append(f"{at}.text: must be non-empty text")
        if "action" in node:
            place = "flex_button" if kind == "button" else "flex"
            out += line_action_violations(node["action"], f"{at}.action", place=place)
    return out


def line_message_violations(message: Any, where: str = "message") -> list[str]:
    """What the Messaging API would refuse in one message object."""
    if not isinstance(message, dict):
        return [f"{where}: a message must be an object"]
    try:
        model = Message.from_dict(message)
    except Exception as exc:  # the SDK raises pydantic's errors, ValueError or TypeError
        return [f"{where}: the SDK's model refuses it: {exc}"]
    if model is None:
        return [f"{where}: unknown message type {message.get('type')!r}"]
    out = lost_in_round_trip(message, model.to_dict(), where)
    if message.get("type") == "text":
        text = message.get("text") or ""
        if not 0 < utf16(text) <= LINE_TEXT:
            out.append(f"{where}.text: must be non-empty text of at most {LINE_TEXT} characters ({utf16(text)})")
    if message.get("type") == "flex":
        alt = message.get("altText") or ""
        if not 0 < utf16(alt) <= LINE_ALT_TEXT:
            out.append(f"{where}.altText: must be non-empty text of at most {LINE_ALT_TEXT} characters ({utf16(alt)})")
        out += flex_violations(message.get("contents"), f"{where}.contents")
    items = (message.get("quickReply") or {}).get("items")
    if items is not None:
        if not 0 < len(items) <= LINE_QUICK_REPLIES:
            out.append(f"{where}.quickReply.items: {len(items)} items, 1 to {LINE_QUICK_REPLIES} allowed")
        for n, item in enumerate(items):
            out += line_action_violations((item or {}).get("action"), f"{where}.quickReply.items[{n}].action",
                                          place="quick_reply")
    return out


def line_messages_violations(messages: Any, where: str = "messages") -> list[str]:
    if not isinstance(messages, list) or not 0 < len(messages) <= LINE_MESSAGES:
        return [f"{where}: 1 to {LINE_MESSAGES} messages per request, got {messages!r:.80}"]
    return [p for n, m in enumerate(messages) for p in line_message_violations(m, f"{where}[{n}]")]


def rich_menu_violations(menu: Any) -> list[str]:
    try:
        model = RichMenuRequest.from_dict(menu)
    except Exception as exc:
        return [f"richmenu: the SDK's model refuses it: {exc}"]
    out = lost_in_round_trip(menu, model.to_dict(), "richmenu")
    if not 0 < len(menu.get("chatBarText") or "") <= LINE_CHAT_BAR:
        out.append(f"richmenu.chatBarText: 1 to {LINE_CHAT_BAR} characters")
    areas = menu.get("areas") or []
    if not 0 < len(areas) <= LINE_MENU_AREAS:
        out.append(f"richmenu.areas: 1 to {LINE_MENU_AREAS} areas, got {len(areas)}")
    for n, area in enumerate(areas):
        out += line_action_violations(area.get("action"), f"richmenu.areas[{n}].action", place="rich_menu")
    return out


def line_request_violations(method: str, path: str, body: bytes) -> list[str]:
    """What the Messaging API would answer 400 to, for the requests dxbot makes."""
    if method != "POST" or not (path in _LINE_SENDS or path == "/v2/bot/richmenu"):
        return []
    try:
        data = json.loads(body)
    except ValueError as exc:
        return [f"{path}: the body is not JSON: {exc}"]
    if path == "/v2/bot/richmenu":
        return rich_menu_violations(data)
    try:
        model = _LINE_SENDS[path].from_dict(data)
    except Exception as exc:
        return [f"{path}: the SDK's model refuses it: {exc}"]
    out = [p for p in lost_in_round_trip(data, model.to_dict(), "request") if not p.startswith("request.messages")]
    return out + line_messages_violations(data.get("messages"))


# ------------------------------------------------------------------ Slack
SLACK_MESSAGE_BLOCKS = 50
SLACK_VIEW_BLOCKS = 100
SLACK_TEXT = 40_000  # chat.postMessage's text: longer is refused (msg_too_long)
SLACK_MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
SLACK_VIEW_METHODS = {"views.open", "views.publish", "views.update", "views.push"}


def _decoded(value: Any) -> Any:
    """Form-encoded calls carry blocks and views as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _empty_texts(node: Any, where: str) -> Iterator[str]:
    """Text objects whose text is empty: Slack refuses them ("must be more than 0 characters")."""
    if isinstance(node, dict):
        if node.get("type") in {"plain_text", "mrkdwn"} and not node.get("text"):
            yield f"{where}.text: must be non-empty text"
        for key, value in node.items():
            yield from _empty_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _empty_texts(value, f"{where}[{n}]")


def slack_block_violations(block: Any, where: str) -> list[str]:
    """One block as Block Kit reads it: the model's own limits, then its round trip."""
    if not isinstance(block, dict):
        return [f"{where}: a block must be an object"]
    out = list(_empty_texts(block, where))
    parsed = Block.parse(block)
    if parsed is None:
        return [*out, f"{where}: unknown block type {block.get('type')!r}"]
    try:
        written = parsed.to_dict()  # runs the model's validation (lengths, counts)
    except SlackObjectFormationError as exc:
        return [*out, f"{where}: {exc}"]
    return out + lost_in_round_trip(block, written, where)


def slack_message_violations(message: Any, where: str = "message") -> list[str]:
    """A message as chat.postMessage, chat.update or a response_url would take it."""
    if not isinstance(message, dict):
        return [f"{where}: not an object"]
    if message.get("delete_original"):
        return []
    blocks = _decoded(message.get("blocks"))
    text = message.get("text") or ""
    out: list[str] = []
    if not blocks and not text.strip() and not message.get("attachments"):
        out.append(f"{where}: no_text (neither text nor blocks)")
    if len(text) > SLACK_TEXT:
        out.append(f"{where}.text: msg_too_long ({len(text)} characters)")
    if blocks:
        if not isinstance(blocks, list) or len(blocks) > SLACK_MESSAGE_BLOCKS:
            out.append(f"{where}.blocks: at most {SLACK_MESSAGE_BLOCKS} blocks in a message")
        else:
            out += [p for n, b in enumerate(blocks) for p in slack_block_violations(b, f"{where}.blocks[{n}]")]
    return out


def slack_view_violations(view: Any, where: str = "view") -> list[str]:
    view = _decoded(view)
    if not isinstance(view, dict):
        return [f"{where}: not an object"]
    out = [p for n, b in enumerate(view.get("blocks") or []) for p in slack_block_violations(b, f"{where}.blocks[{n}]")]
    out += [p for key in ("title", "submit", "close") for p in _empty_texts(view.get(key), f"{where}.{key}")]
    if len(view.get("blocks") or []) > SLACK_VIEW_BLOCKS:
        out.append(f"{where}.blocks: at most {SLACK_VIEW_BLOCKS} blocks in a view")
    try:
        written = View(**view).to_dict()
    except (SlackObjectFormationError, TypeError) as exc:
        return [*out, f"{where}: {exc}"]
    return out + lost_in_round_trip({k: v for k, v in view.items() if k != "blocks"}, written, where)


def slack_request_violations(path: str, data: Any) -> list[str]:
    """What Slack would refuse in a Web API call or a response_url post (``data``: the decoded body)."""
    method = path.rsplit("/", 1)[-1]
    if method in SLACK_MESSAGE_METHODS or path.startswith("/respond/"):
        return slack_message_violations(data)
    if method in SLACK_VIEW_METHODS:
        return slack_view_violations(data.get("view") if isinstance(data, dict) else None)
    return []
