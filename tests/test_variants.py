"""Japanese spelling variants: okurigana, loanword long vowels, katakana typos, other common names."""

from __future__ import annotations

import pytest

from handlers import Responder
from knowledge.aliases import load_alias_data, reading
from knowledge.normalize import normalize
from knowledge.records import Plan

SAME_WORD = [
    ("取組", "取り組み"), ("申込", "申し込み"), ("手続", "手続き"), ("見積", "見積もり"), ("届出", "届け出"),
    ("支払", "支払い"), ("子ども", "子供"), ("改ざん", "改竄"),
    ("サーバ", "サーバー"), ("インタフェース", "インターフェイス"), ("インターフェース", "インターフェイス"),
    ("コンピュータ", "コンピューター"), ("セキュリティ", "セキュリティー"), ("ユーザ", "ユーザー"),
]


@pytest.mark.parametrize("a, b", SAME_WORD)
def test_variants_have_one_matching_form(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
    assert normalize(f"クラウド{a}の状況") == normalize(f"クラウド{b}の状況")


def test_what_is_not_a_spelling_variant_is_kept() -> None:
    assert normalize("とりくみ") == "トリクミ"  # hiragana is read, not guessed at
    assert normalize("Web会議") == "web会議"  # English stays English
    assert normalize("読み取り") != normalize("読み取る")  # verbs are not turned into their dictionary form
    assert normalize("2-3-1の状況") == "2-3-1ノ状況"


def test_normalising_twice_changes_nothing(plan: Plan) -> None:
    texts = [t for p in plan.projects for t in (p.name, p.current, p.issue, p.goal)]
    texts += [e.comment for p in plan.projects for e in p.evaluations]
    names = [p.name for p in plan.projects] + [t.term for t in plan.glossary] + [a.alias for a in load_alias_data().aliases]
    texts += [t.definition for t in plan.glossary] + names
    texts += [r for r in map(reading, names) if r]  # kana readings, typed as a question would be
    assert [t for t in texts if normalize(normalize(t)) != normalize(t)] == []


def test_text_longer_than_the_analyser_takes_is_still_normalised() -> None:
    text = "オンライン手続きを進めます。" * 5000  # far over Sudachi's 49,149-byte input limit
    assert normalize(text) == normalize("オンライン手続を進めます。") * 5000


NAMED_BY_A_VARIANT = [
    ("電子見積もりの状況", "project_status", "2-1-2"),
    ("オンライン手続きの進捗", "project_status", "1-1-1"),
    ("セキュリティー研修の評価", "project_status", "4-1-1"),
    ("セキュリティーポリシーとは", "glossary", "セキュリティポリシー"),
    ("スマートフォーン講座の評価", "project_status", "3-1-2"),
]


@pytest.mark.parametrize("question, intent, target", NAMED_BY_A_VARIANT, ids=[q for q, _, _ in NAMED_BY_A_VARIANT])
def test_a_variant_names_the_project_or_term(responder: Responder, question: str, intent: str, target: str) -> None:
    a = responder.answer(question)
    assert a.intent == intent and a.answers[0].id == target


@pytest.mark.parametrize("question", ["電子見積もりの状況", "セキュリティー研修の評価", "セキュリティーポリシーとは"])
def test_a_variant_is_the_very_name_not_a_near_miss(responder: Responder, question: str) -> None:
    assert responder.answer(question).answers[0].score == 100.0


@pytest.mark.parametrize("question, pid, quoted", [
    ("支払いの事務は紙で処理している？", "2-1-2", "契約、支払等の財務会計事務"),
    ("改竄防止の対策は？", "2-1-2", "なりすましや改ざん防止対策"),
])
def test_variants_meet_in_the_plan_text(responder: Responder, question: str, pid: str, quoted: str) -> None:
    a = responder.answer(question)
    assert a.answers[0].id == pid and quoted in a.text


def test_a_variant_finds_a_glossary_sentence(responder: Responder) -> None:
    a = responder.answer("コンピューターの利用形態")  # the plan writes コンピュータ
    assert a.intent == "glossary" and a.answers[0].id == "クラウド"
    assert "コンピュータの利用形態" in a.text


@pytest.mark.parametrize("question, intent, target", [
    ("テレワクの状況", "project_status", "2-2-1"),
    ("テレワク", "glossary", "テレワーク"),
    ("ワンスオンリーとは", "glossary", "ワンスオンライン"),  # the usual name for what the plan calls ワンスオンライン
    ("ワンスオンリーの原則って何", "glossary", "ワンスオンライン"),
])
def test_katakana_typos_and_common_names(responder: Responder, question: str, intent: str, target: str) -> None:
    a = responder.answer(question)
    assert a.intent == intent and a.answers[0].id == target
