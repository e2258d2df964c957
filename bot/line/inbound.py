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


def classify(event: Any) -> Incoming:
    """One webhook event (JSON) -> what to do. Unknown, unsupported and malformed events become
    "ignore": they never crash the webhook."""
    event = _dict(event)
    event_id = str(event.get("webhookEventId") or "")
    source = _dict(event.get("source"))
    user_id = source.get("userId") or None
    to = source.get("groupId") or source.get("roomId") or user_id
    token = event.get("replyToken") or None
    stamp = event.get("timestamp")
    ts = int(stamp) if isinstance(stamp, (int, float)) else 0
    redelivery = bool(_dict(event.get("deliveryContext")).get("isRedelivery", False))
    kind, text = "ignore", ""
    match event.get("type"):
        case "message":
            message = _dict(event.get("message"))
            is_text = message.get("type") == "text"
            kind, text = ("text", str(message.get("text") or "")) if is_text else ("non_text", "")
        case "postback":
            kind, text = "postback", str(_dict(event.get("postback")).get("data") or "")
        case "follow":
            kind = "follow"
    return Incoming(kind, event_id, text, user_id, token, ts, redelivery, to)
