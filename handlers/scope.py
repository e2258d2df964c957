"""Is the question about Funabashi's plan, or about another organisation?

The plan only knows Funabashi City. A question naming another organisation is answered with
"this bot only knows Funabashi's plan" (and Funabashi's closest items as suggestions), never
with Funabashi's card — unless the plan itself says something of that organisation about the
thing asked. The rule, applied to every organisation :mod:`knowledge.gazetteer` finds:

1. Take the organisation's name (and its particle) out of the question and read the rest: its
   topic, and the plan's items it matches (the same resolver as every question).
2. The question stays in scope when a sentence of the plan (or a glossary entry) names the
   organisation the way the plan does and then the topic, close after it:
   「国のガバメントクラウドとは」 (2-4-2: 国がガバメントクラウドの用意を進めており),
   「デジタル庁が示す標準化」 (the plan calls the state 国: 国が策定する標準的な仕様書),
   「他の自治体と比べた交付率」 (1-1-3: 全国平均…交付率). 「国のテレワーク実施率」 is refused: the plan
   never says anything of the state's telework. Other cities, prefectures and countries never
   appear in the plan, so naming one always leaves its scope ("川崎市のRPA", "Yokohama's open
   data", "エストニアの電子政府").
3. A bare place name (横浜, without 市) that the plan's own text uses is a word of the plan, not a
   place.
4. A body that is only where the asker's story happens is not what they ask about: where they
   come from or move to ("I moved here from Canada", 「隣の市から引っ越してくる」), someone they
   know there ("my friend in Tokyo"), or a body named before a last sentence that asks about
   Funabashi itself (「よその自治体がAIを使い始めたと見たけど、船橋市は？」).
5. A thing described in other words than the plan's ("the national government website where you
   log in with your card") stays in scope when the one item the rest of the question means, by
   meaning, is a text of the plan's that names the body (マイナポータル: 国が運営する…).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from handlers.answer import Lang
from handlers.by_meaning import about_each_other
from handlers.cue_words import cue_words
from handlers.resolve import ACCEPT, SUGGEST, Resolver, Scored
from handlers.understand import read
from knowledge.catalog import Catalog
from knowledge.gazetteer import Gazetteer, Mention, Organisation, fold_for_scan, load_gazetteer, without_home
from knowledge.meaning import MeaningIndex
from knowledge.normalize import normalize
from knowledge.records import Project

MAX_SUGGESTIONS = 3
RUN = 4  # characters a question's topic and a sentence of the plan must share
REACH = 80  # how far after naming an organisation the plan's sentence may say the topic
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# The organisation named in the reply when a question names several: the most specific one.
_SPECIFIC = ["ward", "municipality", "country", "prefecture", "company", "national", "local", "foreign"]
_PARTICLE = re.compile(r"\s*(?:'s|では|での|の|は|が|で|に|も|と|って|から)")
_UNIT_END = "\x00"  # between the plan's units when they are searched as one text
_STATE_IN_PLAN = re.compile(r"(?<![\u3400-\u9fff\u3005])国(?![民際内外立土税会])")
_THE_STATE = frozenset(["国", "政府", "日本政府", "national government", "the national government", "government of japan",
                        "japanese government", "the government"])  # the state itself, not one of its ministries
MEANT = 0.45  # the rest of a question means one item of the plan this surely (fused, 0–1) ...
MEANT_LEAD = 0.05  # ... and this far ahead of the next
_MEANT_FIELDS = frozenset(["definition", "current", "issue", "goal", "name"])
_STATEMENT = ["name", "current", "issue", "goal"]
_PARAPHRASES = frozenset(["plain", "detail"])


@dataclass(frozen=True)
class OutOfScope:
    org: Organisation
    surface: str  # as the question wrote it
    suggestions: list[Scored]

    def reason(self, lang: str) -> str:
        # 「大阪」 and "Google社" stay as typed: the bare name may be the city or the prefecture.
        typed = self.org.kind == "company" or (lang != "en" and self.org.name.casefold().startswith(self.surface.casefold()))
        name = self.surface if typed else self.org.label(lang)
        if lang == "en":
            return (f"I can only answer about Funabashi City's DX Action Plan; it says nothing about "
                    f"{name}.")
        return f"お答えできるのは船橋市の DX 推進計画アクションプランの内容だけです。「{name}」についての情報はありません。"

    @staticmethod
    def reply_lang(text: str, lang: Lang) -> Lang:
        """English for a question with no Japanese at all ("Kashiwa's telework"), whatever words it uses."""
        return "en" if not _JAPANESE.search(text) else lang

    def suggestion_label(self, lang: str) -> str:
        return "In Funabashi's plan: " if lang == "en" else "船橋市の計画では: "


@dataclass(frozen=True)
class Verdict:
    out: OutOfScope | None  # set when the question is about another organisation
    topic: str  # the question without names that only say whose (船橋市の, 国の where the plan says so)


class Scope:
    """Decides, for one knowledge-base snapshot, whether a question leaves the plan's scope."""

    def __init__(self, catalog: Catalog, resolver: Resolver, *, gazetteer: Gazetteer | None = None,
                 meaning: Callable[[], MeaningIndex] | None = None) -> None:
        """``meaning``: the catalog's meaning index, asked for only when a question names a body."""
        self.catalog = catalog
        self.resolver = resolver
        self._meaning = meaning
        self.gazetteer = gazetteer or load_gazetteer()
        self._vocabulary: str | None = None
        self._joined_units: str | None = None
        self._positions: dict[str, list[int]] = {}

    def check(self, text: str) -> Verdict:
        plain = without_home(text)
        form = fold_for_scan(plain)
        mentions = [m for m in self.gazetteer.mentions(plain, original=text)
                    if not (m.bare and self._plan_uses(m.surface)) and not _asked_who(form, m) and not _background(form, m)]
        home_asked = _last_sentence_at(fold_for_scan(text), HOME_ASKED) if mentions else None
        if home_asked is not None:  # bodies named before a last sentence that turns to Funabashi
            mentions = [m for m in mentions if m.end > home_asked]
        if not mentions:
            return Verdict(None, plain)
        rest = _without(plain, mentions)
        reading = read(rest)
        analysis = self.resolver.analyse(reading)
        hits = [Scored(pid, 100.0) for pid in reading.project_ids if pid in self.catalog.projects]
        for kind in ("glossary", "project"):
            hits += [Scored(h.id, h.score, kind) for h in analysis.by_kind.get(kind, [])]
        # The topic as asked, and as the plan names what it matched ("Government Cloud" is ガバメントクラウド).
        named = [self.catalog.terms[h.id].term if h.kind == "glossary" else self.catalog.projects[h.id].name
                 for h in hits if h.score >= ACCEPT and (h.id in self.catalog.terms or h.id in self.catalog.projects)]
        topics = [normalize(t) for t in (reading.core, *reading.fragments, *named) if t]
        for m in sorted(mentions, key=lambda m: _SPECIFIC.index(m.org.kind) if m.org.kind in _SPECIFIC else len(_SPECIFIC)):
            if not self._said_together(m.org, topics) and not self._meant_together(m.org, rest) and not (
                    m.org.name in _THE_STATE and self._meant_together(m.org, plain)):
                suggestions = sorted((h for h in hits if h.score >= SUGGEST), key=lambda h: -h.score)
                surface = text[m.start:m.end] if len(plain) == len(text) else m.surface  # as typed, capitals kept
                return Verdict(OutOfScope(m.org, surface.strip(), _unique(suggestions)[:MAX_SUGGESTIONS]), plain)
        return Verdict(None, rest)

    # ------------------------------------------------------------------ the plan's own words
    def _said_together(self, org: Organisation, topics: list[str]) -> bool:
        """One sentence of the plan (or one glossary entry) names the organisation, then the topic.

        The topic is matched by any run of :data:`RUN` characters ("デジタル活用支援推進事業を使った
        スマホ講座" shares デジタル活用支援推進事業 with 3-1-2's 総務省の「デジタル活用支援推進事業」),
        or whole when shorter, within :data:`REACH` characters after the organisation: the plan says
        something *of* it (国がガバメントクラウドの用意を進めており), not merely near it (テレワークや
        Web 会議の普及…総務省のセキュリティガイドライン says nothing of the state's telework).
        """
        words = [normalize(w) for w in org.plan_words]
        runs = {t[i:i + RUN] for t in topics for i in range(max(1, len(t) - RUN + 1))}
        # One scan of all the units joined (a separator no text holds between them), not one per
        # unit: in a large plan a scan per unit is what a question naming another body cost.
        joined = self._joined()
        for start in (pos for w in words for pos in self._named_at(w)):
            end = joined.find(_UNIT_END, start)
            if any(r in joined[start + 1:min(start + REACH, end)] for r in runs):
                return True
        return False

    def _meant_together(self, org: Organisation, rest: str) -> bool:
        """The one glossary entry or project text the rest of the question means names the body.
        (The state is searched for with its name too: "the shared cloud the national government sets
        up" means ガバメントクラウド, whose definition says 国, by the state's words as much as the rest.)"""
        if self._meaning is None:
            return False
        index = self._meaning()
        _, hits = index.search(rest, kinds={"glossary", "project"}, limit=3, ignore=cue_words())
        if not hits or hits[0].score < MEANT:
            return False
        # The best, or a project and the term it is about as near as each other (2-4-1 and
        # システムの標準化・共通化): one of them must say the body; any other runner-up this near
        # makes the question unclear.
        near = [h for h in hits if h.score >= hits[0].score - MEANT_LEAD]
        if len(near) > 1 and not all(about_each_other(self.catalog, near[0], h) for h in near[1:]):
            return False
        for top in near:
            # A term's definition, whichever of its units the question met (its everyday paraphrases
            # too); of a project only the statement met (or paraphrased): a project says much of
            # other bodies elsewhere.
            field = "definition" if top.kind == "glossary" else top.field
            fields = [field] if field in _MEANT_FIELDS else _STATEMENT if field in _PARAPHRASES else []
            said = normalize("\n".join(index.unit_text(top.kind, top.ref, f) for f in fields))
            if said and any(_positions(said, normalize(w)) for w in org.plan_words):
                return True
        return False


    def _named_at(self, word: str) -> list[int]:
        """Where the joined units name ``word`` (kept: the same bodies are asked about again)."""
        found = self._positions.get(word)
        if found is None:
            found = self._positions[word] = _positions(self._joined(), word)
        return found

    def _joined(self) -> str:
        """The plan's text in the pieces a statement lives in (project sentences, glossary entries),
        each ended by :data:`_UNIT_END`, as one text."""
        if self._joined_units is None:
            # A definition speaks of its term: the term goes after it.
            units = [normalize(f"{t.definition} {t.term}") for t in self.catalog.terms.values()]
            for p in self.catalog.projects.values():
                units += [normalize(s) for s in re.split(r"[。\n]", _project_text(p)) if s.strip()]
            self._joined_units = "".join(u + _UNIT_END for u in units)
        return self._joined_units

    def _plan_uses(self, word: str) -> bool:
        if self._vocabulary is None:
            parts = [t.term + " " + t.definition for t in self.catalog.terms.values()]
            parts += [_project_text(p) for p in self.catalog.projects.values()]
            parts += [a.alias for a in self.catalog.aliases] + list(self.catalog.departments)
            parts += [a.title for a in self.catalog.approaches.values()] + [p.title for p in self.catalog.policies.values()]
            self._vocabulary = fold_for_scan("\n".join(parts))
        return word in self._vocabulary


