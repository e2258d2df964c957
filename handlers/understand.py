"""Read a message: ids, filters and cue words out; what is left is the topic ("core")."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

from handlers import lexicon as lx
from handlers.answer import Lang
from handlers.question_type import QuestionType, classify, done_that_year
from knowledge.normalize import SENTENCE_BANG, clean, fold, normalize

MAX_UNDERSTOOD = 500  # characters read for understanding; the rest of a long message is ignored

# 2-3-1, 2.3.1, and as said aloud 2の3の1 (single digits only: 「1の2の事業」 is no id).
_PROJECT_ID = re.compile(r"(?<!\d)(?<!\d\.)(\d{1,3})\s*[-.]\s*(\d{1,3})\s*[-.]\s*(\d{1,3})(?!\d)"
                         r"|(?<!\d)(\d)\s*の\s*(\d)\s*の\s*(\d)(?!\d)")
_APPROACH_ID = re.compile(r"(?<![\d.\-])(\d{1,2})-(\d{1,2})(?![\d\-])")
_POLICY = re.compile(r"(?:基本方針|方針|policy|ポリシー)\s*(?:no\.?\s*)?(\d{1,2})")
_GRADE = re.compile(
    r"(?<![a-z])([a-d])\s*(?:評価|判定|ランク|grade)"
    r"|(?:評価|判定)\s*(?:が|は|=|:)?\s*(?:まだ|もう|すでに)?\s*([a-d])(?![a-z])"
    r"|grade[ds]?\b\s*(?:of\s*|is\s*|=\s*|:\s*)?([a-d])(?![a-z])"
    # 「Cがついた」「Aをもらった」: a grade given.
    r"|(?<![a-z])([a-d])\s*(?:が|を)?\s*(?:つい|付い|付け|つけ|もらっ|貰っ|とっ|取っ|出)"
    r"|【\s*([a-d])\s*】"
    # A letter quoted alone (評価が「A」, a "C"): nothing else in the plan is one letter.
    r"|[「『\"“']\s*([a-d])\s*[」』\"”']"
    # English: "rated A", "got a C", "B-rated", "with an A", "a rating of D".
    # Not the article of "got a BPR hearing": a letter then another word is no grade.
    r"|(?:rated|got|get|gets|received|earned|scored|given|rating)\s+(?:of\s+|as\s+)?(?:an?\s+)?[\"“']?([a-d])(?![a-z]|'[a-z])"
    r"(?!\s+(?!(?:grade|rating|evaluation|score|last|this|in|for|on|or|and|from|at|again|too|but|so|the|that)\b)[a-z0-9])"
    r"|(?<![a-z])([a-d])\s*-?\s*(?:rated|rating|grade)\b"
    r"|with\s+an?\s+([a-d])(?![a-z'])"
)
_ASCII_WORDS = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
NO_GRADE = object()  # Reading.grade when the question names no grade filter
_NOT_A_GRADE = re.compile(r"(?<![a-z])(?:behind|ahead|early|late)(?=\s+(?:the|that|this|it|those|these|a|an|my|our|"
                          r"your|his|her|their|next|last|in|on)(?![a-z])|\s*['\"「‘“])"
                          # who or what is behind something: its maker, not a delay
                          r"|\b(?:who|which company|what company|company|firm|vendor|organi[sz]ation|group)"
                          r"(?:'s|\s+is|\s+are|\s+was|\s+were)?\s+behind\b")


@dataclass(frozen=True)
class Reading:
    text: str
    cue_form: str  # folded, hiragana kept
    lang: Lang
    project_ids: tuple[str, ...] = ()
    approach_ids: tuple[str, ...] = ()
    policy_ids: tuple[int, ...] = ()
    grade: object = NO_GRADE  # "A"–"D", None (no grade), or NO_GRADE (no grade filter)
    grade_explicit: bool = False  # "B評価" rather than "遅れている"
    project_intent: str | None = None
    glossary_cue: bool = False
    list_cue: bool = False
    help_cue: bool = False
    followup: bool = False
    core: str = ""  # normalised topic, "" when nothing is left
    fragments: tuple[str, ...] = field(default_factory=tuple)
    question: QuestionType = field(default_factory=QuestionType)  # what kind of answer is asked for

    @property
    def has_grade(self) -> bool:
        return self.grade is not NO_GRADE


_EN_MARKERS = frozenset(
    lx.EN_STOPWORDS
    | {w for cues in lx.PROJECT_CUES.values() for c in cues if c.isascii() for w in c.split()}
    | {w for c in lx.GLOSSARY_CUES + lx.LIST_CUES + lx.HELP + lx.FILLER if c.isascii() for w in c.split()}
)


MIN_ENGLISH_AROUND = 3  # English words we know, around Japanese, that make a message English


def detect_lang(text: str) -> Lang:
    """English when the message has no Japanese and uses at least one English word we know.

    Japanese is the default: "RPA" or "LGWAN?" alone, or a key-mash like "qwertyuiop", say
    nothing about the reader's language.
    """
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", text)]
    if _CJK.search(text):
        # "What projects is システム所管課 in charge of?": an English sentence around a Japanese name.
        english = sum(w in _EN_MARKERS for w in words)
        letters = sum(len(w) for w in words)
        return "en" if english >= MIN_ENGLISH_AROUND and letters >= 2 * len(_CJK.findall(text)) else "ja"
    return "en" if set(words) & _EN_MARKERS else "ja"




# "who" asks who when it opens a question or a clause ("who runs it", "do you know who …"); after
# a noun it only describes ("the people who wanted to", "staff who work from home").
_WHO_ASKS = re.compile(r"(?:^|[,.;:!?()\-—–\"']|\b(?:and|but|so|then|know|tell me|ask|wonder|wondering|sure|idea|out|"
                       r"exactly|actually|just|me|us)\b)\s*who(?![a-z0-9])")


@cache
def _cue_pattern(cue: str) -> re.Pattern[str]:
    if cue == "who":
        return _WHO_ASKS
    if cue.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(cue)}(?![a-z0-9])" + _NOT_DEFINING.get(cue, ""))
    # 何回 asks a count; 何回も (「何回も休みを取る」) is "again and again" and asks nothing, as
    # 誰でも (「誰でも使えるデータ」) is "anyone" and 誰も, 誰一人 (「だれも とりのこさない」) "no one": they ask no one.
    tail = "(?!も)" if cue.startswith("何") else "(?!でも|も|\\s*(?:一人|ひとり))" if cue in {"誰", "だれ"} else ""
    # 「〜って何」 asks what a thing is; 「〜って何番」「何課」 ask for a number or a section.
    if cue.endswith("何"):
        tail += r"(?![\u3400-\u9fff])"
    return re.compile(_NOT_AFTER.get(cue, "") + re.escape(cue) + tail + _NOT_DEFINING.get(cue, ""))


# Definition cues that, so followed, ask something else: 何か (something), 何が追加される (what is
# added, not 何が違う), 何やる; 「手続きとはまだ」「作らなきゃとは思う」 (with, quoting); "what's the city doing".
_WHAT_ELSE = r"(?!か(?![?？。!！]|\s*$)|が(?!\s*(?:ちが|違|異な))|と(?!は)|で(?!す|しょ)|やる|する|して|した)"
# "what is the smartphone concierge project?", "explain the '…' project": what a project is, not a word.
_OF_A_PROJECT = r"(?![^.?!]{0,60}\b(?:project|initiative|programme|program)\b)"
# Cues that, so preceded, ask nothing: 本計画, この計画, DX計画 name the plan itself.
_NOT_AFTER = {"計画": r"(?<!本)(?<!この)(?<![a-z])(?<!推進)"}
_NOT_DEFINING = {
    "何": _WHAT_ELSE, "なに": _WHAT_ELSE,
    # 「計画では」「計画中に見られる」「計画の用語で」: the plan as a document, not a project's timetable.
    "計画": r"(?!\s*(?:では|中|上|内|書|に(?:は|おいて|よると|よれば|書|記載|載)|の(?:中|なか|用語|記載|文|本文|どこ|事業|取り?組|言葉|ことば|説明|定義|\s*[0-9０-９|])|で(?:は|の|どう|何|なん|\|)"
            r"|(?:は|が)\s*(?:どのように|どう|何と|なんと)\s*(?:定義|説明|記載|位置づ|位置付|書い|述べ|示|称|呼)))",
    "とは": r"(?=\s*(?:$|[?？。!！、,]|何|なに|なん|どう|どんな|どの|いったい|一体|具体的|簡単|要する|つまり|本市))",
    # ("what's the |||" : a cue read before these, the status or the schedule, asks it.)
    **dict.fromkeys(("what is", "what's", "whats"), r"(?!\s+(?:the city|city hall|funabashi|happening|going on|being|"
                                                    r"the status|the progress|the latest|new|up|the\s*\|)(?:\b|\|))"
                                                    + _OF_A_PROJECT),
    "explain": _OF_A_PROJECT,
    "いくつ": lx.NOT_SEVERAL,
    # "how many hours did RPA save", "how many people": a figure of a project, not a count of projects.
    "how many": r"(?!\s+(?:hours?|minutes?|days?|people|persons?|staff|employees|residents|users|times|sessions|pcs|"
                r"computers|devices|digits|kinds|types|forms|datasets|data sets|procedures|cards|applications)\b)",
}


def _remove(form: str, cues: list[str]) -> tuple[str, list[str]]:
    """Blank out every cue (longest first, no overlaps); return the form and the cues found."""
    found: list[str] = []
    for cue in cues:
        if cue not in form:  # most cues are absent: skip the regex (the commonest cost of reading)
            continue
        new = _cue_pattern(cue).sub(lambda m: "|" * len(m.group(0)), form)
        if new != form:
            found.append(cue)
            form = new
    return form, found


# Hiragana nouns whose last letter is a particle's: 「スマホのことが」 ends in が, not in とが.
_NOUNS_ENDING_IN_A_PARTICLE = frozenset(["こと", "ひと", "あと", "もと", "そと", "ほか"])


def _trim(fragment: str) -> str:
    """Strip particles left at the edges, but never eat the end of a word typed in hiragana."""
    prev = None
    s = fragment.strip()
    while s != prev:
        prev = s
        m = lx.PARTICLES.search(s)
        if m and m.start() == 0 and m.end() < len(s) and not _HIRAGANA.match(s[m.end()]):
            s = s[m.end():]
        elif m and m.start() == 0 and m.end() == len(s):
            s = ""
        found = list(lx.PARTICLES.finditer(s))
        last = found[-1] if found else None
        if last and last.end() > last.start() + 1 and s[last.start() - 1:last.start() + 1] in _NOUNS_ENDING_IN_A_PARTICLE:
            last = lx.PARTICLES.search(s, last.start() + 1)  # こと|が, not こ|とが
        if last and last.end() == len(s) and last.start() > 0:
            before = s[last.start() - 1]
            if not _HIRAGANA.match(before) or last.group(0) in lx.SAFE_TRAILING or (
                len(last.group(0)) > 1 and last.group(0) != "って"
            ):
                s = s[: last.start()]
        s = s.strip()
    return s


# How it stands, or how a figure or a problem came out: the other cue says which
# (「R6のスケジュールはどうなってる」 asks the schedule).
_WEAK_CUES = frozenset(["どう", "どうなって", "どうなってる", "どうなっている"])
# Asking why: 原因, 理由, なぜ (not なんでしょう, nor 何で, "by what", nor どうして as "how do I").
_WHY = re.compile(r"なぜ|(?<!な)なんで(?!す|しょ|し)|何故|原因|理由|\bwhy\b|\bwhat caused\b|\bhow come\b")
_CLAUSE = re.compile(r"[、,，。.!！?？]\s*|\s{2,}")


def _asked_last(form: str, cued: dict[str, list[str]]) -> str | None:
    """In a long message the question comes last: 「…が伸びないという課題の事業、担当課は？」 asks
    for the department, whatever the clauses before it say. The intent whose cue stands in the
    last clause wins; within one clause the intents' order decides (目標 loses to KPI words)."""
    if len(cued) < 2:
        return None
    clauses = [c for c in _CLAUSE.split(form) if c.strip()]
    if len(clauses) < 2:
        return None
    for clause in reversed(clauses):
        # Within the clause, the cue that comes last: 「…の予定だったと思うが評価は？」 asks for the grade.
        at = {name: max((m.start() for c in found for m in _cue_pattern(c).finditer(clause)), default=-1)
              for name, found in cued.items()}
        # A bare どう after a figure's word asks the figure: 「実績値は参考値に対してどうだった」.
        strong = {name for name, found in cued.items()
                  if any(c not in _WEAK_CUES and _cue_pattern(c).search(clause) for c in found)}
        if strong and at.get("project_status", -1) >= 0 and "project_status" not in strong:
            at["project_status"] = -1
        best = max(at, key=lambda name: at[name])
        if at[best] >= 0:
            return best
    return None


