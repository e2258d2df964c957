"""Issue 22, third round: a message typed in hiragana is written as a reader would, and a
question's own words pick between a term and a project.

Every question here was written for this file, none copied from a question set."""

from __future__ import annotations

import pytest

from handlers import Responder
from knowledge.kana_kanji import typed_in_kana


def ids(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in answer.answers]


def test_a_message_typed_in_hiragana_is_written_in_kanji(responder: Responder) -> None:
    spelled = responder.meaning.respell("しやくしょで ちずを みられるって ほんと？")
    assert "市役所" in spelled and "地図" in spelled, spelled


def test_ordinary_mixed_text_is_left_as_typed(responder: Responder) -> None:
    assert not typed_in_kana("会社に行かずに家とか出先で仕事する")
    assert responder.meaning.respell("会社に行かずに家とか出先で仕事する") == "会社に行かずに家とか出先で仕事する"


def test_the_plans_own_words_are_kept_from_the_converter(responder: Responder) -> None:
    # ふなっぷ is written in hiragana by the plan; 電子決裁 is the plan's, not the commoner 電子決済.
    assert "ふなっぷ" in responder.meaning.respell("ふなっぷの りようしゃは なんにん")
    assert "電子決裁" in responder.meaning.respell("でんしけっさいって なに")


def test_numbers_the_converter_writes_are_no_figures(responder: Responder) -> None:
    assert not any(ch.isdigit() for ch in responder.meaning.respell("ふたつの まどぐちを いっかしょに するの"))


def test_a_hiragana_description_reaches_its_project(responder: Responder) -> None:
    a = responder.answer("しかくい もようの こーどを すまほで よみとって ぜいきんを はらえる ように なるの？", audience="citizen")
    assert ids(a)[:1] == ["1-2-2"], a.text


def test_a_count_the_plan_only_mentions_gets_no_answer(responder: Responder) -> None:
    """人口 is in a project's 現状 sentence, with no figure: nothing in the plan says how many."""
    a = responder.answer("市の人口は何人ですか")
    assert a.answers == (), a.text


def test_a_fact_in_a_terms_definition_is_answered_by_the_term(responder: Responder) -> None:
    a = responder.answer("マイナンバーは何桁あるんですか", audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", ["マイナンバーカード"]), a.text
    assert "12" in a.text


def test_a_count_a_terms_definition_gives_is_answered_by_the_term_even_in_kana(responder: Responder) -> None:
    a = responder.answer("まいなんばーって いったい なんけたの ばんごう なんですか", audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", ["マイナンバーカード"]), a.text


def test_a_long_story_is_answered_when_its_last_sentences_find_the_same_project(responder: Responder) -> None:
    """The story says much else (a mother, work, being busy); its question, at the end, is about the
    smartphone classes, and read alone it finds them too."""
    a = responder.answer("こんにちは。最近、母が一人暮らしを始めて、スマホを買ったんですけど使い方がさっぱりわからないみたい"
                         "で。私も仕事で忙しくて教えてあげられないし。市役所に、スマホの使い方を教えてくれる講座ってありますか？",
                         audience="citizen")
    assert ids(a)[:1] == ["3-1-2"], a.text


def test_the_citys_own_other_offices_are_not_another_city(responder: Responder) -> None:
    a = responder.answer("If the network at the main office went down, would the other city offices lose their "
                         "connection too? Is the city doing something about it?", audience="citizen")
    assert ids(a)[:1] == ["2-4-3"], a.text


@pytest.mark.parametrize(("question", "term"), [
    ("ふなっぷで 申込みも できますか", "ふなっぷ"),  # what can be done with it is a fact of the term
    ("RPAって普通のマクロとどこが違うの？", "RPA"),  # どこが違う asks a difference, not a place or department
    ("テレワークには何種類あるの", "テレワーク"),  # the definition counts its 3 つの形態
])
def test_a_named_term_asked_a_fact_in_everyday_words_answers_with_the_term(responder: Responder, question: str,
                                                                          term: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", [term]), a.text



@pytest.mark.parametrize("question, intent, first", [
    # One word typed as two: けっさい alone is as likely 決済 (payments) as 決裁 (approvals).
    ("でんし けっさい って なんですか", "glossary", "電子決裁"),
    # A department's name typed in pieces.
    ("こせき じゅうみん か の じぎょうを おしえて", "project_list", "1-1-3"),
])
def test_a_word_typed_in_kana_pieces_is_read_whole(responder: Responder, question: str, intent: str, first: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, ids(a)[:1]) == (intent, [first]), a.text[:200]


def test_kana_words_that_are_no_plan_word_together_stay_apart(responder: Responder) -> None:
    # いえ や (home or ...) is not 言え: joining is only for a word that runs across the space.
    assert "言え" not in responder.meaning.respell("いえ や でさきで しごと を する")


@pytest.mark.parametrize("question, term", [
    ("ふなっぶって なんですか", "ふなっぷ"),  # ぶ for ぷ
    ("すまほこんしえるじゆ って なに", "スマホコンシェルジュ"),  # え for ぇ, ゆ for ゅ
    ("かばめんとくらうと って なあに", "ガバメントクラウド"),  # the voicing marks left off
    ("まいなんばあかあど って なんですか", "マイナンバーカード"),  # long vowels spelled out (ばあ for ばー)
])
def test_a_name_typed_with_kana_marks_wrong_is_found(responder: Responder, question: str, term: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", [term]), a.text[:200]


@pytest.mark.parametrize("question, term", [
    # A product's name typed in hiragana: the converter would make it half letters, half katakana.
    ("ちゃっとじーぴーてぃー は だれが つくったの", "ChatGPT"),
    # 「計画の言葉の説明で」 names the plan as a document, 「どう説明」 asks the definition.
    ("すまーとふぉん って がらけーと なにが ちがうの？ けいかくの ことばの せつめいで おしえて", "スマートフォン"),
    ("RPAは、計画ではどう説明されていますか", "RPA"),
])
def test_a_term_named_in_kana_or_asked_as_the_plan_explains_it(responder: Responder, question: str, term: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", [term]), a.text[:200]


def test_a_name_typed_right_is_not_read_loosely(responder: Responder) -> None:
    # The project typed in katakana with one small kana wrong stays the project, not its term.
    a = responder.answer("スマホコンシエルジュの拡充 ってなにする事業？")
    assert ids(a)[:1] == ["3-1-1"], a.text[:200]


def test_a_term_heard_of_and_what_the_city_does_with_it_gets_its_project(responder: Responder) -> None:
    # えーあい named in passing; whether the city will use it is asked: the AI project.
    a = responder.answer("さいきん てれびで えーあいの はなしを よく みるけど、しやくしょ でも そういうのを つかう つもり なのかね",
                         audience="citizen")
    assert ids(a)[:1] == ["2-3-2"], a.text[:200]


def test_questions_and_people_are_content_words_here(responder: Responder) -> None:
    # 質問 (the questions the concierges answer) and 人 (who answers them) say what is described.
    a = responder.answer("すまほで わからない ことを こうみんかんで しつもん できる ひとが いると ききました。"
                         "あの ひとたちは なんと よばれて いますか", audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", ["スマホコンシェルジュ"]), a.text[:200]


def test_the_term_a_question_opens_with_is_its_topic(responder: Responder) -> None:
    # プッシュ通知 is named too, later and longer: ふなっぷ is what is asked about.
    a = responder.answer("ふなっぷってプッシュ通知のほかには何に使えるの？", audience="citizen")
    assert (a.intent, ids(a)[:1]) == ("glossary", ["ふなっぷ"]), a.text[:200]
