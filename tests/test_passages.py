"""The whole text: questions no name or term answers get the plan's own sentence, with its source."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers import Responder
from knowledge.passages import sentences
from knowledge.records import Evaluation
from state.catalog import load_catalog

# (question, project or term, a piece of the sentence the answer must quote)
FOUND_IN_PROJECT_TEXT = [
    ("外部監査は受けている？", "4-1-2", "第三者機関による監査(外部監査)"),
    ("内部監査はやっている？", "4-1-2", "自己点検や内部監査"),
    ("本庁舎が大規模に被災したら業務用PCはどうなる", "2-4-3", "業務用 PC を利用できなくなる懸念"),
    ("LINE Payで市税を納付できる？", "1-2-2", "「PayPay」「LINE Pay」"),
    ("クレジットカードで市税を払える？", "1-2-2", "クレジットカードによる納付"),
    ("AEDの設置場所を地図で見られる？", "1-3-2", "AED の設置場所や避難所"),
    ("避難所の場所が地図でわかる？", "1-3-2", "AED の設置場所や避難所"),
    ("議事録の作成にAIは使われてる？", "2-3-2", "議事録作成に活用"),
    ("本庁舎の11階には何がある？", "3-1-3", "本庁舎の11階"),
    ("住民票の写しはコンビニで取れる？", "1-1-3", "コンビニで取得"),
    ("出張申請サポートは何回やった？", "1-1-3", "出張申請サポートを計232回実施"),
    ("文書探索時間は減る？", "2-1-1", "文書探索時間の軽減"),
]


@pytest.mark.parametrize("question, pid, quoted", FOUND_IN_PROJECT_TEXT, ids=[q for q, _, _ in FOUND_IN_PROJECT_TEXT])
def test_a_sentence_of_a_project_answers(responder: Responder, question: str, pid: str, quoted: str) -> None:
    a = responder.answer(question)
    assert a.intent.startswith("project_") and a.intent != "project_list", (a.intent, a.text)
    assert [x.id for x in a.answers][:1] == [pid]
    assert quoted in a.text
    assert f"出典: アクションプラン 2023年6月改定, 事業 {pid}" in a.text
    assert a.text.splitlines()[0].startswith(pid)  # cards take the first line as the title


def test_the_answer_says_where_in_the_project_the_sentence_is(responder: Responder) -> None:
    a = responder.answer("外部監査は受けている？")
    assert a.intent == "project_overview"
    assert "【現状】" in a.text and "「外部監査」" in a.text


@pytest.mark.parametrize("question, word", [
    ("機密性とは", "機密性…"), ("可用性の意味", "可用性…"), ("完全性ってなに", "完全性…"),
    ("可用性とは何ですか", "可用性…"),
])
def test_a_word_defined_inside_a_glossary_entry(responder: Responder, question: str, word: str) -> None:
    a = responder.answer(question)
    assert a.intent == "glossary" and a.answers[0].id == "情報セキュリティ"
    assert word in a.text and "用語集" in a.text
    assert a.terms and a.terms[0].term == "情報セキュリティ"


@pytest.mark.parametrize("question", [
    "オープンデータはどこで見られる？", "オープンデータのURLは？", "オープンデータカタログのアドレスを教えて",
])
def test_where_to_see_open_data_gives_the_address_in_the_plan(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert "https://odcs.bodik.jp/122041/" in a.text
    assert a.answers[0].id in {"オープンデータカタログサイト", "1-3-1"}


@pytest.mark.parametrize("question", [
    "明日の天気は？", "野球の試合結果", "メタバースとは", "ラーメン屋のおすすめ", "NFTとは", "サッカーの試合",
    "ブロックチェーンの活用", "市長の名前", "ごみの出し方", "AIで画像を作る方法",
])
def test_nonsense_and_other_topics_stay_unknown(responder: Responder, question: str) -> None:
    a = responder.answer(question)
    assert a.intent == "unknown" and not a.answers, a.text


def test_a_word_the_plan_uses_but_never_defines_is_not_defined(responder: Responder) -> None:
    a = responder.answer("コンピューターとは")
    assert a.intent == "unknown" and not a.answers
    assert "説明はありません" in a.text
    assert "スマートフォン" in {s.id for s in a.suggestions}  # where the word is used


def test_citizens_get_no_draft_through_a_passage(shared_db) -> None:
    catalog = load_catalog(shared_db)
    p = catalog.projects["4-1-2"]
    draft = Evaluation(fiscal_year=2023, grade="A", comment="内部の下書きコメント", source="submission", status="draft")
    catalog.projects["4-1-2"] = replace(p, evaluations=p.evaluations + (draft,))
    a = Responder(catalog).answer("外部監査は受けている？", audience="citizen")
    assert a.answers[0].id == "4-1-2"
    assert all(e.status == "published" for e in a.projects[0].evaluations)


def test_sentences_keep_a_trailing_parenthesis() -> None:
    text = "導入しました。(URL:https://example.jp/)\n今後も続けます。"
    assert sentences(text) == ["導入しました。(URL:https://example.jp/)", "今後も続けます。"]


def test_a_kpi_label_answers_with_the_kpi(responder: Responder) -> None:
    a = responder.answer("導入時にBPRのヒアリングをした業務の数は？")
    assert a.intent == "project_kpi" and a.answers[0].id == "2-3-3"
    assert "BPR に関するヒアリングを実施した業務数" in a.text and "実績 109" in a.text


def test_a_schedule_cell_answers_with_the_schedule(responder: Responder) -> None:
    a = responder.answer("自治体標準オープンデータセットに則したデータ")
    assert a.intent == "project_schedule" and a.answers[0].id == "1-3-1"
    # The cell's arrow was lost in the PDF conversion: it runs from R4 on, not in R4 alone.
    assert "令和4年度〜: 自治体標準オープンデータセット" in a.text


@pytest.mark.parametrize("question, intent, target", [
    ("オープンデータカタログサイトの状況", "project_status", "1-3-1"),
    ("オープンデータカタログサイトとは", "glossary", "オープンデータカタログサイト"),
])
def test_a_site_named_in_another_question_is_not_an_address_question(
        responder: Responder, question: str, intent: str, target: str) -> None:
    a = responder.answer(question)
    assert a.intent == intent and a.answers[0].id == target


def test_after_a_story_the_asking_sentence_is_quoted_from_the_item_the_story_means(responder: Responder) -> None:
    a = responder.answer("祖母がスマホを持っていなくて、手続きのたびに困っています。家族で相談したら、市役所に"
                         "マイナポータルを使える端末があると聞きました。それって本庁舎の何階にあるんですか？", audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == ("project_overview", ["3-1-3"]), a.text
    assert "11階" in a.text.splitlines()[2], a.text  # the plan's sentence first, not a status card
