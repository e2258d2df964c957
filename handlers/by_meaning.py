"""The meaning stage: under the precise stages, find what a question *describes*.

The precise stages (ids, names, aliases, cue words) decide whenever a question names something.
When they find nothing, or when the question asks for a name ("what do you call …"), the
question is searched by meaning (:mod:`knowledge.meaning`) and the fused score decides, with
Rasa's two thresholds: at or above ``ANSWER`` with a clear lead, answer; two candidates close
together above ``CLARIFY``, ask which; otherwise say "I don't know" and suggest the best ones.
``coverage`` guards the door: a question whose weight the plan's vocabulary does not carry (the
weather, another city's population) is not about the plan, however near its best unit is.

The thresholds were chosen on the development set (``tests/data/meaning_dev.json``), never on the
held-out one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from handlers.cue_words import cue_phrases, cue_words
from handlers.lexicon import HOW_MANY_JA, NOT_SEVERAL, QUESTION_VERBS
from handlers.resolve import Scored
from handlers.understand import Reading
from handlers.unheld import project_text
from knowledge.aliases import variants
from knowledge.catalog import Catalog
from knowledge.meaning import MeaningHit, MeaningIndex, Query
from knowledge.meaning_vectors import shared_vectors
from knowledge.meaning_words import en_words, ja_words
from knowledge.normalize import kata_to_hira, normalize
from knowledge.passages import verb_stems
from knowledge.units import plan_units

# Chosen on the development set (tools/score_sets.py tests/data/meaning_dev.json), see the module doc.
ANSWER = 0.45
LEAD = 0.08  # the best candidate must lead the next by this much to be answered outright
LONG_ANSWER = 0.27  # a lower score will do with a wide lead: long descriptions match loosely
LONG_LEAD = 0.20
LONG = 8  # words: a message this long (a citizen's story) needs only the usual lead at the lower score
STRONG = 0.55  # a fused score this high and this far ahead (STRONG_LEAD) answers whatever the support
STRONG_LEAD = 0.13
LETTERS_FLOOR = 0.15  # an acronym of the length asked, this near, may answer (few share a length)
NAMING_ANSWER = 0.25  # "what do you call …" already says a term is wanted (chosen on the tuning sets)
CLARIFY = 0.45  # close candidates this good, and a question the best of them carries, ask which
CLARIFY_SUPPORT = 0.65
SHORT = 3  # words; a question this short must be carried by the item it would be answered with
SHORT_SUPPORT = 0.7
MID_SUPPORT = 0.5
SOME_SUPPORT = 0.1  # an item must carry at least this share of a question to answer it (naming aside)
MIN_WORDS = 2
MIN_WORDS_DEFINITION = 3
MIN_COVERAGE = 0.6
DESCRIPTION_WORDS = 4
CLOSE_SCORE = 0.5  # projects this near, and as near as each other, are asked between
DESCRIBED_WORDS = 6  # words of a description long enough for its nearness alone to answer
GROUP_WORDS = 2
GROUPED = 0.5
GROUPED_LEAD = 0.15
GROUP_SUPPORT = 0.6
NAMED = 70.0  # a name the precise stages found this surely (0–100)
NAMED_SUPPORT = 0.7
DESCRIBED = 0.40
DESCRIBED_LEAD = 0.10
NAMED_AMONG_CLOSE = 75.0  # a name found this surely (0–100) picks it among items as near by meaning
# A list read from words of an approach, or leaving words it could not filter by, is a weak reading:
# a project this far ahead of the next is what the question describes.
DESCRIBED_OVER_WEAK_LIST = 0.05
SUGGEST = 0.30
AGREE_WHOLE = 0.15  # a long message's best item, found again by its last sentences alone this well, answers
AGREE_TAIL = 0.25
TAIL_SENTENCES = 2
_SENTENCES = re.compile(r"(?<=[。．.!！?？…])\s*|\n+")
DEFINITION_WEIGHT = 0.5
CARRIED_GAP = 0.4
PROJECT_OVER_TERM = 0.15  # how far behind its term a project may be and still answer what the city does
NAMED_CACHE = 1024  # topics remembered with the projects whose names hold them
MAX_OPTIONS = 4
WHOLE = 0.99  # lexical score of a unit holding every word of the question

# Asking for the name of something described: "〜を何という", "what do you call …".
NAMING = re.compile(
    r"(?:何|なん|なに|ナン|ナニ)(?:と|て|テ|っていう|って)\s*(?:いう|言う|ゆう|いい|言い|呼|よ[ぶばびべ]|いわ|言わ|言って|いって|表現|表記|名前|なまえ|名称)"
    r"|(?:名前|なまえ|名称|呼び方|よびかた|呼び名|言い方|いいかた|用語|言葉|ことば|単語|略語|略称)"
    r"(?:は|って|を|が|、|\?|？|だっけ|でしたっけ|になって|になる|で言う|でいう|で呼|でよ[ぶばびべ]|$"
    r"|教えて|おしえて|ある|あり|あっ|わかる|分かる|知りたい|なん|何|でなん|で何)"
    r"|what(?:'s| is)? (?:do|does|did) (?:you|they|we|people|the city) call|what(?: is|'s|s) (?:it|this|that) called"
    r"|(?:word|term|name|expression|jargon|abbreviation|acronym) (?:for|used for|that means)|is called|are called|what(?:'s|s| is) the (?:word|term|name)"
    # "is there a word in the plan for …", "what's that site called", "I forgot the name"
    r"|\b(?:word|term|name|expression)\b[^.?!]{0,30}?\bfor\b|\bwhat(?:'s|s| is)(?: \w+){1,3} called\b"
    r"|\b(?:forgot|forget|remember|recall)(?:ten)? (?:the|its|their|what the) name\b"
    r"|\b(?:does|do|did) (?:it|that|this|they) (?:have|has) (?:a|an official|a proper|a special) name\b",
    re.IGNORECASE,
)


# A message that is one word written without a break: katakana, kanji or Latin letters run together.
_COMPOUND = re.compile(r"[\u30a0-\u30ff\u3400-\u9fffA-Za-z0-9ー・]+")
# Words quoted from the plan: 「書かない、手短な市役所に！」, "a city hall connected anytime".
_QUOTED = re.compile(r"[「『\"“‘]([^」』\"”’]{4,})[」』\"”’]|(?:(?<=\s)|^)'([^']{4,})'(?=[\s.,?!]|$)")
# A slogan of the plan's own, typed unquoted (いつでもどこからでもつながる市役所に、ってやつ): this long at least.
SLOGAN_CHARS = 8
QUOTED_SHARE = 0.6  # of a quoted phrase's words an approach's or policy's own words must hold (English paraphrase)
_SLOGAN_CUT = re.compile(r"[。！!【】、\s]+")


@dataclass(frozen=True)
class _GroupText:
    id: tuple[str, str]  # ("approach", "1-1") or ("policy", "1")
    folded: str  # its text, NFKC and casefolded
    slogans: tuple[str, ...]  # its phrases long enough to be quoted unquoted
    en_words: frozenset[str]
# 「どの事業ですか」, "which project is it": the answer is a project, whatever term it is about.
ASKS_PROJECT = re.compile(r"(?:どの|何の|なんの|どういう|どんな)(?:事業|取り組み|取組|とりくみ)|\b(?:which|what) (?:project|initiative)\b")
# A topic named as a kind of project: 「スマホ関係の事業」「データ系の取り組み」「基幹20業務がらみ」, "the data projects".
_CATEGORY_JA = re.compile(r"([^\s、。,.!?！？「」(（)）]{1,12}?)\s*(?:関係|関連|系|がらみ|絡み)(?:の|で)?\s*"
                          r"(?:事業|取り組み|取組|とりくみ|話|こと|件|やつ|進捗|状況)")
_KIND_OF_JA = re.compile(r"(?:^|[\s、。,.!?！？「」])([^\s、。,.!?！？「」(（)）のでにはが]{2,12})(?:で|に関する|についての)?の?\s*"
                         r"(?:事業|取り組み|取組|とりくみ)(?!者|所)")
_CATEGORY_EN = re.compile(r"\b(?:the|city's|its|your)\s+((?:[a-z]+\s+)?[a-z]+)\s+(?:projects|initiatives|stuff)\b")
_LIST_ASKED = re.compile(r"一覧|全部|ぜんぶ|すべて|全て|何件|" + HOW_MANY_JA + r"|列挙|挙げて|リストアップ|\blist\b|\bhow many\b|\ball\b"
                         r"|\bwhich projects\b|\bwhat projects\b")
# How a project went (its evaluation, progress, being behind): only a project has that, never a term.
EVALUATED = re.compile(r"評価|進捗|進み具合|進みぐあい|遅れ|\bgrade[ds]?\b|\brated\b|\brating\b|\bevaluat|\bprogress\b"
                       r"|\bon track\b|\bbehind schedule\b")
# A question about one project, and one asking for several (read on the folded message).
# A grade asked of a year (「令和5年度の評価」, "graded in FY2023"), not a year the description names
# (「令和7年度末までに移行する事業の評価」): the plan grades one year only.
GRADE_OF_YEAR = re.compile(
    r"(?:令和|れいわ|平成|(?<![A-Za-z])R|(?<![A-Za-z])FY)\s*[0-9０-９元一二三四五六七八九十]+\s*(?:年度|年)?\s*(?:の|に|で|は)?\s*\S{0,4}?(?:評価|\bgrade|\brating|\bevaluation|\breview|\bassessment)"
    r"|(?:20|２０)[0-9０-９]{2}\s*年度?\s*の?\s*評価"
    r"|\b(?:grade[ds]?|rated|rating|evaluat\w*|review\w*|assess\w*)\b[^.?!]{0,40}?\b(?:in|for)\s+(?:the\s+)?"
    r"(?:FY\s*|fiscal\s+(?:year\s+)?)?\d{4}"
    # "in the FY2024 (R6) evaluation"
    r"|\b(?:FY\s*|fiscal\s+(?:year\s+)?)\d{4}\b[^.?!]{0,12}?\b(?:evaluation|grade|rating|review|assessment)",
    re.IGNORECASE)
# Words of a KPI result or a grade as a list filter says them, and of the years it is for.
_RESULT_WORDS = frozenset(["実績", "参考", "参考値", "値", "達成", "上回る", "下回る", "以上", "以下", "未満", "見込み", "目標",
                           "届く", "年度", "令和", "令", "和", "事業", "同じ", "評価", "予定", "早い", "遅れる", "kpi", "target", "actual"])
SINGULAR = re.compile(r"なぜ|どうして|\bwhy\b|どれ|どの事業|どこの事業|何の事業|なんの事業|\bwhich project\b|\bthe project\b|\bwhat project\b"
                      # Whether what was heard is so, what caused it, which number it has: of one project.
                      r"|本当|ほんと|原因|理由|根拠|何番|なんばん|この取(?:り)?組|この事業|その事業|\bis (?:it|that) true\b"
                      r"|(?<=[るたのて])\s*件(?![数名])")
# Asked for one project by its number or as the one heard of (not どれ, which lists as often).
ONE_ASKED = re.compile(r"何番|なんばん|何の事業|なんの事業|どの事業|この取(?:り)?組|この事業|本当|ほんと|\bwhich project\b|\bwhat project\b")
# 全部で and いくつの count within one project (「全部で何回」「いくつの公民館に」), they ask no list.
# A list asked for in so many words: never one project, however one is described.
_LIST_SAID = re.compile(r"一覧|列挙|リストアップ|洗い出|何件|事業を(?:全部|すべて)|まとめて(?:出|だ|見|教)|\blist\b|\bhow many\b"
                        r"|\b(?:which|what) projects\b")
FAR_LEAD = 0.25  # a description this far ahead of the next project is of that one, whatever filter words it has
FAR_WORDS = 7
PART_OF_TITLE = 0.8  # a topic shorter than this share of an approach's title is a part of it, not its name
FAR_CHARS = 25  # characters a message needs before it can hold FAR_WORDS words (cheap to check first)
# ごと and 別 group a count (「課ごとの件数」「部署別に数えて」), not a description (「課ごとにバラバラ」).
PLURAL = re.compile(r"一覧|全部(?!で)|すべて|全て|何件|いくつ(?!の)" + NOT_SEVERAL + r"|どんな事業が|事業を(?:全部|すべて)?教えて|列挙|挙げて(?!る|い|た)|リストアップ|以外"
                    r"|(?:ごと|毎|別)(?:の\s*(?:件数|数|事業|内訳)|に\s*(?:数え|分け|まとめ|教え|集計|整理|一覧|見せ|出し|並べ))"
                    r"|\bprojects\b|\blist\b|\bhow many\b|\ball\b")


# A question for the projects under an approach or policy.
GROUP = re.compile(r"どんな事業|事業を(?:全部|すべて)?教えて|事業は(?:どれ|何)|事業って(?:どれ|何)|の事業|下にある|に入って|向けた|目指"
                   r"|(?:に|には)\s*(?:はい|入)って|どんな\s*(?:とりくみ|じぎょう)"
                   r"|ための(?:取り組み|事業)|アプローチ|方針|\bprojects\b|\bfall under\b|\bunder the\b|\bpolicy\b|\bapproach\b"
                   r"|\bsection\b")


# Words that say "the projects under …", not what the group is about.
GROUP_FRAME = frozenset(["事業", "取り組み", "取り組む", "取る", "組む", "目指す", "向ける", "基本", "方針", "アプローチ", "策", "下", "中",
                         "入る", "属する", "含む", "関わる", "全部", "一通り", "並べる", "項目", "分野", "部分", "柱", "枠",
                         "project", "policy", "approach", "fall", "under", "city", "area", "category", "part"])


def _nested(a: MeaningHit, b: MeaningHit) -> bool:
    """One of the two is the other's policy (approach 5-1 under policy 5)."""
    pair = {a.kind: a.ref, b.kind: b.ref}
    return "policy" in pair and "approach" in pair and pair["approach"].split("-")[0] == pair["policy"]


