"""The web chat: GET / (the page) and POST /api/ask (JSON in, the answer out)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.web.ratelimit import RateLimiter
from bot.web.render import render
from handlers import Responder
from handlers.answer import Answer
from handlers.state import QuestionLog

MAX_BODY = 16_384  # bytes of request body
MAX_QUESTION = 1_000  # characters of question


class WebChat:
    def __init__(self, *, responder: Responder, allow_staff: bool, monotonic: Callable[[], float],
                 limiter: RateLimiter | None = None,
                 on_answer: Callable[[str, Answer, float, str | None], None] | None = None,
                 on_reject: Callable[[str], None] | None = None,
                 questions: QuestionLog | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.responder = responder
        self.allow_staff = allow_staff
        self.monotonic = monotonic
        self.limiter = limiter or RateLimiter(rate_per_minute=30, burst=10)
        self.on_answer = on_answer or (lambda channel, answer, seconds, user: None)
        self.on_reject = on_reject or (lambda reason: None)
        self.questions = questions
        self.clock = clock
        self._page = resources.files("bot.web").joinpath("static/index.html").read_text(encoding="utf-8")

    async def page(self, request: Request) -> HTMLResponse:
        html = self._page.replace("{{ALLOW_STAFF}}", "true" if self.allow_staff else "false")
        return HTMLResponse(html, headers={
            "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
        })

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        types = {"app.js": "text/javascript", "style.css": "text/css"}
        if name not in types:
            return Response("not found", status_code=404)
        body = resources.files("bot.web").joinpath(f"static/{name}").read_text(encoding="utf-8")
        return Response(body, media_type=types[name], headers={"Cache-Control": "max-age=300"})

    async def ask(self, request: Request) -> JSONResponse:
        # CSRF: only same-origin JSON. A cross-site form cannot send application/json without a
        # preflight we never answer, and a browser always names its Origin on such a request.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return self._reject(415, "send JSON (Content-Type: application/json)")
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != request.headers.get("host", ""):
            return self._reject(403, "cross-origin requests are not accepted")
        client = request.client.host if request.client else "unknown"
        allowed, wait = self.limiter.allow(client, now=self.monotonic())
        if not allowed:
            return self._reject(429, "too many questions; please wait a moment",
                                headers={"Retry-After": str(max(1, round(wait)))})
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return self._reject(413, f"request too large (max {MAX_BODY} bytes)")
        try:
            data = json.loads(raw)
            question = data["q"]
            audience = data.get("audience", "citizen")
        except (ValueError, KeyError, TypeError):
            return _error(400, 'expected {"q": "…", "audience": "citizen"|"staff"}')
        if not isinstance(question, str) or audience not in ("citizen", "staff"):
            return _error(400, 'expected {"q": "…", "audience": "citizen"|"staff"}')
        if len(question) > MAX_QUESTION:
            return self._reject(413, f"question too long (max {MAX_QUESTION} characters)")
        if audience == "staff" and not self.allow_staff:
            return self._reject(403, "staff mode is not enabled on this server")
        self.responder.refresh()
        started = time.perf_counter()
        answer = self.responder.answer(question, audience=audience)
        self.on_answer("web", answer, time.perf_counter() - started, None)  # no user ids on the web
        if self.questions is not None and self.clock is not None:
            self.questions.observe(answer, channel="web", user_id=None, now=self.clock())
        return JSONResponse(render(answer))


    def _reject(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
        self.on_reject(f"web_{status}")
        return _error(status, message, headers=headers)


def _error(status: int, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
