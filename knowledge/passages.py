"""Sentences of the plan that hold every content word of a question: the last look before "I don't know".

Names, aliases and terms are matched elsewhere; this reads the texts themselves — 現状・課題・目標,
evaluation comments, KPI labels, schedule cells and glossary definitions — one sentence at a time.
A sentence counts only when it contains *every* content word the question has (after
normalisation, so 手続/手続き and サーバ/サーバー meet): sharing a character trigram, or one word
out of three, is not an answer. The database's FTS5 index finds the texts that contain the
longest word (three characters or more; shorter words, which a trigram index cannot look up, are
found in the texts kept in memory); only those texts are split into sentences. A word that occurs
nowhere in the plan ends the search before any of that (the questions about the weather).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from knowledge.catalog import Catalog, TextDoc
from knowledge.normalize import clean, normalize
from knowledge.variants import tokenizer

# Fields that are passages. Names and terms are not: a word inside a name was already matched.
PASSAGE_FIELDS = ("definition", "current", "issue", "goal", "comment", "kpi", "schedule")
# Texts read for one question at most: a word in more texts than this narrows nothing down.
MAX_DOCS = 60
_SENTENCE_BREAK = re.compile(r"(?<=[。！？])\s*|\s*\n\s*")
_NOUNISH = ("名詞", "形状詞", "接頭辞", "接尾辞")  # 形状詞: 完全(性), 可用(性)
_SYMBOL = re.compile(r"^[\W_]+$")
_LEADING_KANJI = re.compile(r"^[\u3400-\u9fff\u3005]+")
_HEADING = re.compile(r"^(?:【[^】]*】|[・※\s])+")


@dataclass(frozen=True)
class Passage:
    kind: str  # "project" | "glossary"
    ref: str  # project id or glossary term
    field: str  # one of PASSAGE_FIELDS
    text: str  # the sentence as the plan writes it
    score: float


def sentences(text: str) -> list[str]:
    """Sentences of a plan text; a parenthesis after a full stop ("(URL:…)") stays with its sentence."""
    out: list[str] = []
    for part in _SENTENCE_BREAK.split(text):
        part = part.strip()
        if not part:
            continue
        if out and part[0] in "(（":
            out[-1] += part
        else:
            out.append(part)
    return out


@lru_cache(maxsize=4096)
def noun_phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """Runs of nouns (with their prefixes and suffixes) in ``text``, each as its tokens.

    "AEDの設置場所はどこ" -> [("AED",), ("設置", "場所")]: the words a passage must contain.
    """
    phrases: list[tuple[str, ...]] = []
    run: list[str] = []
    # NFKC without case folding: the words are shown back to the reader as typed ("AED").
    for m in tokenizer().tokenize(unicodedata.normalize("NFKC", clean(text))):
        surface = m.surface()
        if m.part_of_speech()[0] in _NOUNISH and surface.strip() and not _SYMBOL.match(surface):
            run.append(surface)
            continue
        if run:
            phrases.append(tuple(run))
            run = []
    if run:
        phrases.append(tuple(run))
    return tuple(phrases)


@lru_cache(maxsize=4096)
def verb_stems(text: str) -> tuple[tuple[str, str], ...]:
    """(dictionary form, leading kanji) of each verb written with kanji: 作れる -> ("作る", "作").

    A passage that never uses the verb's kanji does not say what was asked ("AIで画像を作る").
    """
    out = []
    for m in tokenizer().tokenize(unicodedata.normalize("NFKC", clean(text))):
        if m.part_of_speech()[0] == "動詞":
            lemma = m.normalized_form()
            stem = _LEADING_KANJI.match(lemma)
            if stem:
                out.append((lemma, stem.group(0)))
    return tuple(out)


class PassageFinder:
    """Finds the sentences of one catalog's texts that contain all of a question's words."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._docs = catalog.documents(fields=PASSAGE_FIELDS)
        # Every pair of adjacent characters in the texts: a word with a pair not in here occurs
        # nowhere, and is rejected without a search (most questions about other things).
        self._pairs = {t[i:i + 2] for t in {d.normalized for d in self._docs} for i in range(len(t) - 1)}

    def find(self, words: list[str], *, stems: tuple[str, ...] = (), want_url: bool = False) -> list[Passage]:
        """Best passage per project or term, best first; [] when no sentence holds every word.

        ``stems`` (kanji of the question's verbs) must occur too; ``want_url`` ("where can I
        see…") prefers sentences that give an address, when any does.
        """
        keys = sorted({k for k in (normalize(w) for w in words) if k}, key=lambda k: (-len(k), k))
        if not keys or len(keys[0]) < 2:
            return []
        if not all(k[i:i + 2] in self._pairs for k in keys for i in range(len(k) - 1)):
            return []
        best: dict[tuple[str, str], Passage] = {}
        for doc in self._holding(keys, stems):
            for p in _passages(doc, keys, stems):
                if want_url and "http" in p.text:
                    p = Passage(p.kind, p.ref, p.field, p.text, p.score + 1.0)
                k = (p.kind, p.ref)
                if k not in best or p.score > best[k].score:
                    best[k] = p
        ranked = sorted(best.values(), key=lambda p: (-p.score, p.kind, p.ref))
        if want_url and any("http" in p.text for p in ranked):
            ranked = [p for p in ranked if "http" in p.text]
        return ranked


    def _holding(self, keys: list[str], stems: tuple[str, ...]) -> list[TextDoc]:
        """The texts a passage may come from that hold every key and stem (the longest key first)."""
        required = [*keys[1:], *stems]
        if len(keys[0]) >= 3:
            candidates = self.catalog.documents_containing(keys[0], limit=MAX_DOCS)
        else:
            candidates = [d for d in self._docs if keys[0] in d.normalized][:MAX_DOCS]
        return [d for d in candidates if d.field in PASSAGE_FIELDS and all(k in d.normalized for k in required)]


@lru_cache(maxsize=4096)
def _sentence_forms(text: str) -> tuple[tuple[str, str], ...]:
    """(sentence, its matching form) for each sentence of a text; texts are read again and again."""
    return tuple((s, normalize(s)) for s in sentences(text))


def _passages(doc: TextDoc, keys: list[str], stems: tuple[str, ...]) -> list[Passage]:
    out = []
    for sentence, norm in _sentence_forms(doc.text):
        if not all(k in norm for k in (*keys, *stems)):
            continue
        # A sentence that starts with the word ("機密性…情報に…") defines it; a dense one is about it.
        body = _HEADING.sub("", norm)
        defines = 1.0 if any(body.startswith(k) for k in keys) else 0.0
        density = sum(len(k) for k in keys) / max(len(norm), 1)
        out.append(Passage(doc.kind, doc.ref, doc.field, sentence, round(defines + density, 3)))
    return out
