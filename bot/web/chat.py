"""The web chat: GET / (the page) and POST /api/ask (JSON in, the answer out)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.limits import BodyTooLarge, has_lone_surrogate, loads, read_capped
from bot.render_common import asks_for_feedback
from bot.web.access import StaffAccess
from bot.web.ratelimit import Limiter, RateLimiter
from bot.web.render import render
from handlers import Responder
from handlers.answer import Answer
from handlers.conversation import answer_in_conversation
from state.conversations import Conversations, QuestionLog
from state.feedback import AnswerLog, Feedback

MAX_BODY = 16_384  # bytes of request body
MAX_QUESTION = 1_000  # characters of question
SESSION_COOKIE = "dxbot_session"
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Questions per client (its address; behind a trusted proxy, the address the proxy names).
WEB_RATE_PER_MINUTE = 30
WEB_BURST = 10
_TYPES = {"app.js": "text/javascript", "style.css": "text/css", "favicon.svg": "image/svg+xml"}


class WebChat:
    def __init__(self, *, responder: Responder, monotonic: Callable[[], float], staff: StaffAccess | None = None,
                 limiter: Limiter | None = None, limiter_clock: Callable[[], float] | None = None,
                 on_answer: Callable[[str, Answer, float, str | None], None] | None = None,
                 on_reject: Callable[[str], None] | None = None,
                 questions: QuestionLog | None = None, clock: Callable[[], datetime] | None = None,
                 conversations: Conversations | None = None,
                 answers: AnswerLog | None = None, feedback: Feedback | None = None,
                 new_session: Callable[[], str] = lambda: secrets.token_urlsafe(24),
                 retention_days: int = 90) -> None:
        self.responder = responder
        self.staff = staff or StaffAccess(token=None)  # citizen-only unless a staff token is configured
        self.monotonic = monotonic
        self.limiter = limiter or RateLimiter(rate_per_minute=WEB_RATE_PER_MINUTE, burst=WEB_BURST)
        # The limiter's clock: a process's own buckets count on ``monotonic``; buckets shared
        # between hosts need the wall clock, the one clock the hosts share.
        self.limiter_clock = limiter_clock or monotonic
        self.on_answer = on_answer or (lambda channel, answer, seconds, user: None)
        self.on_reject = on_reject or (lambda reason: None)
        self.questions = questions
        self.clock = clock
        # Follow-ups need both: where the conversation is kept, and the time to expire it.
        self.conversations = conversations if clock is not None else None
        self.new_session = new_session
        # 👍 / 👎: each answer is logged with an id its buttons send back (needs the clock too).
        self.answers = answers if clock is not None else None
        self.feedback = feedback
        self.retention_days = retention_days  # how long the unanswered log keeps a question: the page says so
        self._page = resources.files("bot.web").joinpath("static/index.html").read_text(encoding="utf-8")

    async def page(self, request: Request) -> HTMLResponse:
        staff = self.staff.is_staff(request)
        html = (self._page.replace("{{ALLOW_STAFF}}", "true" if staff else "false")
                .replace("{{STAFF_HIDDEN}}", "" if staff else "hidden")  # the staff-mode badge and sign-out
                .replace("{{RETENTION_DAYS}}", str(int(self.retention_days)))
                .replace("{{PLAN_URL}}", _attr(self.responder.contact.plan_url)))
        return HTMLResponse(html, headers={
            "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:",
            # same-origin: the sign-out form's POST must name this page's Origin (no-referrer sends "null")
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        })

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _TYPES:
            return Response("not found", status_code=404)
        body = resources.files("bot.web").joinpath(f"static/{name}").read_text(encoding="utf-8")
        return Response(body, media_type=_TYPES[name], headers={"Cache-Control": "max-age=300"})

    async def ask(self, request: Request) -> JSONResponse:
        refused = self._admitted(request, what="questions")
        if refused is not None:
            return refused
        try:
            raw = await read_capped(request, limit=MAX_BODY)
        except BodyTooLarge as exc:
            return self._reject(413, str(exc))
        try:
            data = loads(raw)
            question = data["q"]
            audience = data.get("audience", "citizen")
            lang = data.get("lang")
        except (ValueError, KeyError, TypeError, AttributeError):
            return _error(400, _EXPECTED)
        if not isinstance(question, str) or audience not in ("citizen", "staff") or lang not in (None, "ja", "en"):
            return _error(400, _EXPECTED)
        if has_lone_surrogate(question):  # valid JSON, but not text: nothing can store or answer it
            return self._reject(400, "the question is not valid Unicode text")
        if len(question) > MAX_QUESTION:
            return self._reject(413, f"question too long (max {MAX_QUESTION} characters)")
        if audience == "staff" and not self.staff.is_staff(request):
            # Refused rather than quietly answered as a citizen: a script asking for staff learns why.
            return self._reject(403, "staff answers need staff sign-in (see /staff)")
        self.responder.refresh()
        started = time.perf_counter()
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = not _SESSION.match(session)
        if fresh:
            session = self.new_session()
        if self.conversations is not None and self.clock is not None:
            answer = answer_in_conversation(self.responder, self.conversations, question, key=f"web:{session}",
                                            audience=audience, now=self.clock(), lang=lang)
        else:
            answer = self.responder.answer(question, audience=audience, lang=lang)
        self.on_answer("web", answer, time.perf_counter() - started, None)  # no user ids on the web
        if self.questions is not None and self.clock is not None:
            self.questions.observe(answer, channel="web", user_id=None, now=self.clock())
        body = render(answer)
        if self.answers is not None and self.clock is not None and asks_for_feedback(answer.intent):
            # The person is the browser's session (hashed like any user id): one vote per answer each.
            body["answer_id"] = self.answers.record(answer, channel="web", user_id=f"web:{session}", now=self.clock())
        response = JSONResponse(body)
        if fresh:  # the browser's conversation: random, unreadable by scripts, never sent cross-site
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
        return response


    async def vote(self, request: Request) -> JSONResponse:
        """POST /api/feedback: ``{"answer": id, "vote": "up"|"down", "reason": "…" (optional, after 👎)}``,
        with /api/ask's checks (JSON only, same origin, the rate limit, the body cap). Only the
        session that got the answer may vote on it; a second vote replaces the first."""
        refused = self._admitted(request, what="requests")
        if refused is not None:
            return refused
        try:
            data = loads(await read_capped(request, limit=4096))
            answer_id, vote, reason = data["answer"], data["vote"], data.get("reason") or ""
        except BodyTooLarge as exc:
            return self._reject(413, str(exc))
        except (ValueError, KeyError, TypeError, AttributeError):
            return _error(400, _EXPECTED_VOTE)
        if not (isinstance(answer_id, str) and vote in ("up", "down") and isinstance(reason, str)) \
                or has_lone_surrogate(reason):
            return _error(400, _EXPECTED_VOTE)
        session = request.cookies.get(SESSION_COOKIE, "")
        if self.feedback is None or self.clock is None or not _SESSION.match(session):
            return self._reject(403, "feedback needs the chat's session")
        user = f"web:{session}"
        if not self.feedback.asked_by(answer_id, user_id=user):
            return self._reject(404, "no such answer in this session")
        now = self.clock()
        self.feedback.vote(answer_id, vote=vote, channel="web", user_id=user, now=now)
        noted = bool(reason.strip()) and vote == "down" and \
            self.feedback.reason(answer_id, user_id=user, text=reason, now=now)
        return JSONResponse({"ok": True, "vote": vote, "reason": noted})

    def _admitted(self, request: Request, *, what: str) -> JSONResponse | None:
        """The refusal for a request the chat's API does not take (not same-origin JSON, or over the
        client's rate), or None."""
        refused = self._same_origin_json(request)
        if refused is not None:
            return refused
        client = request.client.host if request.client else "unknown"
        allowed, wait = self.limiter.allow(client, now=self.limiter_clock())
        if not allowed:
            return self._reject(429, f"too many {what}; please wait a moment",
                                headers={"Retry-After": str(max(1, round(wait)))})
        return None

    def _same_origin_json(self, request: Request) -> JSONResponse | None:
        # CSRF: only same-origin JSON. A cross-site form cannot send application/json without a
        # preflight we never answer, and a browser always names its Origin on such a request.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return self._reject(415, "send JSON (Content-Type: application/json)")
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != request.headers.get("host", ""):
            return self._reject(403, "cross-origin requests are not accepted")
        return None

    def _reject(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
        self.on_reject(f"web_{status}")
        return _error(status, message, headers=headers)


_EXPECTED_VOTE = 'expected {"answer": "…", "vote": "up"|"down", "reason": "…" (optional)}'
_EXPECTED = 'expected {"q": "…", "audience": "citizen"|"staff", "lang": "ja"|"en" (optional)}'


def _attr(text: str) -> str:
    """Text made safe inside a double-quoted HTML attribute."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _error(status: int, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