@dataclass
class _Message:
    """A message as the passes of :func:`read` leave it: ``form`` loses each thing read to "|"."""

    text: str
    cue_form: str  # the whole message folded, hiragana kept: what cue patterns are matched against
    form: str  # what is still unread
    ids: list[str] = field(default_factory=list)
    policies: list[int] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)
    grade: object = NO_GRADE
    explicit: bool = False
    helped: list[str] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    intent: str | None = None
    kpi_nouns: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    glossary: list[str] = field(default_factory=list)
    question: QuestionType = field(default_factory=QuestionType)
    demonstrative: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)
    core: str = ""


def _blank(pattern: re.Pattern[str], form: str) -> str:
    return pattern.sub(lambda m: "|" * len(m.group(0)), form)


def _read_ids(m: _Message) -> _Message:
    """Project ids before approach ids: 「2-3-1」 holds 「2-3」."""
    for found in _PROJECT_ID.finditer(m.form):
        pid = "-".join(str(int(g)) for g in found.groups() if g is not None)
        if pid not in m.ids:
            m.ids.append(pid)
    m.form = _blank(_PROJECT_ID, m.form)
    m.policies = [int(found.group(1)) for found in _POLICY.finditer(m.form)]
    m.form = _blank(_POLICY, m.form)
    m.approaches = ["-".join(str(int(g)) for g in found.groups()) for found in _APPROACH_ID.finditer(m.form)]
    m.form = _blank(_APPROACH_ID, m.form)
    return m


