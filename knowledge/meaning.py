"""Retrieval by meaning: which units of the plan a question *describes*, named or not.

Each unit (``knowledge.units``) is indexed two ways:

- **lexical**: BM25 over content words (``knowledge.meaning_words``): Sudachi normalized forms in
  Japanese, light-stemmed words in English (over the unit's English text), plus words read from
  hiragana by their Sudachi reading (じどう → 自動);
- **semantic**: the cosine between IDF-weighted means of chiVe word vectors
  (``knowledge.meaning_vectors``), so 払う meets 支払い and お年寄り meets 高齢者.

Both are scaled to 0–1 and fused into one score per unit; a ref (a term, a project) takes its best
unit. ``coverage`` says how much of the question's weight the plan's words carry at all: a question
whose words the plan never uses (天気, 人口, a poem) is not about the plan, however close its best
unit happens to be.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from knowledge.english_bridge import translations
from knowledge.homophones import PlanHomophones
from knowledge.kana_kanji import typed_in_kana, write_kana
from knowledge.meaning_vectors import Vector, WordVectors
from knowledge.meaning_words import (
    en_alternatives,
    en_words,
    ja_alternatives,
    ja_words,
    kana_runs,
    katakana_names,
    reading,
    spellings,
    word_cuts,
)
from knowledge.normalize import MIN_LOOSE, SENTENCE_BANG, hira_to_kata, kata_to_hira, loose_kana
from knowledge.units import Unit

K1, B = 1.2, 0.75
SEMANTIC_FLOOR = 0.25  # a cosine below this between IDF-weighted word means says nothing
LEXICAL_WEIGHT = 0.55
SUPPORT_COSINE = 0.6
ALIGN_FLOOR = 0.35  # a word of the item this close to a question's word speaks for it
ALIGN_ALL = 20_000  # plan words across all units up to which every unit is aligned
ENGLISH_SEMANTIC = 0.45  # what an English question's words, by their translations, add to its English score
TRANSLATIONS = 2  # an English word's Japanese translations compared (the plan's own words first)
ALIGNED = 48  # units whose words are aligned with the question's, the best by the cheaper scores
SAID_CACHE = 4096  # phrases remembered by ``says``: people's words repeat, the plan does not change
# A unit of everyday words for one detail of a project (a schedule cell, what a KPI counts) ranks a
# little below the project's own words and its everyday summary: sibling projects share details.
DETAIL_WEIGHT = 0.92
RECENT = 8  # searches kept: the stages of one question ask the same text again
# Question words whose similarity rows are kept: a plan word row is 6 KB, a unit row 4 bytes per
# unit (the unit rows only for a plan small enough to align every unit, ALIGN_ALL).
WORD_ROWS = 2048
_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096\u30fc]{3,}(?![\u30a1-\u30fa\u3400-\u9fffA-Za-z])")
_GLUED = re.compile(r"[\u30a1-\u30fa\u3400-\u9fffA-Za-z0-9!！]")
_GLUED_RUN = re.compile(r"[\u30a1-\u30fa\u30fc\u3400-\u9fffA-Za-z0-9!！]+$")
# Latin letters as read aloud in kana (えー, びー, しー …), and the particles a word may carry after it.
_LETTER_NAMES = {
    "えー": "A", "えい": "A", "びー": "B", "しー": "C", "でぃー": "D", "でー": "D", "いー": "E", "えふ": "F",
    "じー": "G", "えいち": "H", "えっち": "H", "あい": "I", "じぇー": "J", "じぇい": "J", "けー": "K", "けい": "K",
    "える": "L", "えむ": "M", "えぬ": "N", "おー": "O", "ぴー": "P", "きゅー": "Q", "あーる": "R",
    "えす": "S", "てぃー": "T", "てー": "T", "ゆー": "U", "ぶい": "V", "ぶいー": "V", "だぶりゅー": "W",
    "だぶる": "W", "えっくす": "X", "わい": "Y", "ぜっと": "Z", "ぜっど": "Z",
}
_PARTICLES = frozenset(["", "の", "は", "が", "を", "に", "で", "と", "も", "や", "って", "とは", "から", "まで",
                        # and the endings of a short question (えすえぬえすなの → SNSなの)
                        "なの", "なのか", "なん", "です", "ですか", "か", "かな", "だよね", "でしょ"])
_LETTER_RUN = re.compile(r"(?<![\u3041-\u3096\u30fc])[\u3041-\u3096\u30fc]{4,}")
_KANA_WORD = re.compile(r"^[\u3041-\u3096\u30fc]+$")
_HAS_KANJI = re.compile(r"[\u3400-\u9fff]")
# A Japanese word an English question writes in its own script ("the city's 窓口 initiatives").
_JAPANESE_RUN = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]+")
_SHORT_WORD = re.compile(r"(?<![\u3041-\u30ff\u3400-\u9fff])[\u3041-\u3096]{2}(?![\u3041-\u30ff\u3400-\u9fff])")
_KANA_WORDS = re.compile(r"[\u3041-\u3096\u30fc]+(?:[ \u3000][\u3041-\u3096\u30fc]+)+")
_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
MAX_JOINED = 4  # kana words a typist may split one plan word into (こせき じゅうみん か)
_SPACED = re.compile(r"(?<=[\u3041-\u30ff\u3400-\u9fff])[ \u3000]+(?=[\u3041-\u30ff\u3400-\u9fff])")
_ENDING_KANA = frozenset("てたるっまずさせれらなかくいよりでだ")
_PARTICLE_KANA = frozenset("をのはがでにともやへねよかっ")
# A word said twice over (「くらうど くらうど って」): once is the word.
_REPEATED = re.compile(r"(?<!\S)(\S{2,})(?:[ \u3000]+\1)+(?!\S)")
LAST_SENTENCE_STRESS = 2.0  # a long message's question is in its last sentence
_SENTENCE_END = re.compile(r"[。．.?？…]+\s*|" + SENTENCE_BANG + r"|\n+")
# Endings a kana typist may set apart from their word (ないもので しょうか).
_AUXILIARIES = frozenset(["しょう", "しょうか", "でしょう", "でしょうか", "ます", "ますか", "ません", "ました",
                          "です", "ですか", "ですね", "ください", "かしら", "かな", "ですが", "けど"])
# し standing alone before a particle (しの あぷり, しは なにを): to a resident writing to their city, 市.
_CITY = re.compile(r"(?:(?<=^)|(?<=[\s\u3000、。,.!?！？「]))し(?=(?:の|は|が|で|に|から|では|でも|も|と|へ|って|として)"
                   r"(?:[\s\u3000、。,.!?！？」]|$))")
MIN_READING = 3  # katakana characters a hiragana reading must have to stand for a word
MAX_READING = 12
MIN_CLIP = 2  # characters of a clipped loanword's piece (ロボ of ロボット)
MAX_TAIL = 4  # kana after a spelled word kept as its ending (てる, ました) rather than unspelled


@dataclass(frozen=True)
class MeaningHit:
    kind: str
    ref: str
    field: str  # the unit that scored best
    score: float  # fused, 0–1
    lexical: float
    semantic: float


@dataclass(frozen=True)
class Slot:
    """One question word in the alignment: its weight, and the words (each with its vector) that
    stand for it: a Japanese word itself, or an English word's Japanese translations."""
    weight: float
    vectors: tuple[tuple[str, Vector], ...]


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # what was compared, Japanese or English
    english: bool
    coverage: float  # share of the question's weight that the plan's vocabulary holds
    stressed: frozenset[str] = frozenset()  # words of the last sentence, where a long message asks

    def stress(self, word: str) -> float:
        return LAST_SENTENCE_STRESS if word in self.stressed else 1.0


