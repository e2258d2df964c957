"""Answer -> Block Kit message (blocks plus a plain ``text`` fallback). Pure functions."""

from __future__ import annotations

import json
from typing import Any

from bot.render_common import (
    GRADE_EMOJI,
    PROJECT_BUTTONS,
    bar,
    figure,
    grade_meaning,
    percent_text,
    progress,
    project_lines,
    truncate,
)
from bot.slack.terms import glossary_list_blocks
from handlers.answer import Answer, Ref
from handlers.compose import JAPANESE
from knowledge.records import Project

SECTION_LIMIT = 3000  # Slack rejects a section text over 3,000 characters
FALLBACK_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
MAX_BLOCKS = 50


def escape(text: str) -> str:
    """Slack mrkdwn control characters; user text can then never form <!channel> or <@U…>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sections(text: str, *, limit: int = SECTION_LIMIT) -> list[dict[str, Any]]:
    """One or more mrkdwn sections, split at line ends so none exceeds Slack's limit."""
    chunks: list[str] = []
    current = ""
    for line in escape(text).split("\n"):
        while len(line) > limit:
            chunks.append(current) if current else None
            current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks if c.strip()]


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_LIMIT), "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(escape(text), SECTION_LIMIT)}]}


def _button(text: str, action_id: str, value: str, *, primary: bool = False) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": truncate(text, BUTTON_LIMIT)},
                         "action_id": action_id, "value": value}
    if primary:
        b["style"] = "primary"
    return b


def pick_value(ref: Ref, intent: str = "project_status", lang: str = "ja") -> str:
    """A button's value; on an English answer it asks for an English one."""
    return json.dumps({"kind": ref.kind, "id": ref.id, "intent": intent, **({"lang": "en"} if lang == "en" else {})},
                      ensure_ascii=False)


def _project_buttons(p: Project, lang: str, shown: str) -> dict[str, Any]:
    value = pick_value(Ref("project", p.id, p.name, 0), lang=lang) if lang == "en" else p.id
    return {"type": "actions", "block_id": f"dx_project_{p.id}", "elements": [
        _button(label, f"dx_project_{intent}", value) for intent, label in PROJECT_BUTTONS[lang] if intent != shown
    ]}


def _grade_line(p: Project, lang: str) -> str:
    e = p.latest_evaluation(include_drafts=True)
    grade = e.grade if e else None
    meaning = grade_meaning(p, e, lang)
    draft = ""
    if e is not None and e.status == "draft":
        draft = " _(draft, not published)_" if lang == "en" else " _（下書き・未公表）_"
    year = f"R{e.fiscal_year - 2018}" if e and grade else ""
    return f"{GRADE_EMOJI[grade]} *{grade or '—'}* {meaning} {year}{draft}"


def _kpi_lines(p: Project, lang: str) -> list[str]:
    lines = []
    for pr in progress(p):
        if pr.percent is not None:
            label = f"KPI {JAPANESE}: {truncate(pr.label, 80)}" if lang == "en" else truncate(pr.label, 80)
            lines.append(f"{label}\n`{bar(pr.percent)}` {percent_text(pr.percent)}% (R{pr.year - 2018}: "
                         f"{figure(pr.actual, pr.unit)} / {figure(pr.target, pr.unit)})")
    return lines


def project_blocks(answer: Answer, p: Project, lang: str) -> list[dict[str, Any]]:
    body_lines = project_lines(answer.text, p, index=answer.projects.index(p), count=len(answer.projects),
                               assumed=bool(answer.assumed_project))
    title = f"{p.id} {answer.name(p.name)}"
    blocks: list[dict[str, Any]] = [_header(title)]
    dept = (", " if lang == "en" else "、").join(answer.name(d) for d in p.departments)
    blocks.append(_context(f"{'Policy' if lang == 'en' else '基本方針'} {p.policy_id} › {p.approach_id} | "
                           f"{'Owner' if lang == 'en' else '担当'}: {dept}"))
    if answer.intent == "project_status":
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _grade_line(p, lang)}})
        body_lines = [ln for ln in body_lines if not ln.startswith(("担当", "Department", "参考値", "KPI", "  "))]
        blocks += sections("\n".join(body_lines))
        kpis = _kpi_lines(p, lang)
        if kpis:
            blocks += sections("\n".join(kpis))
    else:
        blocks += sections("\n".join(body_lines))
    blocks.append(_project_buttons(p, lang, answer.intent))
    return blocks


PAGE = 40  # projects per list message; the rest is one "more" button away


