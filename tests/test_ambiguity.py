"""Ambiguity: a topic shared by two projects' names asks which one, with both as buttons."""

from __future__ import annotations

import json

import pytest

from bot.slack.render import render as slack_render
from handlers import Responder

AMBIGUOUS = [
    ("窓口の状況", {"1-2-1", "3-1-3"}),
    ("窓口について教えて", {"1-2-1", "3-1-3"}),
    ("窓口はどうなってる？", {"1-2-1", "3-1-3"}),
    ("窓口の担当は？", {"1-2-1", "3-1-3"}),
    ("スマホの進捗", {"3-1-1", "3-1-2"}),
    ("スマホについて", {"3-1-1", "3-1-2"}),
    ("スマホの取り組み", {"3-1-1", "3-1-2"}),
    ("スマホのKPI", {"3-1-1", "3-1-2"}),
    ("研修の評価", {"4-1-1", "5-1-1"}),
    ("研修について", {"4-1-1", "5-1-1"}),
    ("セキュリティの進捗", {"4-1-1", "4-1-2"}),
    # A bare topic in everyday words that several projects hold whole, with no cue to read.
    ("公民館のことを聞きたい", {"3-1-1", "3-1-2"}),
    # 公民館 is where both happen, not the department 中央公民館 (which co-owns only 3-1-2).
    ("公民館での取り組みって今どうなってる？", {"3-1-1", "3-1-2"}),
    ("窓口の話", {"1-2-1", "3-1-3"}),
    ("職員の研修はどんな感じ？", {"4-1-1", "5-1-1"}),
    # A topic named as a kind of project (関係, 系, がらみ; "the … projects") is every project it names.
    ("データ関係の取り組みはどうなってる？", {"1-3-1", "1-3-2", "1-3-3"}),
    ("窓口がらみの事業の進み具合", {"1-2-1", "3-1-3"}),
    # A topic an approach is named by brings its projects (2-2-2's satellite offices are telework too).
    ("テレワーク系の事業ってどうなってるの", {"2-2-1", "2-2-2"}),
    ("what's new with the data projects?", {"1-3-1", "1-3-2", "1-3-3"}),
    ("セキュリティの取り組みの評価を知りたい", {"4-1-1", "4-1-2"}),  # several projects' names hold it
    # A short name of one project that is not its title's (アプリ for 1-1-2), which another speaks of
    # as often (1-2-2's payment apps): a topic both are about.
    ("アプリのやつ、いまどういう状況？", {"1-1-2", "1-2-2"}),
    ("アプリの事業、評価はどうでしたか", {"1-1-2", "1-2-2"}),  # 事業 says what kind, not which
    ("職員の研修ってどうなってますか", {"4-1-1", "5-1-1"}),
    # The word that names an approach (Digital service counters) in English names a project of
    # another approach too (Digital terminals at service counters): both counter projects offered.
    ("how are the counters doing", {"1-2-1", "3-1-3"}),
    # "happening" asks how it goes; read as a topic word it found an incident in the security training.
    ("what is happening with the city maps", {"1-3-2", "1-3-3"}),
    # A name short of the title that a project and its repost under another policy share (4-1-1 and
    # 5-1-2): the person may mean either number.
    ("セキュリティ研修のこと教えて", {"4-1-1", "5-1-2"}),
    ("Tell me about the security training.", {"4-1-1", "5-1-2"}),
    # A word of one title (電子決裁 of 2-1-1) that another project is about too (2-1-2 brings it to
    # accounting), asked bare: the question model, sure people would be asked which, is heard.
    ("電子決裁の件どうなってますか", {"2-1-1", "2-1-2"}),
    # A "which one?" a stage asks by one reading (オープンデータ in two titles) that misses a project
    # the whole question is as near (1-3-3 puts the open data to use): the ask-back's options join.
    ("オープンデータ系の取り組みってどうなってますか", {"1-3-1", "1-3-2", "1-3-3"}),
    ("情報セキュリティ関係の事業のスケジュールを知りたい", {"4-1-1", "4-1-2"}),
    # The topic's noun that the nearest projects speak of, held by a few projects in all: those few
    # too (基幹 and クラウド are in 4-1-2's schedule, 会議 in 2-3-2's texts: AI minutes of meetings).
    ("基幹20業務まわりの取り組みは今どうなってますか", {"2-4-1", "2-4-2", "4-1-2"}),
    ("クラウド移行の取組の状況を伺いたい", {"2-4-2", "2-4-3", "4-1-2"}),
    ("会議をデジタルでやる取り組みはどうなっていますか", {"2-1-3", "2-3-2"}),
]


