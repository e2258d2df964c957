"""English words by their Japanese translations, so that an English question is compared with the
plan's Japanese text by meaning as well as with its English text by words.

The table (:file:`data/english_japanese.tsv`, built from JMdict by ``tools/build_english_bridge.py``)
keys each English word by the stem ``meaning_words.en_words`` gives it.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.meaning_words import DATA


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    with (DATA / "english_japanese.tsv").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\t" not in line:
                continue
            word, japanese = line.rstrip("\n").split("\t", 1)
            out[word] = tuple(japanese.split())
    return out


def translations(word: str) -> tuple[str, ...]:
    """The Japanese words (Sudachi normalized forms) for an English word as ``en_words`` stems it,
    the plan's own words first; () for a word the table does not hold."""
    return _table().get(word, ())