_HIRAGANA = re.compile(r"[\u3041-\u3096]{3}")


@dataclass(frozen=True)
class MeaningCall:
    kind: str  # "glossary" | "project" | "clarify" | "unknown"
    top: tuple[Scored, ...]
    confidence: float
    support: float
    query: Query
    hits: tuple[MeaningHit, ...]
    shared_topic: bool = False  # a clarify for a bare topic several projects hold whole


def _carried_confidence(score: float, support: float, words: int) -> float:
    """A short question must be carried by the item: 「スマホが壊れた」 is near the smartphone
    classes and not about them. A long story need not be: most of it is the teller's life."""
    least = SHORT_SUPPORT if words <= SHORT else MID_SUPPORT if words < LONG else 0.0
    return score * support if support < least else score


def _answers(confidence: float, score: float, lead: float, words: int, *, naming: bool) -> bool:
    if confidence >= (NAMING_ANSWER if naming else ANSWER) and lead >= LEAD:
        return True
    if words > SHORT and confidence >= LONG_ANSWER and lead >= (LONG_LEAD if words < LONG else LEAD):
        return True
    # Far ahead by meaning although its own words carry little of the question: a description in
    # other words (「紙にハンコ押して回すんじゃなくて…」 is 電子決裁).
    if words > SHORT and score >= STRONG and lead >= STRONG_LEAD:
        return True
    # A description this long, near enough and ahead: its words need not be the item's own
    # (chosen on the tuning sets: 14 more right, none out of scope answered).
    return words >= DESCRIBED_WORDS and score >= ANSWER and lead >= LEAD