def _read_grade(m: _Message) -> _Message:
    """「B評価」, else the words of a grade (遅れている): the first grade whose words are there."""
    before = m.form
    graded = _GRADE.search(m.form)
    if graded:
        m.grade = next(g for g in graded.groups() if g).upper()
        m.explicit = True
        m.form = m.form[: graded.start()] + "|" * (graded.end() - graded.start()) + m.form[graded.end():]
    else:
        # "who is behind that service", "early next year": a place or a time, not how a project went.
        plain = _NOT_A_GRADE.sub(lambda x: "\x00" * len(x.group(0)), m.form)
        for g, words in lx.GRADE_WORDS.items():
            form, found = _remove(plain, words)
            if found:
                m.grade = g
                m.form = "".join(o if f == "\x00" else f for o, f in zip(m.form, form, strict=True))  # unmask
                break
    if m.grade is not NO_GRADE and _grade_is_asked(before, m.form):
        m.grade, m.explicit, m.intent = NO_GRADE, False, "project_status"
    return m


# The grade as the predicate of a yes/no question (「…取り組みは、予定どおり進んだのか」「…事業、評価は
# Bだった？」 "is the telework project behind schedule?") asks how one thing went: it filters nothing.
_ASKED_TAIL = re.compile(r"\s*(?:に|で)?\s*(?:進ん|進め|実施(?:され|し|でき)?|終わっ|いっ|行っ|でき|なっ|だっ|でし|です|だ)?"
                         r"\s*(?:た|だ|て\s*(?:い)?る|てる|てい|ている|る|いる|ます|ました)?"
                         r"\s*(?:んですか|のですか|ですか|でしょうか|のか|かな|かね|っけ|か|の|ん)?\s*[?？]*\s*$"
                         r"|(?:\s+(?:last|this) (?:year|time)|\s+in (?:fy\s*)?\w+)?\s*[?？]\s*$")