def render(answer: Answer, *, page: int = 0) -> dict[str, Any]:
    """Chat message payload: ``{"text": fallback, "blocks": [...]}``, always within Slack's limits."""
    lang = answer.lang
    blocks: list[dict[str, Any]] = []
    if answer.assumed_project:
        blocks.append(_context(answer.text.splitlines()[0]))
    if answer.intent.startswith("project_") and answer.intent != "project_list" and answer.projects:
        for p in answer.projects[:3]:
            blocks += project_blocks(answer, p, lang)
        blocks.append(_context(answer.source))
    elif answer.intent == "glossary" and answer.terms:
        t = answer.terms[0]
        name = answer.name(t.term)
        blocks.append(_header(f"{name} ({t.term})" if name != t.term else t.term))
        blocks += sections(f"Definition {JAPANESE}: {t.definition}" if lang == "en" else t.definition)
        if answer.suggestions:
            related = "Related projects" if lang == "en" else "関連する事業"
            blocks.append({"type": "actions", "elements": [
                _button(f"{r.id} {r.title}", f"dx_pick_{i}", pick_value(r, lang=lang))
                for i, r in enumerate(answer.suggestions[:5])
            ], "block_id": "dx_related"})
            blocks.insert(-1, _context(related))
        blocks.append(_context(answer.source))
    elif answer.intent == "project_list":
        blocks += _list_blocks(answer, lang, page)
    elif answer.intent == "glossary_list":
        blocks += glossary_list_blocks(answer, page=page, button=_button, header=_header, context=_context,
                                       pick_value=pick_value)
    elif answer.intent in {"clarify", "unknown"}:
        blocks += sections(answer.text)
        if answer.suggestions:
            blocks.append({"type": "actions", "block_id": "dx_suggestions", "elements": [
                _button(f"{r.id} {r.title}" if r.kind == "project" else answer.name(r.title), f"dx_pick_{i}",
                        pick_value(r, lang=lang),
                        primary=i == 0 and answer.intent == "clarify")
                for i, r in enumerate(answer.suggestions[:5])
            ]})
        if answer.intent == "unknown":
            blocks.append(_fallback_buttons(answer, lang))
    else:
        blocks += sections(answer.text)
    return {"text": truncate(escape(answer.text), FALLBACK_LIMIT), "blocks": blocks[:MAX_BLOCKS]}


def _fallback_buttons(answer: Answer, lang: str) -> dict[str, Any]:
    """Terms to try and the help (the contact and the plan's address are in the text above)."""
    start = len(answer.suggestions[:5])
    terms = [_button(answer.name(r.title), f"dx_pick_{start + i}", pick_value(r, lang=lang))
             for i, r in enumerate(answer.popular[:4])]
    help_q = "help" if lang == "en" else "使い方"
    elements = terms + [_button("Help" if lang == "en" else "使い方", "dx_more",
                                json.dumps({"q": help_q, "page": 0}, ensure_ascii=False))]
    return {"type": "actions", "block_id": "dx_fallback", "elements": elements}


OPEN_PROJECT = "dx_list_open"  # a list's select: the chosen project's card, in the thread


def _open_select(ps: list[Project], answer: Answer) -> dict[str, Any]:
    """A select beside a group of listed projects: choosing one opens its card."""
    return {"type": "static_select", "action_id": OPEN_PROJECT,
            "placeholder": {"type": "plain_text", "text": "Open a project" if answer.lang == "en" else "事業を開く"},
            "options": [{"text": {"type": "plain_text", "text": truncate(f"{p.id} {answer.name(p.name)}", BUTTON_LIMIT)},
                         "value": pick_value(Ref("project", p.id, p.name, 0), lang=answer.lang)} for p in ps[:100]]}


def _list_blocks(answer: Answer, lang: str, page: int) -> list[dict[str, Any]]:
    count = len(answer.projects)
    head = (f"{count} project(s) {answer.list_filter}" if lang == "en" else f"{answer.list_filter}: {count}件")
    blocks: list[dict[str, Any]] = [_header(head)]
    groups, notes = answer.extra.get("list_groups") or [], answer.extra.get("list_notes") or []
    if not answer.projects:
        blocks += sections("\n".join([answer.text.splitlines()[0], *notes]))
        return blocks
    if groups and page == 0:
        blocks += sections("\n".join(groups))
    if notes and page == 0:
        blocks += sections("\n".join(notes))
    shown = answer.projects[page * PAGE:(page + 1) * PAGE]
    by_policy: dict[int, list[Project]] = {}
    for p in shown:
        by_policy.setdefault(p.policy_id, []).append(p)
    for policy, ps in sorted(by_policy.items()):
        lines = [f"*{'Policy' if lang == 'en' else '基本方針'}{' ' if lang == 'en' else ''}{policy}* ({len(ps)})"]
        for p in ps:
            e = p.latest_evaluation()
            lines.append(f"{GRADE_EMOJI[e.grade if e else None]} {p.id} {answer.name(p.name)}")
        drawn = sections("\n".join(lines))
        drawn[0]["accessory"] = _open_select(ps, answer)
        blocks += drawn
    rest = count - (page + 1) * PAGE
    if rest > 0:
        label = f"Next {min(rest, PAGE)} of {rest}" if lang == "en" else f"次の {min(rest, PAGE)} 件（残り {rest} 件）"
        value = json.dumps({"q": answer.query, "page": page + 1}, ensure_ascii=False)
        blocks.append({"type": "actions", "block_id": "dx_more", "elements": [_button(label, "dx_more", value[:2000])]})
    blocks.append(_context(answer.source))
    return blocks
