"""Reminders over Slack: the Notifier for scheduler/, and how a notice looks in Block Kit."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.render import escape, sections
from knowledge.records import GRADES, fiscal_to_reiwa
from scheduler.notices import Item, Notice, notice_text
from scheduler.notify import RateLimited
from state.directory import Route

EVENT_TYPE = "dxbot_notice"


COMPACT_AFTER = 5  # more projects than this: one line each and a select, not a section per project


def notice_blocks(n: Notice, *, status: Mapping[str, str] | None = None, closed: str | None = None) -> list[dict[str, Any]]:
    """A notice in Block Kit. ``status`` marks submitted projects (「3/21 提出済（B）」) when the
    posted reminder is updated; ``closed`` says why the message takes no more input."""
    status = status or {}
    blocks: list[dict[str, Any]] = []
    text = notice_text(n)
    head, *rest = text.split("\n")
    if n.mention:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": " ".join(f"<@{u}>" for u in n.mention)}})
    blocks += sections(head)
    if n.kind in {"summary", "unrouted", "unknown", "digest"}:  # their list is the text's (Slack shows no fallback)
        blocks += sections("\n".join(rest))
        return blocks
    done = [i for i in n.items if i.project_id in status]
    if closed or (n.items and len(done) == len(n.items)):
        note = closed or f"全{len(n.items)}事業の提出が完了しました。ありがとうございました。"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f":white_check_mark: {escape(note)}"}]})
    elif done:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"提出 {len(done)}/{len(n.items)} 事業"}]})
    open_for_input = not closed
    if len(n.items) > COMPACT_AFTER:
        blocks += _compact_items(n, status, open_for_input)
    else:
        blocks += [_item_section(n, item, status.get(item.project_id), open_for_input) for item in n.items]
    if n.snoozable and open_for_input and len(done) < len(n.items):
        value = json.dumps({"department": n.department, "year": n.fiscal_year,
                            "projects": [i.project_id for i in n.items if i.project_id not in status]}, ensure_ascii=False)
        blocks.append({"type": "actions", "block_id": "dx_snooze", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "明日"}, "action_id": "dx_snooze_1", "value": value},
            {"type": "button", "text": {"type": "plain_text", "text": "3営業日後"}, "action_id": "dx_snooze_3", "value": value},
        ]})
    return blocks[:50]


def _last(item: Item) -> str:
    return f"前回 {item.last_grade}（{GRADES[item.last_grade]}）" if item.last_grade else "前回 評価なし"


def _item_section(n: Notice, item: Item, state: str | None, open_for_input: bool) -> dict[str, Any]:
    reiwa = fiscal_to_reiwa(n.fiscal_year)
    mark = f"　:white_check_mark: *{escape(state)}*" if state else ""
    lines = [f"*{escape(item.project_id)} {escape(item.name)}*　{_last(item)}{mark}"]
    if item.last_comment and not state:
        lines.append(f"> {escape(item.last_comment[:200])}{'…' if len(item.last_comment) > 200 else ''}")
    if not state:
        for ind in item.indicators:
            target = "目標なし" if ind.target is None else f"目標 {ind.target:,g}{ind.unit or ''}"
            lines.append(f"参考値{ind.no}: {escape(ind.label)}（令和{reiwa}年度 {target}）")
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}
    if open_for_input:
        button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": "修正する" if state else "評価を入力"},
                                  "action_id": f"dx_eval_open_{item.project_id}",
                                  "value": json.dumps({"project": item.project_id, "year": n.fiscal_year})}
        if not state:
            button["style"] = "primary"
        block["accessory"] = button
    return block


def _compact_items(n: Notice, status: Mapping[str, str], open_for_input: bool) -> list[dict[str, Any]]:
    """Many projects: a line each in one section and one select that opens the form."""
    lines = [f"{':white_check_mark:' if i.project_id in status else ':white_square:'} *{escape(i.project_id)}* "
             f"{escape(i.name[:40])}　{status.get(i.project_id) or _last(i)}" for i in n.items]
    blocks = sections("\n".join(lines))
    if open_for_input:
        options = [{"text": {"type": "plain_text", "text": f"{'✅ ' if i.project_id in status else ''}{i.project_id} {i.name}"[:75]},
                    "value": json.dumps({"project": i.project_id, "year": n.fiscal_year})} for i in n.items[:100]]
        blocks.append({"type": "actions", "block_id": "dx_eval_pick", "elements": [
            {"type": "static_select", "action_id": "dx_eval_pick", "options": options,
             "placeholder": {"type": "plain_text", "text": "評価を入力する事業を選ぶ"}}]})
    return blocks


class SlackNotifier:
    def __init__(self, client: WebClient, *, on_posted: Callable[[Notice, str, str], None] | None = None) -> None:
        self.client = client
        # Told (notice, channel, ts) of every posted notice, so that the message can be updated later.
        self.on_posted = on_posted or (lambda notice, channel, ts: None)

    def _channel(self, route: Route) -> str:
        if route.slack_channel:
            return route.slack_channel
        # No channel: a group DM with the department's members carries one message to all.
        return self.client.conversations_open(users=",".join(route.slack_users))["channel"]["id"]

    def send(self, route: Route, notice: Notice, *, key: str) -> str:
        channel = self._channel(route)
        try:
            response = self.client.chat_postMessage(
                channel=channel, text=escape(notice_text(notice))[:3000], blocks=notice_blocks(notice),
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RateLimited(float(exc.response.headers.get("Retry-After", 30))) from exc
            raise
        self.on_posted(notice, str(response.get("channel") or channel), str(response.get("ts")))
        return str(response.get("ts"))

    def already_sent(self, route: Route, *, key: str, since: datetime) -> bool:
        response = self.client.conversations_history(channel=self._channel(route), oldest=f"{since.timestamp():.6f}",
                                                     include_all_metadata=True, limit=200)
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("key") == key:
                return True
        return False
