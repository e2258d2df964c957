"""「用語一覧」: the plan's glossary as a list of its terms (not the projects)."""

from __future__ import annotations

import re

from handlers import lexicon as lx
from handlers.answer import Answer, Audience, Lang, Ref
from knowledge.normalize import normalize
from knowledge.records import Term

# Words that name the glossary itself, and words that ask for all of something.
_NOUNS = ["用語集", "用語", "ことば", "言葉", "キーワード", "glossary", "terms", "term", "words", "keywords"]
_LISTING = ["一覧", "リスト", "すべて", "全て", "全部", "ぜんぶ", "何がある", "なにがある", "どんな", "ある",
            "list", "all", "every", "index", "available"]
_NOUN_FORMS = sorted({normalize(w) for w in _NOUNS}, key=lambda w: (-len(w), w))
_LIST_FORMS = sorted({normalize(w) for w in _LISTING}, key=lambda w: (-len(w), w))
_REST = sorted({normalize(w) for w in lx.FILLER} | {normalize(w) for w in lx.EN_STOPWORDS}, key=lambda w: (-len(w), w))
_PARTICLES = re.compile("|".join(re.escape(normalize(w)) for w in sorted(
    ["ですか", "ますか", "です", "を", "の", "は", "が", "に", "で", "と", "も", "や", "か", "?", "!", ".", ",", "、", "。",
     "・", "「", "」", " "], key=len, reverse=True)))


def _strip(form: str, words: list[str]) -> tuple[str, bool]:
    found = False
    for w in words:
        if w not in form:  # most words are absent: no pattern to build and run
            continue
        pattern = rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w)
        new = re.sub(pattern, " ", form)
        found = found or new != form
        form = new
    return form, found


def asks_for_glossary_list(message: str) -> bool:
    """True for 「用語一覧」, 「用語の一覧を見せて」, "glossary list", "list of terms", 「用語集」:
    a word naming the glossary, optionally a word asking for all of it, and nothing else."""
    form = normalize(message)
    form, named = _strip(form, _NOUN_FORMS)
    if not named:
        return False
    form, _ = _strip(form, _LIST_FORMS)
    form, _ = _strip(form, _REST)
    return not _PARTICLES.sub("", form).strip()


def glossary_list(terms: list[Term], *, query: str, lang: Lang, audience: Audience, source: str) -> Answer:
    """Every term in the glossary's order; channels page or lay them out as they can."""
    head = (f"The plan's glossary has {len(terms)} terms. Ask about any of them (e.g. \"what is {terms[0].term}\")."
            if lang == "en" and terms else f"用語集の {len(terms)} 語です。「{terms[0].term}とは」のように聞いてください。"
            if terms else "")
    text = "\n".join([head, *(f"・{t.term}" for t in terms), source])
    return Answer(query=query, intent="glossary_list", lang=lang, audience=audience, text=text,
                  answers=tuple(Ref("glossary", t.term, t.term, 100.0) for t in terms), terms=tuple(terms),
                  source=source, score=100.0)