class WordRows:
    """Rows of numbers kept per question word (its cosines with the plan's words), so that a word
    asked again costs a lookup, not a matrix product. The words not kept are computed together,
    in one product, by ``compute(words, alone)``. Bounded (the least recently used go first) and
    safe to share between the threads that answer; the rows handed out are read-only."""

    def __init__(self, compute: Callable[[list[Vector], bool], np.ndarray], *, size: int) -> None:
        self._compute = compute
        self._size = size
        self._kept: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, words: list[tuple[str, Vector]], *, alone: bool = False) -> np.ndarray:
        """One row per word (with its vector), in order (a word may come twice)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for w, _ in words:
                row = self._kept.get((w, alone))
                if row is not None:
                    self._kept.move_to_end((w, alone))
                    found[w] = row
        missing = [w for w in dict(words) if w not in found]
        if missing:
            computed = self._compute([v for w, v in dict(words).items() if w not in found], alone)
            computed.flags.writeable = False
            with self._lock:
                for w, row in zip(missing, computed, strict=True):
                    found[w] = self._kept[(w, alone)] = row
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return np.vstack([found[w] for w, _ in words])


class _Bm25:
    def __init__(self, docs: list[tuple[str, ...]]) -> None:
        # Statistics over the documents that have text: a unit with no text in this language (an
        # everyday-Japanese unit has no English) is no document of it.
        self.n = len(docs)
        with_text = sum(1 for d in docs if d)
        self.lengths = np.array([max(len(d), 1) for d in docs], dtype=np.float32)
        self.avg = float(np.mean([len(d) for d in docs if d])) if with_text else 1.0
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        for i, doc in enumerate(docs):
            for w in doc:
                postings[w][i] = postings[w].get(i, 0) + 1
        self.idf = {w: math.log(1 + (with_text - len(p) + 0.5) / (len(p) + 0.5)) for w, p in postings.items()}
        self.max_idf = max(self.idf.values(), default=1.0)
        norm = K1 * (1 - B + B * self.lengths / self.avg)
        self.postings = {}
        for w, p in postings.items():
            idx = np.fromiter(p.keys(), dtype=np.int64, count=len(p))
            tf = np.fromiter(p.values(), dtype=np.float32, count=len(p))
            self.postings[w] = (idx, (self.idf[w] * tf * (K1 + 1) / (tf + norm[idx])).astype(np.float32))

    def scores(self, q: Query, *, known_only: bool = False) -> tuple[np.ndarray, float]:
        """BM25 per document, and the most a document could score (every word once, average length).

        ``known_only``: words the documents never use do not count in that most (English, where
        no vectors can say what an unknown word is near, and small talk is common)."""
        out = np.zeros(self.n, dtype=np.float32)
        best = 0.0
        for w in q.words:
            if known_only and w not in self.idf:
                continue
            best += self.idf.get(w, self.max_idf) * q.stress(w)
            hit = self.postings.get(w)
            if hit is not None:
                out[hit[0]] += hit[1] * q.stress(w)
        return out, best


class MeaningIndex:
    """The units of one catalog snapshot, searchable by meaning."""

    def __init__(self, units: list[Unit], vectors: WordVectors, *, also_spell: Iterable[str] = (),
                 names_read: Mapping[str, str] | None = None) -> None:
        """``also_spell``: words that are not the plan's but that kana messages should see written
        (意味, 担当, 進捗: the words that say what is asked), used where the plan has no such reading.
        ``names_read``: names by their hiragana reading (こせきじゅうみんか → 戸籍住民課), written as
        named wherever a kana message spells them: the converter knows no department's name."""
        self.units = units
        self._joined: str | None = None
        self._said: dict[str, bool] = {}
        self.vectors = vectors
        ja_docs = [ja_words(u.text) for u in units]
        en_docs = [en_words(u.en) for u in units]
        self._ja = _Bm25(ja_docs)
        self._en = _Bm25(en_docs)
        self._words: dict[tuple[str, str], set[str]] = defaultdict(set)
        for u, ja, en in zip(units, ja_docs, en_docs, strict=True):
            # Everyday paraphrases find an item; only its own words carry a question.
            if u.field not in ("plain", "detail"):
                self._words[(u.kind, u.ref)].update(ja, en)
        self._word_vectors: dict[tuple[str, str], np.ndarray] = {}
        self._holders: dict[tuple[str, str], tuple[str, ...]] | None = None
        self._refs: dict[str, tuple[str, ...]] = {}
        self._item_vocab: tuple[list[str], np.ndarray] | None = None
        self._all_words: frozenset[str] | None = None
        self._katakana_words: tuple[str, ...] | None = None
        self._masks: dict[frozenset[str], np.ndarray] = {}
        self._lock = threading.Lock()
        self._recent: dict[tuple[str, frozenset[str]], tuple[Query, np.ndarray, np.ndarray, np.ndarray]] = {}
        # Per question word, its cosines with the plan's words (a large plan aligns a few units) or
        # its best cosine per unit (a small one aligns all): people's words repeat across questions.
        self._similarities = WordRows(self._word_similarities, size=WORD_ROWS)
        self._unit_best = WordRows(self._word_unit_best, size=WORD_ROWS)
        self._align(ja_docs)
        self._by_reading = self._readings()
        self._spelled, self._cue_spelled = self._spellings(also_spell)
        self._homophones = PlanHomophones((u.text for u in units), known=self._ja.idf)
        # Words the plan itself writes in hiragana (ふなっぷ), longest first.
        kana_names = {w: w for w in self._spelled.values() if len(w) >= MIN_READING and _KANA_WORD.match(w)}
        kana_names.update((kana, name) for kana, name in (names_read or {}).items() if len(kana) >= MIN_READING)
        self._weight = np.array([DETAIL_WEIGHT if u.field == "detail" else 1.0 for u in units], dtype=np.float32)
        self._kana_names = dict(sorted(kana_names.items(), key=lambda kv: -len(kv[0])))
        self._katakana_names = {kana: name for kana, name in katakana_names().items() if self.says(name)}
        self._latin_names = re.compile(
            r"(?<![\u30a1-\u30fa\u30fc])(?:" + "|".join(sorted(map(re.escape, self._katakana_names), key=len, reverse=True))
            + r")(?![\u30a1-\u30fa\u30fc])") if self._katakana_names else None
        # Names and the plan's katakana words by their loose kana (すまほこんしえるじゆ), longest first.
        typed = [*self._kana_names, *(kata_to_hira(w) for w in self._spelled.values() if _KATAKANA_WORD.match(w))]
        self._loose_names = {loose_kana(kana): kana for kana in sorted(set(typed), key=len, reverse=True)
                             if len(kana) >= MIN_LOOSE and loose_kana(kana) != kana}
        # One sentence vector per distinct word list: a grown plan repeats its texts.
        rows: dict[tuple[str, ...], int] = {}
        self._row_of = np.array([rows.setdefault(d, len(rows)) for d in ja_docs], dtype=np.int64)
        self._matrix = (np.vstack([self._sentence(d) for d in rows]) if rows
                        else np.zeros((0, vectors.dimensions), np.float32))

    def _align(self, ja_docs: list[tuple[str, ...]]) -> None:
        """Soft alignment: every distinct plan word with a vector, and each unit's words as ids into
        it, so that a question word's best match in every unit is one gather and one reduce."""
        dims = self.vectors.dimensions
        found = [(w, v) for w in self._ja.idf if (v := self.vectors.get(w)) is not None]
        self._vocab_ids = {w: i for i, (w, _) in enumerate(found)}
        self._vocab = np.vstack([v for _, v in found]) if found else np.zeros((0, dims), np.float32)
        # A unit with no word that has a vector points at an extra zero column.
        self._vocab_t = np.ascontiguousarray(np.hstack([self._vocab.T, np.zeros((dims, 1), np.float32)]))
        self._unit_ids: list[np.ndarray] = [
            np.array([self._vocab_ids[w] for w in d if w in self._vocab_ids] or [len(found)], dtype=np.int64)
            for d in ja_docs]
        self._unit_at = {(u.kind, u.ref, u.field): i for i, u in reversed(list(enumerate(self.units)))}  # the first of each
        self._vocab_idf = np.array([self._ja.idf[w] for w, _ in found] + [0.0], dtype=np.float32)
        self._all_ids = np.concatenate(self._unit_ids) if self._unit_ids else np.zeros(0, np.int64)
        self._all_starts = (np.cumsum([0] + [len(x) for x in self._unit_ids[:-1]]) if self._unit_ids
                            else np.zeros(0, np.int64))

    def _readings(self) -> dict[str, set[str]]:
        """The plan's words by their katakana reading, for reading kana runs."""
        by_reading: dict[str, set[str]] = defaultdict(set)
        for w in self._ja.idf:
            r = reading(w) if not _is_katakana(w) else w
            if MIN_READING <= len(r) <= MAX_READING and not w.isascii():
                by_reading[r].add(w)
        return by_reading

    def _spellings(self, also_spell: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
        """Words as the plan writes them (公民館, 電子決裁) by reading, for spelling kana messages; and
        the cue words' spellings (いみ → 意味) where the plan has no word of that reading."""
        spelled: dict[str, dict[str, str]] = defaultdict(dict)  # reading -> {word as written: its normalized form}
        for u in self.units:
            names = [u.ref] if u.kind == "glossary" else []
            for surface, kana in [*spellings(u.text), *((n, reading(n)) for n in names if not n.isascii())]:
                if MIN_READING <= len(kana) <= MAX_READING and not surface.isascii():
                    spelled[kana].setdefault(surface, "".join(ja_words(surface)) or surface)
        # A reading spelled one way, or several ways of one word (申込, 申し込み), is unambiguous.
        plan = {kana: min(forms) for kana, forms in spelled.items() if len(set(forms.values())) == 1}
        extra: dict[str, set[str]] = defaultdict(set)
        for surface, kana in spellings(" ".join(also_spell)):
            if 2 <= len(kana) <= MAX_READING and kana not in spelled and _HAS_KANJI.search(surface):
                extra[kana].add(surface)
        # Two kana (いみ, なに) are spelled only as a whole word between spaces or marks.
        cues = {kana: next(iter(s)) for kana, s in extra.items() if len(s) == 1}
        plan.update({k: w for k, w in cues.items() if len(k) >= MIN_READING})
        return plan, cues

    # ------------------------------------------------------------------ query side
    def query(self, text: str, *, ignore: frozenset[str] = frozenset()) -> Query:
        """``ignore``: words that say what kind of answer is wanted (状況, KPI, とは), not what about."""
        ascii_share = sum(ch.isascii() for ch in text) / max(len(text), 1)
        sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
        if ascii_share > 0.8:
            english = self._en_query_words(text, ignore)
            # ... and the plan's Japanese words it writes as they are, compared by their own vectors.
            japanese = [w for run in _JAPANESE_RUN.findall(text) for w in ja_words(run) if w not in ignore and w in self._ja.idf]
            english = tuple(dict.fromkeys([*english, *japanese]))
            known = [w for w in english if w in self._en.idf or w in self._ja.idf]
            stressed = frozenset(self._en_query_words(sentences[-1], ignore)) if len(sentences) > 2 else frozenset()
            return Query(english, True, len(known) / len(english) if english else 0.0, stressed)
        words = self._ja_query_words(text, ignore)
        weights = {w: self._ja.idf.get(w, self._ja.max_idf) for w in words}
        total = sum(weights.values())
        covered = sum(v for w, v in weights.items() if w in self._ja.idf or self._near_vocabulary(w))
        stressed = frozenset(self._ja_query_words(sentences[-1], ignore)) if len(sentences) > 1 else frozenset()
        return Query(tuple(words), False, covered / total if total else 0.0, stressed)

    def says(self, phrase: str) -> bool:
        """Whether some unit's text holds ``phrase`` as written (case and width folded)."""
        if self._joined is None:
            # Distinct texts only: a grown plan repeats its units, and kana messages ask this often.
            texts = dict.fromkeys(f"{u.text}\n{u.en}" for u in self.units)
            self._joined = "\n".join(unicodedata.normalize("NFKC", t).casefold() for t in texts)
        said = self._said.get(phrase)
        if said is None:
            if len(self._said) >= SAID_CACHE:
                self._said.clear()
            said = self._said[phrase] = unicodedata.normalize("NFKC", phrase).casefold() in self._joined
        return said

    def _en_query_words(self, text: str, ignore: frozenset[str]) -> tuple[str, ...]:
        """English words, each everyday word with the plan's word for the same thing (info →
        information, pings → notification): in its place when the plan's English lacks it."""
        words = [w for w in en_words(text, question=True) if w not in ignore]
        for word, plan_word in en_alternatives(text):
            if plan_word not in self._en.idf or plan_word in ignore:
                continue
            if word in words and word not in self._en.idf:
                words[words.index(word)] = plan_word
            elif plan_word not in words:
                words.append(plan_word)
        return tuple(dict.fromkeys(words))

    def _ja_query_words(self, text: str, ignore: frozenset[str]) -> list[str]:
        words = [w for w in ja_words(text) if w not in ignore]
        # Everyday words with the plan's word for the same thing (タダ → 無料): in their place when
        # the plan lacks them, beside them when it has both.
        for word, plan_word in ja_alternatives(tuple(words)):
            if plan_word not in self._ja.idf or plan_word in ignore:
                continue
            if word not in self._ja.idf:
                words[words.index(word)] = plan_word
            elif plan_word not in words:
                words.append(plan_word)
        words = list(dict.fromkeys(words))
        for word in list(words):
            if word not in self._ja.idf and _KATAKANA_WORD.match(word):
                # A word with a vector of its own (ロボ) is read as no more than the one plan word it
                # starts, beside it; one without is read as the plan words, in its place.
                unknown = self.vectors.get(word) is None
                clipped = [w for w in (self._unclipped(word) if unknown else [self._clipped_word(word)])
                           if w and w not in words and w not in ignore]
                if clipped and unknown:
                    words.remove(word)
                words += clipped
        for run in kana_runs(text):
            words += [w for w in self._read(run) if w not in words and w not in ignore]
        return words

    def _unclipped(self, word: str) -> list[str]:
        """A katakana word no dictionary knows, read as the plan's katakana words it clips
        (ソフトロボ: ソフト and ロボット; テレワ: テレワーク), the way Japanese shortens loanwords:
        one or two pieces of at least two characters, each a plan word or the start of only one."""
        for cut in [len(word), *range(MIN_CLIP, len(word) - MIN_CLIP + 1)]:
            pieces = [word[:cut], word[cut:]] if cut < len(word) else [word]
            found = [self._clipped_word(piece) for piece in pieces]
            if all(found):
                return [w for w in found if w]
        return []

    def _clipped_word(self, piece: str) -> str | None:
        if piece in self._ja.idf:
            return piece
        if self._katakana_words is None:
            self._katakana_words = tuple(w for w in self._ja.idf if _KATAKANA_WORD.match(w) and len(w) >= MIN_CLIP)
        starting = [w for w in self._katakana_words if w.startswith(piece) and len(w) > len(piece)]
        if len(starting) == 1:
            return starting[0]
        # A voicing mark or a small kana typed wrong (クラウト for クラウド): the one plan word it loosely is.
        loose = loose_kana(piece)
        alike = [w for w in self._katakana_words if len(w) == len(piece) and len(w) >= MIN_LOOSE and loose_kana(w) == loose]
        return alike[0] if len(alike) == 1 else None

    def _spell_run(self, run: str, *, endings: bool = True) -> str | None:
        """A hiragana run in the plan's spellings, or None when some word of it is not the plan's
        (or, without ``endings``, when it ends in anything but particles: しかくい is not 視覚+い)."""
        if run in _AUXILIARIES:
            return None  # 「ないもので しょうか」: an ending typed apart, not 昇華
        kata = hira_to_kata(run)
        out, i, spelled = [], 0, False
        while i < len(kata):
            for size in range(min(MAX_READING, len(kata) - i), MIN_READING - 1, -1):
                word = self._spelled.get(kata[i:i + size])
                if word:
                    out.append(word)
                    i, spelled = i + size, True
                    break
            else:
                if spelled and (run[i:] in _PARTICLES or endings and len(run) - i <= MAX_TAIL and run[i] in _ENDING_KANA):
                    out.append(run[i:])  # 電子決裁|って; with endings, 遅れ|てる, 予定|より
                    break
                if run[i] not in _PARTICLE_KANA:
                    return None  # a word the plan does not have: a half-spelled run reads worse
                out.append(run[i])
                i += 1
        return "".join(out) if spelled else None

    def _own_spelling(self, run: str) -> str | None:
        """A run the plan's own words spell whole (すまほの → スマホの, でんしけっさいとは → 電子決裁とは):
        kept from the kana-kanji converter, which knows no acronym, few loanwords and not which of
        two homophones (決裁, 決済) the plan means."""
        return self._spell_run(run, endings=False)

    def _letters(self, m: re.Match[str]) -> str:
        """Latin letters read aloud (えーあい → AI, えーあいおーしーあーる → AI-OCR) when the plan
        writes them: the letters, or the plan's acronyms they spell one after another."""
        run, letters, i = m.group(0), [], 0
        while i < len(run):
            for size in (5, 4, 3, 2):
                letter = _LETTER_NAMES.get(run[i:i + size])
                if letter:
                    letters.append(letter)
                    i += size
                    break
            else:
                break
        word, rest = "".join(letters), run[i:]
        if len(word) < 2 or rest not in _PARTICLES:
            return run
        if self.says(word):
            return word + rest
        for cut in range(2, len(word) - 1):
            if self.says(f"{word[:cut]}-{word[cut:]}"):
                return f"{word[:cut]}-{word[cut:]}" + rest
        return run

    def respell(self, text: str) -> str:
        """Hiragana runs with the plan's words written as the plan writes them (すまほを おしえて →
        スマホを おしえて, でんしけっさい → 電子決裁), so that names and Sudachi see word
        boundaries a message typed in kana lacks. A reading with several spellings (じどう: 自動,
        児童) is left as typed."""
        def spell(m: re.Match[str]) -> str:
            run, whole = m.group(0), m.string
            if not m.start() or not _GLUED.match(whole[m.start() - 1]):
                return self._spell_run(run, endings=False) or run
            # Written on from a word in another script: spelled only as the word the two make in the
            # plan (電子けっさい → 電子決裁, not 決済), never a name in two scripts (Yahoo!くらし).
            head = _GLUED_RUN.search(whole, 0, m.start())
            tail = head.group(0) if head else ""
            kata = hira_to_kata(run)
            for size in range(min(MAX_READING, len(kata)), MIN_READING - 1, -1):
                for word in sorted(self._by_reading.get(kata[:size], ())):
                    if any(self.says(tail[k:] + word) for k in range(len(tail))):
                        return word + run[size:]
            return run

        spelled = _HIRAGANA_RUN.sub(self._loose_kana_fixed, text) if self._loose_names else text
        spelled = _KANA_ERA.sub(lambda m: {"れいわ": "令和", "へいせい": "平成"}[m.group(1)], spelled)
        spelled = _KANA_WORDS.sub(self._join_kana_words, _KANA_YEAR.sub(_year_in_digits, _REPEATED.sub(r"\1", spelled)))
        spelled = _CITY.sub("市", spelled)
        spelled = _LETTER_RUN.sub(self._letters, spelled)
        if typed_in_kana(spelled):
            spelled = write_kana(spelled, keep=self._own_spelling, names=self._kana_names, respell=self._homophones)
        spelled = _HIRAGANA_RUN.sub(spell, spelled)
        spelled = _SHORT_WORD.sub(lambda m: self._cue_spelled.get(hira_to_kata(m.group(0)), m.group(0)), spelled)
        if self._latin_names is not None:  # フェイスブック → Facebook, as the plan writes it
            spelled = self._latin_names.sub(lambda m: self._katakana_names[m.group(0)], spelled)
        # 「キャッシュレス って どういう 意味」: spaces a kana typist puts between words, gone once the
        # words are spelled, so that phrases (どういう意味) read as one and not as their parts (どう).
        return _SPACED.sub("", spelled)

    def _loose_kana_fixed(self, m: re.Match[str]) -> str:
        """A plan name typed in kana with a voicing mark or a small kana wrong (ふなっぶ → ふなっぷ,
        すまほこんしえるじゆ → すまほこんしぇるじゅ)."""
        run = m.group(0)
        flat = loose_kana(run)
        for loose, kana in self._loose_names.items():
            at = flat.find(loose)
            if at >= 0 and run[at:at + len(kana)] != kana:
                return run[:at] + kana + run[at + len(kana):]
        return run

    def _join_kana_words(self, m: re.Match[str]) -> str:
        """Kana words typed apart that are one plan word or name (でんし けっさい → でんしけっさい,
        which spells 電子決裁, where けっさい alone may be 決済; こせき じゅうみん か → 戸籍住民課):
        joined where the longest such word at a typed word's start runs on across the space and
        ends where a typed word ends."""
        words, out, i = re.split(r"[ \u3000]", m.group(0)), [], 0
        while i < len(words):
            kana = "".join(words[i:i + MAX_JOINED])
            kata = hira_to_kata(kana)
            ends = list(accumulate(len(w) for w in words[i:i + MAX_JOINED]))
            size = next((n for n in range(min(MAX_READING, len(kata)), len(words[i]), -1)
                         if n in ends and (kata[:n] in self._spelled or kana[:n] in self._kana_names)), 0)
            take = ends.index(size) + 1 if size else 1
            out.append("".join(words[i:i + take]))
            i += take
        return " ".join(out)

    def _read(self, run: str) -> list[str]:
        """Plan words whose reading occurs in a katakana run, longest first, not overlapping."""
        found, i = [], 0
        cuts = word_cuts(kata_to_hira(run))
        while i < len(run):
            for size in range(min(MAX_READING, len(run) - i), MIN_READING - 1, -1):
                words = self._by_reading.get(run[i:i + size])
                if words and i in cuts and i + size in cuts:
                    # A reading several plan words share (きかい: 機会, 機械) is read as the one the
                    # plan uses most, not as all of them: the others only add noise.
                    found.append(min(words, key=lambda w: (self._ja.idf.get(w, self._ja.max_idf), w)))
                    i += size
                    break
            else:
                i += 1
        return found

    def _near_vocabulary(self, word: str) -> bool:
        """A word the plan does not use but whose vector is close to one it does (お年寄り)."""
        v = self.vectors.get(word)
        return v is not None and bool(len(self._matrix)) and float((self._matrix @ v).max()) >= 0.45

    # ------------------------------------------------------------------ search
    def search(self, text: str, *, kinds: set[str] | None = None, limit: int = 8,
               ignore: frozenset[str] = frozenset()) -> tuple[Query, list[MeaningHit]]:
        q, lex, sem, fused = self._scored(text, ignore)
        if not q.words or not self.units:
            return q, []
        fused = fused * self._weight
        if kinds is not None:
            fused = np.where(self._kind_mask(frozenset(kinds)), fused, 0.0)
        top = np.argpartition(-fused, min(limit * 8, len(fused) - 1))[: limit * 8] if len(fused) > limit * 8 else np.arange(len(fused))
        per_ref: dict[tuple[str, str], MeaningHit] = {}
        order = top[np.argsort(-fused[top])]
        scores, lexical, semantic = fused[order].tolist(), lex[order].tolist(), sem[order].tolist()
        for i, score, lx, sm in zip(order.tolist(), scores, lexical, semantic, strict=True):
            if score <= 0 or len(per_ref) >= limit:
                break
            u = self.units[i]
            if (u.kind, u.ref) not in per_ref:  # a ref's best unit comes first
                per_ref[(u.kind, u.ref)] = MeaningHit(u.kind, u.ref, u.field, score, lx, sm)
        return q, list(per_ref.values())

    def _scored(self, text: str, ignore: frozenset[str]) -> tuple[Query, np.ndarray, np.ndarray, np.ndarray]:
        """The question's words and every unit's lexical, semantic and fused scores. One question
        is searched by several stages (its topic, a list's group, a described project): the last
        few results are kept."""
        with self._lock:
            hit = self._recent.get((text, ignore))
        if hit is not None:
            return hit
        q = self.query(text, ignore=ignore)
        out: tuple[Query, np.ndarray, np.ndarray, np.ndarray]
        if not q.words or not self.units or not q.coverage:  # no word the plan uses, nor one near it
            empty = np.zeros(len(self.units), dtype=np.float32)
            out = (q, empty, empty, empty)
        else:
            lex, best = (self._en if q.english else self._ja).scores(q)
            lex = np.minimum(lex / best, 1.0) if best else lex
            slots = self._slots(q)
            sem = self._english_semantic(slots, lex) if q.english else self._semantic(q, slots, lex)
            out = (q, lex, sem, LEXICAL_WEIGHT * lex + (1 - LEXICAL_WEIGHT) * sem)
        with self._lock:
            if len(self._recent) >= RECENT:
                self._recent.pop(next(iter(self._recent)))
            self._recent[(text, ignore)] = out
        return out

    def _kind_mask(self, kinds: frozenset[str]) -> np.ndarray:
        mask = self._masks.get(kinds)
        if mask is None:
            mask = self._masks[kinds] = np.array([u.kind in kinds for u in self.units], dtype=bool)
        return mask

    def _slots(self, q: Query) -> list[Slot]:
        """Each question word's weight and the words whose vectors stand for it: a Japanese word
        itself; an English word's Japanese translations (``english_bridge``), any of which may match."""
        if not q.english:
            return [Slot(self._ja.idf.get(w, self._ja.max_idf) * q.stress(w), self._with_vectors([w])) for w in q.words]
        return [Slot(self._ja.idf[w] * q.stress(w), self._with_vectors([w])) if w in self._ja.idf and not w.isascii()
                else Slot(self._en.idf.get(w, self._en.max_idf) * q.stress(w), self._with_vectors(translations(w)[:TRANSLATIONS]))
                for w in q.words]

    def _with_vectors(self, words: Iterable[str]) -> tuple[tuple[str, Vector], ...]:
        return tuple((w, v) for w in words if (v := self.vectors.get(w)) is not None)

    def _english_semantic(self, slots: list[Slot], lex: np.ndarray) -> np.ndarray:
        """The plan's English carries an English question's words; their Japanese translations add
        what its everyday words (statistics, files, pension) mean in the plan's Japanese: for every
        unit of a plan this size, in a large one for the units the plan's English puts near the top."""
        sem = lex.copy()
        if not any(slot.vectors for slot in slots):  # no word the bridge knows
            return sem
        if len(self._all_ids) <= ALIGN_ALL:
            sem += ENGLISH_SEMANTIC * self._aligned(slots, None)
        else:
            candidates = np.argpartition(-lex, ALIGNED - 1)[:ALIGNED]
            sem[candidates] += ENGLISH_SEMANTIC * self._aligned(slots, candidates)
        return np.minimum(sem, 1.0)

    def _semantic(self, q: Query, slots: list[Slot], lex: np.ndarray) -> np.ndarray:
        """Half the cosine of the question's and each unit's IDF-weighted mean vectors, half the
        word alignment: for every unit of a plan this size; in a large one only for the units the
        cheaper scores put near the top (the rest keep the mean-vector score)."""
        qv = self._sentence(q.words, q)
        mean = np.clip(((self._matrix @ qv) - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR), 0, 1)[self._row_of]
        if len(self._all_ids) <= ALIGN_ALL:
            return 0.5 * mean + 0.5 * self._aligned(slots, None)
        rough = LEXICAL_WEIGHT * lex + (1 - LEXICAL_WEIGHT) * mean
        candidates = np.argpartition(-rough, ALIGNED - 1)[:ALIGNED]
        sem = mean.copy()
        sem[candidates] = 0.5 * mean[candidates] + 0.5 * self._aligned(slots, candidates)
        return sem

    def _aligned(self, slots: list[Slot], candidates: np.ndarray | None) -> np.ndarray:
        """Per unit (or per unit of ``candidates``), the weighted mean over the question's words of
        each word's best cosine with a word of the unit, through any of its vectors (an exact word
        scores 1; below ``ALIGN_FLOOR`` nothing)."""
        weights = np.array([slot.weight for slot in slots], dtype=np.float32)
        found = [(i, slot.vectors) for i, slot in enumerate(slots) if slot.vectors]
        size = len(self.units) if candidates is None else len(candidates)
        if not found or not size:
            return np.zeros(size, dtype=np.float32)
        words = [pair for _, vectors in found for pair in vectors]
        alone = len(words) == 1
        if candidates is None:
            best = self._unit_best.rows(words, alone=alone)
        else:
            spans = [self._unit_ids[c] for c in candidates.tolist()]
            ids, starts = np.concatenate(spans), np.cumsum([0] + [len(x) for x in spans[:-1]])
            best = np.maximum.reduceat(self._similarities.rows(words, alone=alone)[:, ids], starts, axis=1)
        if len(words) > len(found):  # a word's best translation (max is exact in any order)
            best = np.maximum.reduceat(best, np.cumsum([0] + [len(v) for _, v in found[:-1]]), axis=0)
        rows = np.array([i for i, _ in found])
        total = weights[rows] @ np.clip((best - ALIGN_FLOOR) / (1 - ALIGN_FLOOR), 0, 1)  # question words × units
        return (total / weights.sum()).astype(np.float32)

    def _word_similarities(self, vectors: list[Vector], alone: bool) -> np.ndarray:
        """Question words' cosines with every plan word (and the zero column), in one product.
        ``alone``: the word is a question's only vector, whose product BLAS computes as a
        vector-matrix one and rounds differently in the last bits from a row of a matrix product
        (which rounds alike in any product of two rows or more): each is kept as it comes."""
        if alone:
            return (vectors[0] @ self._vocab_t)[None, :]
        if len(vectors) == 1:
            return (np.vstack([vectors[0], vectors[0]]) @ self._vocab_t)[:1]
        return np.vstack(vectors) @ self._vocab_t

    def _word_unit_best(self, vectors: list[Vector], alone: bool) -> np.ndarray:
        """Question words' best cosine with a word of each unit."""
        return np.maximum.reduceat(self._word_similarities(vectors, alone)[:, self._all_ids], self._all_starts, axis=1)

    def unit_text(self, kind: str, ref: str, field: str) -> str:
        """The text of an item's ``field`` unit (the first, when a field has several), or ""."""
        at = self._unit_at.get((kind, ref, field))
        return "" if at is None else self.units[at].text

    def covered(self, q: Query, kind: str, ref: str, *, field: str) -> float:
        """How much of an item's own text (its ``field`` unit) the question speaks to: the IDF-weighted
        share of that unit's words each near a word of the question. A description that names a
        term covers most of its definition; a long definition that merely mentions the same words
        (テレワーク's, which lists サテライトオフィス勤務) is covered little."""
        unit = self._unit_at.get((kind, ref, field))
        vecs = [v for w in q.words if (v := self.vectors.get(w)) is not None]
        if unit is None or not vecs or q.english:
            return 0.0
        ids = self._unit_ids[unit]
        best = (np.vstack(vecs) @ self._vocab_t[:, ids]).max(axis=0)
        weights = self._vocab_idf[ids]
        total = float(weights.sum())
        return float(weights @ np.clip((best - ALIGN_FLOOR) / (1 - ALIGN_FLOOR), 0, 1)) / total if total else 0.0

    def support(self, q: Query, kind: str, ref: str) -> float:
        """The share of the question's weight that this item's own words carry: each word is there
        itself, or (Japanese) a word of the item is within ``SUPPORT_COSINE`` of it. A question
        can be near an item and still ask about something the item never mentions
        (「スマホが壊れた」 and the smartphone classes): the unsupported weight says so."""
        words = self._words.get((kind, ref), set())
        matrix = None if q.english else self._vectors_of(kind, ref)
        total = supported = 0.0
        for w in q.words:
            weight = self.weight(q, w)
            total += weight
            if w in words:
                supported += weight
            elif matrix is not None and len(matrix):
                v = self.vectors.get(w)
                if v is not None and float((matrix @ v).max()) >= SUPPORT_COSINE:
                    supported += weight
        return supported / total if total else 0.0

    def carries(self, word: str, kind: str, ref: str) -> bool:
        """Whether the item's own words hold ``word`` or one within ``SUPPORT_COSINE`` of it."""
        if word in self._words.get((kind, ref), ()):
            return True
        matrix, v = self._vectors_of(kind, ref), self.vectors.get(word)
        return v is not None and len(matrix) > 0 and float((matrix @ v).max()) >= SUPPORT_COSINE

    def weight(self, q: Query, word: str) -> float:
        """How much a word of the question weighs in its search (its IDF, stressed where it asks)."""
        bm = self._en if q.english else self._ja
        return bm.idf.get(word, bm.max_idf) * q.stress(word)

    def foreign_words(self, q: Query) -> list[str]:
        """The question's words that no item of the plan holds itself (ポイント, 土曜, 子連れ): what
        the plan never speaks of."""
        if self._all_words is None:
            self._all_words = frozenset(w for words in self._words.values() for w in words)
        return [w for w in q.words if w not in self._all_words]

    def holders(self, word: str, kind: str) -> tuple[str, ...]:
        """The items of ``kind`` whose own words hold ``word`` itself, in the plan's order."""
        if self._holders is None:  # built on first use: one pass over the items, then a lookup per word
            held: dict[tuple[str, str], list[str]] = defaultdict(list)
            for (k, ref), words in self._words.items():
                for w in words:
                    held[(k, w)].append(ref)
            self._holders = {at: tuple(refs) for at, refs in held.items()}
        return self._holders.get((kind, word), ())

    def carriers(self, word: str, kind: str) -> tuple[str, ...]:
        """The items of ``kind`` that hold ``word`` or, when none holds it itself, a word within
        ``SUPPORT_COSINE`` of it (国保 of 国民健康保険's projects, 町内 of 町会・自治会's)."""
        held, v = self.holders(word, kind), self.vectors.get(word)
        if held or v is None:
            return held
        # The items' words near it, then their holders: one product over those words, not one per item.
        words, matrix = self._item_vocabulary()
        near = np.flatnonzero(matrix @ v >= SUPPORT_COSINE) if len(words) else np.zeros(0, np.int64)
        found = {ref for i in near.tolist() for ref in self.holders(words[i], kind)}
        return tuple(ref for ref in self._refs_of(kind) if ref in found)

    def _item_vocabulary(self) -> tuple[list[str], np.ndarray]:
        """Every word an item holds that has a vector, and those vectors (read once)."""
        if self._item_vocab is None:
            found = sorted((w, v) for w in {w for ws in self._words.values() for w in ws}
                           if (v := self.vectors.get(w)) is not None)
            words = [w for w, _ in found]
            matrix = (np.vstack([v for _, v in found]) if found
                      else np.zeros((0, self.vectors.dimensions), np.float32))
            self._item_vocab = (words, matrix)
        return self._item_vocab

    def _refs_of(self, kind: str) -> tuple[str, ...]:
        """The items of ``kind`` in the plan's order (read once)."""
        refs = self._refs.get(kind)
        if refs is None:
            refs = self._refs[kind] = tuple(ref for (k, ref) in self._words if k == kind)
        return refs

    def _vectors_of(self, kind: str, ref: str) -> np.ndarray:
        found = self._word_vectors.get((kind, ref))
        if found is None:
            vs = [v for w in self._words.get((kind, ref), ()) if (v := self.vectors.get(w)) is not None]
            found = self._word_vectors[(kind, ref)] = np.vstack(vs) if vs else np.zeros((0, self.vectors.dimensions), np.float32)
        return found

    def _sentence(self, words: Iterable[str], q: Query | None = None) -> Vector:
        acc = np.zeros(self.vectors.dimensions, dtype=np.float32)
        for w in words:
            v = self.vectors.get(w)
            if v is not None:
                acc += self._ja.idf.get(w, self._ja.max_idf) * (q.stress(w) if q else 1.0) * v
        n = float(np.linalg.norm(acc))
        return acc / n if n else acc


def _is_katakana(word: str) -> bool:
    return all("\u30a1" <= ch <= "\u30fc" for ch in word)


_KANA_DIGITS = {"いち": 1, "に": 2, "さん": 3, "よん": 4, "し": 4, "ご": 5, "ろく": 6, "なな": 7, "しち": 7,
                "はち": 8, "きゅう": 9, "く": 9}
_KANA_DIGIT = "|".join(sorted(_KANA_DIGITS, key=len, reverse=True))
_KANA_NUMBER = f"(?:(?:{_KANA_DIGIT})?じゅう)?(?:{_KANA_DIGIT})?"
# The number starts a word (さくねんど is 昨年度, not さ9年度).
_KANA_YEAR = re.compile(f"(?:(れいわ|へいせい)|(?<![\u3041-\u3096\u30fc]))({_KANA_NUMBER})(ねんど|ねん)")
# The era typed in kana before a number in digits (れいわ５ねんど, へいせい30ねん): the era in kanji.
_KANA_ERA = re.compile(r"(れいわ|へいせい)\s*(?=[0-9０-９]+\s*(?:ねん|年))")


def _year_in_digits(m: re.Match[str]) -> str:
    """れいわななねんど → 令和7年度: a year read aloud, as the plan's tables write it."""
    era, number, unit = m.groups()
    if not number:
        return m.group(0)
    tens, _, ones = number.rpartition("じゅう")
    value = (_KANA_DIGITS.get(tens, 1) * 10 if "じゅう" in number else 0) + _KANA_DIGITS.get(ones, 0)
    if not value:
        return m.group(0)
    return {"れいわ": "令和", "へいせい": "平成", None: ""}[era] + str(value) + {"ねんど": "年度", "ねん": "年"}[unit]