# "What is the project called": a project's name is asked, not a term's.
_PROJECT_NAMED = re.compile(r"事業|プロジェクト|\bprojects?\b|\binitiatives?\b", re.IGNORECASE)
_TERM_NAMED = re.compile(r"用語|言葉|ことば|単語|\bterm\b|\bword\b|\bjargon\b", re.IGNORECASE)


def as_scored(h: MeaningHit) -> Scored:
    return Scored(h.ref, round(100 * h.score, 1), h.kind, f"meaning:{h.field}")


def about_each_other(catalog: Catalog, a: MeaningHit, b: MeaningHit) -> bool:
    """A term and a project whose name or 現状・課題・目標 uses the term."""
    kinds = {a.kind: a.ref, b.kind: b.ref}
    if set(kinds) != {"glossary", "project"}:
        return False
    p = catalog.projects.get(kinds["project"])
    # 「システム(の)標準化・共通化」 is written システムの標準化・共通化 in a project's text.
    spellings = {kinds["glossary"], *variants(kinds["glossary"])}
    return p is not None and any(term in text for term in spellings for text in (p.name, p.current, p.issue, p.goal))


def nearest(call: MeaningCall, *, besides: frozenset[str], most: int) -> list[Scored]:
    """What a call found nearest (its suggestions, else its hits), less ``besides``."""
    found = list(call.top) or [as_scored(h) for h in call.hits]
    return [s for s in found if s.id not in besides][:most]


# A word named as a word (「DXって言葉」, 「「基幹系システム」という言葉は」): it is asked about, not for.
_WORD_NAMED = re.compile(r"(?<!何)(?<!なん)(?<!なに)(?:って|という|っていう|とかいう)\s*(?:言葉|ことば|用語|単語)")


