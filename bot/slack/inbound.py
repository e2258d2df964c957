"""Slack payloads -> what the handler needs. The only code that reads Slack's payload shapes."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

DM_CONTEXT_TTL = timedelta(minutes=10)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Question:
    text: str
    user: str
    channel: str
    thread_ts: str | None  # reply in this thread (None: reply in the channel or DM itself)
    context_key: str
    context_ttl: timedelta | None


@dataclass(frozen=True)
class Pick:
    """A button press: show ``intent`` for a project, or a glossary term."""

    kind: str
    id: str
    intent: str
    user: str
    channel: str | None
    thread_ts: str | None
    response_url: str | None
    lang: str = "ja"  # a button on an English answer asks for an English one


def strip_mentions(text: str) -> str:
    return _MENTION.sub(" ", text or "").strip()


def from_mention(event: dict[str, Any]) -> Question:
    thread = event.get("thread_ts") or event["ts"]
    return Question(strip_mentions(event.get("text", "")), event.get("user", ""), event["channel"], thread,
                    f"slack:{event['channel']}:{thread}", None)


def from_direct_message(event: dict[str, Any]) -> Question | None:
    """A DM from a person; None for bot messages, edits and other subtypes."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None
    thread = event.get("thread_ts")
    if thread:
        return Question(strip_mentions(event.get("text", "")), event.get("user", ""), event["channel"], thread,
                        f"slack:{event['channel']}:{thread}", None)
    return Question(strip_mentions(event.get("text", "")), event.get("user", ""), event["channel"], None,
                    f"slack:dm:{event['channel']}", DM_CONTEXT_TTL)


# What the inbound queue keeps of an event: enough to answer it, nothing more (no blocks, no tokens).
_KEPT = ("type", "user", "text", "ts", "thread_ts", "channel", "channel_type", "subtype", "bot_id", "tab")


def queued(body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """An Events API callback that needs work: (event_id, what the queue keeps). None when there is
    nothing to do (the bot's own messages, edits, event types we do not answer)."""
    if body.get("type") != "event_callback":
        return None
    event = body.get("event") or {}
    kind = event.get("type")
    if kind in {"app_mention", "message"} and not (event.get("channel") and event.get("ts")):
        return None  # malformed: nowhere to answer
    if not (kind in {"app_mention", "app_home_opened"} or (kind == "message" and from_direct_message(event))):
        return None
    kept = {k: event[k] for k in _KEPT if k in event}
    event_id = body.get("event_id") or "slack:" + hashlib.sha256(
        json.dumps(kept, sort_keys=True).encode()).hexdigest()[:24]
    return str(event_id), {"event": kept}


def question(event: dict[str, Any]) -> Question | None:
    """The question in a queued mention or DM (None for anything else)."""
    if event.get("type") == "app_mention":
        return from_mention(event)
    if event.get("type") == "message":
        return from_direct_message(event)
    return None


def from_command(command: dict[str, Any]) -> Question:
    return Question(command.get("text", ""), command.get("user_id", ""), command.get("channel_id", ""), None,
                    f"slack:cmd:{command.get('user_id', '')}", DM_CONTEXT_TTL)


def from_action(body: dict[str, Any], action: dict[str, Any], *, intent: str | None = None) -> Pick:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    thread = message.get("thread_ts") or message.get("ts")
    value = action.get("value") or (action.get("selected_option") or {}).get("value", "")  # a button or a select
    lang = "ja"
    if intent is not None and not value.startswith("{"):  # project card buttons carry the project id
        kind, ident = "project", value
    else:
        try:
            data = json.loads(value)
            kind, ident = data["kind"], data["id"]
            intent = intent or data.get("intent", "project_status")
            lang = "en" if data.get("lang") == "en" else "ja"
        except (ValueError, KeyError, TypeError, AttributeError):
            kind, ident, intent = "project", value, intent or "project_status"
    return Pick(kind, ident, intent or "project_status", (body.get("user") or {}).get("id", ""), channel,
                thread, body.get("response_url"), lang)
