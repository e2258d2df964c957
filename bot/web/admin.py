"""``/admin``: the monthly report for staff, behind the staff credential (bot/web/access.py), with a
form per unanswered cluster that teaches an alias exactly as ``dxbot aliases add`` does.

The form is a plain HTML form (the page runs no script). What keeps another site from posting it
on a signed-in browser's behalf: the staff cookie is SameSite=Strict (a cross-site post carries no
credential), and the post must name this server as its Origin, which every browser sends on a
form post.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot import report
from bot.limits import BodyTooLarge, read_capped
from bot.web.access import StaffAccess
from handlers import Responder
from scheduler.calendar import TOKYO
from state.aliases import add_user_alias


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": f"default-src 'none'; style-src {report.style_hash()}; form-action 'self'; "
                                       "frame-ancestors 'none'; base-uri 'none'",
            # same-origin, not no-referrer: under no-referrer a browser's form post says "Origin: null",
            # and the teach form's Origin is what shows it came from this page.
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


def _refused(status: int, message: str) -> HTMLResponse:
    body = ('<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>dxbot admin</title></head><body><main>'
            f'<h1>dxbot admin</h1><p role="alert">{html.escape(message)}</p>'
            '<p><a href="/staff">職員サインイン / Staff sign-in</a></p></main></body></html>')
    return HTMLResponse(body, status_code=status, headers=_headers())


class Admin:
    def __init__(self, *, staff: StaffAccess, db: Any, responder: Responder, clock: Callable[[], datetime]) -> None:
        self.staff = staff
        self.db = db
        self.responder = responder
        self.clock = clock

    def _names(self) -> dict[str, str]:
        return {f"project:{p.id}": f"{p.id} {p.name}" for p in self.responder.catalog.projects.values()}

    def _page(self, month: str, *, notice: str = "", status: int = 200) -> Response:
        try:
            built = report.build(self.db, month, names=self._names())
        except ValueError as exc:
            return _refused(400, str(exc))
        page = report.html_page(built, teach=lambda question: _teach_form(question, month), notice=notice)
        return HTMLResponse(page, status_code=status, headers=_headers())

    def _month(self, value: str | None) -> str:
        return value or self.clock().astimezone(TOKYO).strftime("%Y-%m")

    async def page(self, request: Request) -> Response:
        if not self.staff.is_staff(request):
            return _refused(401 if self.staff.enabled else 403, "職員のサインインが必要です。 Staff sign-in required."
                            if self.staff.enabled else "Staff access is not enabled on this server.")
        return self._page(self._month(request.query_params.get("month")))

    async def teach(self, request: Request) -> Response:
        if not self.staff.is_staff(request):
            return _refused(401 if self.staff.enabled else 403, "Staff sign-in required.")
        origin = request.headers.get("origin", "")
        if origin.split("://", 1)[-1] != request.headers.get("host", ""):
            return _refused(403, "cross-origin requests are not accepted")
        try:
            raw = await read_capped(request, limit=4096)
        except BodyTooLarge:
            return _refused(413, "too large")
        fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        text, target = fields.get("text", "").strip(), fields.get("target", "").strip()
        month = self._month(fields.get("month"))
        try:
            kind, target = add_user_alias(self.db, text, target)  # what `dxbot aliases add` runs
        except ValueError as exc:
            return self._page(month, notice=f"Not taught: {exc}", status=400)
        return self._page(month, notice=f"「{text}」 now names {kind} {target} / 「{text}」を {target} として覚えました")


def _teach_form(question: str, month: str) -> str:
    field = "t" + hashlib.sha256(question.encode()).hexdigest()[:10]
    e = html.escape
    return (f'<form class="teach" method="post" action="/admin/alias">'
            f'<input type="hidden" name="text" value="{e(question)}"><input type="hidden" name="month" value="{e(month)}">'
            f'<label for="{field}">対象 / target</label>'
            f'<input id="{field}" name="target" required placeholder="2-3-1 / LGWAN" autocomplete="off">'
            f'<button type="submit">教える / Teach</button></form>')
