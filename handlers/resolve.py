"""Decide what a question is about: a project, a term, a list filter, several things, or nothing.

Scores come from :class:`knowledge.search.Index` (0–100). A topic is answered only at or above
``ACCEPT``; candidates within ``MARGIN`` of each other are too close to call (``clarify``);
anything at or above ``SUGGEST`` may be offered as a suggestion, nothing below it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from handlers.filters import ListReader, Selection, apply
from handlers.understand import PART_ASKED, Reading, asked_intent, asking_sentence
from knowledge.catalog import Catalog
from knowledge.normalize import normalize
from knowledge.search import Hit, Index, key

ACCEPT = 75.0
SUGGEST = 62.0
MARGIN = 5.0
# Rasa's ambiguity_threshold: when the question's topic is part of the names of two projects
# (窓口 in 窓口のワンストップ化 and in リモート窓口) and names neither outright, a runner-up
# closer than this makes it ambiguous. Tuned on labelled questions: "スマホコンシェルジュの状況"
# stays clear, "窓口の進捗" asks.
AMBIGUITY_GAP = 10.0
MAX_OPTIONS = 5
EVIDENCE_BONUS = 4.0
WHOLE_TOPIC = 4  # characters a topic needs before the texts holding it whole choose the options
HELD_WHOLE = "the texts holding the topic whole"
MIN_BARE_COVERAGE = 0.5  # a question without cue words must be mostly a name we know
EVIDENCE_BONUS_MAX = 8.0
TYPED_NAME = 0.97  # a project's name holding a term as the question spelled it (スマホ), not as the glossary does
# A topic found in the texts of more projects than this is too general to narrow anything down.
MAX_TEXT_SPREAD = 8
_FIELD_WEIGHT = {"name": 0.97, "kpi": 0.9, "current": 0.86, "goal": 0.86, "issue": 0.84, "schedule": 0.84, "comment": 0.84}


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    kind: str = "project"
    how: str = ""  # how the best evidence matched (see knowledge.search)


@dataclass(frozen=True)
class Decision:
    kind: str  # "project" | "glossary" | "clarify" | "unknown"
    intent: str = ""
    top: list[Scored] = field(default_factory=list)
    topic: str = ""
    how: str = ""  # how a clarify's options were chosen, when not by the names' scores


@dataclass
class Analysis:
    by_kind: dict[str, list[Hit]]

    def best(self, kind: str) -> Hit | None:
        hits = self.by_kind.get(kind) or []
        return hits[0] if hits else None

    def score(self, kind: str) -> float:
        b = self.best(kind)
        return b.score if b else 0.0


# 「基幹20業務以外のシステム」: a name followed by 以外 is what the question is not about.
_EXCEPT = re.compile(r"\s*(?:以外|を除く|を除いた|じゃない方|ではない方)")


def without_excepted(text: str, a: Analysis) -> Analysis:
    """The analysis less the projects and terms the message names only to set aside (X以外の…)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not _EXCEPT.search(folded):
        return a  # nothing set aside (at 100x, hundreds of hits need no look)

    def excepted(h: Hit) -> bool:
        via = unicodedata.normalize("NFKC", h.via).casefold()
        ats = [m.end() for m in re.finditer(re.escape(via), folded)] if via else []
        return bool(ats) and all(_EXCEPT.match(folded, at) for at in ats)

    kept = {kind: [h for h in hits if kind not in ("project", "glossary") or not excepted(h)]
            for kind, hits in a.by_kind.items()}
    return a if kept == a.by_kind else Analysis(kept)


