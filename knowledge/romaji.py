"""Kana in the Latin letters an English-speaking resident types them in (でんしけっさい → denshi
kessai, ふなっぷ → funappu): Hepburn, with long vowels written short as most people type them
(ぎょうむ → gyomu), and written long too (gyoumu) since some do."""

from __future__ import annotations

from knowledge.normalize import kata_to_hira

_TWO = {
    "きゃ": "kya", "きゅ": "kyu", "きょ": "kyo", "しゃ": "sha", "しゅ": "shu", "しょ": "sho", "ちゃ": "cha",
    "ちゅ": "chu", "ちょ": "cho", "にゃ": "nya", "にゅ": "nyu", "にょ": "nyo", "ひゃ": "hya", "ひゅ": "hyu",
    "ひょ": "hyo", "みゃ": "mya", "みゅ": "myu", "みょ": "myo", "りゃ": "rya", "りゅ": "ryu", "りょ": "ryo",
    "ぎゃ": "gya", "ぎゅ": "gyu", "ぎょ": "gyo", "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "びゃ": "bya",
    "びゅ": "byu", "びょ": "byo", "ぴゃ": "pya", "ぴゅ": "pyu", "ぴょ": "pyo", "しぇ": "she", "ちぇ": "che",
    "じぇ": "je", "ふぁ": "fa", "ふぃ": "fi", "ふぇ": "fe", "ふぉ": "fo", "てぃ": "ti", "でぃ": "di",
    "うぃ": "wi", "うぇ": "we", "うぉ": "wo",
}
_ONE = dict(zip(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゃゅょゎ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu",
     "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo",
     "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "o", "n", "ga", "gi", "gu", "ge", "go", "za", "ji",
     "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe",
     "po", "a", "i", "u", "e", "o", "ya", "yu", "yo", "wa"], strict=True))


def romaji(kana: str) -> str | None:
    """Hepburn of a word in kana, long vowels as typed (こうみんかん → kouminkan), or None when it
    holds anything but kana."""
    text = kata_to_hira(kana)
    out: list[str] = []
    double = False
    i = 0
    while i < len(text):
        two, one = text[i:i + 2], text[i]
        if one == "っ":
            double, i = True, i + 1
            continue
        if one == "ー":
            i += 1  # a long vowel mark: the vowel before it, written once
            continue
        syllable = _TWO.get(two) or _ONE.get(one)
        if syllable is None:
            return None
        if double:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        out.append(syllable)
        i += 2 if two in _TWO else 1
    return "".join(out)


def short_vowels(word: str) -> str:
    """Long vowels written short, as most people type romaji (gyoumu → gyomu, kouminkan → kominkan)."""
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        word = word.replace(long, short)
    return word
