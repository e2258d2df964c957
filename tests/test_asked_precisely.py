"""Small ways of asking that used to be misread: which year's actual, which year's grade, two grades
at once, British spellings, a team that is the asker's own. Written for this file."""

from __future__ import annotations

import pytest

from handlers import Responder


def ids(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in answer.answers]


def test_an_actual_asked_with_jissai_no_for_a_year_with_only_a_target_is_not_answered_with_the_target(
        responder: Responder) -> None:
    a = responder.answer("ふなっぷの令和5年度の実際の利用者数を知りたい", audience="citizen")
    assert a.intent == "unknown" and not a.answers, a.text
    assert "実績値はまだ記載されていません" in a.text and "1-1-2" in {s.id for s in a.suggestions}


def test_a_grade_asked_for_a_year_the_plan_has_not_graded_says_so(responder: Responder) -> None:
    a = responder.answer("What grade did 1-2-2 get in the FY2024 review?")
    assert a.intent == "unknown" and not a.answers, a.text
    assert "R4 only" in a.text


def test_two_grades_joined_by_matawa_list_both(responder: Responder) -> None:
    a = responder.answer("評価がAまたはCだった事業は？")
    assert a.intent == "project_list"
    grades = {responder.catalog.projects[pid].latest_evaluation().grade for pid in ids(a)}  # type: ignore[union-attr]
    assert grades == {"A", "C"}, a.text


@pytest.mark.parametrize(("question", "intent", "project"), [
    ("Which department handles standardising the core systems?", "project_department", "2-4-1"),  # -ise meets -ize
    ("Please summarise 2-3-1.", "project_overview", "2-3-1"),
    ("What's the status of 1-3-1? asking for our team meeting", "project_status", "1-3-1"),  # our team asks no department
])
def test_english_ways_of_asking(responder: Responder, question: str, intent: str, project: str) -> None:
    a = responder.answer(question)
    assert (a.intent, ids(a)[:1]) == (intent, [project]), a.text


@pytest.mark.parametrize(("question", "audience", "intent", "item"), [
    # A part of the project asked with "what": its evaluation, not what the word means.
    ("ふなっぷの評価ってなに？", "citizen", "project_status", "1-1-2"),
    ("AI-OCRの評価って何？", "staff", "project_status", "2-3-2"),
    ("ふなっぷって何？", "citizen", "glossary", "ふなっぷ"),  # the word itself, as before
    ("AI-OCRは何の事業？", "staff", "project_overview", "2-3-2"),  # which project: the one doing it
])
def test_a_part_asked_with_what_is_that_part(responder: Responder, question: str, audience: str, intent: str,
                                             item: str) -> None:
    a = responder.answer(question, audience=audience)  # type: ignore[arg-type]
    assert (a.intent, ids(a)[:1]) == (intent, [item]), a.text


@pytest.mark.parametrize(("question", "term"), [
    # A fact of a named term's own entry (what it is made of, its conditions) asked with 名称: that
    # term's entry, not "what do you call …" answered with another term.
    ("セキュリティポリシーを構成する文書の名称は？", "セキュリティポリシー"),
    ("オープンデータの条件の名称をお示しください", "オープンデータ"),
    # 要件 is 条件 (the conditions to be called open data), counted or not: the entry, not 1-3-1's KPI.
    ("オープンデータと言えるための要件はいくつありますか", "オープンデータ"),
    ("オープンデータの要件はいくつある？", "オープンデータ"),
])
def test_a_fact_of_a_named_terms_entry_asked_with_a_name_is_that_term(responder: Responder, question: str,
                                                                     term: str) -> None:
    a = responder.answer(question, audience="staff")
    assert (a.intent, ids(a)[:1]) == ("glossary", [term]), a.text


@pytest.mark.parametrize(("question", "audience", "term"), [
    # いくつか is "several": no count asked, no list of projects asked.
    ("マイナポータルって結局なに？できることがいくつかあった気がする", "citizen", "マイナポータル"),
    ("テレワークってそもそも何？やり方がいくつかあるんだよね", "citizen", "テレワーク"),
    ("BPRってざっくり言うと何？手法がいくつかあったはず", "staff", "BPR"),
])
def test_several_is_no_count_asked(responder: Responder, question: str, audience: str, term: str) -> None:
    a = responder.answer(question, audience=audience)  # type: ignore[arg-type]
    assert (a.intent, ids(a)[:1]) == ("glossary", [term]), a.text


@pytest.mark.parametrize(("question", "audience", "intent", "item"), [
    # 「…って結局なに？」: an adverb between the name and "what" still asks what that word means,
    # however the story goes on (…アプリの名前？ is no "what do you call …").
    ("ふなっぷって結局なに？アプリの名前？", "citizen", "glossary", "ふなっぷ"),
    ("BPRってそもそも何？手法の名前？", "staff", "glossary", "BPR"),
    # "does it have a name?" asks for the term the description is of.
    ("the group of staff who respond when there's a cyber attack on city hall - does it have a name?", "citizen",
     "glossary", "CSIRT"),
    ("that rule book on how city staff handle information securely - does it have a name?", "staff",
     "glossary", "セキュリティポリシー"),
    # How the plan describes a term it names: the term's entry, not the project that uses it.
    ("AI-OCR shows up in the plan. How does the plan itself describe it?", "staff", "glossary", "AI-OCR"),
    ("How does the plan describe Web会議?", "staff", "glossary", "Web会議"),
    # Who proposed it, where the entry says so (a Swedish professor, エリック・ストルターマン).
    ("DXって誰が言い出したの？", "citizen", "glossary", "DX"),
    # Who runs it, where the term's own entry says so (国が運営する).
    ("マイナポータルを運営してるのはどこの団体？", "citizen", "glossary", "マイナポータル"),
])
def test_what_a_named_or_described_word_is(responder: Responder, question: str, audience: str, intent: str,
                                           item: str) -> None:
    a = responder.answer(question, audience=audience)  # type: ignore[arg-type]
    assert (a.intent, ids(a)[:1]) == (intent, [item]), a.text
