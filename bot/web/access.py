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

    # ------------------------------------------------------------------ the sign-in form
    async def form(self, request: Request) -> Response:
        return _page("" if self.enabled else "Staff sign-in is not enabled on this server.")

    async def sign_in(self, request: Request) -> Response:
        if not self.enabled:
            return _page("Staff sign-in is not enabled on this server.", status=403)
        allowed, _ = self._attempts.allow(request.client.host if request.client else "unknown", now=self._monotonic())
        if not allowed:
            return _page("Too many attempts; wait a minute.", status=429)
        try:
            raw = await read_capped(request, limit=4096)
        except BodyTooLarge:
            return _page("That token is not right.", status=413)
        token = (parse_qs(raw.decode("utf-8", "replace")).get("token") or [""])[0]
        if not self._token_matches(token):
            return _page("That token is not right.", status=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self._session(int(self._clock())), max_age=SESSION_SECONDS, path="/",
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    async def sign_out(self, request: Request) -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response


def _page(message: str, *, status: int = 200) -> HTMLResponse:
    note = f'<p role="alert">{html.escape(message)}</p>' if message else ""
    body = ('<!doctype html><html lang="ja"><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>職員サインイン / Staff sign-in</title>'
            f'<h1>職員サインイン / Staff sign-in</h1>{note}<form method="post" action="/staff">'
            '<label for="token">Token</label> <input id="token" name="token" type="password" '
            'autocomplete="current-password" required> <button>Sign in</button></form>'
            '<form method="post" action="/staff/sign-out"><button>Sign out</button></form></html>')
    return HTMLResponse(body, status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'; form-action 'self'", "X-Frame-Options": "DENY",
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


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
