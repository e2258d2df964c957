"""The whole-text stage: when no name or term decided, answer with the plan's own sentence.

Runs after the other stages found nothing (``unknown``), for Japanese questions (the plan is
Japanese; an English question has no words to find in it). The question's content words are its
noun phrases less the words that say what is asked (the lexicon's cues) and generic question
nouns; a passage must contain all of them (:mod:`knowledge.passages`). The answer names the
project or term, quotes the sentence, and says where in the plan it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers import compose as c
from handlers import lexicon as lx
from handlers.answer import Answer, Audience, Ref
from handlers.cue_words import cue_words
from handlers.understand import Reading, asks_how_it_went
from knowledge.catalog import Catalog
from knowledge.meaning_words import ja_words, names_a_thing
from knowledge.normalize import normalize
from knowledge.passages import Passage, PassageFinder, noun_phrases, verb_stems
from knowledge.records import Project

# A word found in the texts of this many projects and terms says too little to pick one.
MAX_SPREAD = 4
# Nouns that ask rather than name: "where", "when", "the city", "the project".
_QUESTION_NOUNS = [
    "こと", "もの", "ため", "方", "件", "等", "など", "今", "今後", "現在", "市", "本市", "船橋市", "船橋", "当市",
    "取組", "取り組み", "実施", "事業", "内容", "場所", "時期", "方法", "何", "なに", "いつ", "どこ", "誰", "どれ",
    "url", "リンク", "アドレス", "ホームページ", "サイト", "ページ", "webサイト", "ウェブサイト", "hp", "情報",
]
_WHERE = ["どこ", "場所", "url", "リンク", "アドレス", "ホームページ", "サイト", "ページ", "見られ", "見れる", "閲覧",
          "where", "link", "website"]
_STOP = {normalize(w) for w in _QUESTION_NOUNS} | {
    normalize(w) for group in (*lx.PROJECT_CUES.values(), lx.GLOSSARY_CUES, lx.LIST_CUES, lx.FILLER, lx.HELP)
    for w in group
}
# Two words that are not names we already know, found together in one sentence, are evidence
# enough; with fewer, the question's verbs must be in the sentence too ("AIで画像を作る方法").
MIN_FREE_WORDS = 2
# Asking for an address: the answer must give one, whatever name the question also matches.
_ADDRESS = re.compile(r"url|アドレス|リンク|ホームページ|サイト|どこで(?:見|確認|閲覧|調べ)|(?<![a-z])(?:website|link|where can)")
# Asking what a word means (not merely "何がある"): only a sentence that defines it answers.
_DEFINE = re.compile(r"とは|って(?:何|なに|なん)(?!\s*[がを])|意味|(?:どういう|どんな|どのような)\s*(?:サイト|もの|こと)|(?<![a-z])(?:what (?:is|are|does)|means?|define)(?![a-z])")
_FIELD_JA = {"current": "【現状】", "issue": "【課題】", "goal": "【目標】", "comment": "進捗の評価コメント",
             "kpi": "参考値（KPI）", "schedule": "スケジュール", "definition": "用語集の説明"}
_FIGURE = re.compile(r"[0-9０-９]")
_FIELD_INTENT = {"kpi": "project_kpi", "schedule": "project_schedule"}
_OWN_INTENT = {"project_kpi", "project_schedule", "project_department", "project_status"}


def content_words(text: str, *, split: str = "phrase") -> list[str]:
    """The question's noun phrases, less cue words and question nouns.

    ``split``: "phrase" keeps a phrase whole ("設置場所") unless all of it asks; "cue" drops
    the asking words inside it and keeps the rest ("導入時期" -> "導入"); "token" keeps each
    content token of two characters or more ("本庁舎11階" -> "本庁舎", "11").
    """
    words = []
    for phrase in noun_phrases(text):
        keep = [normalize(t) not in _STOP for t in phrase]
        if not any(keep):
            continue
        if split == "phrase":
            words.append("".join(phrase))
        elif split == "token":
            words += [t for t, k in zip(phrase, keep, strict=True) if k and len(normalize(t)) >= 2]
        else:
            run: list[str] = []
            for token, content in zip((*phrase, ""), (*keep, False), strict=True):
                if content:
                    run.append(token)
                elif run:
                    words.append("".join(run))
                    run = []
    return list(dict.fromkeys(words))


def find_passages(finder: PassageFinder, r: Reading, *,
                  is_name: Callable[[str], bool] = lambda _: False) -> tuple[list[str], list[Passage]]:
    """(content words, passages holding all of them); nothing for English or a word-less question."""
    if r.lang != "ja":
        return [], []
    want_url = any(w in r.cue_form for w in _WHERE)
    verbs = tuple(dict.fromkeys(stem for lemma, stem in verb_stems(r.text) if lemma not in lx.QUESTION_VERBS))
    # Counted on whole phrases: splitting a phrase into its tokens adds no evidence.
    free = sum(1 for w in content_words(r.text) if not is_name(w))
    stems = () if free >= MIN_FREE_WORDS else verbs
    words: list[str] = []
    for split in ("phrase", "cue", "token"):
        attempt = content_words(r.text, split=split)
        if not attempt or attempt == words:
            continue
        words = attempt
        found = finder.find(words, stems=stems, want_url=want_url)
        if found:
            return words, found
    return words, []


def asks_address(r: Reading) -> bool:
    """"オープンデータのURLは？" — but not "…サイトの状況" (a project question) nor "…サイトとは"."""
    return (r.lang == "ja" and r.project_intent is None and bool(_ADDRESS.search(r.cue_form))
            and not _DEFINE.search(r.cue_form))


def passage_answer(catalog: Catalog, finder: PassageFinder, r: Reading, audience: Audience, *,
                   show: Callable[[Project], Project], project_text: dict[str, Callable[..., str]],
                   is_name: Callable[[str], bool] = lambda _: False, address_only: bool = False) -> Answer | None:
    """The answer quoting the best passage, or None when no sentence holds every content word.

    ``address_only``: only a passage that gives an address will do (the question asked for one).
    """
    words, found = find_passages(finder, r, is_name=is_name)
    if not found or (len(found) > MAX_SPREAD and found[0].score < 1.0):
        return None
    if not _holds_the_question(r.text, found[0].text):
        return None  # 「市役所の近くでお昼のおすすめ」: a sentence with 市役所 in it holds none of what is asked
    if address_only and "http" not in found[0].text:
        return None
    if r.question.kind == "quantity" and found[0].field != "kpi" and not _FIGURE.search(found[0].text):
        return None  # 「人口は何人」: a sentence that only uses the word holds no figure to give
    top, others = found[0], found[1:4]
    topic = "・".join(words)
    suggestions = tuple(_ref(catalog, p, r.lang) for p in others)
    if _DEFINE.search(r.cue_form) and top.score < 1.0:
        # Asked what a word means, and the plan only uses it: say so, and where it is used.
        reason = f"アクションプランに「{topic}」の説明はありません。次の箇所で使われています。"
        # The responder turns this into its usual "I don't know" (with its fallbacks), this reason first.
        return Answer(query=r.text, intent="unknown", lang=r.lang, audience=audience, text=reason,
                      suggestions=tuple(_ref(catalog, p, r.lang) for p in found[:3]), extra={"reason": reason})
    if top.kind == "glossary":
        term = catalog.terms[top.ref]
        source = c.source_line(catalog, r.lang, glossary=True)
        lead = f"「{topic}」は、用語集の「{term.term}」の説明に次のようにあります。"
        text = "\n".join([f"【{term.term}】", lead, f"「{top.text}」", source])
        return Answer(query=r.text, intent="glossary", lang=r.lang, audience=audience, text=text,
                      answers=(_ref(catalog, top, r.lang),), suggestions=suggestions, terms=(term,),
                      source=source, score=_confidence(top))
    p = show(catalog.projects[top.ref])
    # The question's own type first; else what the sentence is: a KPI label answers with the
    # KPI's figures, a schedule cell with the schedule.
    intent = (r.project_intent if r.project_intent in _OWN_INTENT
              else "project_status" if asks_how_it_went(r) else _FIELD_INTENT.get(top.field, "project_overview"))
    source = c.source_line(catalog, r.lang, project=p.id)
    lead = f"「{topic}」は、この事業の{_FIELD_JA[top.field]}に次のようにあります。"
    lines = [c.project_title(catalog, p, r.lang), lead]
    details = project_text[intent](catalog, p, r.lang, audience).splitlines()[1:] if intent != "project_overview" else []
    if not any(top.text in line for line in details):  # a KPI label or schedule cell is shown below
        lines.append(f"「{top.text}」")
    lines += details
    text = "\n".join([*lines, source])
    return Answer(query=r.text, intent=intent, lang=r.lang, audience=audience, text=text,  # type: ignore[arg-type]
                  answers=(_ref(catalog, top, r.lang),), suggestions=suggestions, projects=(p,),
                  source=source, score=_confidence(top))


def _confidence(p: Passage) -> float:
    """On the 0–100 scale of names and terms, below any name match: a passage is a fallback, and
    an answer under 85 is kept for review (state.conversations)."""
    return round(60 + 10 * min(p.score, 2.0), 1)


def _ref(catalog: Catalog, p: Passage, lang: str) -> Ref:
    if p.kind == "glossary":
        return Ref("glossary", p.ref, p.ref, _confidence(p))
    project = catalog.projects[p.ref]
    title = (catalog.english_name("project", p.ref) or project.name) if lang == "en" else project.name
    return Ref("project", p.ref, title, _confidence(p))


def _holds_the_question(question: str, sentence: str) -> bool:
    """Whether the sentence holds the nouns the question is about (not its verbs, which a sentence
    may put otherwise, nor the words that say what kind of answer is wanted): a split that kept one
    word of several found a sentence about that word, not about the question."""
    asked = [w for w in ja_words(question) if w not in cue_words() and names_a_thing(w)]
    said = set(ja_words(sentence))
    folded = normalize(sentence)
    return all(w in said or normalize(w) in folded for w in asked)
