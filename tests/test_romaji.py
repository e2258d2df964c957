"""Names typed in Latin letters by an English-speaking resident (denshi kessai, funappu)."""

from __future__ import annotations

import pytest

from handlers import Responder
from knowledge.aliases import romaji_spellings
from knowledge.romaji import romaji, short_vowels


@pytest.mark.parametrize("kana, spelled", [
    ("でんしけっさい", "denshikessai"),
    ("ふなっぷ", "funappu"),
    ("ぎょうむ", "gyoumu"),
    ("こうみんかん", "kouminkan"),
    ("ちょっと", "chotto"),
    ("まっち", "matchi"),
])
def test_hepburn(kana: str, spelled: str) -> None:
    assert romaji(kana) == spelled


def test_long_vowels_are_spelled_both_ways_and_loanwords_not_at_all() -> None:
    assert short_vowels("gyoumu") == "gyomu"
    assert {"kikan 20 gyomu", "kikan20gyoumu"} <= romaji_spellings("基幹20業務")
    assert romaji_spellings("オープンデータ") == set()  # typed in English, not as オープンデータ's romaji
    assert romaji("データ") == "deta" and romaji("AI") is None


@pytest.mark.parametrize("question, first", [
    ("what does denshi kessai mean?", "電子決裁"),
    ("my neighbour keeps saying funappu. what is it?", "ふなっぷ"),
    ("kikan 20 gyoumu - what's that?", "基幹20業務"),
])
def test_a_name_in_romaji_is_found(responder: Responder, question: str, first: str) -> None:
    a = responder.answer(question, audience="citizen")
    assert (a.intent, [x.id for x in a.answers][:1]) == ("glossary", [first]), a.text[:200]
