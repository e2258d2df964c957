"""App Home: a live dashboard for the reader — their department's projects with this round's
submission state and a button each, counts by grade, the projects behind — in their language."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render_common import GRADE_EMOJI, truncate
from bot.slack.reminder_update import submission_status
from bot.slack.render import escape, sections
from handlers import Responder
from knowledge.records import Project, fiscal_to_reiwa

MAX_BLOCKS = 100  # a Home tab view
OWN_SECTIONS = 40  # projects drawn one section each; beyond this, one line each

TEXT = {
    "ja": {"title": "DX アクションプラン", "own": "{dept} の事業（令和{reiwa}年度の評価）", "progress": "提出 {done}/{total} 事業",
           "none": "あなたの部署はディレクトリに登録されていません。評価の入力には管理者への登録依頼が必要です。",
           "missing": "未提出", "last": "前回", "no_grade": "評価なし", "enter": "評価を入力",
           "edit": "修正する", "grades": "評価別の事業数", "behind": "予定より遅れている事業",
           "how": "*聞き方*\n・メンションかDMで「2-3-1の状況は？」「RPAのKPIは？」「A評価の事業」\n・`/dx 2-3-1`、`/dx help`"},
    "en": {"title": "DX Action Plan", "own": "{dept}'s projects (evaluation of FY{year})", "progress": "{done} of {total} submitted",
           "none": "Your department is not in the directory yet: ask an administrator to add you to submit evaluations.",
           "missing": "not submitted", "last": "last", "no_grade": "no grade",
           "enter": "Enter evaluation", "edit": "Edit", "grades": "Projects by grade", "behind": "Behind schedule",
           "how": "*How to ask*\nMention me or DM: \"what's 2-3-1's status?\", \"RPA KPI\", or `/dx help`"},
}


def user_lang(client: WebClient, user: str) -> str:
    """The reader's Slack language (users.info locale, e.g. en-US); Japanese unless it is English."""
    try:
        info = client.users_info(user=user, include_locale=True)
    except SlackApiError:
        return "ja"
    locale = str((info.get("user") or {}).get("locale") or "")
    return "en" if locale.lower().startswith("en") else "ja"


def _grade(p: Project) -> str | None:
    e = p.latest_evaluation()
    return e.grade if e else None


def _own_section(p: Project, state: str | None, fiscal_year: int, t: dict[str, str]) -> dict[str, Any]:
    last = p.latest_evaluation()
    last_text = f"{t['last']} {last.grade}" if last and last.grade else t["no_grade"]
    line = f":white_check_mark: {escape(state)}" if state else f":white_square: {t['missing']}（{last_text}）"
    button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": t["edit"] if state else t["enter"]},
                              "action_id": f"dx_eval_open_{p.id}",
                              "value": json.dumps({"project": p.id, "year": fiscal_year})}
    if not state:
        button["style"] = "primary"
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(f"*{p.id} {escape(p.name)}*\n{line}", 3000)},
            "accessory": button}


def dashboard(responder: Responder, *, departments: list[str], fiscal_year: int, lang: str = "ja") -> dict[str, Any]:
    t = TEXT["en" if lang == "en" else "ja"]
    catalog = responder.catalog
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": t["title"]}}]
    own = [p for p in catalog.projects.values() if set(p.departments) & set(departments)]
    if departments:
        status = submission_status(catalog, tuple(p.id for p in own), fiscal_year, lang=lang)
        head = t["own"].format(dept="、".join(departments), reiwa=fiscal_to_reiwa(fiscal_year), year=fiscal_year)
        blocks += sections(f"*{head}*\n{t['progress'].format(done=len(status), total=len(own))}")
        if len(own) <= OWN_SECTIONS:
            blocks += [_own_section(p, status.get(p.id), fiscal_year, t) for p in own]
        else:
            blocks += sections("\n".join(f"{p.id} {p.name} — {status.get(p.id, t['missing'])}" for p in own))
        blocks.append({"type": "divider"})
    else:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": t["none"]}]})
    glance = responder.glance()
    counts = "  ".join(f"{GRADE_EMOJI[g]} {g or '—'}: {len(glance.by_grade.get(g, ()))}" for g in ("A", "B", "C", "D", None))
    blocks += sections(f"*{t['grades']}*\n{counts}")
    behind = "\n".join(f"{GRADE_EMOJI[_grade(p)]} {p.id} {p.name}" for p in glance.behind) or "—"
    blocks += sections(f"*{t['behind']}*\n{behind}")
    blocks += sections(t["how"])
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(glance.edition)}]})
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
