"""APScheduler wiring: one interval job plans and delivers reminders; a nightly job tidies up.

The outbox, not the scheduler, is the durable record: a tick missed while the process was down
is made up at the next tick (the job store holds nothing worth losing), and several processes
may tick against one database because rows are claimed atomically.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers import Responder
from handlers.conversation import EXPIRING
from scheduler import calendar as cal
from scheduler.notify import Notifier
from scheduler.reminders import DeliveryReport, PlanReport, deliver, plan, plan_digest, plan_slot
from scheduler.rounds import overdue_owed
from state.conversations import Conversations, QuestionLog
from state.directory import Directory, Route
from state.evaluations import submitted
from state.feedback import AnswerLog, Feedback
from state.inbound_queue_pg import open_inbound_queue
from state.outbox import Outbox

log = logging.getLogger("dxbot.scheduler")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class ReminderService:
    db: Any
    responder: Responder
    directory: Directory
    outbox: Outbox
    notifier: Notifier
    clock: Callable[[], datetime]
    dry_run: bool = False
    retention_days: int = 90
    config: cal.CalendarConfig = field(default_factory=cal.CalendarConfig)
    worker: str = field(default_factory=worker_id)
    on_delivery: Callable[[DeliveryReport], None] = lambda report: None
    _announced: set[str] = field(default_factory=set)
    scheduler: BackgroundScheduler | None = None

    def tick(self) -> tuple[PlanReport, DeliveryReport | None]:
        now = self.clock()
        self.responder.refresh()
        catalog = self.responder.catalog
        fy = cal.evaluation_year(now, self.config)
        done = submitted(self.db, fy)
        if self.dry_run:
            report = plan(now, catalog=catalog, outbox=None, directory=self.directory, done=done, config=self.config)
            for route, notice in report.notices:
                if notice.key not in self._announced:
                    self._announced.add(notice.key)
                    self.notifier.send(self.directory.routes().get(route) or Route(route), notice, key=notice.key)
            return report, None
        report = plan(now, catalog=catalog, outbox=self.outbox, directory=self.directory, done=done, config=self.config)
        owed = overdue_owed(now, self.outbox, self.config)
        if owed is not None:  # last year's escalation, missed while the process was down: late, once
            caught = plan_slot(now, owed, catalog=catalog, outbox=self.outbox, directory=self.directory,
                               done=submitted(self.db, owed.fiscal_year), config=self.config)
            report.enqueued += caught.enqueued
            report.unrouted += caught.unrouted
            report.refused += caught.refused
        digest = plan_digest(now, outbox=self.outbox, questions=QuestionLog(self.db).since(now - timedelta(days=7)))
        if digest:
            report.enqueued.append(digest)
        delivery = deliver(now, outbox=self.outbox, directory=self.directory, notifier=self.notifier, catalog=catalog,
                           done_for=lambda year: submitted(self.db, year), worker=self.worker, clock=self.clock,
                           config=self.config)
        self.on_delivery(delivery)
        return report, delivery

    def housekeeping(self) -> None:
        now = self.clock()
        removed = QuestionLog(self.db).enforce_retention(now=now, days=self.retention_days)
        # The answer log and the votes are kept exactly as long as the unanswered questions.
        AnswerLog(self.db).enforce_retention(now=now, days=self.retention_days)
        Feedback(self.db).enforce_retention(now=now, days=self.retention_days)
        open_inbound_queue(self.db).purge(before=now - timedelta(days=7))
        for prefix in EXPIRING:  # expired long ago; Slack threads keep theirs
            Conversations(self.db).purge(before=now - timedelta(days=1), prefix=prefix)
        log.info("housekeeping: %d unanswered questions past retention removed", removed)

    def start(self, *, tick_seconds: float = 60) -> BackgroundScheduler:
        sched = BackgroundScheduler(timezone=cal.TOKYO, job_defaults={
            # A job due while the process slept runs once when it wakes (APScheduler's default
            # grace of 1 s would drop it); the outbox makes a late run harmless.
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        sched.add_job(self._safe_tick, IntervalTrigger(seconds=tick_seconds, timezone=cal.TOKYO), id="reminders",
                      next_run_time=datetime.now(cal.TOKYO))
        sched.add_job(self.housekeeping, CronTrigger(hour=3, minute=17, timezone=cal.TOKYO), id="housekeeping")
        sched.start()
        self.scheduler = sched
        return sched

    def _safe_tick(self) -> None:
        try:
            self.tick()
        except Exception:
            log.exception("reminder tick failed")

    def health(self) -> dict[str, Any]:
        return {"scheduler": {"running": bool(self.scheduler and self.scheduler.running), "dry_run": self.dry_run,
                              "outbox_backlog": self.outbox.backlog(),
                              "outbox_unknown": self.outbox.summary().get("unknown", 0)}}
