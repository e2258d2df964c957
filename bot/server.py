"""One ASGI app for every channel: Slack (/slack/events), LINE (/line/webhook), the web chat (/),
plus /healthz. ``build`` assembles it from settings; tests call ``create_app`` with their own parts.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.health import disk_probe, failing, gather, local_caller
from bot.limits import MAX_WEBHOOK_BODY, BodyTooLarge, read_capped, too_deep
from bot.line.webhook import LineChannel
from bot.observe import Telemetry, setup_logging
from bot.offer_group import OfferGroup
from bot.slack import evaluation
from bot.slack.app import SlackBot, web_client
from bot.slack.edge import parsed, signature_valid, well_formed
from bot.slack.notifier import SlackNotifier
from bot.slack.reminder_update import ReminderUpdater
from bot.web.access import StaffAccess, allowed_hosts
from bot.web.admin import Admin
from bot.web.chat import WEB_BURST, WEB_RATE_PER_MINUTE, WebChat
from bot.web.ratelimit import SharedRateLimiter
from bot.worker import QueueWorker, drain_all
from handlers import Responder
from knowledge.health import plan_health
from scheduler.jobs import ReminderService
from scheduler.notify import LogNotifier
from state.catalog import load_catalog
from state.conversations import Conversations, QuestionLog, WriteBehind, kept_salt
from state.database import checkpoint, connect, open_state
from state.database import health as database_health
from state.directory import Directory
from state.feedback import AnswerLog, Feedback
from state.inbound_queue_pg import open_inbound_queue
from state.outbox_pg import open_outbox
from state.shared_plan import sync_plan
from state.statedb import as_state

log = logging.getLogger("dxbot.server")
Clock = Callable[[], datetime]
# How often the answers look whether another process changed the plan, an evaluation or an alias
# (this process's own changes show at once).
RECHECK_SECONDS = 0.5


@dataclass
class Services:
    db: Any
    responder: Responder
    clock: Clock
    web: WebChat
    slack: SlackBot | None = None
    slack_mode: str = "off"
    line: LineChannel | None = None
    reminders: ReminderService | None = None
    telemetry: Telemetry = field(default_factory=Telemetry)
    queue_limit: int | None = 1000  # unfinished events per channel before the webhooks answer 503
    drain_seconds: float = 10.0  # on shutdown, how long answers in flight may take to finish
    queue_options: dict[str, Any] = field(default_factory=dict)  # QueueWorker keywords (tests: back-off)
    queues: dict[str, QueueWorker] = field(default_factory=dict)  # per channel, built by create_app
    extra_routes: list[Route] = field(default_factory=list)
    health: list[Callable[[], dict[str, Any]]] = field(default_factory=list)
    # The channels' conversation and unanswered-question writes, written by the queue workers
    # together with the events they finish (None: each written at once).
    behind: WriteBehind | None = None
    allowed_hosts: list[str] | None = None  # Host header allow-list (400 otherwise); None: no check
    disk: Path | None = None  # where /healthz checks that a write succeeds (the database's directory)


def _wire_queues(services: Services) -> None:
    """One QueueWorker per channel over the inbound queue; each channel's webhook commits through it."""
    queue = open_inbound_queue(services.db)  # SQLite, or PostgreSQL with DXBOT_DATABASE_URL
    group = OfferGroup(queue.together)  # the webhooks of one loop turn share a commit
    for name, channel in (("slack", services.slack), ("line", services.line)):
        if channel is not None:
            worker = QueueWorker(queue=queue, channel=name, handle=channel.work, clock=services.clock,
                                 limit=services.queue_limit, behind=services.behind, group=group,
                                 **services.queue_options)
            services.queues[name] = worker
    if services.slack is not None:
        services.slack.intake = services.queues["slack"].offer  # Bolt's middleware (Socket Mode) is synchronous
        services.slack.admit = services.queues["slack"].admit
    if services.line is not None:
        services.line.intake = services.queues["line"].admit
    if services.queues:
        def inbound() -> dict[str, dict[str, Any]]:
            return {n: w.health() for n, w in services.queues.items()}

        services.health.append(lambda: {"inbound": inbound(), "webhook_commits": group.health()})
        services.telemetry.watch_inbound(inbound)


