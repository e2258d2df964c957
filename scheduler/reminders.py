"""Plan what is due (write outbox rows), then deliver them (claim, send, confirm)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from knowledge.catalog import Catalog
from scheduler import calendar as cal
from scheduler import rounds
from scheduler.lease import LeaseKeeper
from scheduler.notices import Notice, items_for
from scheduler.notify import Notifier, RateLimited
from state.conversations import group_similar
from state.directory import Directory, Route
from state.evaluations import progress_by_department
from state.outbox import Outbox, Row

log = logging.getLogger("dxbot.reminders")
LATE_AFTER = timedelta(minutes=30)  # a notice sent later than this after its time says it is late
ADMIN = "admin"
ALERT_PREFIX = "alert:unknown:"


@dataclass
class PlanReport:
    fiscal_year: int
    slot: cal.Slot | None
    enqueued: list[str] = field(default_factory=list)
    unrouted: list[str] = field(default_factory=list)
    notices: list[tuple[str, Notice]] = field(default_factory=list)  # (route, notice) for the dry run
    refused: list[str] = field(default_factory=list)  # older than a round already planned: skipped


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # now "unknown": an operator decides
    lost: list[str] = field(default_factory=list)  # another sender took the claim over


def missing_by_department(catalog: Catalog, done: set[str]) -> dict[str, list[str]]:
    return {d: miss for d, (_, miss) in progress_by_department(catalog, done).items() if miss}


def plan(now: datetime, *, catalog: Catalog, outbox: Outbox | None, directory: Directory, done: set[str],
         config: cal.CalendarConfig = cal.CalendarConfig()) -> PlanReport:
    """Enqueue the notices due by ``now`` (the latest due slot only: one missed while the process
    was down is sent late, once, not alongside every older one). ``outbox=None`` only reports."""
    fy = cal.evaluation_year(now, config)
    due = cal.due_slots(now, fy, config)
    if not due:
        return PlanReport(fy, None)
    return plan_slot(now, due[-1], catalog=catalog, outbox=outbox, directory=directory, done=done, config=config)


def plan_slot(now: datetime, slot: cal.Slot, *, catalog: Catalog, outbox: Outbox | None, directory: Directory,
              done: set[str], config: cal.CalendarConfig = cal.CalendarConfig()) -> PlanReport:
    """Enqueue one slot's notices. A department that already has a later round planned (the clock
    was moved back) gets a skipped row naming that round instead: rounds never go backwards."""
    fy = slot.fiscal_year
    report = PlanReport(fy, slot)
    late = now - slot.at > LATE_AFTER
    deadline = cal.deadline(fy, config)
    work = missing_by_department(catalog, done)
    later = rounds.later_than(outbox, slot) if outbox is not None else {}

    def add(key: str, kind: str, department: str, route: str, projects: list[str], notice: Notice, *,
            state: str = "pending", error: str | None = None) -> None:
        newer = later.get(department) if department != ADMIN else next(iter(later.values()), None)
        if newer is not None:
            state, error = "skipped", f"{rounds.CLOCK_BACK}: {newer} was planned already"
            report.refused.append(key)
        else:
            report.notices.append((route, notice))
        if outbox is not None and outbox.enqueue(key, kind=kind, department=department, route=route, fiscal_year=fy,
                                                 label=slot.label, projects=projects, due_at=slot.at, late=late,
                                                 now=now, state=state, error=error):
            report.enqueued.append(key)

    for dept, pids in work.items():
        notice = Notice(f"{fy}:{slot.label}:{dept}", slot.kind, dept, fy, deadline, late, items_for(catalog, pids, fy))
        routes = directory.resolve(dept)
        if not routes:
            if dept not in later:  # an unrouted department in a refused round is no news
                report.unrouted.append(dept)
            add(notice.key, slot.kind, dept, dept, pids, notice, state="failed", error=f"no route for {dept}")
            continue
        for route in routes:
            key = notice.key if route.department == dept else f"{notice.key}>{route.department}"
            add(key, slot.kind, dept, route.department, pids, notice)
    if report.unrouted:
        key = f"{fy}:{slot.label}:unrouted"
        add(key, "unrouted", ADMIN, ADMIN, report.unrouted,
            Notice(key, "unrouted", ADMIN, fy, deadline, late, unrouted=tuple(report.unrouted)))
        if outbox is None or key in report.enqueued:  # once per round, not at every tick that plans it again
            log.warning("reminders: no route for %s", ", ".join(report.unrouted))
    if slot.kind == "overdue" and work:
        key = f"{fy}:summary"
        add(key, "summary", ADMIN, ADMIN, sorted({p for ps in work.values() for p in ps}),
            Notice(key, "summary", ADMIN, fy, deadline, late, missing=tuple((d, tuple(p)) for d, p in work.items())))
    if report.refused:
        log.error("reminders: the clock is behind a round already planned; refused %s", ", ".join(report.refused))
    return report


def snooze(now: datetime, *, outbox: Outbox, department: str, route: str, fiscal_year: int, projects: list[str],
           business_days: int, config: cal.CalendarConfig = cal.CalendarConfig()) -> datetime:
    at = cal.snooze_until(now, business_days=business_days, config=config)
    key = f"{fiscal_year}:snooze:{at.date().isoformat()}:{department}>{route}"
    outbox.enqueue(key, kind="snooze", department=department, route=route, fiscal_year=fiscal_year, label="snooze",
                   projects=projects, due_at=at, late=False, now=now)
    return at


def _route_for(row: Row, directory: Directory) -> Route | None:
    if row.route == ADMIN:
        admin = directory.admin()
        return Route(ADMIN, admin.channel, admin.users) if (admin.channel or admin.users) else None
    route = directory.routes().get(row.route)
    return route if route is not None and route.reachable else None


def _notice_for(row: Row, catalog: Catalog, done: set[str], config: cal.CalendarConfig) -> Notice | None:
    """The notice as it stands now; None when nothing is left to remind about."""
    deadline = cal.deadline(row.fiscal_year, config)
    if row.kind == "unrouted":
        return Notice(row.key, "unrouted", ADMIN, row.fiscal_year, deadline, row.late, unrouted=row.projects)
    if row.kind == "unknown":
        return Notice(row.key, "unknown", ADMIN, row.fiscal_year, deadline, False, lines=row.projects)
    if row.kind == "digest":
        return Notice(row.key, "digest", ADMIN, row.fiscal_year, deadline, False, lines=row.projects)
    if row.kind == "summary":
        missing = missing_by_department(catalog, done)
        if not missing:
            return None
        return Notice(row.key, "summary", ADMIN, row.fiscal_year, deadline, row.late,
                      missing=tuple((d, tuple(p)) for d, p in missing.items()))
    left = [p for p in row.projects if p not in done]
    if not left:
        return None
    return Notice(row.key, "reminder" if row.kind == "snooze" else row.kind, row.department, row.fiscal_year,
                  deadline, row.late, items_for(catalog, left, row.fiscal_year))


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** attempts))


def deliver(now: datetime, *, outbox: Outbox, directory: Directory, notifier: Notifier, catalog: Catalog,
            done_for: Callable[[int], set[str]], worker: str, clock: Callable[[], datetime] | None = None,
            config: cal.CalendarConfig = cal.CalendarConfig()) -> DeliveryReport:
    """Claim what is due and send it, each row at most once.

    ``clock`` (default: ``now`` frozen) times the lease renewals while sending. A row whose lease
    another sender took over is not sent; a recovered row is looked up in the platform's history
    first, and when that lookup fails the row is held as "unknown" and the admin channel is told.
    """
    clock = clock or (lambda: now)
    report = DeliveryReport()
    alerted = 0
    for _ in range(3):  # a second pass sends the alerts the first one raised
        rows = outbox.claim(clock(), worker=worker)
        if not rows:
            break
        with LeaseKeeper(outbox, rows, clock=clock) as keeper:
            for row in rows:
                _deliver_row(row, keeper, now=clock(), outbox=outbox, directory=directory, notifier=notifier,
                             catalog=catalog, done=done_for(row.fiscal_year), config=config, report=report)
        fresh = [k for k in report.held[alerted:] if not k.startswith(ALERT_PREFIX)]
        alerted = len(report.held)
        if fresh:  # one alert for the rows held in this pass (a row is held once per claim)
            now = clock()
            outbox.enqueue(f"{ALERT_PREFIX}{_stamp(now)}:{fresh[0]}", kind="unknown", department=ADMIN, route=ADMIN,
                           fiscal_year=cal.evaluation_year(now, config), label="unknown", projects=fresh, due_at=now,
                           late=False, now=now)
    return report


def _deliver_row(row: Row, keeper: LeaseKeeper, *, now: datetime, outbox: Outbox, directory: Directory,
                 notifier: Notifier, catalog: Catalog, done: set[str], config: cal.CalendarConfig,
                 report: DeliveryReport) -> None:
    def finish(mark: Callable[..., bool], *args: object, **kwargs: object) -> None:
        keeper.release(row)
        if not mark(row, *args, **kwargs):
            report.lost.append(row.key)
            log.warning("reminder %s: claim taken over before it was recorded", row.key)

    notice = _notice_for(row, catalog, done, config)
    if notice is None:
        finish(outbox.mark_skipped, reason="nothing left to report", now=now)
        report.skipped.append(row.key)
        return
    route = _route_for(row, directory)
    if route is None:
        finish(outbox.mark_retry, error=f"no route for {row.route}", at=now + timedelta(hours=1))
        report.retried.append(row.key)
        return
    mention = route.slack_users if route.slack_channel else ()
    notice = Notice(**{**notice.__dict__, "mention": tuple(mention)})
    if row.recovering:
        try:
            delivered = notifier.already_sent(route, key=row.key, since=row.sendable_from - timedelta(minutes=1))
        except RateLimited as exc:
            finish(outbox.mark_retry, error=f"history: {exc}", at=now + timedelta(seconds=exc.retry_after))
            report.retried.append(row.key)
            return
        except Exception as exc:  # cannot tell whether the earlier attempt arrived: never guess
            log.error("reminder %s: delivery cannot be verified (%s); held as unknown", row.key, exc)
            finish(outbox.mark_unknown, error=f"history lookup failed: {type(exc).__name__}: {exc}")
            report.held.append(row.key)  # an alert that cannot be verified raises no alert of its own
            return
        if delivered:
            finish(outbox.mark_sent, receipt="recovered", now=now)
            report.recovered.append(row.key)
            return
    if not keeper.holds(row):  # taken over while we were busy: the new owner decides
        report.lost.append(row.key)
        return
    try:
        receipt = notifier.send(route, notice, key=row.key)
    except RateLimited as exc:
        finish(outbox.mark_retry, error=str(exc), at=now + timedelta(seconds=exc.retry_after))
        report.retried.append(row.key)
        return
    except Exception as exc:  # the platform failed, perhaps after posting: retry later, visibly, after a check
        log.warning("reminder %s failed: %s", row.key, exc)
        finish(outbox.mark_retry, error=f"{type(exc).__name__}: {exc}", at=now + backoff(row.attempts), verify=True)
        report.retried.append(row.key)
        return
    finish(outbox.mark_sent, receipt=receipt, now=now)
    report.sent.append(row.key)


def _stamp(t: datetime) -> str:
    return t.astimezone(cal.TOKYO).strftime("%Y%m%dT%H%M%S")


def plan_digest(now: datetime, *, outbox: Outbox, questions: list[dict], top: int = 10) -> str | None:
    """Once a week (from Monday 09:00 Tokyo): the top unanswered questions of the last 7 days."""
    local = now.astimezone(cal.TOKYO)
    monday = (local - timedelta(days=local.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    if local < monday:
        return None
    year, week, _ = monday.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    if outbox.exists(key):
        return None
    groups = group_similar([q["text"] for q in questions])[:top]
    if not groups:
        return None
    lines = [f"{rep}（{count}件）" + (f" 例: {' / '.join(v for v in variants[1:3])}" if len(variants) > 1 else "")
             for rep, count, variants in groups]
    outbox.enqueue(key, kind="digest", department=ADMIN, route=ADMIN, fiscal_year=cal.evaluation_year(now),
                   label="digest", projects=lines, due_at=monday, late=False, now=now)
    return key
