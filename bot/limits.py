"""Limits every webhook applies before it parses anything: body size (read with a cap), JSON depth,
and text that is not text (lone surrogates, control characters)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

MAX_WEBHOOK_BODY = 1_048_576  # Slack and LINE: far above any real event, interaction or batch
MAX_JSON_DEPTH = 64  # real payloads nest about ten deep; Python's parser overflows near a thousand


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request too large (max {limit} bytes)")
        self.limit = limit


async def read_capped(request: Request, *, limit: int) -> bytes:
    """The request body, or :class:`BodyTooLarge` as soon as more than ``limit`` bytes arrive.

    A declared Content-Length over the limit is refused without reading; a body streamed without
    one (chunked) is read only up to the limit, so a huge upload costs at most ``limit`` bytes.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth(text: str | bytes) -> int:
    """How deep brackets nest in a JSON text (strings skipped); cheap, and never recursive."""
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    depth = deepest = 0
    in_string = escaped = False
    for ch in data:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _deeper_than_limit(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        opened = text.count(b"[") + text.count(b"{")
    else:
        opened = text.count("[") + text.count("{")
    # Fewer brackets than the limit cannot nest deeper than it: the usual case, counted in C.
    return opened > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH


def too_deep(body: bytes, *, content_type: str) -> bool:
    """True when a JSON body (or a form's JSON ``payload`` field, as Slack sends) nests too deep."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        fields = parse_qs(body.decode("utf-8", "replace"))
        return any(_deeper_than_limit(v) for values in fields.values() for v in values)
    return _deeper_than_limit(body)


def loads(raw: bytes | str) -> Any:
    """``json.loads`` that refuses deep nesting with ValueError instead of RecursionError."""
    if _deeper_than_limit(raw):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH}")
    return json.loads(raw)


# A JSON string may spell a lone surrogate (\ud800), which no encoder writes: SQLite, the log and
# every reply would fail on it. Control characters (other than tab and newlines) carry nothing a
# question needs, and some (NUL, ESC) confuse what stores or prints them.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# In JSON text both can only arrive escaped (\ud800, \u0007: a raw control character is a parse
# error, a raw surrogate is not UTF-8), so a body without such an escape needs no cleaning: the
# usual case, found by one scan in C instead of a walk over every string of the payload.
_ESCAPED = re.compile(r"\\u(?:[dD][89a-fA-F]|00[01]|007[fF]|00[89])")
_ESCAPED_BYTES = re.compile(_ESCAPED.pattern.encode())


def may_need_cleaning(json_text: str | bytes) -> bool:
    found = _ESCAPED_BYTES.search(json_text) if isinstance(json_text, bytes) else _ESCAPED.search(json_text)
    return found is not None


def has_lone_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def clean_text(text: str) -> str:
    """Text safe to store, log and send: lone surrogates become U+FFFD, control characters go."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def clean_json(value: Any) -> Any:
    """``clean_text`` on every string (keys too) of parsed JSON (recursive: callers cap the depth first)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value