def create_app(services: Services) -> Starlette:
    _wire_queues(services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        as_state(services.db).pin_thread()  # the loop runs every statement of answering: one connection
        # The knowledge base, its indexes and the gazetteer are hundreds of thousands of objects
        # that live as long as the process: a full garbage collection scanning them is long, and a
        # webhook's acknowledgement waits for it. Frozen, they are left out of every collection.
        gc.collect()
        gc.freeze()
        for worker in services.queues.values():
            await worker.start()  # resumes what a stopped process left
        yield
        # uvicorn has stopped accepting and finished the requests in flight: drain the answers.
        await drain_all(list(services.queues.values()), grace=services.drain_seconds)
        for channel in (services.slack, services.line):
            if channel is not None:
                await channel.close()
        try:
            checkpoint(services.db)
        except Exception:  # another process still writes: its own stop empties the WAL
            log.warning("could not empty the SQLite WAL at stop", exc_info=True)

    async def healthz(request: Request) -> JSONResponse:
        body: dict[str, Any] = {
            "status": "ok",
            "knowledge": {"projects": len(services.responder.catalog.projects),
                          "terms": len(services.responder.catalog.terms),
                          "edition": services.responder.catalog.edition},
            "slack": services.slack_mode,
            "line": "on" if services.line else "off",
        }
        gather(body, services.health)
        if services.disk is not None:  # off the loop: a write and an fsync may wait on the disk
            body.update(await run_in_threadpool(disk_probe, services.disk))
        reasons = failing(body)
        if reasons:
            body.update(status="failing", failing=reasons)
        code = 503 if reasons else 200
        if not (local_caller(request) or services.web.staff.is_staff(request)):
            return JSONResponse({"status": body["status"]}, status_code=code)
        return JSONResponse(body, status_code=code)

    async def metrics(request: Request) -> Response:
        body, content_type = services.telemetry.exposition()
        return Response(body, media_type=content_type)

    # The monthly report for staff (the web chat's staff credential).
    admin = Admin(staff=services.web.staff, db=services.db, responder=services.responder, clock=services.clock)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/", services.web.page, methods=["GET"]),
        Route("/static/{name}", services.web.asset, methods=["GET"]),
        Route("/api/ask", services.web.ask, methods=["POST"]),
        Route("/api/feedback", services.web.vote, methods=["POST"]),
        Route("/admin", admin.page, methods=["GET"]),
        Route("/admin/alias", admin.teach, methods=["POST"]),
        Route("/staff", services.web.staff.form, methods=["GET"]),
        Route("/staff", services.web.staff.sign_in, methods=["POST"]),
        Route("/staff/sign-out", services.web.staff.sign_out, methods=["POST"]),
    ]
    webhooks: list[Route] = []
    if services.slack is not None and services.slack_mode == "http":
        bolt = services.slack.app
        slack = services.slack

        async def slack_events(request: Request) -> Response:
            try:
                body = await read_capped(request, limit=MAX_WEBHOOK_BODY)
            except BodyTooLarge as exc:
                services.telemetry.rejected("slack_too_large")
                return Response(str(exc), status_code=413)
            if not signature_valid(secret=slack.signing_secret, body=body, headers=request.headers, now=time.time()):
                services.telemetry.rejected("slack_signature")
                return Response("invalid signature", status_code=401)
            content_type = request.headers.get("content-type", "")
            try:
                if too_deep(body, content_type=content_type):
                    raise ValueError("JSON nested too deep")
                payload, body = parsed(body, content_type=content_type)
            except ValueError:
                services.telemetry.rejected("slack_malformed")
                return Response("malformed body", status_code=400)
            if not well_formed(payload):
                # Signed, so Slack's (or a holder of the secret's): a shape we do not read is
                # acknowledged, so that Slack does not retry it, and counted.
                services.telemetry.rejected("slack_unknown_shape")
                return Response(status_code=200)
            # Slack reads nothing from an event's acknowledgement but its status: 200 once the
            # event is committed to the queue (503 when full: Slack retries), answered after.
            status = await slack.admit_event(payload)
            if status is not None:
                if status == 503:
                    services.telemetry.rejected("slack_queue_full")
                return Response(status_code=status)
            # Commands and interactions: the ack carries content (modal errors), so wait for Bolt,
            # off the event loop so one slow request never blocks the others.
            bolt_response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
            return to_starlette_response(bolt_response)

        webhooks.append(Route("/slack/events", slack_events, methods=["POST"]))
    if services.line is not None:
        webhooks.append(Route("/line/webhook", services.line.endpoint, methods=["POST"]))
    # The webhooks first: Starlette tries the routes in order, and they take nearly all the traffic.
    routes = webhooks + routes + services.extra_routes
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=services.allowed_hosts)] if services.allowed_hosts else []
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _with_salt(settings: Settings, db: Any, *, new: Callable[[], str], notice: Callable[[str], None]) -> Settings:
    """``DXBOT_LOG_SALT``, else the salt kept in the state database (made by the first start there):
    never a constant every deployment shares, which would leave the user-id hashes unsalted."""
    if settings.log_salt:
        return settings
    salt, made = kept_salt(db, new=new)
    if settings.slack_mode()[0] != "off" or settings.line_mode()[0] != "off":
        notice("Log salt: DXBOT_LOG_SALT is unset; Slack and LINE user ids are hashed with a salt "
               + ("generated now and " if made else "") + "kept in the state database.")
    return dataclasses.replace(settings, log_salt=salt)