@pytest.mark.parametrize("question, both", AMBIGUOUS, ids=[q for q, _ in AMBIGUOUS])
def test_close_candidates_ask_which_one(responder: Responder, question: str, both: set[str]) -> None:
    a = responder.answer(question)
    assert a.intent == "clarify" and not a.answers, (a.intent, [x.id for x in a.answers])
    assert both <= {s.id for s in a.suggestions}


CLEAR = [
    ("スマホコンシェルジュの状況", "3-1-1"),
    ("スマホ教室の状況", "3-1-2"),
    ("スマートフォン講座の評価", "3-1-2"),
    ("スマホ決済の状況", "1-2-2"),
    ("書かない窓口の進捗", "1-2-1"),
    ("窓口のワンストップ化の状況", "1-2-1"),
    ("リモート窓口の状況", "3-1-3"),
    ("窓口へのデジタル端末の配備", "3-1-3"),
    ("マイナポータル端末の配備状況", "3-1-3"),
    # A repost's title without its (再掲) is its original's own title: that names the original.
    ("セキュリティ研修の実施の評価", "4-1-1"),
    ("文書管理システムの電子決裁導入の状況", "2-1-1"),  # the whole title holds it
    ("セキュリティ研修の評価", "4-1-1"),  # a grade asked: the question model, learned from askers, settles on the original
    ("デジタル人材の育成の評価", "5-1-1"),
]


@pytest.mark.parametrize("question, pid", CLEAR, ids=[q for q, _ in CLEAR])
def test_a_question_that_names_one_project_stays_clear(responder: Responder, question: str, pid: str) -> None:
    a = responder.answer(question)
    assert a.intent == "project_status" and a.answers[0].id == pid, (a.intent, a.text[:120])


@pytest.mark.parametrize("question, term", [("スマホとは", "スマートフォン"), ("セキュリティとは", "情報セキュリティ")])
def test_asking_what_a_word_means_is_not_ambiguous(responder: Responder, question: str, term: str) -> None:
    a = responder.answer(question)
    assert a.intent == "glossary" and a.answers[0].id == term


def test_the_bare_common_name_offers_the_term_too(responder: Responder) -> None:
    a = responder.answer("スマホ")
    assert a.intent == "clarify"
    kinds = {(s.kind, s.id) for s in a.suggestions}
    assert {("project", "3-1-1"), ("project", "3-1-2"), ("glossary", "スマートフォン")} <= kinds


def test_the_reader_sees_both_as_buttons(responder: Responder) -> None:
    a = responder.answer("窓口の状況")
    assert "1-2-1 窓口のワンストップ化" in a.text and "3-1-3 窓口へのデジタル端末の配備" in a.text
    blocks = slack_render(a)["blocks"]
    buttons = [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]
    assert {json.loads(e["value"])["id"] for e in buttons} >= {"1-2-1", "3-1-3"}


@pytest.mark.parametrize("question, pid", [
    ("RPAの進み具合は？", "2-3-1"),  # BPR's and AI's texts name RPA in passing: RPA is 2-3-1's alone
    ("テレワークの進捗を教えて", "2-2-1"),
    ("電子決裁の状況", "2-1-1"),  # its title's words (2-1-2 too speaks of 電子決裁, but names it not)
    ("クラウド化の進み具合", "2-4-2"),
])
def test_a_short_name_that_others_only_mention_answers_its_project(responder: Responder, question: str, pid: str) -> None:
    a = responder.answer(question)
    assert [x.id for x in a.answers][:1] == [pid], (a.intent, [s.id for s in a.suggestions])