# "<a description> — how is that described?": the plan's entry for what is described, when the message
# names nothing ("RPA — how is that described?" asks RPA's own definition).
DESCRIPTION_ASKED = re.compile(r"\bhow (?:is|are|was) (?:that|it|this|they) (?:described|defined|explained|worded)\b", re.I)


def asks_name(r: Reading) -> bool:
    # An acronym's letters counted (「アルファベット3文字のやつ、なんだっけ」) ask for it by name, unless
    # it is written there ("RPA — what are the words behind those three letters?").
    letters = letters_asked(r.text)
    if letters is not None and not re.search(rf"(?<![A-Za-z])[A-Za-z]{{{letters}}}(?![A-Za-z])", unicodedata.normalize("NFKC", r.text)):
        return True
    return bool(NAMING.search(_WORD_NAMED.sub(" ", r.text))) and (not _PROJECT_NAMED.search(r.text) or bool(_TERM_NAMED.search(r.text)))


def meaning_kinds(r: Reading, *, naming: bool) -> set[str]:
    """What the meaning stage may answer with: a term for "what do you call …", a project when
    only a project can answer (its department, figures, schedule), otherwise either."""
    if naming:
        return {"glossary"}
    if r.project_intent in ("project_department", "project_kpi", "project_schedule") or ASKS_PROJECT.search(r.cue_form) \
            or EVALUATED.search(r.cue_form):
        return {"project"}
    return {"glossary", "project"}


# What a question asks of a word itself: its full or English name, who coined it, what it counts.
_WORD_FACTS = ("正式名称", "正式", "名称", "名前", "長い", "元", "英語", "略", "略称", "綴り", "スペル", "提唱", "言い出す", "言い始める",
               "作る", "考える", "仲間", "一種", "含む", "入る", "種類", "例", "full name", "stand for", "short for",
               "abbreviation", "english", "spell", "coin", "invent", "count", "kind", "example")
_ASKS_OF_A_WORD = re.compile(r"正式|名称|名前|なまえ|英語|えいご|英文|略|スペル|綴り|提唱|言い出|言いだ|いいだ|言い始|いいはじ|考えた|作った"
                             r"|仲間|なかま|一種|含ま|入る|はいる|入って|はいって"
                             r"|\bfull name\b|\bstand(?:s)? for\b|\bshort for\b|\babbreviat|\bin english\b|\bspell"
                             r"|\bwho (?:came up|coined|invented|first)|\bcount as\b|\bkind of\b|\bexamples?\b")
WORD_FACT_SUPPORT = 0.5  # of the words left once those asking of a word are set aside


_INDEXES: dict[int, MeaningIndex] = {}
_INDEXES_LOCK = threading.Lock()
KEPT_INDEXES = 2


_KATAKANA_ALIAS = re.compile(r"^[\u30a1-\u30fa\u30fc]{4,}$")
_LATIN = re.compile(r"[A-Za-z]")


def shared_index(catalog: Catalog) -> MeaningIndex:
    """The meaning index of this catalog's units, shared by every snapshot with the same units.

    A submission or a published evaluation makes a new snapshot but changes no unit (units
    quote the plan's own comments), so the index, seconds to build for a very large plan, is
    built again only when the plan or an alias changes."""
    units = plan_units(catalog)
    # Departments by the reading of their full name (made at ingest, the longest of a department's
    # readings; the shorter are of its aliases, and でじたるか is デジタル化 as often as a department).
    full: dict[str, str] = {}
    for a in catalog.aliases:
        if a.kind == "department" and a.source == "reading" and len(a.alias) > len(full.get(a.target, "")):
            full[a.target] = a.alias
    names = {kana: department for department, kana in full.items() if department in catalog.departments}
    # Product names in Latin letters by their katakana aliases typed in hiragana (ちゃっとじーぴーてぃー →
    # ChatGPT): the converter would spell such a run as letters and katakana, half of each. (Acronyms,
    # in capitals, are read letter by letter: えるじーわん is LGWAN there.)
    names |= {kata_to_hira(a.alias): a.target for a in catalog.aliases if a.kind == "glossary"
              and _KATAKANA_ALIAS.match(a.alias) and _LATIN.search(a.target) and not a.target.isupper()}
    key = hash((tuple(units), tuple(sorted(names.items()))))
    with _INDEXES_LOCK:
        found = _INDEXES.get(key)
        if found is None:
            found = MeaningIndex(units, shared_vectors(), also_spell=cue_phrases(), names_read=names)
            if len(_INDEXES) >= KEPT_INDEXES:
                _INDEXES.pop(next(iter(_INDEXES)))
            _INDEXES[key] = found
    return found


_ACRONYM = re.compile(r"[A-Z]+(?:-[A-Z]+)*")
_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "ひと": 1, "ふた": 2, "みっ": 3, "よっ": 4, "いつ": 5,
            "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_LETTERS = re.compile(
    r"(?:アルファベット|英字|ローマ字|頭文字|かしらもじ|略語|略)[^。？?]{0,6}?([0-9]|[一二三四五六]|ひと|ふた|みっ|よっ|いつ)\s*(?:文字|もじ|つ)"
    r"|\b([0-9]|one|two|three|four|five|six)[- ]letters?\b", re.IGNORECASE)


@lru_cache(maxsize=64)
def letters_asked(text: str) -> int | None:
    """How many letters the acronym asked for has (「アルファベット3文字の略語」, "a three-letter word")."""
    m = _LETTERS.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    n = (m.group(1) or m.group(2)).casefold()
    return int(n) if n.isdigit() else _NUMBERS.get(n)


@lru_cache(maxsize=1)
def _word_fact_words() -> frozenset[str]:
    return frozenset(w for p in _WORD_FACTS for w in (en_words(p) if p.isascii() else ja_words(p)))


