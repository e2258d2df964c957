"""One normalisation for every message and every indexed name, so that both sides meet.

NFKC (fullwidth digits and letters, halfwidth kana), case folding, any dash between digits to
"-" and after kana to "ー", spelling variants of nouns folded (手続き/手続, サーバ/サーバー), hiragana to katakana, and white space removed except between two ASCII word characters
(so English words keep their boundaries while Japanese, written without spaces, matches however
it was spaced).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.variants import fold_variants

# Hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar, minus sign, katakana
# prolonged sound mark (halfwidth too), fullwidth hyphen-minus, small hyphen, wave dash: people
# type all of these between the digits of "2-3-1".
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\uff0d\ufe63\u301c\uff5e~_"
_DASH_BETWEEN_DIGITS = re.compile(rf"(?<=\d)\s*[{re.escape(_DASHES)}\-]\s*(?=\d)")
# After kana a dash is the prolonged sound mark mistyped (テレワ－ク, スマ-トフォン).
_DASH_AFTER_KANA = re.compile(rf"(?<=[\u3041-\u3096\u30a1-\u30fa])[{re.escape(_DASHES.replace(chr(0x30fc), ''))}\-](?![0-9])")
_SPACE = re.compile(r"\s+")
_GAP = re.compile(r"(?<![a-z0-9])\s+|\s+(?![a-z0-9])")
# Zero-width and directional marks, and other format characters, carry no meaning for matching.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# An exclamation mark ends a sentence, but not inside a name that holds one (Yahoo!くらし): straight
# after a letter or digit and straight before a word. For the sentence splitters' patterns.
SENTENCE_BANG = r"(?<![A-Za-z0-9])[!！]+\s*|[!！]+(?=\s|$|[。．.?？!！])\s*"
_HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)}


def hira_to_kata(text: str) -> str:
    return text.translate(_HIRA_TO_KATA)


_KATA_TO_HIRA = {kata: hira for hira, kata in _HIRA_TO_KATA.items()}


def kata_to_hira(text: str) -> str:
    return text.translate(_KATA_TO_HIRA)


def clean(text: str) -> str:
    """Remove control and invisible characters; keep everything a person typed on purpose."""
    return _INVISIBLE.sub("", _CONTROL.sub(" ", text))


# Memoised: the stages of one question fold the same message many times over.
def prolonged_marks(text: str) -> str:
    """A dash typed after kana as the prolonged sound mark it stands for (テレワ－ク); same length."""
    return _DASH_AFTER_KANA.sub("ー", text)


@lru_cache(maxsize=4096)
def fold(text: str, *, kana: bool = True) -> str:
    """NFKC, case folding, dashes between digits, hiragana to katakana; spaces kept (collapsed).

    ``kana=False`` keeps hiragana: question words are told apart from names by their script
    ("って" is a particle, "ッテ" is inside a katakana word).
    """
    text = unicodedata.normalize("NFKC", clean(text)).casefold()
    text = _DASH_BETWEEN_DIGITS.sub("-", text)
    text = prolonged_marks(text)
    if kana:
        text = hira_to_kata(text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The matching form: :func:`fold` with spelling variants folded (:mod:`knowledge.variants`),
    then spaces removed except between ASCII words."""
    return _GAP.sub("", hira_to_kata(fold_variants(fold(text, kana=False))))


def as_typed(text: str, folded: str) -> str:
    """The stretch of ``text`` a folded or normalised fragment came from, as the person typed it
    (業務フローの可視化 for 業務フローノ可視化, ｸﾗｳﾄﾞ for クラウド); ``folded`` when there is none."""
    target = folded.replace(" ", "")
    if not target:
        return folded
    flat: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        # Folded in context, as fold() does: a dash after kana is the prolonged sound mark (テレワ－ク).
        pair = unicodedata.normalize("NFKC", text[max(i - 1, 0): i + 1])
        mark = i > 0 and len(pair) == 2 and _DASH_AFTER_KANA.match(pair, 1) is not None
        for c in "ー" if mark else fold(ch):
            if c != " ":
                flat.append(c)
                where.append(i)
    pos = "".join(flat).find(target)
    if pos >= 0:
        return text[where[pos]: where[pos + len(target) - 1] + 1]
    # Spelling variants folded too (normalize): the slow search, for the rare fragment that needs it.
    def first(ch: str) -> str:
        return fold(ch)[:1]
    starts = [i for i, ch in enumerate(text) if first(ch) == target[0]]
    ends = [j for j, ch in enumerate(text) if first(ch) == target[-1]]
    for i in starts:
        for j in ends:
            if j >= i and normalize(text[i:j + 1]) == target:
                return text[i:j + 1]
    return folded


MIN_LOOSE = 4  # kana a name needs to be matched loosely: shorter names collide with everyday words
_VOICING = re.compile("[\u3099\u309a]")
# Small kana written full size: ぁ → あ, ッ → ツ (and the rare ゎ, ゕ, ゖ).
_FULL_SIZE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ", "あいうえおつやゆよわかけアイウエオツヤユヨワカケ")


# The vowel a kana ends in, written as the long-vowel mark is spelled out (ばー → ばあ, かー → かあ;
# e and o as kana spell them long: けー → けい, こー → こう).
_VOWEL_OF = {ch: vowel for vowel, row in (
    ("あ", "あかさたなはまやらわがざだばぱ"), ("い", "いきしちにひみりぎじぢびぴえけせてねへめれげぜでべぺ"),
    ("う", "うくすつぬふむゆるぐずづぶぷおこそとのほもよろをごぞどぼぽ")) for ch in row}
_VOWEL_OF |= {chr(ord(ch) + 0x60): chr(ord(vowel) + 0x60) for ch, vowel in _VOWEL_OF.items()}  # katakana too
_LONG_MARK = re.compile(r"(?<=(.))ー")


def loose_kana(text: str) -> str:
    """Kana as a hurried typist may enter them: no voicing marks (ぶ, ぷ → ふ), small kana full
    size (ぇ → え, っ → つ), the long-vowel mark as its vowel (まいなんばあかあど); same length. What
    a name typed so (ふなっぶ, すまほこんしえるじゆ) has in common with the name."""
    flat = unicodedata.normalize("NFC", _VOICING.sub("", unicodedata.normalize("NFD", text))).translate(_FULL_SIZE)
    return _LONG_MARK.sub(lambda m: _VOWEL_OF.get(m.group(1), "ー"), flat)
