"""LINE webhook events -> what the bot does with them. The only code that reads LINE's event models."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from linebot.v3.webhooks import Event, FollowEvent, MessageEvent, PostbackEvent, TextMessageContent


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
        """What the inbound queue keeps to answer it later (plain JSON)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Incoming":
        return cls(**{k: v for k, v in payload.items() if k in cls.__dataclass_fields__})


def classify(event: Event) -> Incoming:
    """Unknown and unsupported events become "ignore": they never crash the webhook."""
    event_id = getattr(event, "webhook_event_id", None) or ""
    source = getattr(event, "source", None)
    user_id = getattr(source, "user_id", None) if source is not None else None
    to = getattr(source, "group_id", None) or getattr(source, "room_id", None) or user_id
    token = getattr(event, "reply_token", None)
    ts = int(getattr(event, "timestamp", 0) or 0)
    delivery = getattr(event, "delivery_context", None)
    redelivery = bool(getattr(delivery, "is_redelivery", False))
    if isinstance(event, MessageEvent):
        if isinstance(event.message, TextMessageContent):
            return Incoming("text", event_id, event.message.text or "", user_id, token, ts, redelivery, to)
        return Incoming("non_text", event_id, "", user_id, token, ts, redelivery, to)
    if isinstance(event, PostbackEvent):
        data = getattr(event.postback, "data", "") or ""
        return Incoming("postback", event_id, data, user_id, token, ts, redelivery, to)
    if isinstance(event, FollowEvent):
        return Incoming("follow", event_id, "", user_id, token, ts, redelivery, to)
    return Incoming("ignore", event_id, "", user_id, token, ts, redelivery, to)