class MeaningStage:
    """One catalog snapshot's meaning index, built on first use (it costs a fraction of a second)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._names: dict[str, list[str]] | None = None
        self._named_cache: dict[str, list[str]] = {}

    @cached_property
    def index(self) -> MeaningIndex:
        return shared_index(self.catalog)

    def respell(self, message: str) -> str:
        """The message with kana words spelled as the plan spells them (see MeaningIndex.respell)."""
        return self.index.respell(message) if _HIRAGANA.search(message) else message

    def decide(self, r: Reading, *, kinds: set[str], naming: bool = False, named: Sequence[Scored] = (),
               besides: frozenset[str] = frozenset()) -> MeaningCall:
        """``named``: what the precise stages found named in the question (not enough to answer);
        ``besides``: items that cannot be the answer (a naming question's own words)."""
        letters = letters_asked(r.text) if naming else None
        query, hits = self.index.search(r.text, kinds=kinds, limit=MAX_OPTIONS * (20 if letters else 2), ignore=cue_words())
        hits = self.without_reposts(hits)
        if besides:
            hits = [h for h in hits if h.ref not in besides]
        if letters:  # 「アルファベット3文字で何という」: only an acronym of that many letters is the name
            hits = [h for h in hits if h.kind == "glossary" and _ACRONYM.fullmatch(h.ref)
                    and len(re.sub(r"[^A-Za-z]", "", h.ref)) == letters][:MAX_OPTIONS * 2]
            # Among the few acronyms that long, the nearest by a clear lead is the one described.
            if hits and hits[0].score >= LETTERS_FLOOR and hits[0].score - (hits[1].score if len(hits) > 1 else 0.0) >= LEAD:
                return MeaningCall("glossary", (as_scored(hits[0]),), hits[0].score, 1.0, query, tuple(hits))
        if naming and not any(h.kind == "glossary" and h.ref.casefold() in r.text.casefold() for h in hits):
            hits = self._by_definition(query, hits)  # (a term named outright is asked about, not described)
        # A word or two is a name, not a description: 「電子決済とは」 names a term the plan lacks,
        # and the nearest term (キャッシュレス) would be a confident wrong answer.
        if not hits:
            return MeaningCall("unknown", (), 0.0, 0.0, query, ())
        shared = self._shared_topic(r, query, hits, naming=naming or asks_name(r), named=named)
        if shared:
            return MeaningCall("clarify", shared, hits[0].score, 1.0, query, tuple(hits), shared_topic=True)
        if self._a_name_not_a_description(r, query, naming=naming):
            return MeaningCall("unknown", (), 0.0, 0.0, query, ())
        if not naming:
            hits = self._carried_first(query, hits)
            if not r.glossary_cue:
                hits = self._project_over_its_term(query, hits)
        measured = r.question.kind == "quantity"
        if measured and not naming:
            hits = self._measured_first(hits)
        top = hits[0]
        support = self.index.support(query, top.kind, top.ref)
        # A project and the term it is about (2-2-1 and テレワーク) are one answer, not rivals.
        rivals = [h for h in hits[1:] if not self._about_each_other(top, h)
                  and not (measured and self.measures(top) and h.kind == "project" and not self.measures(h))]
        # The pair's score is the better of the two (a project answering over its nearer term).
        pair = max([top.score, *(h.score for h in hits[1:] if h not in rivals)])
        lead = pair - (rivals[0].score if rivals else 0.0)
        if len(hits) > 1 and support - self.index.support(query, hits[1].kind, hits[1].ref) >= CARRIED_GAP:
            lead = max(lead, LEAD)  # as close by meaning, but only the best carries the question's words
        scored = tuple(as_scored(h) for h in hits)
        # A description names a term in other words than its definition's: its support is low by nature.
        confidence = top.score if naming else _carried_confidence(top.score, support, len(query.words))
        answer = _answers(confidence, top.score, lead, len(query.words), naming=naming) or self._tail_agrees(
            r.text, top, lead, len(query.words), kinds=kinds)
        # Near by meaning with none of its own words in the question: a story about something else.
        # In a short question the verb is much of what is asked: 「AIで画像を作る方法」 is not AI-OCR,
        # which reads images and makes nothing.
        if answer and not naming and len(query.words) <= SHORT and not self._does_what_is_asked(r, query, top):
            answer = False
        if answer and (naming or support >= SOME_SUPPORT):
            return MeaningCall(top.kind, scored[:1], confidence, support, query, tuple(hits))
        if confidence >= CLARIFY and support >= CLARIFY_SUPPORT and len(query.words) > SHORT:
            close = tuple(s for s, h in zip(scored, hits, strict=True) if h.score >= top.score - LEAD)[:MAX_OPTIONS]
            # The nearest also named by its own alias (スマホ教室 is 3-1-2's), the others only near: that one.
            by_name = {n.id for n in named if n.how in ("exact", "mention") and n.score >= NAMED_AMONG_CLOSE}
            if close and close[0].id in by_name and not any(s.id in by_name for s in close[1:]):
                return MeaningCall(top.kind, close[:1], confidence, support, query, tuple(hits))
            return MeaningCall("clarify", close, confidence, support, query, tuple(hits))
        suggest = tuple(s for s, h in zip(scored, hits, strict=True) if h.score >= SUGGEST)[:3] if query.coverage >= MIN_COVERAGE else ()
        return MeaningCall("unknown", suggest, confidence, support, query, tuple(hits))

    def category(self, r: Reading) -> tuple[str, tuple[Scored, ...]] | None:
        """「スマホ関係の事業」「データ系の取り組み」 "the data projects": a topic named as a kind of
        project. When several projects hold the topic whole, the question is which (the nearest
        first, at most MAX_OPTIONS), with the topic as typed; a list asked for (一覧, all) is the
        list stage's."""
        if r.policy_ids or r.approach_ids or r.has_grade or _LIST_ASKED.search(r.cue_form):
            return None
        m = _CATEGORY_JA.search(r.text) or _CATEGORY_EN.search(r.text.casefold())
        weak = m is None  # 「地図の事業」: a kind only when several projects' names hold it
        m = m or _KIND_OF_JA.search(r.text)
        if m is None:
            return None
        topic = normalize(m.group(1))
        if not topic:
            return None
        # The projects whose names (or aliases) hold the topic, with those of the one approach whose
        # title holds it (テレワークの推進: 2-2-2's satellite offices are telework too); else those
        # whose own words hold it.
        named = self._named_with(topic)
        # (Its whole title, 「情報セキュリティ対策の事業」, names the approach: a list, not a question which.)
        grouped = [a.id for a in self.catalog.approaches.values()
                   if topic in normalize(a.title) and len(topic) < PART_OF_TITLE * len(normalize(a.title))]
        if len(grouped) == 1:
            named = list(dict.fromkeys([*named, *(p.id for p in self.catalog.projects.values()
                                                  if p.approach_id == grouped[0] and p.repost_of is None)]))
        if len(named) < 2 and weak:
            return None
        query, hits = self.index.search(m.group(1), kinds={"project"}, limit=2 * MAX_OPTIONS, ignore=cue_words())
        if not query.words:
            return None
        if len(named) >= 2:
            score = {h.ref: round(100 * h.score, 1) for h in hits if h.ref in named}
            order = [*score, *(pid for pid in named if pid not in score)]  # nearest first, then the plan's order
            return m.group(1), tuple(Scored(pid, score.get(pid, 0.0), "project", "meaning:name")
                                     for pid in order[:MAX_OPTIONS])
        held = [h for h in hits if self.index.support(query, h.kind, h.ref) >= WHOLE]
        if len(held) < 2:
            return None
        return m.group(1), tuple(as_scored(h) for h in held[:MAX_OPTIONS])

    def _named_with(self, topic: str) -> list[str]:
        """The projects whose names or aliases hold ``topic`` (normalised), kept per topic."""
        found = self._named_cache.get(topic)
        if found is None:
            if len(self._named_cache) >= NAMED_CACHE:
                self._named_cache.clear()
            found = self._named_cache[topic] = [pid for pid, names in self._project_names().items()
                                                if any(topic in n for n in names)]
        return found

    def _project_names(self) -> dict[str, list[str]]:
        """Each project's names as matched: its name, English name and aliases, normalised."""
        if self._names is None:
            names: dict[str, list[str]] = {pid: [normalize(p.name), normalize(self.catalog.english_name("project", pid) or "")]
                                           for pid, p in self.catalog.projects.items()}
            for a in self.catalog.aliases:
                if a.kind == "project" and a.target in names:
                    names[a.target].append(normalize(a.alias))
            self._names = names
        return self._names

    def _shared_topic(self, r: Reading, query: Query, hits: list[MeaningHit], *, naming: bool,
                      named: Sequence[Scored]) -> tuple[Scored, ...]:
        """A topic of a word or few (窓口, 職員の研修) that several items hold whole, each about as
        near as the best: the question is which of them, not none. Not a name (「ふなっぷで申請も
        できる？」 is about ふなっぷ), and not asked what it means."""
        if naming or r.glossary_cue or len(query.words) > SHORT or query.coverage < 1.0 or hits[0].score < CLARIFY:
            return ()
        if any(n.score >= NAMED and n.how in ("exact", "mention") for n in named):
            return ()
        # Projects only: a term is asked for by its name, and a definition that uses the word
        # (クラウド's uses データ) is not about it.
        close = [h for h in hits if h.kind == "project" and h.score >= hits[0].score - LEAD
                 and self.index.support(query, h.kind, h.ref) >= WHOLE]
        if len(close) < 2:
            return ()
        return tuple(as_scored(h) for h in close[:MAX_OPTIONS])

    @cached_property
    def project_words(self) -> dict[str, Counter[str]]:
        """Each project's words in the form a query compares (セキュリティ as セキュリティー), by the
        number of its sentences that say them."""
        return {pid: Counter(w for s in _SENTENCES.split(project_text(p)) for w in ja_words(s))
                for pid, p in self.catalog.projects.items()}

    @cached_property
    def folded_texts(self) -> dict[str, str]:
        return {pid: unicodedata.normalize("NFKC", project_text(p)).casefold()
                for pid, p in self.catalog.projects.items()}

    def measures(self, h: MeaningHit) -> bool:
        return h.kind == "project" and bool(self.catalog.projects[h.ref].indicators)

    def _measured_first(self, hits: list[MeaningHit]) -> list[MeaningHit]:
        """A figure is asked: a project with KPIs as near as the top project without any answers it
        (「市がネットで公開してるデータは何件」 is 1-3-1's count, not 1-3-2's dashboards)."""
        top = hits[0]
        if top.kind != "project" or self.measures(top):
            return hits
        for h in hits[1:]:
            if h.score < top.score - LEAD:
                break
            if self.measures(h):
                return [h, *(x for x in hits if x is not h)]
        return hits

    def _carried_first(self, query: Query, hits: list[MeaningHit]) -> list[MeaningHit]:
        """Without the top when the runner-up is as near by meaning and only its own words carry the
        question: the top was found by everyday paraphrases of what the runner-up says (a site and
        its project), or carries too little of the question to answer it at all."""
        if len(hits) < 2 or hits[1].score < hits[0].score - LEAD:
            return hits
        top = self.index.support(query, hits[0].kind, hits[0].ref)
        runner_up = self.index.support(query, hits[1].kind, hits[1].ref)
        return hits[1:] if runner_up - top >= CARRIED_GAP or top < SOME_SUPPORT <= runner_up else hits

    def _project_over_its_term(self, query: Query, hits: list[MeaningHit]) -> list[MeaningHit]:
        """A question that does not ask what a word means, nearest a term, with the project about
        that term as near and carrying as much of it: what the city does (1-2-2, paying by app)
        answers "can I pay my tax with my phone?", not what キャッシュレス means."""
        top = hits[0]
        if top.kind != "glossary":
            return hits
        carried = self.index.support(query, top.kind, top.ref)
        for h in hits[1:]:
            if h.score < top.score - 2 * PROJECT_OVER_TERM:
                break
            if h.kind != "project" or not self._about_each_other(top, h):
                continue
            its = self.index.support(query, h.kind, h.ref)
            # As near and carrying as much; or further behind, but carrying much more of the question.
            if its >= carried and h.score >= top.score - PROJECT_OVER_TERM or its - carried >= CARRIED_GAP:
                return [h, *(x for x in hits if x is not h)]
        return hits

    def _does_what_is_asked(self, r: Reading, query: Query, top: MeaningHit) -> bool:
        verbs = {lemma for lemma, _ in verb_stems(r.text) if lemma not in QUESTION_VERBS and lemma in query.words}
        return all(self.index.carries(v, top.kind, top.ref) for v in verbs)

    def _tail_agrees(self, text: str, top: MeaningHit, lead: float, words: int, *, kinds: set[str]) -> bool:
        """A long message whose last sentences, read alone, find the same item as the whole: a
        citizen's story says much else, and its question is at its end."""
        if words < LONG or lead <= 0 or top.score < AGREE_WHOLE:
            return False
        sentences = [x for x in _SENTENCES.split(text) if x.strip()]
        if len(sentences) < 2:
            return False
        tail = "".join(sentences[-TAIL_SENTENCES:])
        query, hits = self.index.search(tail, kinds=kinds, limit=4, ignore=cue_words())
        hits = self._carried_first(query, self.without_reposts(hits))
        if len(query.words) < MIN_WORDS or not hits or (hits[0].kind, hits[0].ref) != (top.kind, top.ref):
            return False
        tail_lead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
        return hits[0].score >= AGREE_TAIL and tail_lead > 0

    def _about_each_other(self, a: MeaningHit, b: MeaningHit) -> bool:
        return about_each_other(self.catalog, a, b)

    def _by_definition(self, query: Query, hits: list[MeaningHit]) -> list[MeaningHit]:
        """"What do you call …": the term whose definition the description covers, not the one
        whose long definition shares a few of its words. (Coverage is measured in Japanese words
        only: an English description keeps its score.)"""
        if query.english:
            return hits
        rescored = [replace(h, score=(1 - DEFINITION_WEIGHT) * h.score
                            + DEFINITION_WEIGHT * self.index.covered(query, h.kind, h.ref, field="definition"))
                    if h.kind == "glossary" else h for h in hits]
        return sorted(rescored, key=lambda h: -h.score)

    def _a_name_not_a_description(self, r: Reading, query: Query, *, naming: bool) -> bool:
        # A word or two is a name, not a description: 「電子決済とは」 names a term the plan lacks,
        # and the nearest term (キャッシュレス) would be a confident wrong answer.
        fewest = MIN_WORDS_DEFINITION if r.glossary_cue and not naming else MIN_WORDS
        if len(query.words) < fewest:
            return True
        # 「ネットワークビジネス」 is one word the plan never writes, not its parts (ネットワーク, ビジネス)
        # wherever the plan has them: a name the plan lacks is not described by its pieces.
        compound = _COMPOUND.fullmatch(r.text.strip(" 　?？!！。"))
        return bool(compound and len(query.words) <= SHORT and not self.index.says(compound.group(0)))

    def carried(self, r: Reading, named: list[Scored], *, kinds: set[str]) -> Scored | None:
        """The item a question names (found by the precise stages, but too small a part of the
        question to answer on its own) whose own text carries the rest of the question."""
        # A term's definition may carry what a department cue asked (「DXを提唱したのは誰」): any kind.
        named = [n for n in named if n.score >= NAMED and n.how in ("exact", "mention")]
        if not named:
            return None
        query = self.index.query(r.text, ignore=cue_words())
        if len(query.words) < MIN_WORDS:
            return None
        support, best = max(((self.index.support(query, n.kind, n.id), n) for n in named),
                            key=lambda sn: (sn[0], sn[1].score))
        if support >= NAMED_SUPPORT:
            return best
        # A fact of a term named (its full name, in English, who coined it, is LINE one of them):
        # the definition says it in its own words, not in these.
        terms = [n for n in named if n.kind == "glossary"]
        if len(terms) != 1 or not _ASKS_OF_A_WORD.search(r.cue_form):
            return None
        # 「DXの英語の名前」 asks the term's own name; 「カードを使って…見られるところ、名前なんだっけ」
        # asks for the name of something else the term is part of.
        own = re.escape(unicodedata.normalize("NFKC", terms[0].id).casefold()) + r"\s*(?:の|って|は|とは)"
        if asks_name(r) and not re.search(own, unicodedata.normalize("NFKC", r.text).casefold()):
            return None
        rest = self.index.query(r.text, ignore=cue_words() | _word_fact_words())
        if not rest.words or self.index.support(rest, "glossary", terms[0].id) >= WORD_FACT_SUPPORT:
            return terms[0]
        return None

    def group(self, r: Reading) -> tuple[str, str, str] | None:
        """The approach or policy a list question names by its words (「書かない、手短な市役所に！」を
        目指す事業, "the policy of keeping everything safe"): (kind, id, its texts), or None."""
        if r.policy_ids or r.approach_ids or not GROUP.search(r.cue_form):
            return None
        quoted = self._quoted_group(r.text)
        if quoted is not None:  # 「書かない、手短な市役所に！」: the plan's own words for one group
            return quoted
        query, hits = self.index.search(r.text, kinds={"approach", "policy"}, limit=3, ignore=cue_words() | GROUP_FRAME)
        if len(query.words) < GROUP_WORDS or not hits:
            return None
        top = hits[0]
        # A policy and its only approach say the same thing: the runner-up must be another group.
        rivals = [h for h in hits[1:] if not _nested(top, h)]
        lead = top.score - (rivals[0].score if rivals else 0.0)
        if top.score < GROUPED or lead < GROUPED_LEAD or self.index.support(query, top.kind, top.ref) < GROUP_SUPPORT:
            return None
        texts = " ".join(u.text + " " + u.en for u in self.index.units if (u.kind, u.ref) == (top.kind, top.ref))
        return top.kind, top.ref, texts

    def _quoted_group(self, text: str) -> tuple[str, str, str] | None:
        """The one approach or policy whose own words the question quotes: its phrase in 「」 or
        quotes, a slogan of its typed unquoted, or an English paraphrase in quotes ('finish work
        digitally') most of whose words are its own."""
        quoted = [a or b for a, b in _QUOTED.findall(text)]
        folded = unicodedata.normalize("NFKC", text).casefold()
        found: set[tuple[str, str]] = set()
        for phrase in quoted:
            key = unicodedata.normalize("NFKC", phrase).casefold()
            found |= {g.id for g in self._groups if key in g.folded}
        if not found:
            found = {g.id for g in self._groups for part in g.slogans if part in folded}
        if not found:
            found = self._paraphrased_group([phrase for phrase in quoted if phrase.isascii()])
        if len(found) != 1:
            return None
        kind, ref = found.pop()
        texts = " ".join(u.text + " " + u.en for u in self.index.units if (u.kind, u.ref) == (kind, ref))
        return kind, ref, texts

    @cached_property
    def _groups(self) -> list[_GroupText]:
        """Each approach's and policy's units as a quote is compared with them, read once."""
        out = []
        for u in self.index.units:
            if u.kind in ("approach", "policy"):
                folded = unicodedata.normalize("NFKC", u.text).casefold()
                out.append(_GroupText((u.kind, u.ref), folded,
                                      tuple(p for p in _SLOGAN_CUT.split(folded) if len(p) >= SLOGAN_CHARS),
                                      frozenset(en_words(u.en))))
        return out

    def _paraphrased_group(self, phrases: list[str]) -> set[tuple[str, str]]:
        best: dict[tuple[str, str], float] = {}
        for phrase in phrases:
            words = set(en_words(phrase, question=True))
            if len(words) < 2:
                continue
            for g in self._groups:
                best[g.id] = max(best.get(g.id, 0.0), len(words & g.en_words) / len(words))
        top = max(best.values(), default=0.0)
        tied = {g for g, share in best.items() if share == top} if top >= QUOTED_SHARE else set()
        # A policy that holds its approach's words (policy 2 lists "Completing work digitally"): the approach.
        approaches = [ref for kind, ref in tied if kind == "approach"]
        if len(approaches) == 1 and tied <= {("approach", approaches[0]),
                                             ("policy", str(self.catalog.approaches[approaches[0]].policy_id))}:
            return {("approach", approaches[0])}
        return tied

    def close_projects(self, call: MeaningCall) -> tuple[Scored, ...]:
        """The projects a question fits about equally well, when none was confident: each near
        (CLOSE_SCORE) and within LEAD of the best, the question's words all the plan's."""
        hits = [h for h in call.hits if h.kind == "project"]
        if call.query.coverage < 1.0 or not hits or hits[0].score < CLOSE_SCORE or (
                call.hits[0].kind != "project"):
            return ()
        return tuple(as_scored(h) for h in hits if h.score >= hits[0].score - LEAD)[:MAX_OPTIONS]

    def describes_one(self, r: Reading, *, lead: float = DESCRIBED_LEAD) -> Scored | None:
        """The one project a question describes, when it asks about one and not for a list.

        A list question names its filters; a description of one project ("the project that added
        au PAY", "PCを115台増やした事業") can name a filter by accident. It is taken for a
        description only when it asks about one project (one of them, or its status, department,
        figures, schedule) and the meaning index finds one project far ahead of the rest."""
        # A grade with a project intent is a list of that grade (「C評価の事業の担当課」) unless
        # the question says it is about one ("…の評価がCになったのはなぜ").
        about_one = SINGULAR.search(r.cue_form) or (r.project_intent and not r.has_grade)
        several = bool(PLURAL.search(r.cue_form)) or not about_one
        if _LIST_SAID.search(r.cue_form) or several and (
                not (r.project_intent or r.has_grade) or len(r.text) < FAR_CHARS):
            return None  # (a short list question is never searched for the one it might describe)
        query, hits = self.index.search(r.text, kinds={"project"}, limit=4, ignore=cue_words())
        hits = self.without_reposts(hits)
        if len(query.words) < DESCRIPTION_WORDS or not hits:
            return None
        if several:
            # Words that may ask for several (以外, 全部, a grade's words: 予定どおり, on track) in a long
            # description of one project far ahead of the rest: whether that one did so is asked.
            far = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
            if far < FAR_LEAD or hits[0].score < DESCRIBED or len(query.words) < FAR_WORDS:
                return None
        if len([w for w in query.words if w not in _RESULT_WORDS]) < MIN_WORDS:
            return None  # 「R4の実績が参考値を上回った事業はどれ」: all it says is the filter
        ahead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
        if hits[0].score < DESCRIBED or ahead < lead:
            return None
        return as_scored(hits[0])

    def without_reposts(self, hits: list[MeaningHit]) -> list[MeaningHit]:
        """5-1-2 repeats 4-1-1: the original speaks for both."""
        refs = {h.ref for h in hits if h.kind == "project"}
        out = []
        for h in hits:
            p = self.catalog.projects.get(h.ref) if h.kind == "project" else None
            if p is not None and p.repost_of in refs:
                continue
            out.append(h)
        return out
