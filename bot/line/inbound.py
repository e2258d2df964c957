"""LINE webhook events -> what the bot does with them. The only code that reads LINE's event shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Incoming:
    kind: str  # "text" | "postback" (text holds its data) | "follow" | "non_text" | "ignore"
    event_id: str
    text: str = ""
    user_id: str | None = None
    reply_token: str | None = None
    timestamp_ms: int = 0
    redelivery: bool = False
    to: str | None = None  # where a push goes: the group or room it was said in, else the user

    def payload(self) -> dict[str, Any]:
        """What the inbound queue keeps to answer it later (plain JSON). Built field by field:
        dataclasses.asdict deep-copies recursively and cost more than the rest of the ack."""
        return {"kind": self.kind, "event_id": self.event_id, "text": self.text, "user_id": self.user_id,
                "reply_token": self.reply_token, "timestamp_ms": self.timestamp_ms, "redelivery": self.redelivery,
                "to": self.to}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Incoming:
        return cls(**{k: v for k, v in payload.items() if k in cls.__dataclass_fields__})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def events_of(body: Any) -> list[Any]:
    """The events of a webhook body (parsed JSON); ValueError when it is not a LINE webhook body.

    Read from the JSON itself rather than through the SDK's WebhookParser: building its pydantic
    models cost 45 µs per event, more than the rest of the acknowledgement. The SDK's event
    classes still document the shapes read here.
    """
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise ValueError("not a LINE webhook body: no events list")
    return events


MAX_TEXT = 5_000  # LINE's own limit on a text message: anything longer is not LINE's


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def classify(event: Any) -> Incoming:
    """One webhook event (JSON) -> what to do. Unknown, unsupported and malformed events become
    "ignore": they never crash the webhook, and never take a place in the queue. An event with
    nowhere to answer (no reply token, no user, group or room) is malformed too."""
    event = _dict(event)
    source = _dict(event.get("source"))
    user_id = _str(source.get("userId"))
    to = _str(source.get("groupId")) or _str(source.get("roomId")) or user_id
    token = _str(event.get("replyToken"))
    stamp = event.get("timestamp")
    ts = int(stamp) if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and 0 <= stamp < 1e15 else 0
    redelivery = _dict(event.get("deliveryContext")).get("isRedelivery") is True
    kind, text = _kind(event)
    if not (token or to) or not isinstance(event.get("webhookEventId") or "", str):
        kind, text = "ignore", ""
    return Incoming(kind, _str(event.get("webhookEventId")) or "", text, user_id, token, ts, redelivery, to)


def _kind(event: dict[str, Any]) -> tuple[str, str]:
    """What an event asks (its kind) and its text; "ignore" for a type or a shape we do not answer."""
    match event.get("type"):
        case "message":
            message = _dict(event.get("message"))
            if message.get("type") != "text":
                return "non_text", ""
            text = message.get("text")
            return ("text", text) if isinstance(text, str) and len(text) <= MAX_TEXT else ("ignore", "")
        case "postback":
            data = _dict(event.get("postback")).get("data")
            return ("postback", data) if isinstance(data, str) and len(data) <= MAX_TEXT else ("ignore", "")
        case "follow":
            return "follow", ""
    return "ignore", ""