def build(settings: Settings, *, clock: Clock, host: str, notice: Callable[[str], None],
          new_salt: Callable[[], str] = lambda: secrets.token_hex(32)) -> Services:
    """Everything ``dxbot serve`` runs, from the environment's settings."""
    db = connect(settings.db_path)
    state = open_state(settings.database_url, sqlite_db=db)  # migrated, and attached to db
    notice(f"State: {state.describe()}" + ("" if state.dialect == "sqlite" else f" (knowledge base {settings.db_path})"))
    settings = _with_salt(settings, db, new=new_salt, notice=notice)
    sync_plan(db, state, now=clock())
    responder = Responder(load_catalog(db), contact=settings.contact, cache_size=settings.answer_cache,
                          recheck_seconds=RECHECK_SECONDS)
    responder.meaning.index  # built at start (a fraction of a second), not by the first question  # noqa: B018
    unset = [name for name, value in (("DXBOT_CONTACT_PHONE", settings.contact.phone),
                                      ("DXBOT_CONTACT_URL", settings.contact.url)) if not value]
    if unset:  # the contact is what an unanswered citizen question offers instead of an answer
        notice(f"Contact: {' and '.join(unset)} unset; unanswered questions name {settings.contact.name} "
               + ("with no phone number or web page." if len(unset) == 2 else "without it."))
    staff = StaffAccess(token=settings.web_staff_token)
    notice(staff.describe())
    if settings.web_staff_legacy:
        notice("DXBOT_WEB_STAFF is no longer honoured: staff mode needs DXBOT_WEB_STAFF_TOKEN.")
    hosts = allowed_hosts(configured=list(settings.allowed_hosts), bind_host=host)
    notice("Accepting Host: " + (", ".join(hosts) if hosts != ["*"] else
                                 "any (wildcard bind; set DXBOT_ALLOWED_HOSTS to the public name)"))
    telemetry = Telemetry(salt=settings.log_salt)
    behind = WriteBehind()
    # On PostgreSQL every host and worker draws on one bucket per client (wall-clock time, which
    # the hosts share); on SQLite each worker counts alone (docs/scaling.md).
    shared = state.dialect == "postgresql"
    limiter = SharedRateLimiter(state, rate_per_minute=WEB_RATE_PER_MINUTE, burst=WEB_BURST,
                                salt=settings.log_salt) if shared else None
    services = Services(db=db, responder=responder, clock=clock, telemetry=telemetry, allowed_hosts=hosts,
                        disk=Path(settings.db_path).resolve().parent,
                        queue_limit=settings.queue_limit or None, drain_seconds=settings.drain_seconds, behind=behind,
                        queue_options={"max_sending": settings.send_limit},
                        web=WebChat(responder=responder, staff=staff, monotonic=time.monotonic,
                                    limiter=limiter, limiter_clock=time.time if shared else None,
                                    on_answer=telemetry.answered_hook, on_reject=telemetry.rejected,
                                    questions=QuestionLog(db, salt=settings.log_salt), clock=clock,
                                    conversations=Conversations(db),
                                    answers=AnswerLog(db, salt=settings.log_salt),
                                    feedback=Feedback(db, salt=settings.log_salt),
                                    retention_days=settings.unanswered_retention_days))
    directory = Directory(db)
    outbox = open_outbox(db, lease=timedelta(seconds=settings.outbox_lease_seconds))  # SQLite or PostgreSQL
    mode, missing = settings.slack_mode()
    if missing:
        raise ValueError(f"Slack is partly configured: missing {', '.join(missing)}")
    if mode == "off":
        notice("Slack: not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET) — skipped; "
               "reminders run as a dry run and are only logged.")
        services.reminders = ReminderService(db=db, responder=responder, directory=directory, outbox=outbox,
                                             notifier=LogNotifier(sys.stderr), clock=clock, dry_run=True,
                                             retention_days=settings.unanswered_retention_days)
    else:
        client = web_client(token=settings.slack_bot_token or "", base_url=settings.slack_api_url)
        services.slack = SlackBot(responder=responder, db=db, clock=clock,
                                  signing_secret=settings.slack_signing_secret or "unused-in-socket-mode", client=client,
                                  departments_of=directory.departments_of, on_answer=telemetry.answered_hook,
                                  log_salt=settings.log_salt, behind=behind)
        updater = ReminderUpdater(client=client, db=db, responder=responder, clock=clock)
        evaluation.register(services.slack.app, responder=responder, db=db, directory=directory, outbox=outbox,
                            clock=clock, on_submitted=updater.project_submitted,
                            republish_homes=services.slack.publish_homes)
        services.slack_mode = mode
        services.reminders = ReminderService(db=db, responder=responder, directory=directory, outbox=outbox,
                                             notifier=SlackNotifier(client, on_posted=updater.on_posted), clock=clock,
                                             retention_days=settings.unanswered_retention_days)
    services.health.append(services.reminders.health)
    services.health.append(lambda: plan_health(db))
    services.health.insert(0, lambda: {"database": database_health(state)})  # first: the others need it
    services.reminders.on_delivery = telemetry.delivered
    telemetry.watch_outbox(outbox.summary)
    line_mode, line_missing = settings.line_mode()
    if line_missing:
        raise ValueError(f"LINE is partly configured: missing {', '.join(line_missing)}")
    if line_mode == "off":
        notice("LINE: not configured (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN) — skipped.")
    else:
        services.line = LineChannel(channel_secret=settings.line_channel_secret or "",
                                    access_token=settings.line_channel_access_token or "",
                                    api_url=settings.line_api_url, responder=responder, db=db, clock=clock,
                                    on_answer=telemetry.answered_hook, on_reject=telemetry.rejected,
                                    log_salt=settings.log_salt, behind=behind,
                                    retention_days=settings.unanswered_retention_days)
    return services


def app_from_env(*, host: str | None = None, notice: Callable[[str], None] | None = None) -> Starlette:
    """The whole server, configured from the environment (once per worker process)."""
    settings = Settings.from_env()
    host = host or os.environ.get("DXBOT_HOST", "127.0.0.1")
    services = build(settings, clock=settings.clock(), host=host, notice=notice or log.info)
    setup_logging()
    # Acknowledgements and answers run on the event loop; the threads left (Slack commands and
    # buttons through Bolt, Socket Mode, the reminder scheduler) hold the GIL for a shorter slice
    # than the default, so the loop, which the webhooks are timed on, gets back in sooner.
    sys.setswitchinterval(0.001)
    if services.reminders is not None:
        services.reminders.start(tick_seconds=settings.tick_seconds)
    if services.slack is not None and services.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # start-up cost: Socket Mode only

        SocketModeHandler(services.slack.app, settings.slack_app_token).connect()
        log.info("Slack: connected in Socket Mode")
    return create_app(services)
