"""Reminders over Slack: the Notifier for scheduler/, and how a notice looks in Block Kit."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.render import escape, sections
from knowledge.records import GRADES, fiscal_to_reiwa
from scheduler.directory import Route
from scheduler.notices import Notice, notice_text
from scheduler.notify import RateLimited

EVENT_TYPE = "dxbot_notice"


def notice_blocks(n: Notice) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    text = notice_text(n)
    head, *rest = text.split("\n")
    if n.mention:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": " ".join(f"<@{u}>" for u in n.mention)}})
    blocks += sections(head)
    if n.kind in {"summary", "unrouted", "unknown"}:
        blocks += sections("\n".join(rest))
        return blocks
    reiwa = fiscal_to_reiwa(n.fiscal_year)
    for item in n.items:
        last = (f"前回 {item.last_grade}（{GRADES[item.last_grade]}）" if item.last_grade else "前回 評価なし")
        lines = [f"*{escape(item.project_id)} {escape(item.name)}*　{last}"]
        if item.last_comment:
            lines.append(f"> {escape(item.last_comment[:200])}{'…' if len(item.last_comment) > 200 else ''}")
        for ind in item.indicators:
            target = "目標なし" if ind.target is None else f"目標 {ind.target:,g}{ind.unit or ''}"
            lines.append(f"参考値{ind.no}: {escape(ind.label)}（令和{reiwa}年度 {target}）")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]},
                       "accessory": {"type": "button", "text": {"type": "plain_text", "text": "評価を入力"},
                                     "style": "primary", "action_id": f"dx_eval_open_{item.project_id}",
                                     "value": json.dumps({"project": item.project_id, "year": n.fiscal_year})}})
    if n.snoozable:
        value = json.dumps({"department": n.department, "year": n.fiscal_year,
                            "projects": [i.project_id for i in n.items]}, ensure_ascii=False)
        blocks.append({"type": "actions", "block_id": "dx_snooze", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "明日"}, "action_id": "dx_snooze_1", "value": value},
            {"type": "button", "text": {"type": "plain_text", "text": "3営業日後"}, "action_id": "dx_snooze_3", "value": value},
        ]})
    return blocks[:50]


class SlackNotifier:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def _channel(self, route: Route) -> str:
        if route.slack_channel:
            return route.slack_channel
        # No channel: a group DM with the department's members carries one message to all.
        return self.client.conversations_open(users=",".join(route.slack_users))["channel"]["id"]

    def send(self, route: Route, notice: Notice, *, key: str) -> str:
        try:
            response = self.client.chat_postMessage(
                channel=self._channel(route), text=escape(notice_text(notice))[:3000], blocks=notice_blocks(notice),
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RateLimited(float(exc.response.headers.get("Retry-After", 30))) from exc
            raise
        return str(response.get("ts"))

    def already_sent(self, route: Route, *, key: str, since: datetime) -> bool:
        response = self.client.conversations_history(channel=self._channel(route), oldest=f"{since.timestamp():.6f}",
                                                     include_all_metadata=True, limit=200)
        for message in response.get("messages", []):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("key") == key:
                return True
        return False
