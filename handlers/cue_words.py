"""Words that say what kind of answer is wanted (状況, 担当, KPI, とは), as content words.

The meaning stage ignores them (they would pull a search towards whichever unit repeats them),
and a list question whose leftover words are only these (and filler) has no topic to filter by.
"""

from __future__ import annotations

from functools import lru_cache

from handlers import lexicon as lx
from knowledge.meaning_words import en_words, ja_words


@lru_cache(maxsize=1)
def cue_words() -> frozenset[str]:
    """Content words of the cue phrases (状況, 担当, KPI, とは, 教えて): they say what kind of answer
    is wanted, so they would only pull the search towards whichever unit repeats them."""
    phrases = [c for cues in lx.PROJECT_CUES.values() for c in cues]
    phrases += lx.GLOSSARY_CUES + lx.LIST_CUES + lx.FILLER + lx.HELP
    out = set()
    for p in phrases:
        words = en_words(p) if p.isascii() else ja_words(p)
        if len(words) == 1 and len(words[0]) > 1:  # a phrase that is one word: 状況, status (not 利用者数)
            out.add(words[0])
    return frozenset(out - _TOPIC_TOO)


@lru_cache(maxsize=1)
def cue_phrases() -> tuple[str, ...]:
    """Every Japanese cue phrase as the lexicon writes it (どういう意味, 担当部署, 進捗状況), for
    spelling a kana message's words so that the cues read it (いみ → 意味)."""
    phrases = [c for cues in lx.PROJECT_CUES.values() for c in cues]
    phrases += lx.GLOSSARY_CUES + lx.LIST_CUES + lx.HELP
    return tuple(p for p in phrases if not p.isascii())


# Words of cue phrases that are as often what a question is about (スマホを使う, 作業時間の削減).
_TOPIC_TOO = frozenset(["使う", "削減", "時間", "実施", "始める", "表示", "見せる", "確認", "問題", "届く", "進む", "事業", "出す", "use", "start", "show", "number", "plan", "want", "stand", "own", "going", "work", "team", "aim"])


def has_content(text: str) -> bool:
    """Whether ``text`` holds a word that could say what a question is about."""
    return bool(content_words(text))


def content_words(text: str) -> list[str]:
    """The words of ``text`` that could say what a question is about."""
    words = en_words(text) if text.isascii() else ja_words(text)
    return [w for w in words if w not in cue_words()]