# Project intents whose cue words are common in a definition question's story (about, 計画, どう).
_SOFT_INTENTS = frozenset(["project_overview", "project_schedule", "project_status"])
# What may follow a term's name to ask about the word itself: 「…って言葉」, 「…とは」, and a fact of
# the term's own entry (its full name, what it is short for, how many digits or kinds, what counts as
# one: 「LINEもSNSの仲間？」「国民年金は基幹20業務に入る？」). Matched where the name ends, so that
# no pattern is compiled per name.
_AFTER_THE_NAME = re.compile(
    r"\s*[」』\"]?\s*(?:(?:って|という|っていう|とかいう)\s*(?:言葉|ことば|用語|単語)"
    r"|とは|って\s*(?:(?:結局|けっきょく|つまり|要は|ようは|要するに|そもそも|一体|いったい)\s*)?(?:何|なに|なん)"
    r"|ってどういう|の意味|(?:の|って|は)\s*定義|\s*means?\b"
    # what it takes to be one: 「オープンデータと呼べるものの条件」「…の条件は」
    r"|(?:と(?:呼べる|よべる|言える|いえる)(?:もの|ため)?)?の\s*(?:条件|要件)"
    r"|(?:の|は|って|も|に|を)?\s*(?:正式名称|正式な(?:名前|名称)|略|フルネーム|綴り|スペル|何桁|なんけた"
    r"|何種類|なんしゅるい|種類|仲間|なかま|中に|の中|なかに|入って|入る|はいって|はいる|含ま|ふくま"
    # what it is made of: 「セキュリティポリシーを構成する規程」「…って何で構成されてる？」
    r"|(?:何|なに|なん)?で?\s*構成|成り立|なりた))",
    re.IGNORECASE)
# What a word means, asked outright (not 何 alone: 「R5は何する予定」 asks a schedule).
_DEFINED = re.compile(r"(?<![こも])とは|って(?:何|なに|なん)|意味|用語集|指す|解説|定義|\bmeans?\b|\bstands? for\b|\bdefin|\bglossary\b"
                      r"|\bhow (?:does|do|did) (?:the plan|the document|the glossary|it|they)(?: itself)? (?:describe|explain|put)\b"
                      r"|^\s*what(?:'s| is| are)\s+(?:an?\s+)?[\w-]+\s*\?", re.IGNORECASE)


def asked_of_the_name(r: Reading, a: Analysis) -> bool:
    """「DXって言葉、最初に言い出したのは誰」, 「RPAの正式名称をお示しください」: the best term named and,
    right after its name, the word itself or a fact of its own entry asked, however long the story."""
    hit = a.best("glossary")
    if hit is None or hit.how not in ("exact", "mention"):
        return False
    text, name = r.text.casefold(), hit.via.casefold()
    at = text.find(name)
    while at >= 0:
        if _AFTER_THE_NAME.match(text, at + len(name)):
            return True
        at = text.find(name, at + 1)
    return False


def asking_key(r: Reading) -> str | None:
    """The matching key of a story's asking sentence (understand.asking_sentence), or None when the
    message is one sentence: the names found there are the ones asked about."""
    asking = key(asking_sentence(r.text))
    return None if asking == key(r.text) else asking


def _asked_first(r: Reading, terms: list[Scored], a: Analysis) -> list[Scored]:
    """A story's terms with the one its asking sentence names first ("…my My Number card… What is
    マイナポータル, though?"), when only one is named there: as sure as the surest."""
    asking = asking_key(r)
    if asking is None:
        return terms
    vias = {h.id: key(h.via) for h in a.by_kind.get("glossary", [])}
    there = [t for t in terms if vias.get(t.id, "\0") in asking]
    if len(there) != 1 or there[0] is terms[0]:
        return terms
    return [replace(there[0], score=max(t.score for t in terms)), *(t for t in terms if t is not there[0])]