_ASKS = re.compile(r"[?？]|(?:か|の|っけ|かな|かね)\s*$")
_LIST_ASKED = re.compile(r"どれ|どの|何|なに|なん|事業|もの|ある|一覧|\b(?:which|what|any|anything|projects|ones|list|how many)\b")


_SEVERAL_ASKED = re.compile(r"\b(?:which|what|any|anything|projects|list|how many)\b|一覧|何件|どれ|どの事業")
_BLANKS = re.compile(r"[|\s、,。?？!！]")


def _grade_is_asked(before: str, after: str) -> bool:
    """The grade read, blanked from ``before`` into ``after``, ends a yes/no question of one thing."""
    changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
    if not changed:
        return False
    tail = before[changed[-1] + 1:]
    named = _BLANKS.sub("", before[:changed[0]])  # 「遅れてる？」 alone asks which are
    return bool(len(named) >= 2 and _ASKED_TAIL.match(tail) and _ASKS.search(tail) and not _LIST_ASKED.search(tail)
                and not _SEVERAL_ASKED.search(before))


_KIND_OF_PROJECT = re.compile(r"(?:どういう|どんな|どのような)\s*(?:事業|取り?組み?|とりくみ)")
# 「…ってどういう事業」「それはどんな取り組み」 ask what a project is: those phrases are no definition.
_DEFINING_NOT_A_PROJECT = [p for p in lx.DEFINITION_PHRASES if not p.endswith((fold("どういう", kana=False), fold("どんな", kana=False)))]


