"""The evaluation modal: open it from a reminder, check who submits, validate, store a draft."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.render import escape
from handlers import Responder
from handlers.evaluation_form import MAX_COMMENT, validate
from knowledge.records import GRADES, Evaluation, Project, fiscal_to_reiwa
from scheduler.calendar import TOKYO
from scheduler.reminders import snooze
from state.directory import Directory, Route
from state.evaluations import submit_draft
from state.outbox import Outbox

CALLBACK = "dx_eval_submit"


def modal(p: Project, fiscal_year: int) -> dict[str, Any]:
    reiwa = fiscal_to_reiwa(fiscal_year)
    last = p.latest_evaluation()
    draft = current_submission(p, fiscal_year)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(p.id)} {escape(p.name)}*\n"
                                     f"担当: {escape('、'.join(p.departments))}"
                                     + (f"\n前回: {last.grade}（令和{fiscal_to_reiwa(last.fiscal_year)}年度）" if last and last.grade else "")}},
        {"type": "input", "block_id": "grade", "label": {"type": "plain_text", "text": f"令和{reiwa}年度の評価"},
         "element": {"type": "static_select", "action_id": "value", "placeholder": {"type": "plain_text", "text": "A〜D"},
                     "options": [{"text": {"type": "plain_text", "text": f"{g}: {m}"}, "value": g} for g, m in GRADES.items()]}},
    ]
    if draft is not None:
        blocks.insert(1, {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"{_when(draft)}に提出された{'下書き' if draft.status == 'draft' else '評価'}を表示しています。"
            "保存すると置き換わります（前の内容は履歴に残ります）。")}]})
        if draft.grade in GRADES:
            blocks[-1]["element"]["initial_option"] = {"text": {"type": "plain_text", "text": f"{draft.grade}: {GRADES[draft.grade]}"},
                                                        "value": draft.grade}
    actuals = dict(draft.actuals) if draft is not None else {}
    for ind in p.indicators:
        t = ind.value(fiscal_year, "target")
        target = f"（目標 {t.value:,g}{ind.unit or ''}）" if t and t.value is not None else ""
        blocks.append({"type": "input", "block_id": f"kpi_{ind.no}", "optional": True,
                       "label": {"type": "plain_text", "text": f"参考値{ind.no} 実績: {ind.label}{target}"[:2000]},
                       "element": {"type": "plain_text_input", "action_id": "value",
                                   "placeholder": {"type": "plain_text", "text": "例: 7,552"},
                                   **({"initial_value": f"{actuals[ind.no]:,g}"} if actuals.get(ind.no) is not None else {})}})
    blocks.append({"type": "input", "block_id": "comment", "optional": True,
                   "label": {"type": "plain_text", "text": "コメント（振り返りと今後の方針）"},
                   "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                               "max_length": MAX_COMMENT,
                               **({"initial_value": draft.comment[:MAX_COMMENT]} if draft is not None and draft.comment else {})}})
    return {"type": "modal", "callback_id": CALLBACK, "title": {"type": "plain_text", "text": "評価を入力"},
            "submit": {"type": "plain_text", "text": "下書き保存"}, "close": {"type": "plain_text", "text": "閉じる"},
            "private_metadata": json.dumps({"project": p.id, "year": fiscal_year}), "blocks": blocks}


def current_submission(p: Project, fiscal_year: int) -> Evaluation | None:
    """The form's starting point: what was last submitted for the year (a draft, or already published)."""
    subs = [e for e in p.evaluations if e.source == "submission" and e.fiscal_year == fiscal_year]
    return max(subs, key=lambda e: e.submitted_at or "") if subs else None


def _when(e: Evaluation) -> str:
    if not e.submitted_at:
        return ""
    t = datetime.fromisoformat(e.submitted_at).astimezone(TOKYO)
    return f"{t.month}月{t.day}日 "


def form_values(view: dict[str, Any]) -> tuple[str | None, dict[int, str], str]:
    values = view.get("state", {}).get("values", {})
    grade = ((values.get("grade", {}).get("value") or {}).get("selected_option") or {}).get("value")
    numbers = {int(b[4:]): (v.get("value", {}).get("value") or "") for b, v in values.items() if b.startswith("kpi_")}
    comment = (values.get("comment", {}).get("value") or {}).get("value") or ""
    return grade, numbers, comment


