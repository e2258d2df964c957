"""Settings, read from the environment once at start and handed down."""

from __future__ import annotations

import os
import time as _time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from handlers.answer import DEFAULT_CONTACT_NAME, DEFAULT_CONTACT_NAME_EN, DEFAULT_PLAN_URL, Contact


def _names(value: str | None) -> tuple[str, ...]:
    """A comma- or space-separated list."""
    return tuple(n for n in (value or "").replace(",", " ").split() if n)


@dataclass(frozen=True)
class Settings:
    db_path: str = "dxbot.db"
    # DXBOT_DATABASE_URL: postgresql://… moves the shared state there (several hosts); unset,
    # it stays in the SQLite file.
    database_url: str | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_url: str = "https://api.line.me"
    line_data_api_url: str = "https://api-data.line.me"  # rich menu images go to the data host
    web_staff_token: str | None = None  # DXBOT_WEB_STAFF_TOKEN; None: the web chat is citizen-only
    web_staff_legacy: bool = False  # DXBOT_WEB_STAFF is set: no longer honoured, said so at start
    allowed_hosts: tuple[str, ...] = ()  # DXBOT_ALLOWED_HOSTS; empty: the bind host and loopback names
    trusted_proxies: tuple[str, ...] = ()  # DXBOT_TRUSTED_PROXIES: whose X-Forwarded-For is believed
    # DXBOT_LOG_SALT; empty: serve uses (and at first makes) the salt kept in the state database.
    log_salt: str = ""
    unanswered_retention_days: int = 90
    clock_start: str | None = None  # DXBOT_CLOCK: run as if it were this time (staging, tests)
    tick_seconds: float = 60.0
    # The human fallback under unanswered questions (DXBOT_CONTACT_*, DXBOT_PLAN_URL).
    contact: Contact = Contact()
    outbox_lease_seconds: float = 300.0  # how long a reminder claim lasts without renewal
    queue_limit: int = 1000  # DXBOT_QUEUE_LIMIT: unfinished events per channel before 503 (0: no limit)
    drain_seconds: float = 10.0  # DXBOT_DRAIN_SECONDS: grace for answers in flight on shutdown
    send_limit: int = 64  # DXBOT_SEND_LIMIT: replies on their way to one platform at once, per process
    answer_cache: int = 1024  # DXBOT_ANSWER_CACHE: recent answers kept for questions asked again (0: none)

    def slack_mode(self) -> tuple[str, list[str]]:
        """("off" | "http" | "socket", names of missing variables)."""
        if not (self.slack_bot_token or self.slack_signing_secret or self.slack_app_token):
            return "off", []
        missing = [] if self.slack_bot_token else ["SLACK_BOT_TOKEN"]
        if self.slack_app_token:
            return "socket", missing
        if not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        return "http", missing

    def line_mode(self) -> tuple[str, list[str]]:
        if not (self.line_channel_secret or self.line_channel_access_token):
            return "off", []
        missing = [n for n, v in (("LINE_CHANNEL_SECRET", self.line_channel_secret),
                                  ("LINE_CHANNEL_ACCESS_TOKEN", self.line_channel_access_token)) if not v]
        return "on", missing

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            db_path=get("DXBOT_DB") or "dxbot.db",
            database_url=get("DXBOT_DATABASE_URL"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL") or "https://slack.com/api/",
            line_channel_secret=get("LINE_CHANNEL_SECRET"),
            line_channel_access_token=get("LINE_CHANNEL_ACCESS_TOKEN"),
            line_api_url=get("LINE_API_URL") or "https://api.line.me",
            line_data_api_url=get("LINE_DATA_API_URL") or "https://api-data.line.me",
            web_staff_token=get("DXBOT_WEB_STAFF_TOKEN"),
            web_staff_legacy=get("DXBOT_WEB_STAFF") is not None,
            allowed_hosts=_names(get("DXBOT_ALLOWED_HOSTS")),
            trusted_proxies=_names(get("DXBOT_TRUSTED_PROXIES")),
            log_salt=get("DXBOT_LOG_SALT") or "",
            unanswered_retention_days=int(get("DXBOT_UNANSWERED_RETENTION_DAYS") or 90),
            clock_start=get("DXBOT_CLOCK"),
            tick_seconds=float(get("DXBOT_TICK_SECONDS") or 60),
            contact=_contact(get),
            outbox_lease_seconds=float(get("DXBOT_OUTBOX_LEASE_SECONDS") or 300),
            queue_limit=int(get("DXBOT_QUEUE_LIMIT") or 1000),
            drain_seconds=float(get("DXBOT_DRAIN_SECONDS") or 10),
            send_limit=max(1, int(get("DXBOT_SEND_LIMIT") or 64)),
            answer_cache=max(0, int(get("DXBOT_ANSWER_CACHE") or 1024)),
        )

    def clock(self):
        """Now, or — with DXBOT_CLOCK — a clock that starts at that time and runs at real speed.

        ``…@<Unix time>`` says when that time was: processes started seconds apart (a slow start
        under load) then share one clock to the millisecond, as hosts on NTP do; without it the
        clock starts when the process first reads it."""
        if not self.clock_start:
            return lambda: datetime.now(UTC)
        given, _, was = self.clock_start.partition("@")
        start = datetime.fromisoformat(given)
        if start.tzinfo is None:
            raise ValueError("DXBOT_CLOCK needs a time zone, e.g. 2027-04-30T08:59:50+09:00")
        if was:
            epoch = float(was)
            return lambda: start + timedelta(seconds=_time.time() - epoch)
        began = _time.monotonic()
        return lambda: start + timedelta(seconds=_time.monotonic() - began)


def _contact(get) -> Contact:
    urls = {"DXBOT_CONTACT_URL": get("DXBOT_CONTACT_URL"), "DXBOT_PLAN_URL": get("DXBOT_PLAN_URL")}
    for name, url in urls.items():
        if url and not url.startswith(("https://", "http://")):
            raise ValueError(f"{name} must be an http(s) URL, not {url!r}")
    return Contact(name=get("DXBOT_CONTACT_NAME") or DEFAULT_CONTACT_NAME,
                   name_en=get("DXBOT_CONTACT_NAME_EN") or (get("DXBOT_CONTACT_NAME") or DEFAULT_CONTACT_NAME_EN),
                   url=urls["DXBOT_CONTACT_URL"] or "", phone=get("DXBOT_CONTACT_PHONE") or "",
                   plan_url=urls["DXBOT_PLAN_URL"] or DEFAULT_PLAN_URL)
