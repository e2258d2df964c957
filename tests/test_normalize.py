from __future__ import annotations

import pytest

from knowledge.normalize import as_typed, fold, loose_kana, normalize
from knowledge.search import key


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("２－３－１", "2-3-1"),  # fullwidth digits and hyphen-minus
        ("2‐4‐3", "2-4-3"),  # U+2010 hyphen
        ("2ー3ー1", "2-3-1"),  # katakana prolonged sound mark
        ("2−1−2", "2-1-2"),  # minus sign
        ("2–1–2", "2-1-2"),  # en dash
        ("2 - 3 - 1", "2-3-1"),
        ("ｼﾋﾞｯｸﾃｯｸ", "シビックテック"),  # halfwidth katakana
        ("しびっくてっく", "シビックテック"),  # hiragana
        ("ＬＧＷＡＮ", "lgwan"),
        ("RPA の活用拡充", "rpaノ活用拡充"),  # spaces between Japanese go
        ("open  data", "open data"),  # spaces between English words stay
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_prolonged_mark_inside_words_is_kept() -> None:
    assert normalize("テレワーク") == "テレワーク"
    assert normalize("マイナポータル") == "マイナポータル"


def test_fold_can_keep_hiragana() -> None:
    assert fold("ＬＧＷＡＮって何？", kana=False) == "lgwanって何?"


def test_controls_and_invisible_marks_are_dropped() -> None:
    assert normalize("2-3-1\u200fの\x00状況") == "2-3-1ノ 状況".replace(" ", "")


def test_key_drops_punctuation() -> None:
    assert key("Yahoo!くらし") == key("yahoo くらし") == "yahooクラシ"
    assert key("転出届・転入予約サービス") == "転出届転入予約サービス"


def test_a_dash_typed_after_kana_is_the_prolonged_sound_mark() -> None:
    from knowledge.normalize import fold
    assert fold("テレワ－ク") == fold("テレワーク")
    assert fold("スマ-トフォン") == fold("スマートフォン")
    assert fold("2－3－1") == "2-3-1" and fold("AI-OCR") == "ai-ocr"  # digits and Latin keep their hyphen


@pytest.mark.parametrize("text, folded, shown", [
    ("業務フローの可視化の件を教えて", "業務フローノ可視化", "業務フローの可視化"),
    ("ｸﾗｳﾄﾞ化の状況", "クラウド化", "ｸﾗｳﾄﾞ化"),
    ("すまほの ことで", "スマホ", "すまほ"),
    ("窓口の状況", "窓口", "窓口"),
    ("なにもない", "クラウド", "クラウド"),  # nothing typed folds to it: the folded form is all there is
])
def test_a_topic_is_shown_as_typed(text: str, folded: str, shown: str) -> None:
    assert as_typed(text, folded) == shown


def test_loose_kana_drops_marks_and_small_kana_and_keeps_length() -> None:
    assert loose_kana("ふなっぷ") == loose_kana("ふなっぶ") == loose_kana("ふなつふ")
    assert loose_kana("すまほこんしぇるじゅ") == loose_kana("すまほこんしえるじゆ")
    assert len(loose_kana("ガバメントクラウド")) == len("ガバメントクラウド")
    assert loose_kana("まいなんばあかあど") == loose_kana("まいなんばーかーど")  # the long mark as its vowel