# A body offered as one answer to "who" (「国が作ったの？それとも民間？」, "the city or the national
# government?", 「どこの国の誰」): the question asks which, it is not about that body.
# 「市がやってるの、国がやってるの」: two answers set side by side after a verb.
_WHO_BEFORE = re.compile(r"(?:\bor\b|それとも|か[、,]|どこの|どちらの|\bwhich\b|[るたいす]の[、,]?|[るたいす]か[、,]?)\s*"
                         r"(?:by\s+)?(?:the\s+)?$")
_WHO_AFTER = re.compile(r"\S{0,12}?(?:\?|？)?\s*(?:それとも|\bor\b)|\S{0,10}?なのか[、,]|\S{0,8}?か[、,]\S{0,6}?(?:なのか|か)")


_WHO_VERB = re.compile(r"作|開発|運営|提供|提唱|言い出|言い始|考え出|やって|管理|\bcoined\b|\bcame up\b|\bbuilt\b|\bbuilds?\b|\bcreated\b|\bwho\b|\bruns?\b|\bmade\b|\bmakes?\b|\bdevelop|\bprovid|\boperat|\bowns?\b")


def _asked_who(form: str, m: Mention) -> bool:
    """Only a question of who made or runs something: 「柏市と船橋市どっちが進んでる」 compares."""
    return bool(_WHO_VERB.search(form)) and bool(
        _WHO_BEFORE.search(form, max(0, m.start - 12), m.start) or _WHO_AFTER.match(form, m.end))


