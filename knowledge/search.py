"""Find what a piece of text names: projects, glossary terms, departments, approaches, policies.

Every surface (a name, an alias, a kana reading, an English name) is indexed under a *key*: the
normalised text with punctuation and spaces removed. A query core is scored against them:

- ``exact``     the core is the surface                               100
- ``mention``   the surface occurs inside the query                    70–100 by coverage
- ``contained`` the core occurs inside a longer surface (partial name) 55–95 by coverage
- ``fuzzy``     typos: rapidfuzz ratio over keys                       ratio − 5
- ``swap``      a short acronym with two letters swapped (BRP → BPR)   85

Mentions are found by looking every substring of the query up in a dict (cost grows with the
query, not with the knowledge base); containment is one substring search over all keys joined
(in C), typos use rapidfuzz's C scorers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import accumulate

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.catalog import Catalog
from knowledge.normalize import MIN_LOOSE, fold, hira_to_kata, loose_kana, normalize
from knowledge.variants import fold_variants

_NON_WORD = re.compile(r"[^\w]|_")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_QUOTED = re.compile(r"[「『\"“'‘]([^「」『』\"“”'‘’\n]{1,40})[」』\"”'’]")
_ASCII_ONLY = re.compile(r"^[a-z0-9]+$")
MAX_SURFACE = 40
MAX_CONTAINING = 200  # longer names that contain a fragment, at most
FUZZY_CUTOFF = 72  # rapidfuzz ratio a key must reach to count as a typo of the query
FUZZY_LIMIT = 50  # best keys kept
_KATAKANA_ONLY = re.compile(r"^[\u30a1-\u30ff]+$")
_KANA = re.compile(r"[\u3041-\u30ff]")
LOOSE_PENALTY = 8.0
MIN_JOINED = 4  # letters of a name typed as two words, below which the join is chance (a i)
LOOSE_WHEN_BELOW = 80.0  # names are matched loosely only when none was found this surely as typed


def key_and_script(text: str) -> tuple[str, list[bool]]:
    """:func:`key` of ``text``, and for each of its characters whether it was typed in katakana.

    Normalising turns hiragana into katakana, so "マイナポータルってなに" and
    "クラウドファンディング" would look alike; the typed script tells a particle from a longer word.
    """
    chars: list[str] = []
    typed_katakana: list[bool] = []
    for ch in fold_variants(fold(text, kana=False)):
        if _NON_WORD.match(ch):
            continue
        chars.append(hira_to_kata(ch))
        typed_katakana.append("\u30a1" <= ch <= "\u30ff")
    return "".join(chars), typed_katakana


def _katakana_run(typed_katakana: list[bool], start: int, step: int) -> int:
    """How many typed-katakana characters run from the edge ``start`` in direction ``step``."""
    i = start - 1 if step < 0 else start
    count = 0
    while 0 <= i < len(typed_katakana) and typed_katakana[i]:
        count += 1
        i += step
    return count


def key(text: str) -> str:
    """Matching key: normalised, without spaces and punctuation ("Yahoo!くらし" -> "yahooクラシ")."""
    return _NON_WORD.sub("", normalize(text))


def ascii_words(text: str) -> str:
    return " ".join(_ASCII_WORD.findall(fold(text)))


@dataclass(frozen=True)
class Hit:
    kind: str  # "project" | "glossary" | "department" | "approach" | "policy"
    id: str
    score: float
    via: str  # the surface that matched
    how: str  # "exact" | "mention" | "contained" | "fuzzy" | "swap" | "text" | "bridge"


@dataclass(frozen=True)
class _Surface:
    key: str
    text: str
    kind: str
    target: str


class Index:
    """In-memory lookup over a :class:`Catalog`'s names and aliases."""

    def __init__(self, catalog: Catalog) -> None:
        surfaces: list[_Surface] = []
        # A project and its reposts (4-1-1, 5-1-2), either way round.
        self._twins = {p.id: (*catalog.reposts_of(p.id), *((p.repost_of,) if p.repost_of else ()))
                       for p in catalog.projects.values()}

        def add(text: str, kind: str, target: str) -> None:
            k = key(text)
            if len(k) >= 2 or (kind in {"project", "glossary"} and k):
                surfaces.append(_Surface(k, text, kind, target))

        for p in catalog.projects.values():
            add(p.name, "project", p.id)
        for t in catalog.terms.values():
            add(t.term, "glossary", t.term)
        for d in catalog.departments:
            add(d, "department", d)
        for a in catalog.approaches.values():
            add(a.title, "approach", a.id)
        for pol in catalog.policies.values():
            add(pol.title, "policy", str(pol.id))
        for alias in catalog.aliases:
            if alias.kind == "project" and alias.target not in catalog.projects:
                continue
            if alias.kind == "approach" and alias.target not in catalog.approaches:
                continue
            add(alias.alias, alias.kind, alias.target)
        self.surfaces = surfaces
        self._by_key: dict[str, list[_Surface]] = defaultdict(list)
        self._by_words: dict[str, list[_Surface]] = defaultdict(list)
        for s in surfaces:
            self._by_key[s.key].append(s)
            if _ASCII_ONLY.match(s.key):
                self._by_words[ascii_words(s.text)].append(s)
        self._keys = list(self._by_key)
        # Kana names by their loose form (ふなっぷ and ふなっぶ are フナツフ): a mark or a small kana typed wrong.
        self._by_loose: dict[str, list[_Surface]] = defaultdict(list)
        for k, found in self._by_key.items():
            if len(_KANA.findall(k)) >= MIN_LOOSE and loose_kana(k) != k:
                self._by_loose[loose_kana(k)].extend(found)
        loose_lengths: dict[str, set[int]] = defaultdict(set)
        for k in self._by_loose:
            loose_lengths[k[:2]].add(len(k))
        self._loose_lengths = {head: tuple(sorted(ls)) for head, ls in loose_lengths.items()}
        # All keys in one string (keys never hold "\n"), so that the keys containing a fragment
        # are found by a substring search in C rather than by scoring every key.
        self._joined = "\n".join(self._keys)
        self._starts = list(accumulate((len(k) + 1 for k in self._keys[:-1]), initial=0))
        self._anagrams: dict[str, list[str]] = defaultdict(list)
        for k in self._keys:
            if _ASCII_ONLY.match(k) and 3 <= len(k) <= 6:
                self._anagrams["".join(sorted(k))].append(k)
        self._max_words = max((len(w.split()) for w in self._by_words), default=1)
        # The lengths of the keys starting with each two characters, so that a mention scan
        # slices out only the lengths some key has rather than every length up to MAX_SURFACE.
        lengths_at: dict[str, set[int]] = defaultdict(set)
        for k in self._keys:
            if 2 <= len(k) <= MAX_SURFACE:
                lengths_at[k[:2]].add(len(k))
        self._lengths_at = {head: tuple(sorted(ls)) for head, ls in lengths_at.items()}
        self._key_lengths = np.array([len(k) for k in self._keys], dtype=np.int32)
        # For each character and how many times over it occurs, the keys (by position) holding
        # it that often: the characters a key shares with a query bound their longest common
        # subsequence, so most keys are ruled out by a count before rapidfuzz scores any.
        occurrences: dict[tuple[str, int], list[int]] = defaultdict(list)
        for position, k in enumerate(self._keys):
            for ch, times in Counter(k).items():
                for nth in range(1, times + 1):
                    occurrences[ch, nth].append(position)
        self._holding = {o: np.array(at, dtype=np.int32) for o, at in occurrences.items()}

    def is_name(self, text: str) -> bool:
        """Whether ``text`` is, whole, a name, alias or term we index."""
        return key(text) in self._by_key

    # ------------------------------------------------------------------ scoring
    def lookup(self, core: str, query: str, *, kinds: set[str] | None = None) -> list[Hit]:
        """Best hit per (kind, id) for the query ``core`` (cue words removed) within ``query``."""
        ck = key(core)
        best: dict[tuple[str, str], Hit] = {}

        def offer(surface: _Surface, score: float, how: str) -> None:
            if kinds is not None and surface.kind not in kinds:
                return
            k = (surface.kind, surface.target)
            if k not in best or score > best[k].score:
                best[k] = Hit(surface.kind, surface.target, round(score, 1), surface.text, how)

        if ck:
            for s in self._by_key.get(ck, ()):
                offer(s, 100.0, "exact")
        self._mentions(query, ck, offer)
        if len(ck) >= 2:
            self._contained(ck, offer)
        if len(ck) >= 3:
            self._fuzzy(ck, offer)
        if self._by_loose and all(h.score < LOOSE_WHEN_BELOW for h in best.values()):
            self._loose_mentions(query, ck, offer)
        # A name the message quotes whole (周りがずっと「RPA」って言ってて…) is named outright, however
        # long the story around it: as sure as a message that is only the name.
        # A project listed twice (4-1-1, its repost 5-1-2) is named by the one title both have.
        quoted = {key(m.group(1)) for m in _QUOTED.finditer(query)}
        named = {(h.kind, h.id) for h in best.values() if h.how == "mention" and key(h.via) in quoted}
        named |= {("project", twin) for kind, target in named if kind == "project" for twin in self._twins.get(target, ())}
        for k, h in best.items():
            if k in named:
                best[k] = replace(h, score=100.0)
        return sorted(best.values(), key=lambda h: -h.score)

    def _mentions(self, query: str, ck: str, offer) -> None:
        qk, typed_katakana = key_and_script(query)
        coverage_base = max(len(ck), 1)
        n = len(qk)
        for i in range(n - 1):
            for length in self._lengths_at.get(qk[i : i + 2], ()):
                j = i + length
                if j > n:
                    break
                sub = qk[i:j]
                found = self._by_key.get(sub)
                if not found:
                    continue
                ascii_only = _ASCII_ONLY.match(sub) is not None
                if ascii_only and ((i > 0 and qk[i - 1].isascii() and qk[i - 1].isalnum())
                                   or (j < n and qk[j].isascii() and qk[j].isalnum())):
                    continue  # "ai" inside "detail"; English words are matched as words below
                if _KATAKANA_ONLY.match(sub) and (_katakana_run(typed_katakana, i, -1) >= 3
                                                  or _katakana_run(typed_katakana, j, 1) >= 3):
                    continue  # クラウド inside クラウドファンディング is another word (a particle is shorter)
                for s in found:
                    offer(s, min(100.0, 70 + 30 * len(sub) / coverage_base), "mention" if sub != ck else "exact")
        words = ascii_words(query).split()
        for size in range(1, min(self._max_words, len(words)) + 1):
            for i in range(len(words) - size + 1):
                phrase = " ".join(words[i : i + size])
                as_words = self._by_words.get(phrase, ())
                for s in as_words:
                    sub = s.key
                    offer(s, min(100.0, 70 + 30 * len(sub) / coverage_base), "mention" if sub != ck else "exact")
                if as_words or size == 1:
                    continue
                joined = phrase.replace(" ", "")
                if len(joined) >= MIN_JOINED and _ASCII_ONLY.match(joined):
                    for s in self._by_key.get(joined, ()):  # "LG WAN", "Chat GPT", "Pay Pay": one name spaced
                        offer(s, min(100.0, 70 + 30 * len(joined) / coverage_base), "mention")

    def _loose_mentions(self, query: str, ck: str, offer) -> None:
        """A kana name with a voicing mark or a small kana typed wrong (ふなっぶ for ふなっぷ):
        found when nothing else was, a little below a name typed right."""
        typed, typed_katakana = key_and_script(query)
        qk = loose_kana(typed)
        coverage_base = max(len(ck), 1)
        for i in range(len(qk) - 1):
            for length in self._loose_lengths.get(qk[i:i + 2], ()):
                sub = qk[i:i + length]
                if any(typed_katakana[i:i + length]):
                    continue  # katakana is a typist's own word (ネットワークビジネス), typos go to fuzzy
                for s in self._by_loose.get(sub, ()):
                    offer(s, min(100.0, 70 + 30 * length / coverage_base) - LOOSE_PENALTY, "fuzzy")

    def _contained(self, ck: str, offer) -> None:
        # A substring test (what partial_ratio == 100 meant here), in C over all keys joined.
        found = 0
        at = self._joined.find(ck)
        while at != -1 and found < MAX_CONTAINING:
            i = bisect_right(self._starts, at) - 1
            k = self._keys[i]
            if k != ck:
                found += 1
                for s in self._by_key[k]:
                    offer(s, 55 + 40 * len(ck) / len(k), "contained")
            at = self._joined.find(ck, self._starts[i] + len(k))

    def _typo_keys(self, ck: str) -> list[tuple[str, float]]:
        """The FUZZY_LIMIT keys with the best ``fuzz.ratio`` to ``ck`` (at least FUZZY_CUTOFF), best
        first and, on equal scores, in key order: what one ``process.extract`` over all keys gives.

        ratio = 200·LCS/(len(a)+len(b)), and the LCS is at most the characters the two share
        (counted with repeats), so only keys sharing enough characters are scored; that bound
        also rules out keys much shorter or longer than the query.
        """
        n = len(ck)
        held = [self._holding[o] for ch, times in Counter(ck).items() for nth in range(1, times + 1)
                if (o := (ch, nth)) in self._holding]
        if not held:
            return []
        shared = np.bincount(np.concatenate(held), minlength=len(self._keys))
        # +1 keeps a key whose bound is within rounding of the cutoff.
        able = np.flatnonzero(200 * shared + 1 >= FUZZY_CUTOFF * (n + self._key_lengths))
        if not len(able):
            return []
        found = process.extract(ck, [self._keys[i] for i in able], scorer=fuzz.ratio,
                                score_cutoff=FUZZY_CUTOFF, limit=None)
        found.sort(key=lambda f: (-f[1], able[f[2]]))
        return [(k, score) for k, score, _ in found[:FUZZY_LIMIT]]

    def _fuzzy(self, ck: str, offer) -> None:
        for k, score in self._typo_keys(ck):
            if min(len(k), len(ck)) < 3:
                continue
            for s in self._by_key[k]:
                offer(s, score - 5, "fuzzy")
        if _ASCII_ONLY.match(ck) and 3 <= len(ck) <= 6:
            # Swapped neighbours are the commonest typo in acronyms; a substitution is not.
            for k in self._anagrams.get("".join(sorted(ck)), ()):
                if OSA.distance(k, ck) == 1:
                    for s in self._by_key[k]:
                        offer(s, 85.0, "swap")
