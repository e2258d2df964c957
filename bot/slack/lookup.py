"""The global shortcut 「事業を調べる」: a modal with a project select; choosing one shows its card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.home import user_lang
from bot.slack.render import project_blocks
from handlers import Responder
from handlers.answer import Answer
from knowledge.catalog import Catalog
from knowledge.records import Project

CALLBACK = "dx_lookup_project"  # the shortcut's callback id in manifest.yml
PICK = "dx_lookup_pick"


def _option(p: Project) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": f"{p.id} {p.name}"[:75]}, "value": p.id}


def lookup_view(catalog: Catalog, *, lang: str = "ja", answer: Answer | None = None) -> dict[str, Any]:
    en = lang == "en"
    groups: dict[int, list[dict[str, Any]]] = {}
    for p in catalog.projects.values():
        groups.setdefault(p.policy_id, []).append(_option(p))
    select: dict[str, Any] = {
        "type": "static_select", "action_id": PICK,
        "placeholder": {"type": "plain_text", "text": "Choose a project" if en else "事業を選ぶ"},
        "option_groups": [{"label": {"type": "plain_text", "text": f"Policy {n}" if en else f"基本方針 {n}"},
                           "options": opts[:100]} for n, opts in sorted(groups.items())],
    }
    blocks: list[dict[str, Any]] = [{"type": "section", "block_id": "dx_lookup",
                                     "text": {"type": "mrkdwn", "text": "Which project?" if en else "どの事業を調べますか？"},
                                     "accessory": select}]
    if answer is not None and answer.projects:
        p = answer.projects[0]
        select["initial_option"] = _option(catalog.projects[p.id])
        # Card buttons answer in a thread, which a modal does not have: the card goes without them.
        blocks += [b for b in project_blocks(answer, p, lang) if b["type"] != "actions"]
    return {"type": "modal", "callback_id": CALLBACK, "title": {"type": "plain_text", "text": "Look up a project" if en else "事業を調べる"},
            "close": {"type": "plain_text", "text": "Close" if en else "閉じる"}, "blocks": blocks[:100]}


def register(app: App, *, responder: Responder) -> None:
    @app.shortcut(CALLBACK)
    def open_lookup(ack: Callable[..., None], shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        responder.refresh()
        lang = user_lang(client, (shortcut.get("user") or {}).get("id", ""))
        client.views_open(trigger_id=shortcut["trigger_id"], view=lookup_view(responder.catalog, lang=lang))

    @app.action(PICK)
    def pick(ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        responder.refresh()
        pid = (action.get("selected_option") or {}).get("value", "")
        lang = user_lang(client, (body.get("user") or {}).get("id", ""))
        answer = responder.project_answer(pid, "project_status", lang=lang)
        view = body.get("view") or {}
        client.views_update(view_id=view.get("id"), hash=view.get("hash"),
                            view=lookup_view(responder.catalog, lang=lang, answer=answer))
