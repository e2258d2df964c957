"""What the Slack door checks before anything reads a request: the signature (with a timestamp that
is really a number), and that a signed payload has the shape Bolt and our listeners read.

slack_sdk's SignatureVerifier calls ``int()`` on the timestamp header unguarded (``abc``, an empty
header or ``1e10`` raised, a 500 to an unauthenticated caller) and compares the signature as text
(a non-ASCII header raised too). Here every header is read as bytes-safe text and any doubt is a
plain "invalid".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.limits import clean_json, may_need_cleaning

WINDOW_SECONDS = 300  # Slack's own replay window
_MAX_TIMESTAMP_DIGITS = 12  # seconds since 1970 have 10 digits until the year 2286


def signature_valid(*, secret: str, body: bytes, headers: Mapping[str, str], now: float) -> bool:
    """Slack's ``v0=HMAC_SHA256(secret, "v0:{ts}:{body}")`` inside the 5-minute window."""
    stamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= _MAX_TIMESTAMP_DIGITS):
        return False
    if abs(now - int(stamp)) > WINDOW_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


# The keys Bolt and our listeners read, and the type each must have when present (None counts as
# absent: every reader falls back on ``or {}``). Keys not listed are never read, so never checked.
_TOP: dict[str, type | tuple[type, ...]] = {
    "type": str, "event": dict, "actions": list, "view": dict, "container": dict, "message": dict,
    "callback_id": str, "trigger_id": str, "response_url": str, "event_id": str, "action_id": str, "block_id": str,
    "value": str, "api_app_id": str, "team_id": str, "enterprise_id": str, "command": str, "text": str,
    "user_id": str, "channel_id": str, "state": dict, "authorizations": list, "challenge": str,
    # Bolt reads these as an id or as an object with one
    "user": (str, dict), "team": (str, dict), "channel": (str, dict), "enterprise": (str, dict)}
# Interactions carry who acted as an object, which the listeners read.
_INTERACTIONS = {"block_actions", "block_suggestion", "view_submission", "view_closed", "shortcut", "message_action",
                 "interactive_message", "dialog_submission"}
_NESTED: dict[str, dict[str, type]] = {
    "event": {"type": str, "user": str, "text": str, "ts": str, "thread_ts": str, "channel": str,
              "channel_type": str, "subtype": str, "bot_id": str, "tab": str, "event_ts": str},
    "view": {"id": str, "callback_id": str, "private_metadata": str, "state": dict, "type": str, "hash": str,
             "team_id": str, "app_id": str, "external_id": str, "root_view_id": str, "previous_view_id": str},
    "user": {"id": str, "name": str, "username": str, "team_id": str},
    "team": {"id": str, "domain": str, "enterprise_id": str},
    "enterprise": {"id": str, "name": str},
    "channel": {"id": str, "name": str},
    "container": {"type": str, "channel_id": str, "message_ts": str, "thread_ts": str, "view_id": str},
    "message": {"ts": str, "thread_ts": str, "text": str, "user": str, "bot_id": str},
}
_ACTION = {"action_id": str, "block_id": str, "value": str, "type": str, "action_ts": str, "selected_option": dict}


_WEB_ADDRESS = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?(?:/[\x21-\x7e]*)?$")


def _fits(data: Mapping[str, Any], shape: Mapping[str, type | tuple[type, ...]]) -> bool:
    return all(data.get(key) is None or isinstance(data[key], kind) for key, kind in shape.items())


def _values_fit(view: Mapping[str, Any]) -> bool:
    """A view's ``state.values``: block id -> action id -> the input's value (an object)."""
    state = view.get("state") or {}
    values = state.get("values")
    if values is None:
        return True
    return isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(v, dict) for v in block.values()) for block in values.values())


def well_formed(payload: Any) -> bool:
    """Whether a signed payload has the shapes that are read from it (anything else is acknowledged
    and ignored: a Slack payload of a shape we do not know is not a reason to fail)."""
    if not isinstance(payload, dict) or not _fits(payload, _TOP):
        return False
    if not all(not isinstance(payload.get(k), dict) or _fits(payload[k], shape) for k, shape in _NESTED.items()):
        return False
    if payload.get("type") in _INTERACTIONS and not isinstance(payload.get("user"), dict):
        return False
    if not all(isinstance(a, dict) and _fits(a, {"is_enterprise_install": bool, "team_id": str})
               for a in payload.get("authorizations") or []):
        return False
    if payload.get("response_url") and not _WEB_ADDRESS.match(payload["response_url"]):
        return False  # Slack's is always an https address: anything else cannot be answered through
    actions = payload.get("actions") or []
    if not all(isinstance(a, dict) and _fits(a, _ACTION) for a in actions):
        return False
    if not all(isinstance((a.get("selected_option") or {}).get("value", ""), str) for a in actions):
        return False
    return _values_fit(payload.get("view") or {})


def parsed(body: bytes, *, content_type: str) -> tuple[Any, bytes]:
    """The payload a body carries, read as Bolt reads it (slack_bolt.request.internals.parse_body: a
    JSON body, a form's ``payload`` field, or a slash command's form itself), and the body to hand
    on, with lone surrogates and control characters in its strings made harmless. ValueError when
    it is not readable at all."""
    text = body.decode("utf-8")
    if not text:
        return {}, body
    if content_type.split(";")[0] == "application/json" or text.startswith("{"):  # Bolt drops parameters too
        raw = json.loads(text)
        if not may_need_cleaning(body):
            return raw, body
        clean = clean_json(raw)
        return clean, (body if clean == raw else json.dumps(clean, ensure_ascii=False).encode())
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" not in text:
        return fields, body
    if fields.get("payload") is None:
        return {}, body
    raw = json.loads(fields["payload"])
    if not may_need_cleaning(fields["payload"]):
        return raw, body
    clean = clean_json(raw)
    if clean == raw:
        return clean, body
    return clean, urlencode({**fields, "payload": json.dumps(clean, ensure_ascii=False)}).encode()