def test_a_project_asked_for_by_a_term_is_the_project_not_the_term(responder: Responder) -> None:
    # 「…の事業って何番？」 asks for a project: the one that speaks of the term, or which of them.
    one = responder.answer("キャッシュレスの事業って何番？")
    # (Which of its cards answers "what number" is the question model's reading: its number heads either.)
    assert one.intent in ("project_status", "project_overview") and [x.id for x in one.answers] == ["1-2-2"], one.text
    assert one.text.startswith("1-2-2")
    several = responder.answer("クラウドの事業って何番？")
    assert several.intent == "clarify" and {"2-4-2", "4-1-2"} <= {s.id for s in several.suggestions}, several.text


def test_which_section_is_a_department_question(responder: Responder) -> None:
    a = responder.answer("オープンデータは何課？")
    assert (a.intent, [x.id for x in a.answers]) == ("project_department", ["1-3-1"]), a.text


def test_the_question_back_quotes_the_topic_as_typed(responder: Responder) -> None:
    a = responder.answer("業務フローの可視化")
    assert a.intent == "clarify"
    assert "「業務フローの可視化」" in a.text, a.text  # not the matching form 「業務フローノ可視化」


def test_projects_about_equally_near_are_asked_between_not_unknown(responder: Responder) -> None:
    a = responder.answer("市のデータの公開をやっている事業は、評価どうでしたか")
    assert a.intent == "clarify" and not a.answers, a.text
    assert {"1-3-1", "1-3-2"} <= {s.id for s in a.suggestions}


@pytest.mark.parametrize("question", ["船橋市の職員数は全部で何人？", "船橋市の予算はいくら？"])
def test_a_figure_the_plan_may_not_hold_is_never_asked_between_projects(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "unknown" and not a.answers, a.text


def test_a_topic_that_name_pieces_cover_asks_between_the_texts_holding_it_whole(responder: Responder) -> None:
    # 業務フロー names 2-3-3 and 可視化 names 1-3-2 (見える化), but 業務フローの可視化 is written whole
    # in 2-3-1's and 2-3-3's texts: those are the ones to ask between.
    a = responder.answer("業務フローの可視化に取り組んでいる事業の担当を知りたい")
    assert a.intent == "clarify" and {s.id for s in a.suggestions} == {"2-3-1", "2-3-3"}, a.text


@pytest.mark.parametrize("question", ["職員の研修って最近どうなってる？", "how is the training for city employees going?"])
def test_a_reposted_project_is_offered_under_both_its_numbers(responder: Responder, question: str) -> None:
    """4-1-1 is listed again as 5-1-2 under policy 5: a person choosing between the training
    projects may know it by either number, so a question back that offers one offers both."""
    got = responder.answer(question, audience="staff").to_json()
    offered = [s["id"] for s in got["suggestions"]]
    assert got["intent"] == "clarify"
    assert {"4-1-1", "5-1-2", "5-1-1"} <= set(offered)
    assert len(offered) == len(set(offered))


@pytest.mark.parametrize("question", ["スマホの取り組みってどうなってる？", "すまほの こと おしえて",
                                      "すまほ の ことが しりたい"])  # こと|が, not こ|とが
def test_a_term_as_typed_in_two_projects_names_asks_between_them(responder: Responder, question: str) -> None:
    # スマホ is the glossary's スマートフォン: 3-1-2's name writes スマートフォン, 3-1-1's スマホ.
    a = responder.answer(question, audience="citizen")
    assert a.intent == "clarify" and {"3-1-1", "3-1-2"} <= {s.id for s in a.suggestions}, a.text
    assert [x.id for x in responder.answer("スマホ講座の状況は？").answers] == ["3-1-2"]  # its own name


def test_of_projects_as_near_by_meaning_the_one_named_by_its_alias_answers(responder: Responder) -> None:
    # スマホ教室 is 3-1-2's alias; 3-1-1 (the concierges) is as near by meaning, but not named.
    a = responder.answer("公民館のスマホ教室すぐ埋まっちゃう、もっと増やしてくれないの", audience="citizen")
    assert [x.id for x in a.answers] == ["3-1-2"], a.text


def test_a_fact_no_option_holds_is_said_rather_than_asked_which(responder: Responder) -> None:
    """Both smartphone projects' tables stop at R7: asking which one would lead nowhere."""
    a = responder.answer("令和9年度のスマホの目標")
    assert a.intent == "unknown" and not a.answers
    assert "令和7年度まで" in a.text.splitlines()[0]
    assert {"3-1-1", "3-1-2"} <= {s.id for s in a.suggestions}
