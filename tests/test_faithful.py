"""Facts shown as the plan states them: names, schedules, achievement figures and new projects.

Each expectation was checked by hand against the bundled plan text.
"""

from __future__ import annotations

import json

import pytest

from bot.line import render as line_render
from bot.render_common import bar, progress
from bot.slack import render as slack_render
from bot.web import render as web_render
from handlers import Responder
from knowledge.parse import fix_ocr
from knowledge.records import Plan

# ---------------------------------------------------------------------------- 力ギ → カギ

def test_policy_5_is_shown_with_katakana_ka(responder: Responder, plan_text: str) -> None:
    a = responder.answer("基本方針5の事業")
    assert "デジタル化のカギは人なり" in a.text and "力ギ" not in a.text
    assert "力ギ" not in responder.answer("staff training projects").text
    assert "デジタル化の力ギは人なり" in plan_text  # the stored source keeps what the PDF gave


def test_the_ocr_fix_leaves_kanji_words_alone() -> None:
    assert fix_ocr("デジタル化の力ギは人なり") == "デジタル化のカギは人なり"
    assert fix_ocr("協力ゲーム、能力アップ、力") == "協力ゲーム、能力アップ、力"


# ---------------------------------------------------------------------------- schedules

@pytest.mark.parametrize("question,text", [
    ("2-2-2のスケジュール", "スケジュールは図のため本文にありません"),
    ("5-1-1のスケジュールは？", "スケジュールは図のため本文にありません"),
    ("schedule of 2-2-2", "the schedule is a figure"),
])
def test_schedules_lost_to_figures_are_said_so(responder: Responder, question: str, text: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_schedule" and text.lower() in a.text.lower()
    assert "no schedule" not in a.text and "記載がありません" not in a.text


def test_items_whose_arrows_were_lost_run_on_from_their_year(responder: Responder) -> None:
    # 2-2-1: 研修等を通じて風土醸成 in R4, empty R5 and R6, 継続 in R7.
    text = responder.answer("2-2-1のスケジュール").text
    assert "令和4年度〜: 研修等を通じて風土醸成" in text and "令和7年度: 継続" in text
    # 1-1-3: R4's item is followed by R5's, so it is R4 only; R5's runs on into the empty R6 and R7.
    text = responder.answer("1-1-3のスケジュール").text
    assert "令和4年度: 窓口や出張先での申請サポートを実施" in text and "令和5年度〜: 交付率を上げるための体制強化" in text
    text = responder.answer("schedule for 2-2-1").text
    assert "From R4 (Japanese): " in text and "R7 (Japanese): 継続" in text


# ---------------------------------------------------------------------------- achievement

def test_achievement_is_rounded_with_the_indicators_unit(responder: Responder) -> None:
    assert "765 / 800 = 95.6%" in responder.answer("オープンデータのKPI").text  # not 95
    text = responder.answer("2-2-1のKPI").text
    assert "実績 26.8%" in text and "26.8 / 50 = 53.6%" in text
    assert "7,552 / 8,000 = 94.4%" in responder.answer("what are the KPIs of 2-3-1").text


def test_a_text_bar_below_100_never_looks_full() -> None:
    assert bar(99.6).endswith("░") and bar(95.6).endswith("░")
    assert bar(100) == "▓" * 10 and "░" not in bar(108.8)


def _kpi_boxes(node):  # type: ignore[no-untyped-def]
    """Every drawn bar (a box with a percent width) in a Flex tree."""
    if isinstance(node, dict):
        if node.get("type") == "box" and str(node.get("width", "")).endswith("%"):
            yield node
        for v in node.values():
            yield from _kpi_boxes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _kpi_boxes(v)


def test_renderers_show_rounded_figures_and_bars_that_are_not_full(responder: Responder) -> None:
    a = responder.answer("1-3-1の状況")
    slack = json.dumps(slack_render.render(a), ensure_ascii=False)
    assert "95.6%" in slack and "▓▓▓▓▓▓▓▓▓░" in slack and "765 / 800" in slack
    line = line_render.render(a)
    widths = [float(b["width"].rstrip("%")) for b in _kpi_boxes(line)]
    assert widths and all(w < 100 for w in widths)
    assert "95.6%" in json.dumps(line, ensure_ascii=False)
    card = web_render.render(a)["card"]
    kpi = card["projects"][0]["kpis"][0]
    assert kpi["percent"] == 95.6 and kpi["bar"] < 100
    # A percentage indicator keeps its decimal and its unit everywhere.
    b = responder.answer("2-2-1の状況")
    assert "26.8%" in json.dumps(line_render.render(b), ensure_ascii=False)
    assert "26.8%" in json.dumps(slack_render.render(b), ensure_ascii=False)
    assert web_render.render(b)["card"]["projects"][0]["kpis"][0]["unit"] == "%"
    # A bar at 100 % is full.
    full = [x for x in progress(responder.catalog.projects["4-1-1"]) if x.percent == 100]
    assert full and bar(full[0].percent) == "▓" * 10


# ---------------------------------------------------------------------------- 2-4-3

@pytest.mark.parametrize("question,words", [
    ("2-4-3の状況は？", ["令和5年度に新たに加わった事業", "最初の評価は令和5年度分"]),
    ("庁内ネットワークの再構築の評価", ["令和5年度に新たに加わった事業"]),
    ("status of 2-4-3", ["new in R5", "first evaluation is due for R5"]),
])
def test_2_4_3_is_new_in_r5_not_unevaluated(responder: Responder, question: str, words: list[str]) -> None:
    a = responder.answer(question)
    assert all(w in a.text for w in words)
    assert "まだありません" not in a.text and "none yet" not in a.text and "評価なし" not in a.text


def test_2_4_3_on_cards(responder: Responder) -> None:
    a = responder.answer("2-4-3の状況は？")
    assert "令和5年度の新規事業" in json.dumps(slack_render.render(a), ensure_ascii=False)
    assert "令和5年度の新規事業" in json.dumps(line_render.render(a), ensure_ascii=False)
    assert "令和5年度" in web_render.render(a)["card"]["projects"][0]["ungraded_reason"]


# ---------------------------------------------------------------------------- line-break gaps

def test_line_break_gaps_inside_japanese_words_are_joined(plan: Plan) -> None:
    comment = next(p for p in plan.projects if p.id == "1-2-1").evaluations[0].comment
    assert "対応したことで" in comment and "検討を進めます" in comment and "できるようになりました" in comment
    assert "こと で" not in comment and "検 討" not in comment


def test_real_spaces_are_kept(plan: Plan) -> None:
    by_id = {p.id: p for p in plan.projects}
    assert "「au PAY」「d 支払い」「PayB」" in by_id["1-2-2"].evaluations[0].comment
    assert "Web 会議専用 PC" in by_id["2-1-3"].evaluations[0].comment
    assert "LGWAN 接続系" in by_id["2-4-3"].current
