"""Block Kit limits for the views this app builds besides answers: reminders (full and compact,
fresh, updated and closed), App Home for every department, the lookup modal, the evaluation form."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.slack.evaluation import modal
from bot.slack.home import dashboard
from bot.slack.lookup import lookup_view
from bot.slack.notifier import COMPACT_AFTER, notice_blocks
from scheduler.notices import Notice, items_for
from state.evaluations import progress_by_department


def check_blocks(blocks: list[dict[str, Any]], *, max_blocks: int) -> None:
    assert 0 < len(blocks) <= max_blocks
    for b in blocks:
        if b.get("text"):
            assert len(b["text"]["text"]) <= (150 if b["type"] == "header" else 3000)
        accessory = [b["accessory"]] if b.get("accessory") else []
        for e in b.get("elements", []) + accessory:
            if e.get("type") == "button":
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000
            if e.get("type") == "static_select":
                options = e.get("options") or [o for g in e["option_groups"] for o in g["options"]]
                assert len(options) <= 100 and all(len(o["text"]["text"]) <= 75 for o in options)
                assert len({o["value"] for o in options}) == len(options)


@pytest.mark.parametrize("closed", [None, "締め切りました。"])
def test_every_departments_reminder_fits_fresh_updated_and_closed(catalog, closed) -> None:
    for dept, (_, missing) in progress_by_department(catalog, set()).items():
        n = Notice(f"2026:reminder-30:{dept}", "reminder", dept, 2026, date(2027, 5, 31),
                   items=items_for(catalog, missing, 2026), mention=("U1",))
        half = dict.fromkeys(missing[::2], "4/30 提出済（B）")
        for status in ({}, half):
            blocks = notice_blocks(n, status=status, closed=closed)
            check_blocks(blocks, max_blocks=50)
            compact = len(missing) > COMPACT_AFTER
            assert any(b.get("block_id") == "dx_eval_pick" for b in blocks) == (compact and not closed)
            assert (sum(1 for b in blocks if b.get("accessory")) == (0 if compact or closed else len(missing)))
            if compact:
                assert len(blocks) <= 8  # not a section per project
            text = json.dumps(blocks, ensure_ascii=False)
            assert all(f"*{pid}" in text for pid in missing)  # every project is still listed
            assert all(v in text for v in status.values())


def test_app_home_fits_for_every_department_and_language(responder, catalog) -> None:
    departments = sorted({d for p in catalog.projects.values() for d in p.departments})
    for lang in ("ja", "en"):
        for dept in departments + [None]:
            view = dashboard(responder, departments=[dept] if dept else [], fiscal_year=2026, lang=lang)
            assert view["type"] == "home"
            check_blocks(view["blocks"], max_blocks=100)


def test_lookup_modal_and_evaluation_form_fit(responder, catalog) -> None:
    view = lookup_view(catalog)
    check_blocks(view["blocks"], max_blocks=100)
    assert len(view["title"]["text"]) <= 24
    for p in catalog.projects.values():
        shown = lookup_view(catalog, answer=responder.project_answer(p.id, "project_status"))
        check_blocks(shown["blocks"], max_blocks=100)
        assert shown["blocks"][0]["accessory"]["initial_option"]["value"] == p.id
        assert not any(b["type"] == "actions" for b in shown["blocks"])  # no thread for card buttons in a modal
        form = modal(p, 2026)
        assert len(form["title"]["text"]) <= 24 and len(form["blocks"]) <= 100


def test_every_view_passes_the_checks_the_fake_api_applies(responder, catalog) -> None:
    """Block Kit's models round-tripped, non-empty texts, limits (tests/platform_rules.py)."""
    from tests.platform_rules import slack_view_violations

    departments = sorted({d for p in catalog.projects.values() for d in p.departments})
    views = [lookup_view(catalog, lang=lang) for lang in ("ja", "en")]
    views += [dashboard(responder, departments=[d], fiscal_year=2026, lang=lang) for d in departments for lang in ("ja", "en")]
    for p in catalog.projects.values():
        views += [modal(p, 2026), lookup_view(catalog, answer=responder.project_answer(p.id, "project_status"))]
    for view in views:
        assert slack_view_violations(view) == [], view.get("callback_id") or view["type"]


def test_names_in_the_form_are_escaped_in_mrkdwn(catalog) -> None:
    """A name with &, < or > can neither break the text nor form a mention such as <!channel>."""
    from dataclasses import replace

    p = replace(next(iter(catalog.projects.values())), name="R&D <試行> 事業", departments=("<!channel>課",))
    head = modal(p, 2026)["blocks"][0]["text"]["text"]
    assert "R&amp;D &lt;試行&gt; 事業" in head and "&lt;!channel&gt;課" in head
    assert "<" not in head.replace("&lt;", "") and "&D" not in head


def test_the_form_starts_from_the_years_latest_submission(db) -> None:
    from handlers import Responder
    from state.catalog import load_catalog
    from state.evaluations import Submission, submit_draft

    t = datetime(2027, 4, 30, 1, 0, tzinfo=UTC)
    submit_draft(db, Submission("2-3-1", 2026, "C", {1: 9000.0}, "一回目", "U1"), now=t)
    submit_draft(db, Submission("2-3-1", 2026, "A", {1: 10500.0}, "二回目", "U1"), now=t.replace(hour=2))
    p = Responder(load_catalog(db)).catalog.projects["2-3-1"]
    inputs = {b["block_id"]: b["element"] for b in modal(p, 2026)["blocks"] if b["type"] == "input"}
    assert inputs["grade"]["initial_option"]["value"] == "A"
    assert inputs["kpi_1"]["initial_value"] == "10,500" and inputs["comment"]["initial_value"] == "二回目"
    fresh = {b["block_id"]: b["element"] for b in modal(p, 2027)["blocks"] if b["type"] == "input"}
    assert "initial_option" not in fresh["grade"] and "initial_value" not in fresh["comment"]  # another year
