"""Platform ids that must be read back (where to push a LINE answer, whose App Home to draw) are
kept sealed in the inbound queue, never in the clear: a copy of the database, its WAL or its
backups shows no user id. Everything else keeps only the salted hash (state.conversations.hash_user).

The seal is a keystream of HMAC-SHA256 blocks (a PRF in counter mode) under a key derived from
``DXBOT_LOG_SALT``, with a random nonce per value and a tag: standard library only. A value sealed
under another salt (the salt changed while rows waited) does not open, and the row then fails
visibly rather than answering the wrong person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "sealed:"
_NONCE, _TAG = 12, 16


def _key(salt: str, purpose: bytes) -> bytes:
    return hashlib.sha256(b"dxbot-seal:" + purpose + b":" + salt.encode()).digest()


def _stream(key: bytes, nonce: bytes, size: int) -> bytes:
    blocks = (hmac.new(key, nonce + n.to_bytes(4, "big"), hashlib.sha256).digest() for n in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def seal(value: str, *, salt: str) -> str:
    data = value.encode()
    nonce = secrets.token_bytes(_NONCE)
    body = bytes(a ^ b for a, b in zip(data, _stream(_key(salt, b"enc"), nonce, len(data)), strict=True))
    tag = hmac.new(_key(salt, b"mac"), nonce + body, hashlib.sha256).digest()[:_TAG]
    return PREFIX + base64.urlsafe_b64encode(nonce + tag + body).decode()


def unseal(value: str, *, salt: str) -> str | None:
    """The sealed value; a value that was never sealed (a row queued by an older version) as it is;
    None when it does not open (another salt, or damaged)."""
    if not value.startswith(PREFIX):
        return value
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):])
    except ValueError:
        return None
    nonce, tag, body = raw[:_NONCE], raw[_NONCE:_NONCE + _TAG], raw[_NONCE + _TAG:]
    want = hmac.new(_key(salt, b"mac"), nonce + body, hashlib.sha256).digest()[:_TAG]
    if len(nonce) != _NONCE or not hmac.compare_digest(tag, want):
        return None
    data = bytes(a ^ b for a, b in zip(body, _stream(_key(salt, b"enc"), nonce, len(body)), strict=True))
    return data.decode("utf-8", "replace")