def _read_asking_phrases(m: _Message) -> _Message:
    # Help phrases first: "何ができる" must not lose its 何 to the glossary cues.
    m.form, m.helped = _remove(m.form, lx.HELP)
    # "どういう意味" is not the status cue "どう"; 「…ってどういう事業」 asks what a project is, not a word.
    defining = lx.DEFINITION_PHRASES if not _KIND_OF_PROJECT.search(m.form) else _DEFINING_NOT_A_PROJECT
    m.form, m.defined = _remove(m.form, defining)
    # 「計画では何と表現」, 「いつでも申請できる」: words that hold a cue (計画, いつ) and ask nothing.
    m.form, _ = _remove(m.form, lx.NOT_ASKING)
    return m


def _read_intent(m: _Message) -> _Message:
    cued: dict[str, list[str]] = {}
    for name in lx.PROJECT_INTENTS:
        form, found = _remove(m.form, lx.PROJECT_CUES[name])
        if found:
            m.form = form
            m.intent = m.intent or name
            cued[name] = found
            m.kpi_nouns += [c for c in found if c in lx.KPI_NOUN_SET]
    if cued.get("project_overview") == ["about"] and len(cued) > 1:
        # "The one about …, what grade did it get?": "about" names the topic; the other cue asks.
        del cued["project_overview"]
        m.intent = next(iter(cued))
    m.intent = _asked_last(m.cue_form, cued) or m.intent
    if m.intent is None and m.grade is not NO_GRADE:
        m.intent = "project_status"  # "is the e-approval project on track?" asks how it stands
    if m.intent is None and _HOW_IT_WENT_EN.search(m.cue_form):
        m.intent = "project_status"  # "how did the cashless project go?", "… how it went"
    last = last_clause(m.cue_form)
    if m.intent in ("project_status", "project_schedule") and set(cued) <= {"project_status", "project_schedule"} and (
            _WHICH_PROJECT.search(last) or m.intent == "project_schedule" and _IS_THERE_A_PLAN.search(last)) and not (
            _WHEN.search(last)):
        # 「…したのって、どの事業の成果？」 asks which project it is; 「…講座をやる予定あるの？」 whether
        # there is one: what it is answers both, not how it went or its timetable.
        m.intent = "project_overview"
    if m.intent is not None and _WHAT_IS_IT.search(last):
        m.intent = None  # 「…人数が見られるサイトがあるって聞いたけど、それって何？」: the cues described it
    return m


