"""Who may see staff answers on the web chat, and which Host names the server answers to.

Staff mode shows unpublished draft evaluations, so it is never granted by where the server listens:
it needs ``DXBOT_WEB_STAFF_TOKEN``, presented as ``Authorization: Bearer <token>`` (scripts) or
once through the sign-in form at ``/staff``, which sets a signed session cookie (browsers).
Without a token the web chat is citizen-only.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.limits import BodyTooLarge, read_capped
from bot.web.ratelimit import RateLimiter

COOKIE = "dxbot_staff"
SESSION_SECONDS = 12 * 3600  # one working day; then sign in again
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
_WILDCARD_BINDS = {"0.0.0.0", "::", ""}
_MAX_ISSUED_DIGITS = 12  # seconds since 1970


class StaffAccess:
    """Checks staff credentials. ``StaffAccess(token=None)`` is citizen-only: nobody is staff."""

    def __init__(self, *, token: str | None, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._token = token or None
        self._clock = clock
        self._monotonic = monotonic
        self._attempts = RateLimiter(rate_per_minute=5, burst=5)  # guessing the token by the form is slow
        # The cookie is signed with a key derived from the token: changing the token signs everyone out.
        self._key = hashlib.sha256(b"dxbot-staff-session:" + self._token.encode()).digest() if self._token else b""

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def describe(self) -> str:
        """One line for the start-up log."""
        if not self.enabled:
            return "Web chat: citizen-only (set DXBOT_WEB_STAFF_TOKEN to let staff sign in at /staff)."
        return "Web chat: citizens by default; staff with DXBOT_WEB_STAFF_TOKEN (Bearer header or sign-in at /staff)."

    def is_staff(self, request: Request) -> bool:
        if self._token is None:
            return False
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return self._token_matches(auth[7:].strip())
        return self._session_valid(request.cookies.get(COOKIE, ""))

    def _token_matches(self, presented: str) -> bool:
        assert self._token is not None
        return hmac.compare_digest(presented.encode(), self._token.encode())

    def _session(self, issued: int) -> str:
        mac = hmac.new(self._key, f"staff:{issued}".encode(), hashlib.sha256).hexdigest()
        return f"{issued}.{mac}"

    def _session_valid(self, value: str) -> bool:
        issued, _, _mac = value.partition(".")
        # ASCII digits of a plausible length only: int() of thousands of digits raises, and
        # str.isdigit() also takes other scripts' digits.
        if not (issued.isascii() and issued.isdigit() and len(issued) <= _MAX_ISSUED_DIGITS) or len(value) > 128:
            return False
        age = self._clock() - int(issued)
        return 0 <= age < SESSION_SECONDS and hmac.compare_digest(value.encode(), self._session(int(issued)).encode())

    # ------------------------------------------------------------------ the sign-in page
    async def form(self, request: Request) -> Response:
        lang = _lang(request.query_params.get("lang"))
        return _page(lang, "" if self.enabled else "disabled", signed_in=self.is_staff(request))

    async def sign_in(self, request: Request) -> Response:
        lang = _lang(request.query_params.get("lang"))
        if not same_origin(request):  # another site's form cannot sign a browser in (login CSRF)
            return _page(lang, "cross_origin", status=403)
        if not self.enabled:
            return _page(lang, "disabled", status=403)
        allowed, _ = self._attempts.allow(request.client.host if request.client else "unknown", now=self._monotonic())
        if not allowed:
            return _page(lang, "too_many", status=429)
        try:
            raw = await read_capped(request, limit=4096)
        except BodyTooLarge:
            return _page(lang, "wrong", status=413)
        fields = parse_qs(raw.decode("utf-8", "replace"))
        lang = _lang((fields.get("lang") or [lang])[0])
        token = (fields.get("token") or [""])[0]
        if not self._token_matches(token):
            return _page(lang, "wrong", status=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self._session(int(self._clock())), max_age=SESSION_SECONDS, path="/",
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    async def sign_out(self, request: Request) -> Response:
        if not same_origin(request):  # another site's form cannot sign a browser out
            return _page(_lang(request.query_params.get("lang")), "cross_origin", status=403)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response


def same_origin(request: Request) -> bool:
    """The check ``POST /api/ask`` makes: a browser names its Origin on a POST, and it must be this host."""
    origin = request.headers.get("origin")
    return not origin or origin.split("://", 1)[-1] == request.headers.get("host", "")


def _lang(value: str | None) -> str:
    return "en" if value == "en" else "ja"


# The page's words; "notes" are what a refused or failed sign-in says.
_WORDS = {
    "ja": {"city": "船橋市", "title": "職員サインイン", "chat": "DX アクションプラン案内に戻る", "switch": "English",
           "switch_lang": "en", "intro": "職員モードでは、公表前の評価（下書き）も含めてお答えします。"
           "管理者から受け取ったトークンを入力してください。サインインは12時間有効です。",
           "token": "トークン", "sign_in": "サインイン", "sign_out": "サインアウト",
           "signed_in": "職員としてサインインしています（職員モード）。共用の端末では使い終わったらサインアウトしてください。",
           "notes": {"disabled": "このサーバーでは職員サインインが有効になっていません。",
                     "too_many": "試行が多すぎます。1分ほど待ってから、もう一度お試しください。",
                     "wrong": "トークンが正しくありません。", "cross_origin": "ほかのサイトからの送信は受け付けません。"}},
    "en": {"city": "Funabashi City", "title": "Staff sign-in", "chat": "Back to the DX Action Plan guide",
           "switch": "日本語", "switch_lang": "ja", "intro": "Staff mode answers with evaluations not yet published "
           "(drafts) included. Enter the token your administrator gave you; a sign-in lasts 12 hours.",
           "token": "Token", "sign_in": "Sign in", "sign_out": "Sign out",
           "signed_in": "You are signed in as staff (staff mode). On a shared computer, sign out when you are done.",
           "notes": {"disabled": "Staff sign-in is not enabled on this server.",
                     "too_many": "Too many attempts; wait a minute.", "wrong": "That token is not right.",
                     "cross_origin": "Requests from other sites are not accepted."}},
}


def _page(lang: str, note: str = "", *, status: int = 200, signed_in: bool = False) -> HTMLResponse:
    """The sign-in page, styled like the chat: the form, or (signed in) the state and a sign-out button."""
    w: dict[str, Any] = _WORDS[lang]
    e = html.escape
    alert = f'<p role="alert" class="note">{e(w["notes"][note])}</p>' if note else ""
    if signed_in:
        action = (f'<p class="staff-state" id="staff-state">{e(w["signed_in"])}</p>'
                  f'<form method="post" action="/staff/sign-out?lang={lang}"><button type="submit" id="sign-out">'
                  f'{e(w["sign_out"])}</button></form>')
    elif note == "disabled":
        action = ""
    else:
        action = (f'<form method="post" action="/staff?lang={lang}" class="ask"><input type="hidden" name="lang" '
                  f'value="{lang}"><label for="token">{e(w["token"])}</label><div class="row"><input id="token" '
                  'name="token" type="password" autocomplete="current-password" required>'
                  f'<button type="submit" id="send">{e(w["sign_in"])}</button></div></form>')
    intro = "" if signed_in or note == "disabled" else f'<p class="intro">{e(w["intro"])}</p>'
    body = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><link rel="icon" href="/static/favicon.svg" '
            'type="image/svg+xml"><link rel="stylesheet" href="/static/style.css">'
            f'<title>{e(w["city"])} — {e(w["title"])}</title></head><body class="page">'
            '<header class="top"><div class="brand"><img src="/static/favicon.svg" alt="" width="32" height="32">'
            f'<div><p class="city">{e(w["city"])}</p><h1>{e(w["title"])}</h1></div></div>'
            f'<div class="controls"><a href="/staff?lang={w["switch_lang"]}" lang="{w["switch_lang"]}" '
            f'class="button">{e(w["switch"])}</a></div></header>'
            f'<main id="main"><div class="panel">{alert}{intro}{action}'
            f'<p><a href="/">{e(w["chat"])}</a></p></div></main></body></html>')
    return HTMLResponse(body, status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'",
        "X-Frame-Options": "DENY", "Cache-Control": "no-store",
        # same-origin, not no-referrer: under no-referrer a browser names its Origin "null" on a form's
        # POST, and the origin check above could not tell this page from another site.
        "Referrer-Policy": "same-origin"})


def allowed_hosts(*, configured: list[str] | None, bind_host: str) -> list[str]:
    """Host names the server answers to (Starlette's TrustedHostMiddleware patterns).

    The configured names (default: the bind address), and always the loopback names, which a
    rebinding attacker's page cannot use (its Host is the attacker's own name) and local health
    checks do. A wildcard bind (0.0.0.0) cannot name the public host, so without
    ``DXBOT_ALLOWED_HOSTS`` it accepts any Host.
    """
    if not configured and bind_host in _WILDCARD_BINDS:
        return ["*"]
    return list(dict.fromkeys([*(configured or [bind_host]), *LOOPBACK_NAMES]))


def uvicorn_proxy_options(trusted_proxies: list[str]) -> dict[str, object]:
    """X-Forwarded-For/-Proto are believed only from the configured proxies (default: none)."""
    if not trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted_proxies)}