# "moved here from", "I'm a student from", "my friend in", 「…から引っ越してくる」「…出身」: where the
# asker's story happens. A body that only appears so is not what they ask about.
_ORIGIN_BEFORE = re.compile(
    r"(?:\b(?:moved|moving|move|came|come|coming|relocated|relocating|transferred|originally|grew up|born|visiting|visited|"
    r"i'm|i am|we're|we are|i was|we were)\b[^.?!]{0,40}?\bfrom"
    r"|\b(?:friends?|family|relatives?|parents?|mother|mom|mum|father|dad|sisters?|brothers?|cousins?|colleagues?|"
    r"daughter|son|kids?)\b[^.?!]{0,20}?\b(?:in|at|lives in|living in)"
    r"|\bback (?:home )?in|\bmoving to|\bmove to|\bmoved to)\s+(?:the\s+)?$")
_ORIGIN_AFTER = re.compile(
    r"\s*(?:から[^。.!?！？]{0,12}?(?:引っ越|引越|ひっこ|越して|転入|転居|移って|移り|移る|来ま|来た|きた|来て|きて|来る|くる)"
    r"|出身|に住んで|にすんで|に住む|に引っ越|へ引っ越|にひっこ|に転勤|へ転勤|に転居|へ転居)")
# 「国が決めた26の手続き」「国が指定した20業務」: the state's rule the city carries out, said of
# what is asked about (a clause before its noun), not a question about the state.
_STATES_RULE = re.compile(r"\s*(?:が|の)\s*(?:決めた|きめた|定めた|さだめた|示した|しめした|指定した|選んだ|えらんだ|言ってた|いってた|言っていた)"
                          r"[^。.!?！？、,]{0,4}?(?:[\u3400-\u9fff\u30a1-\u30fc0-9０-９]|\S{0,3}の)")