# How something went, asked: only a project goes (a word does not).
_HOW_IT_WENT_EN = re.compile(r"\bhow\b[^?.!]{0,50}?\b(?:went|go|gone|turned out|come along|came along|coming along)\b(?! (?:to|about|through|online)\b)"
                             r"|\bhow (?:did|has) (?:it|they|that|the \w+(?: \w+)?) (?:do|fare|done|fared)\b")
_WHICH_PROJECT = re.compile(r"(?:どの|何の|なんの)\s*(?:事業|取り?組み?|とりくみ)|何番|なんばん|\bwhich (?:project|initiative)\b")
_WHEN = re.compile(r"何年度|なんねんど|いつ|\bwhen\b|\bwhat year\b")
_IS_THERE_A_PLAN = re.compile(r"(?:予定|計画)\s*(?:は|って|も|が)?\s*(?:ある|あり|入って|はいって)|(?:予定|計画)に\s*(?:入|はい)って")


# A part of a project asked with "what" (「ふなっぷの評価ってなに？」「…の目標って何？」): that part
# is asked, not what a word means; so is which project (「AI-OCRは何の事業？」, _WHICH_PROJECT).
PART_ASKED = re.compile(r"(?:評価|担当|進捗|状況|予定|目標|実績|スケジュール|kpi|指標|成果)(?:(?:は|って|とは)\s*(?:何|なに|なん)|\s*(?:何|なに))")


def _read_list_and_glossary(m: _Message) -> _Message:
    m.form, m.listed = _remove(m.form, lx.LIST_CUES)
    m.form, m.glossary = _remove(m.form, lx.GLOSSARY_CUES)
    if m.glossary and (m.intent is not None and PART_ASKED.search(m.cue_form) or _WHICH_PROJECT.search(m.cue_form)):
        m.glossary = []
    m.glossary += m.defined
    return m


# What the thing just described is, asked by pointing back at it: the clause that asks.
_WHAT_IS_IT = re.compile(r"(?:それ|あれ|これ)\s*(?:って|は|、)?\s*(?:何|なに|なん)(?!\s*[がを回人件])|\bwhat (?:is|was) (?:it|that|this)\b(?!\s+(?:for|in|now|at|by|as of)\b)")


def _read_question_type(m: _Message) -> _Message:
    # The last clause, when it holds the intent's own cue, says what kind of answer is wanted: in
    # 「回数が目標に届かなかった件。評価どうなった」 the count and 目標 describe; 評価 asks.
    clauses = [c for c in _CLAUSE.split(m.cue_form) if c.strip()]
    cues = [c for c in lx.PROJECT_CUES.get(m.intent or "", []) if c not in _WEAK_CUES]
    asked = clauses[-1] if len(clauses) >= 2 and (any(_cue_pattern(c).search(clauses[-1]) for c in cues)
                                                  or _WHAT_IS_IT.search(clauses[-1])) else None
    m.question = classify(m.cue_form, intent=m.intent, asked=asked)
    m.intent = m.question.intent or m.intent
    if m.intent is None and m.question.year is not None and done_that_year(clauses[-1] if clauses else m.cue_form):
        m.intent = "project_status"  # 「R4は何をやったことになってる」: how it went that year
    if m.intent in (None, "project_kpi", "project_overview") and _WHY.search(clauses[-1] if clauses else m.cue_form):
        # 「回数が目標に届かなかったのはなぜ」: the reason is the evaluation's comment, whatever figure it names.
        m.intent, m.question = "project_status", replace(m.question, kind="")
    measure = m.question.measure
    if measure and measure in m.form and m.form.replace(measure, "").strip("| "):
        # "ふなっぷのダウンロード数は？": the measure says what is counted, the rest what it is about.
        m.form = m.form.replace(measure, "|" * len(measure))
    return m


