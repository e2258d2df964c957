"""The plan's spelling of a noun the kana-kanji converter spelled as another word of the same
reading (かみを へらす → 神を減らす, read by the plan as 紙を減らす; あたらしい まち → 新しい待ち).

The converter chooses among homophones by what is common in Japanese at large; a resident asking
about this plan most likely means the word the plan itself uses. Only the converter's nouns are
re-spelled, and only when (1) the plan never uses the converter's word, (2) the plan writes that
reading as one word far more often than any other, and (3) that reading is in the kana the person
typed (the converter may read a kanji by another reading than was typed). Nouns only: a verb or a
pronoun the plan lacks (私) is not a misreading of a plan noun (渡し).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable

from knowledge.meaning_words import JA_STOP, nouns_read
from knowledge.normalize import hira_to_kata

MIN_READING = 2  # kana: one-kana readings (き, け) are shared by too many words to choose among
MAX_PHRASE = 2000  # characters of one converted phrase; Sudachi takes at most 49,149 bytes
DOMINANT = 3  # times as often as the reading's next word in the plan, to be the one meant
_KANJI = re.compile(r"[\u3400-\u9fff]")
_COMPOUNDING = frozenset(["名詞", "接尾辞", "接頭辞"])


class PlanHomophones:
    def __init__(self, texts: Iterable[str], *, known: Container[str]) -> None:
        """``texts``: the plan's texts; ``known``: the words the plan uses (normalized forms)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            for surface, kana, form, _ in nouns_read(text):
                if form and len(kana) >= MIN_READING and _KANJI.search(surface):
                    counts[kana][form] += 1
                    surfaces[form][surface] += 1
        self._known = known
        self._spelling: dict[str, tuple[str, str]] = {}
        for kana, forms in counts.items():
            (form, n), *rest = forms.most_common()
            if not rest or n >= DOMINANT * rest[0][1]:
                self._spelling[kana] = (form, surfaces[form].most_common(1)[0][0])

    def __call__(self, converted: str, typed: str) -> str:
        """``converted``: the converter's spelling of the hiragana phrase ``typed``."""
        if len(converted) > MAX_PHRASE:
            return converted  # a run this long is no question's words (and past the tokenizer's input limit)
        typed_kana = hira_to_kata(typed)
        words = nouns_read(converted)
        out = []
        for i, (surface, kana, form, _) in enumerate(words):
            found = self._spelling.get(kana) if form else None
            # A noun glued to another (ママ友, 懲戒感) is part of a compound the converter chose whole.
            glued = any(0 <= j < len(words) and words[j][3] in _COMPOUNDING for j in (i - 1, i + 1))
            if (found is None or glued or found[0] == form or form in self._known or form in JA_STOP
                    or not _KANJI.search(surface) or kana not in typed_kana):
                out.append(surface)
            else:
                out.append(found[1])
        return "".join(out)
