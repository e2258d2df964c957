"""LINE webhook events -> what the bot does with them. The only code that reads LINE's event models."""

from __future__ import annotations

from dataclasses import dataclass

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


def classify(event: Event) -> Incoming:
    """Unknown and unsupported events become "ignore": they never crash the webhook."""
    event_id = getattr(event, "webhook_event_id", None) or ""
    source = getattr(event, "source", None)
    user_id = getattr(source, "user_id", None) if source is not None else None
    token = getattr(event, "reply_token", None)
    ts = int(getattr(event, "timestamp", 0) or 0)
    delivery = getattr(event, "delivery_context", None)
    redelivery = bool(getattr(delivery, "is_redelivery", False))
    if isinstance(event, MessageEvent):
        if isinstance(event.message, TextMessageContent):
            return Incoming("text", event_id, event.message.text or "", user_id, token, ts, redelivery)
        return Incoming("non_text", event_id, "", user_id, token, ts, redelivery)
    if isinstance(event, PostbackEvent):
        data = getattr(event.postback, "data", "") or ""
        return Incoming("postback", event_id, data, user_id, token, ts, redelivery)
    if isinstance(event, FollowEvent):
        return Incoming("follow", event_id, "", user_id, token, ts, redelivery)
    return Incoming("ignore", event_id, "", user_id, token, ts, redelivery)