def _read_leftovers(m: _Message) -> _Message:
    """A trailing 「って」, demonstratives (a follow-up) and filler: words that name no topic."""
    if lx.TRAILING_TTE.search(m.form):
        m.form = lx.TRAILING_TTE.sub("|", m.form)
        m.glossary.append("って")
    m.form, m.demonstrative = _remove(m.form, lx.DEMONSTRATIVES)
    m.form, _ = _remove(m.form, lx.FILLER)
    return m


def _read_topic(m: _Message) -> _Message:
    """What is left between the blanks: fragments, the longest of which is the topic."""
    for piece in m.form.split("|"):
        words = list(_ASCII_WORDS.findall(piece))
        if words and not _CJK.search(piece):
            piece = " ".join(w for w in words if w not in lx.EN_STOPWORDS)
        piece = _trim(piece)
        if piece and normalize(piece):
            m.fragments.append(normalize(piece))
    m.core = max(m.fragments, key=len) if m.fragments else ""
    if not m.core and m.kpi_nouns and not m.ids:
        m.core = normalize(max(m.kpi_nouns, key=len))  # "公開数の目標": the KPI label is the topic
    return m


# Each pass blanks out what it read, so the order is the order of precedence: ids before the
# grade (「2-3-1」 is no grade), the grade before the intents (「評価」 of 「B評価」 asks nothing more),
# help and definition phrases before the intents and glossary cues whose words they hold, the
# intents before the list and glossary cues, and the topic last, from whatever nobody read.
_PASSES: tuple[Callable[[_Message], _Message], ...] = (
    _read_ids,
    _read_grade,
    _read_asking_phrases,
    _read_intent,
    _read_list_and_glossary,
    _read_question_type,
    _read_leftovers,
    _read_topic,
)


# With no cue, what a question asks of a project: what it is or whether there is one (「…対策は
# ありますか」「何に使うもの」 "is there …") is its overview; how it went (できるようになった, うまく
# いってる, did they ever) its status, as is everything else.
_WHAT_IT_IS = re.compile(r"ありますか|あるの|ある[?？]|あるんですか|ありませんか|ないもの|ないの(?:かな|でしょうか)|何に使う|なにに使う"
                         r"|(?:どんな|どういう|どのような)\s*(?:こと|もの|仕組み|しくみ|取り?組み?|とりくみ|事業|じぎょう)"
                         # Which project it is: what the project is tells it (「…はどの事業に入ってますか」).
                         r"|(?:どの|何の|なんの)\s*(?:事業|取り?組み?|とりくみ)|(?:事業|取り?組み?)(?:って|は)?\s*どれ|位置付け|位置づけ|中身|なかみ|ざっくり"
                         r"|\b(?:which|what) (?:project|initiative|program)\b"
                         # What the city does about it: 「…取り組み、何かしてるの？」「どんな備えをしてるの？」「どのアプリなら使えるの？」
                         r"|(?:何か|なにか|なんか)\s*(?:して|やって|対策)|どんな\s*(?:備え|対策|サービス)|どういう\s*サービス|どの\s*(?:アプリ|サービス|サイト)"
                         r"|\bis there\b|\bare there\b|\bwhat (?:is|does)\b|\bhow does\b|\bcan i\b|\bdo they\b"
                         # Whether the city means to do something (「…つもりは」 "is the city planning to") is what it does.
                         r"|(?:考え|かんがえ)\s*て\s*(?:い\s*)?る\s*の\s*(?:です|でしょう)|できる\s*の\s*(?:でしょうか|ですか)"
                         r"|\bis (?:the city|funabashi|anyone|someone|city hall) (?:planning|working on|going to|trying|thinking)\b"
                         r"|\bwhat is the city doing\b|\bcould i\b|\bcan (?:we|people|residents|you)\b(?! (?:please )?(?:tell|show|give|explain|let))"
                         r"|\bwhich \w+ (?:can|could|do|does|are)\b")