# The last sentence names Funabashi itself (the asker turns to their own city).
HOME_ASKED = re.compile(r"船橋|ふなばし|funabashi|市役所|しやくしょ|city hall|本市|うちの市")
_COMPARES = re.compile(r"比べ|くらべ|比較|違い|ちがい|\bcompar|\bversus\b|\bvs\b|\bthan\b|\bsame as\b"
                       # the other body likened to Funabashi: 「浦安市、船橋みたいに…」 "Chiba City, like Funabashi, …"
                       r"|(?:船橋|ふなばし)(?:市)?(?:みたい|のよう|と同じ|とおなじ|と一緒|並み)|\b(?:like|as) (?:in )?funabashi\b")
_SENTENCE_END = re.compile(r"[。.!?！？\n]+")
# A clause ends at a sentence's end, or at a comma after a clause of its own: one that ends in a
# conjunction (…けど、…ので、) or, in English, one of five words or more ("With all the news about
# companies getting hacked, I want to know what Funabashi does"). A body alone before a comma
# ("The national government, does it fund …") is what the sentence is about.
_JA_CLAUSE_END = re.compile(r"(?<=けど|れど|ので|から|って|ても|たら|れば)[、,，]")
_EN_COMMA = re.compile(r",(?=\s)")
CLAUSE_WORDS = 5


def _clause_ends(form: str) -> list[int]:
    ends = {m.end() for m in _SENTENCE_END.finditer(form)} | {m.end() for m in _JA_CLAUSE_END.finditer(form)}
    for m in _EN_COMMA.finditer(form):
        since = max([e for e in ends if e <= m.start()], default=0)
        if len(form[since:m.start()].split()) >= CLAUSE_WORDS:
            ends.add(m.end())
    return sorted(ends)


def _background(form: str, m: Mention) -> bool:
    return bool(_ORIGIN_BEFORE.search(form, max(0, m.start - 60), m.start) or _ORIGIN_AFTER.match(form, m.end)
                or m.org.name in _THE_STATE and _STATES_RULE.match(form, m.end))


def _last_sentence_at(form: str, names: re.Pattern[str]) -> int | None:
    """Where the last sentence or clause that names what ``names`` finds starts, when one after the
    first does (「…よその自治体で流出…。船橋って専門チームいるの？あと外部のチェックは？」,
    "With all the news about companies getting hacked, I want to know what Funabashi does"); else None."""
    ends = _clause_ends(form.rstrip(" 。.!?！？\n"))
    for i in range(len(ends) - 1, -1, -1):
        start, end = ends[i], ends[i + 1] if i + 1 < len(ends) else len(form)
        if names.search(form, start, end):
            # 「…船橋と比べたい」 still asks about the other body
            return None if _COMPARES.search(form, start) else start
    return None


def _positions(text: str, word: str) -> list[int]:
    """Where the plan's (normalised) text names the body ``word``; 国 on its own, not in 全国 or 国民."""
    if word == "国":
        return [m.start() for m in _STATE_IN_PLAN.finditer(text)]
    return [m.start() for m in re.finditer(re.escape(word), text)]


def _project_text(p: Project) -> str:
    parts = [p.name, p.current, p.issue, p.goal, p.note, *(s.text for s in p.schedule)]
    parts += [e.comment for e in p.evaluations] + [i.label for i in p.indicators]
    return "\n".join(parts)


def _without(text: str, mentions: list[Mention]) -> str:
    """The question with the organisations' names blanked out (spans are in the folded text)."""
    form = fold_for_scan(text)
    for m in sorted(mentions, key=lambda m: -m.start):
        after = _PARTICLE.match(form, m.end)
        form = form[: m.start] + " " + form[after.end() if after else m.end:]
    return form


def _unique(hits: list[Scored]) -> list[Scored]:
    seen, out = set(), []
    for h in hits:
        if (h.kind, h.id) not in seen:
            seen.add((h.kind, h.id))
            out.append(h)
    return out
