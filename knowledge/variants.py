"""Spelling variants of Japanese words, folded to one form with SudachiPy's dictionary.

NFKC and kana folding cannot see that 手続 and 手続き, 申込 and 申し込み, サーバ and サーバー,
インタフェース and インターフェイス are the same word; Sudachi's *normalized form* can. Only nouns
are folded (a verb's normalized form is its dictionary form, 読み取り → 読み取る, which would
change what a phrase says):

- a noun written with kanji becomes its normalized form with the kana left out (手続き, 手続 → 手続;
  申し込み, 申込 → 申込; 子ども → 子供). Dropping okurigana keeps the result free of hiragana, so
  folding the result again (after hiragana became katakana) gives the same text;
- a katakana noun becomes its normalized form when that is katakana too (サーバ → サーバー,
  コンピュータ → コンピューター); a katakana spelling of a kanji word is left alone.

Everything else — hiragana words, ASCII, digits, particles — is kept as typed. The tokenizer is
loaded on first use, and results are cached per text: names are folded once at index time,
messages once per distinct phrase.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_KANJI = re.compile(r"[\u3400-\u9fff\u3005]")
_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
_NEEDS_LOOKUP = re.compile(r"[\u3400-\u9fff\u30a1-\u30fa]")
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa]")


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Dictionary  # start-up cost: the dictionary loads on the first analysis

    return Dictionary(dict="small")


_local = threading.local()


def tokenizer() -> Any:
    """This thread's tokenizer: a Sudachi tokenizer must not be used by two threads at once."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode  # start-up cost (see _dictionary)

        # Only the fields read here: loading fewer makes each analysis cheaper.
        tok = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})
    return tok


def _fold_noun(surface: str, normalized: str) -> str:
    # A lone kanji is left as typed: in text whose okurigana were already folded to katakana
    # (留マッテ) it is read as a noun of its own, and folding it again would not be stable.
    if len(surface) >= 2 and _KANJI.search(surface) and _KANJI.search(normalized) and not _KATAKANA.search(surface):
        return _HIRAGANA.sub("", normalized) or surface
    if _KATAKANA_WORD.match(surface) and _KATAKANA_WORD.match(normalized) and len(surface) >= 2:
        return normalized
    return surface


# Sudachi refuses input over 49,149 bytes; longer text is read a piece at a time, cut after a
# full stop or a line break where there is one (a word cut in two is merely left unfolded).
MAX_PIECE = 8000
_PIECE = re.compile(rf"[\s\S]{{1,{MAX_PIECE}}}(?:(?<=[。\n])|$)|[\s\S]{{1,{MAX_PIECE}}}")


@lru_cache(maxsize=16384)
def fold_variants(text: str) -> str:
    """``text`` with each noun's spelling variant folded to one form (see the module docstring)."""
    if not _NEEDS_LOOKUP.search(text):
        return text
    if len(text) > MAX_PIECE:
        return "".join(_fold(piece) for piece in _PIECE.findall(text))
    return _fold(text)


def _fold(text: str) -> str:
    out = []
    for m in tokenizer().tokenize(text):
        surface = m.surface()
        # A run the dictionary does not know (オンラインサーバ, read as one unknown word) is kept
        # as typed: fuzzy matching still finds it, and guessing at its parts would not be stable.
        out.append(_fold_noun(surface, m.normalized_form()) if m.part_of_speech()[0] == "名詞" else surface)
    return "".join(out)
