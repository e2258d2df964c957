"""The seam between reminders and the platforms that carry them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TextIO

from scheduler.notices import Notice, notice_text
from state.directory import Route


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


class Notifier(Protocol):
    def send(self, route: Route, notice: Notice, *, key: str) -> str:
        """Deliver; return the platform's receipt. Raise RateLimited on HTTP 429."""

    def already_sent(self, route: Route, *, key: str, since: datetime) -> bool:
        """Whether a notice with this key reached the route after ``since`` (crash recovery)."""


class LogNotifier:
    """Writes notices as text: the dry run, and ``dxbot serve`` without Slack credentials."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.sent: list[tuple[Route, Notice, str]] = []

    def send(self, route: Route, notice: Notice, *, key: str) -> str:
        self.sent.append((route, notice, key))
        if self.stream is not None:
            where = route.slack_channel or ",".join(route.slack_users) or route.department
            self.stream.write(f"--- {key} -> {where}\n{notice_text(notice)}\n")
            self.stream.flush()
        return f"log:{len(self.sent)}"

    def already_sent(self, route: Route, *, key: str, since: datetime) -> bool:
        return any(k == key for _, _, k in self.sent)
