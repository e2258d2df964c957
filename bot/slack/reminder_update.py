"""Posted reminders kept up to date: 「3/21 提出済」 per project as forms come in, and a closed note
on earlier reminders once the deadline has passed (``chat.update`` on the stored channel and ts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.slack.notifier import SlackNotifier, notice_blocks
from bot.slack.render import escape
from handlers import Responder
from knowledge.catalog import Catalog
from scheduler.calendar import TOKYO
from scheduler.notices import Notice, items_for, notice_text
from state.reminder_messages import Posted, PostedReminders

log = logging.getLogger("dxbot.slack.reminders")
UPDATABLE = {"reminder", "overdue", "snooze"}  # notices that list projects to submit


@dataclass(frozen=True)
class Submitted:
    month: int | None  # the day it was submitted, Tokyo time
    day: int | None
    grade: str | None

    def label(self, *, lang: str = "ja") -> str:
        """「4/30 提出済（B）」, or "submitted 4/30 (B)"."""
        when = f"{self.month}/{self.day}" if self.month else ""
        if lang == "en":
            return " ".join(x for x in ("submitted", when, f"({self.grade})" if self.grade else "") if x)
        return f"{when + ' ' if when else ''}提出済" + (f"（{self.grade}）" if self.grade else "")


def submissions(catalog: Catalog, project_ids: tuple[str, ...], fiscal_year: int) -> dict[str, Submitted]:
    """The projects with a current submission (draft or published) for the year."""
    out: dict[str, Submitted] = {}
    for pid in project_ids:
        p = catalog.projects.get(pid)
        subs = [e for e in (p.evaluations if p else ()) if e.source == "submission" and e.fiscal_year == fiscal_year]
        if not subs:
            continue
        latest = max(subs, key=lambda e: e.submitted_at or "")
        when = datetime.fromisoformat(latest.submitted_at).astimezone(TOKYO) if latest.submitted_at else None
        out[pid] = Submitted(when.month if when else None, when.day if when else None, latest.grade)
    return out


def submission_status(catalog: Catalog, project_ids: tuple[str, ...], fiscal_year: int, *,
                      lang: str = "ja") -> dict[str, str]:
    """project id -> 「4/30 提出済（B）」 for the projects submitted for the year."""
    return {pid: s.label(lang=lang) for pid, s in submissions(catalog, project_ids, fiscal_year).items()}


class ReminderUpdater:
    """Records posted reminders and rewrites them in place. Failures are logged, never raised: an
    out-of-date reminder is better than a lost submission."""

    def __init__(self, *, client: WebClient, db: Database, responder: Responder, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.posted = PostedReminders(db)
        self.responder = responder
        self.clock = clock

    def on_posted(self, notice: Notice, channel: str, ts: str) -> None:
        """The notifier's hook: remember the message; an overdue notice closes the earlier ones."""
        if notice.kind not in UPDATABLE or not notice.items:
            return
        self.posted.record(notice, channel=channel, ts=ts, now=self.clock())
        if notice.kind == "overdue":
            reason = f"締切（{notice.deadline.month}月{notice.deadline.day}日）を過ぎたため、この依頼は締め切りました。" \
                     "未提出の事業は最新の「締切超過」のお知らせから入力してください。"
            for earlier in self.posted.find(fiscal_year=notice.fiscal_year, department=notice.department):
                if earlier.key != notice.key and not earlier.closed:
                    self.posted.close(earlier.key, reason=reason)
                    self._update(earlier, closed=reason)

    def project_submitted(self, project_id: str, fiscal_year: int) -> int:
        """Update every posted reminder that lists the project; returns how many were updated."""
        found = self.posted.find(fiscal_year=fiscal_year, project_id=project_id)
        for posted in found:
            self._update(posted, closed=posted.closed)
        return len(found)

    def _update(self, posted: Posted, *, closed: str | None) -> None:
        self.responder.refresh()  # the submission just stored must show
        catalog = self.responder.catalog
        notice = Notice(posted.key, posted.kind, posted.department, posted.fiscal_year, posted.deadline, posted.late,
                        items_for(catalog, list(posted.projects), posted.fiscal_year), mention=posted.mention)
        status = submission_status(catalog, posted.projects, posted.fiscal_year)
        try:
            self.client.chat_update(channel=posted.channel, ts=posted.ts, text=escape(notice_text(notice))[:3000],
                                    blocks=notice_blocks(notice, status=status, closed=closed))
        except SlackApiError as exc:
            log.warning("could not update reminder %s: %s", posted.key, exc)


def updating_notifier(client: WebClient, *, db: Database, responder: Responder,
                      clock: Callable[[], datetime]) -> SlackNotifier:
    """A Slack notifier whose posted reminders are recorded, and closed by the overdue notice."""
    return SlackNotifier(client, on_posted=ReminderUpdater(client=client, db=db, responder=responder,
                                                           clock=clock).on_posted)