_HOW_IT_WENT = re.compile(r"なった|できた|終わ|済ん|うまく|進んだ|進んで|実現|始ま|その後"
                          r"|\bdid\b|\bhas\b(?! to\b)|\bhave\b(?! to\b)|\bdone\b|\byet\b|\bever\b|\bwent\b|\bturned out\b")


def asks_how_it_went(r: Reading) -> bool:
    return r.project_intent is None and bool(_HOW_IT_WENT.search(r.cue_form))


# Where a sentence ends: 。!? anywhere, a full stop only after a word ("Yahoo!くらし" aside).
_SENTENCE_END = re.compile(r"[。?？]\s*|" + SENTENCE_BANG + r"|(?<=[a-z0-9)])[.]\s+")


def last_sentence(text: str) -> str:
    """The sentence a message ends with, where a story ends by asking."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    return sentences[-1] if sentences else text


_ASKED_END = re.compile(r"[?？]")


def asking_sentence(text: str) -> str:
    """The sentence a message asks in: the last that ends in a question mark ("What's a satellite
    office? I saw the word in the plan."), else the last."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    starts = [0, *ends]
    asked = [text[a:b] for a, b in zip(starts, ends, strict=False) if _ASKED_END.search(text[a:b])]
    return _SENTENCE_END.sub("", asked[-1]) if asked else last_sentence(text)


def last_clause(text: str) -> str:
    """The clause a message ends with, where a long message asks its question."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    return clauses[-1] if clauses else text


def asked_intent(r: Reading) -> str:
    """The project intent asked: the cued one, else overview or status as :data:`_WHAT_IT_IS` says.
    How it went counts in the clause that asks what it is: 「…ができたって聞いたけど、あれはどういう
    取り組み？」 asks what it is, the story before told how it went."""
    if r.project_intent:
        return r.project_intent
    asked = list(_WHAT_IT_IS.finditer(r.cue_form))
    if not asked:
        return "project_status"
    starts = [m.end() for m in _CLAUSE.finditer(r.cue_form, 0, asked[-1].start())]
    clause = r.cue_form[starts[-1] if starts else 0:]
    return "project_status" if _HOW_IT_WENT.search(clause) else "project_overview"


# The last few messages each thread read: the steps after the first read the same message again
# (the question model's second look). Per thread and this few, so that it is the same answer's
# reading that is reused, not an earlier person's.
_RECENT = threading.local()
_RECENT_KEPT = 4


def read(message: str) -> Reading:
    recent: dict[str, Reading] | None = getattr(_RECENT, "readings", None)
    if recent is None:
        recent = _RECENT.readings = {}
    reading = recent.get(message)
    if reading is None:
        if len(recent) >= _RECENT_KEPT:
            recent.clear()
        reading = recent[message] = _read(message)
    return reading


def _read(message: str) -> Reading:
    text = clean(message)[:MAX_UNDERSTOOD]
    cue_form = fold(text, kana=False)
    m = _Message(text=text, cue_form=cue_form, form=cue_form)
    for read_pass in _PASSES:
        m = read_pass(m)
    return Reading(
        text=text,
        cue_form=cue_form,
        lang=detect_lang(text),
        project_ids=tuple(m.ids),
        approach_ids=tuple(m.approaches),
        policy_ids=tuple(m.policies),
        grade=m.grade,
        grade_explicit=m.explicit,
        project_intent=m.intent,
        glossary_cue=bool(m.glossary),
        list_cue=bool(m.listed),
        help_cue=bool(m.helped),
        followup=bool(m.demonstrative),
        core=m.core,
        fragments=tuple(m.fragments),
        question=m.question,
    )