class Resolver:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.index = Index(catalog)
        self.lists = ListReader(catalog)
        # Where each glossary term is mentioned, once per snapshot: the same terms come up
        # question after question (as evidence for a project, for a glossary answer's related
        # projects), and each look-up was a text search of the database.
        self._mentioned: dict[str, tuple[tuple[str, str], ...]] = {}
        # The names in a message, kept for the last few messages: the question model's second look
        # asks again what the stages read (a second full lookup, the slowest step at 100x).
        self._names_in = lru_cache(maxsize=64)(self._lookup)

    def analyse(self, r: Reading) -> Analysis:
        by_kind: dict[str, list[Hit]] = defaultdict(list)
        for hit in self._names_in(r.core, r.text):
            by_kind[hit.kind].append(hit)
        return Analysis(dict(by_kind))

    def _lookup(self, core: str, text: str) -> tuple[Hit, ...]:
        return tuple(self.index.lookup(core, text))

    # ------------------------------------------------------------------ lists
    def list_filter(self, r: Reading, a: Analysis) -> Selection | None:
        """The projects a list question selects (see handlers.filters); None when it asks no list."""
        f = self.lists.read(r, a.by_kind, a.score("project"))
        if f is None:
            return None
        return apply(self.catalog, f, projects_of_topic=self.topic_projects)

    def topic_projects(self, topic: str) -> set[str]:
        """Projects a topic names or whose texts mention it, to narrow a list by ("AI" in policy 2)."""
        out: set[str] = set()
        for hit in self.index.lookup(topic, topic, kinds={"project", "glossary"}):
            if hit.score < ACCEPT:
                continue
            if hit.kind == "project":
                out.add(hit.id)
            else:
                out.update(pid for pid, _ in self._mentions(self.catalog.terms[hit.id].term))
        if len(key(topic)) >= 2:
            out.update(self._text_hits(topic))
        return out

    # ------------------------------------------------------------------ topics
    def decide(self, r: Reading, a: Analysis) -> Decision:
        topic = r.core or r.text
        terms = [Scored(h.id, h.score, "glossary", h.how) for h in a.by_kind.get("glossary", [])]
        direct = a.score("project")
        best_term = terms[0].score if terms else 0.0
        if self._term_defined(r, a, terms):
            return self._term_decision(terms, topic)
        if r.project_intent:
            return self._project_decision(r, a, terms, r.project_intent, topic)
        if r.glossary_cue:
            # Asking what words mean gets the glossary, even when a project is named with the same
            # words (マイナンバー, 標準化・共通化) — unless the question is that project's own name.
            if best_term >= ACCEPT and not (direct > best_term + MARGIN and self._official_name(a)):
                return self._term_decision(_asked_first(r, terms, a), topic)
            if direct >= ACCEPT:
                return self._project_decision(r, a, terms, "project_overview", topic)
            return Decision("unknown", top=self._suggestions(terms, a), topic=topic)
        top = max([*a.by_kind.get("glossary", []), *a.by_kind.get("project", [])], key=lambda h: h.score, default=None)
        if top is not None and top.how == "mention" and (top.score - 70) / 30 < MIN_BARE_COVERAGE:
            # Nothing says what is asked, and the name we know covers less than half of it:
            # "マイナンバーの暗証番号を忘れた" is about something else. Offer it, do not answer.
            return Decision("unknown", top=self._suggestions(terms, a), topic=topic)
        if best_term >= ACCEPT and best_term >= direct:
            term_hit = a.best("glossary")
            if term_hit is not None and key(term_hit.via) != key(term_hit.id):
                # A common name for the term (スマホ) that is also part of several projects' names:
                # the projects are likelier what is asked about; offer them with the term.
                projects = self._project_decision(r, a, terms, "project_status", topic)
                if projects.kind == "clarify":
                    return replace(projects, top=[*projects.top[: MAX_OPTIONS - 1], terms[0]])
            return self._term_decision(terms, topic)
        return self._project_decision(r, a, terms, asked_intent(r), topic)

    def _term_defined(self, r: Reading, a: Analysis, terms: list[Scored]) -> bool:
        """「計画に出てくる「基幹系システム」という言葉は何を指す」, "what is BPR? saw it in something about
        city hall": a term named outright and asked what it means; the words that read as a project's
        overview or schedule (about, 計画) are the asker's story."""
        if not terms or terms[0].how not in ("exact", "mention"):
            return False
        if asked_of_the_name(r, a):
            return True
        if not _DEFINED.search(r.cue_form) or r.project_intent not in _SOFT_INTENTS or PART_ASKED.search(r.cue_form):
            return False
        return terms[0].score >= a.score("project")

    def _official_name(self, a: Analysis) -> bool:
        """The best project hit is the project's full name as the plan (or its English name) gives it."""
        hit = a.best("project")
        if hit is None or hit.how != "exact" or hit.id not in self.catalog.projects:
            return False
        return key(hit.via) in {key(self.catalog.projects[hit.id].name),
                                key(self.catalog.english_name("project", hit.id) or "")}

    def _term_decision(self, terms: list[Scored], topic: str) -> Decision:
        top = terms[0]
        close = [t for t in terms[1:] if t.score >= top.score - MARGIN and t.score >= ACCEPT]
        close += [t for t in _partial_rivals(top, terms) if t not in close]
        if close and top.score < 100:
            return Decision("clarify", "glossary", [top, *close][:MAX_OPTIONS], topic)
        return Decision("glossary", "glossary", [top], topic)

    def _project_decision(self, r: Reading, a: Analysis, terms: list[Scored], intent: str, topic: str) -> Decision:
        cands = self.project_candidates(r, a, terms, intent)
        ranked = self._collapse_reposts(sorted(cands.values(), key=lambda s: (-s.score, s.id)), figure=intent == "project_kpi")
        if not ranked or ranked[0].score < SUGGEST:
            return Decision("unknown", intent, self._suggestions(terms, a), topic)
        top = ranked[0]
        named = {h.id for h in a.by_kind.get("project", []) if h.score >= SUGGEST and h.how != "exact"}
        gap = AMBIGUITY_GAP if top.id in named and top.how != "exact" else MARGIN
        close = [s for s in ranked[1:] if s.score >= top.score - (gap if s.id in named else MARGIN)]
        rivals = _partial_rivals(top, ranked)
        span = _named_span(r.core, [h.via for h in a.by_kind.get("project", []) if h.how == "mention"])
        if top.how == "mention" and (rivals or close) and len(span) >= WHOLE_TOPIC:
            # Names that each hold a piece of the topic (業務フロー of one, 可視化 of another), while
            # the texts of some hold the stretch they cover whole (業務フローの可視化): those are
            # what it is about.
            whole = sorted(self._text_hits(span), key=lambda pid: (-cands[pid].score if pid in cands else 0, pid))
            if 2 <= len(whole) <= MAX_OPTIONS:
                return Decision("clarify", intent, [cands.get(pid) or Scored(pid, top.score) for pid in whole], topic,
                                how=HELD_WHOLE)
        if rivals:
            return Decision("clarify", intent, [top, *rivals][:MAX_OPTIONS], topic)
        if close:
            close_ids = {s.id for s in close}
            options = [s for s in ranked if s.score >= top.score - 3 * MARGIN or s.id in close_ids][:MAX_OPTIONS]
            return Decision("clarify", intent, options, topic)
        if top.score >= ACCEPT:
            return Decision("project", intent, [top], topic)
        return Decision("unknown", intent, ranked[:3], topic)

    def project_candidates(self, r: Reading, a: Analysis, terms: list[Scored], intent: str) -> dict[str, Scored]:
        cands: dict[str, Scored] = {}
        evidence: dict[str, set[str]] = defaultdict(set)

        def offer(pid: str, score: float, how: str = "", *, source: str = "direct") -> None:
            if pid not in self.catalog.projects:
                return
            evidence[pid].add(source)
            if pid not in cands or score > cands[pid].score:
                cands[pid] = Scored(pid, round(score, 1), how=how)

        for h in a.by_kind.get("project", []):
            offer(h.id, h.score, h.how)
        # A term as the question calls it (スマホ for スマートフォン): a project whose name writes it so
        # is about it too (スマホコンシェルジュの拡充), a little less surely than one naming the term.
        typed = {h.id: h.via for h in a.by_kind.get("glossary", []) if h.via and not h.via.isascii()}
        for t in terms:
            if t.score < 80:
                continue
            term = self.catalog.terms[t.id].term
            for pid, fld in self._mentions(term):
                weight = _FIELD_WEIGHT.get(fld, 0.84) + (0.03 if fld == "kpi" and intent == "project_kpi" else 0)
                offer(pid, t.score * weight, source="term")
            via = typed.get(t.id, "")
            if len(via) >= 2 and via != term:
                for pid, fld in self._mentions(via):
                    if fld == "name":
                        offer(pid, t.score * _FIELD_WEIGHT["name"] * TYPED_NAME, source="term")
        for h in a.by_kind.get("approach", []):
            if h.score >= 80:
                # The word that named the approach (counters, 窓口) in another approach's project
                # name (Digital terminals at service counters) is asked about as much.
                said = key(h.via) if h.via else ""
                for pid, approach, names in self._project_name_keys:
                    if approach == h.id or said and any(said in name for name in names):
                        offer(pid, h.score * 0.8, source="approach")
        best = max((s.score for s in cands.values()), default=0.0)
        if best < ACCEPT and len(key(r.core)) >= 2:
            spread = self._text_hits(r.core)
            for pid, fields in spread.items():
                score = 72 + min(8, 2 * (len(fields) - 1)) + (4 if "kpi" in fields and intent == "project_kpi" else 0)
                if "name" in fields:
                    score += 4
                offer(pid, score if len(spread) <= MAX_TEXT_SPREAD else SUGGEST, source="text")
        # Independent kinds of evidence agreeing on one project (its alias, and a term its text
        # uses) make it likelier than either alone.
        for pid, kinds in evidence.items():
            if len(kinds) > 1 and cands[pid].score < 100:
                bonus = min(EVIDENCE_BONUS_MAX, EVIDENCE_BONUS * (len(kinds) - 1))
                c = cands[pid]  # built directly: dataclasses.replace is slow for hundreds in a large plan
                cands[pid] = Scored(c.id, min(100.0, round(c.score + bonus, 1)), c.kind, c.how)
        return cands

    @cached_property
    def _project_name_keys(self) -> list[tuple[str, str, tuple[str, str]]]:
        """(id, approach, its names in both languages as keys): read once, not per question."""
        return [(p.id, p.approach_id, (key(p.name), key(self.catalog.english_name("project", p.id) or "")))
                for p in self.catalog.projects.values()]

    def _collapse_reposts(self, ranked: list[Scored], *, figure: bool) -> list[Scored]:
        """5-1-2 repeats 4-1-1: when the original is the likelier, it speaks for both; named as
        surely (「セキュリティ研修のこと」), either number may be meant, unless a figure is asked, which
        both tables give alike."""
        best: dict[str, float] = {}
        for s in ranked:  # (hundreds ranked at 100x: one pass, not one per repost)
            best[s.id] = max(best.get(s.id, s.score), s.score)
        out = []
        for s in ranked:
            p = self.catalog.projects.get(s.id)
            original = best.get(p.repost_of) if p is not None and p.repost_of else None
            if original is not None and (original > s.score or figure and original == s.score):
                continue
            out.append(s)
        return out

    def _suggestions(self, terms: list[Scored], a: Analysis) -> list[Scored]:
        pool = [t for t in terms if t.score >= SUGGEST]
        pool += [Scored(h.id, h.score) for h in a.by_kind.get("project", []) if h.score >= SUGGEST]
        return sorted(pool, key=lambda s: -s.score)[:3]

    # ------------------------------------------------------------------ text search
    def _text_hits(self, text: str) -> dict[str, set[str]]:
        fields: dict[str, set[str]] = defaultdict(set)
        for hit in self.catalog.search_text(text, kind="project"):
            fields[hit.ref].add(hit.field)
        return fields

    def _mentions(self, term: str) -> tuple[tuple[str, str], ...]:
        """(project, best field) for every project whose texts mention the glossary term ``term``."""
        found = self._mentioned.get(term)
        if found is None:
            order = list(_FIELD_WEIGHT)
            found = self._mentioned[term] = tuple(
                (pid, min(fields, key=lambda f: order.index(f) if f in order else len(order)))
                for pid, fields in self._text_hits(term).items())
        return found

    def projects_mentioning(self, term: str) -> list[str]:
        ranked = sorted(self._mentions(term), key=lambda pf: (-_FIELD_WEIGHT.get(pf[1], 0.8), pf[0]))
        return [pid for pid, _ in ranked]


def _named_span(core: str, names: list[str]) -> str:
    """The stretch of ``core`` from the first of the names found in it to the end of the last."""
    spans = [(at, at + len(n)) for n in {normalize(v) for v in names} if n and (at := core.find(n)) >= 0]
    return core[min(a for a, _ in spans):max(b for _, b in spans)] if len(spans) > 1 else ""


def _partial_rivals(top: Scored, ranked: list[Scored]) -> list[Scored]:
    """Other candidates that, like ``top``, only *contain* the question's words.

    A fragment ("研修") that is part of several names identifies none of them, however the
    name lengths make the scores differ.
    """
    if top.how != "contained":
        return []
    return [s for s in ranked if s is not top and s.how == "contained" and s.score >= SUGGEST]