def register(app: App, *, responder: Responder, db: Any, directory: Directory, outbox: Outbox,
             clock: Callable[[], datetime], on_submitted: Callable[[str, int], object] | None = None,
             republish_homes: Callable[[list[str]], object] | None = None) -> None:
    """``on_submitted(project_id, fiscal_year)`` runs after a draft is stored (reminders are updated);
    ``republish_homes(users)`` then redraws the App Home of the submitter and of everyone listed for
    the project's departments, so that none of them still reads 未提出."""
    def refusal(p: Project) -> str:
        return f"{p.id} の評価を入力できるのは {'、'.join(p.departments)} の担当者と管理者だけです。ディレクトリへの登録は管理者に依頼してください。"

    @app.action({"action_id": re.compile(r"^dx_eval_(open_|pick$)")})
    def open_form(ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Callable[..., Any]) -> None:
        ack()
        # A button carries its value; the compact list's select carries the chosen option's.
        target = project_and_year(action.get("value") or (action.get("selected_option") or {}).get("value"))
        responder.refresh()
        p = responder.catalog.projects.get(target[0]) if target else None
        user = body["user"]["id"]

        def tell(text: str) -> None:  # App Home has no response_url: say it in a DM instead
            if body.get("response_url"):
                respond(response_type="ephemeral", replace_original=False, text=text)
            else:
                client.chat_postMessage(channel=user, text=text)

        if p is None or target is None:
            tell("この事業は見つかりません。")
            return
        if not directory.may_submit(user, p.departments):
            tell(refusal(p))
            return
        client.views_open(trigger_id=body["trigger_id"], view=modal(p, target[1]))

    @app.view(CALLBACK)
    def submit(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        target = project_and_year(view.get("private_metadata"))
        user = body["user"]["id"]
        p = responder.catalog.projects.get(target[0]) if target else None
        if p is None or target is None:
            ack(response_action="errors", errors={"grade": "この事業は見つかりません。"})
            return
        if not directory.may_submit(user, p.departments):
            ack(response_action="errors", errors={"grade": refusal(p)})  # refused: nothing is stored
            return
        grade, numbers, comment = form_values(view)
        result = validate(p, target[1], grade=grade, numbers=numbers, comment=comment, user=user)
        if isinstance(result, dict):
            ack(response_action="errors", errors=result)
            return
        # Stored before Slack is told it went through: an acknowledged form is never lost to a crash
        # between the two (a SQLite write is milliseconds of Slack's three seconds).
        submit_draft(db, result, now=clock())
        ack()
        client.chat_postMessage(channel=user, text=(
            f"{p.id} {p.name} の令和{fiscal_to_reiwa(result.fiscal_year)}年度の評価（{result.grade}）を下書きとして保存しました。"
            "公表は管理者が行います。公表までは職員にだけ「下書き」として表示され、市民には表示されません。"
            "修正するときは、もう一度「評価を入力」から保存してください。"))
        if on_submitted is not None:
            on_submitted(p.id, result.fiscal_year)
        if republish_homes is not None:
            republish_homes(home_readers(directory, p, submitter=user))

    @app.action({"action_id": re.compile(r"^dx_snooze_(1|3)$")})
    def snooze_reminder(ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                        respond: Callable[..., Any]) -> None:
        ack()
        days = int(action["action_id"].rsplit("_", 1)[1])
        responder.refresh()
        checked = snooze_request(action.get("value"), user=body["user"]["id"], directory=directory,
                                 projects=responder.catalog.projects)
        if isinstance(checked, str):  # refused: nothing is queued
            respond(response_type="ephemeral", replace_original=False, text=checked)
            return
        department, routes, fiscal_year, projects = checked
        channel = (body.get("channel") or {}).get("id")
        route = next((r.department for r in routes if r.slack_channel == channel), routes[0].department)
        at = snooze(clock(), outbox=outbox, department=department, route=route, fiscal_year=fiscal_year,
                    projects=projects, business_days=days)
        respond(response_type="ephemeral", replace_original=False,
                text=f"{at.month}月{at.day}日 {at:%H:%M} にもう一度お知らせします。")


def home_readers(directory: Directory, p: Project, *, submitter: str) -> list[str]:
    """Whose App Home shows the project's submission state: the submitter and the department's members."""
    listed = (u for d in p.departments for r in directory.resolve(d) for u in r.slack_users)
    return list(dict.fromkeys([submitter, *listed]))


def project_and_year(value: str | None) -> tuple[str, int] | None:
    """(project id, fiscal year) from a button value or a modal's metadata, which come back from the
    client: None unless both are there and the year is plausible."""
    try:
        data = json.loads(value or "")
        project, year = str(data["project"]), int(data["year"])
    except (ValueError, KeyError, TypeError):
        return None
    return (project, year) if 2000 <= year <= 2100 else None


def snooze_request(value: str | None, *, user: str, directory: Directory,
                   projects: Mapping[str, Project]) -> tuple[str, list[Route], int, list[str]] | str:
    """(department, its routes, fiscal year, its projects) from a snooze button's value, or why not.

    The value comes back from the client, so it is checked as if forged: the department must have
    a route, the user must be listed for it (or an admin), and only its own projects are kept.
    """
    try:
        data = json.loads(value or "")
        department, fiscal_year = str(data["department"]), int(data["year"])
        listed = [str(p) for p in data["projects"]]
    except (ValueError, KeyError, TypeError):
        return "このボタンの内容を読み取れませんでした。"
    routes = directory.resolve(department)
    if not routes or not 2000 <= fiscal_year <= 2100:
        return f"{department} への通知は見つかりません。"
    if not directory.may_submit(user, (department,)):
        return f"{department} の通知を延期できるのは {department} の担当者と管理者だけです。"
    names = {department, *(r.department for r in directory.routes().values() if department in r.teams)}
    own = [pid for pid in listed if pid in projects and names & set(projects[pid].departments)]
    if not own:
        return f"{department} の未提出の事業が見つかりません。"
    return department, routes, fiscal_year, own
