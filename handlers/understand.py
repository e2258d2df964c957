"""Read a message: ids, filters and cue words out; what is left is the topic ("core")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from handlers import lexicon as lx
from handlers.answer import Lang
from handlers.question_type import QuestionType, classify
from knowledge.normalize import clean, fold, normalize

MAX_UNDERSTOOD = 500  # characters read for understanding; the rest of a long message is ignored

_PROJECT_ID = re.compile(r"(?<!\d)(?<!\d\.)(\d{1,3})\s*[-.]\s*(\d{1,3})\s*[-.]\s*(\d{1,3})(?!\d)")
_APPROACH_ID = re.compile(r"(?<![\d.\-])(\d{1,2})-(\d{1,2})(?![\d\-])")
_POLICY = re.compile(r"(?:基本方針|方針|policy|ポリシー)\s*(?:no\.?\s*)?(\d{1,2})")
_GRADE = re.compile(
    r"(?<![a-z])([a-d])\s*(?:評価|判定|ランク|grade)"
    r"|(?:評価|判定)\s*(?:が|は|=|:)?\s*([a-d])(?![a-z])"
    r"|grade[ds]?\s*(?:of\s*|is\s*|=\s*|:\s*)?([a-d])(?![a-z])"
    r"|【\s*([a-d])\s*】"
    # English: "rated A", "got a C", "B-rated", "with an A", "a rating of D".
    r"|(?:rated|got|received|earned|scored|given|rating)\s+(?:of\s+|as\s+)?(?:an?\s+)?([a-d])(?![a-z'])"
    r"|(?<![a-z])([a-d])\s*-?\s*rated"
    r"|with\s+an?\s+([a-d])(?![a-z'])"
)
_ASCII_WORDS = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
NO_GRADE = object()  # Reading.grade when the question names no grade filter


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


def detect_lang(text: str) -> Lang:
    """English when the message has no Japanese and uses at least one English word we know.

    Japanese is the default: "RPA" or "LGWAN?" alone, or a key-mash like "qwertyuiop", say
    nothing about the reader's language.
    """
    if _CJK.search(text):
        return "ja"
    words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
    return "en" if words & _EN_MARKERS else "ja"




@cache
def _cue_pattern(cue: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(cue)}(?![a-z0-9])" if cue.isascii() else re.escape(cue))


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
        if last and last.end() == len(s) and last.start() > 0:
            before = s[last.start() - 1]
            if not _HIRAGANA.match(before) or last.group(0) in lx.SAFE_TRAILING or (
                len(last.group(0)) > 1 and last.group(0) != "って"
            ):
                s = s[: last.start()]
        s = s.strip()
    return s


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
        best = max(at, key=lambda name: at[name])
        if at[best] >= 0:
            return best
    return None


def read(message: str) -> Reading:
    text = clean(message)[:MAX_UNDERSTOOD]
    form = fold(text, kana=False)
    lang = detect_lang(text)

    ids = []
    for m in _PROJECT_ID.finditer(form):
        pid = "-".join(str(int(g)) for g in m.groups())
        if pid not in ids:
            ids.append(pid)
    form = _PROJECT_ID.sub(lambda m: "|" * len(m.group(0)), form)
    policies = [int(m.group(1)) for m in _POLICY.finditer(form)]
    form = _POLICY.sub(lambda m: "|" * len(m.group(0)), form)
    approaches = ["-".join(str(int(g)) for g in m.groups()) for m in _APPROACH_ID.finditer(form)]
    form = _APPROACH_ID.sub(lambda m: "|" * len(m.group(0)), form)

    grade: object = NO_GRADE
    explicit = False
    graded = _GRADE.search(form)
    if graded:
        grade = next(g for g in graded.groups() if g).upper()
        explicit = True
        form = form[: graded.start()] + "|" * (graded.end() - graded.start()) + form[graded.end():]
    else:
        for g, words in lx.GRADE_WORDS.items():
            form2, found = _remove(form, words)
            if found:
                grade, form = g, form2
                break

    # Help phrases first: "何ができる" must not lose its 何 to the glossary cues.
    form, helped = _remove(form, lx.HELP)
    form, defined = _remove(form, lx.DEFINITION_PHRASES)  # "どういう意味" is not the status cue "どう"
    # 「計画では何と表現」, 「いつでも申請できる」: words that hold a cue (計画, いつ) and ask nothing.
    form, _ = _remove(form, lx.NOT_ASKING)
    intent = None
    kpi_nouns: list[str] = []
    cued: dict[str, list[str]] = {}
    for name in lx.PROJECT_INTENTS:
        form2, found = _remove(form, lx.PROJECT_CUES[name])
        if found:
            form = form2
            intent = intent or name
            cued[name] = found
            kpi_nouns += [c for c in found if c in lx.KPI_NOUN_SET]
    intent = _asked_last(fold(text, kana=False), cued) or intent
    if intent is None and grade is not NO_GRADE:
        intent = "project_status"  # "is the e-approval project on track?" asks how it stands
    form, listed = _remove(form, lx.LIST_CUES)
    form, glossary = _remove(form, lx.GLOSSARY_CUES)
    glossary += defined
    question = classify(fold(text, kana=False), intent=intent)
    intent = question.intent or intent
    if question.measure and question.measure in form and form.replace(question.measure, "").strip("| "):
        # "ふなっぷのダウンロード数は？": the measure says what is counted, the rest what it is about.
        form = form.replace(question.measure, "|" * len(question.measure))
    if lx.TRAILING_TTE.search(form):
        form = lx.TRAILING_TTE.sub("|", form)
        glossary.append("って")
    form, demonstrative = _remove(form, lx.DEMONSTRATIVES)
    form, _ = _remove(form, lx.FILLER)

    fragments = []
    for piece in form.split("|"):
        words = list(_ASCII_WORDS.findall(piece))
        if words and not _CJK.search(piece):
            piece = " ".join(w for w in words if w not in lx.EN_STOPWORDS)
        piece = _trim(piece)
        if piece and normalize(piece):
            fragments.append(normalize(piece))
    core = max(fragments, key=len) if fragments else ""
    if not core and kpi_nouns and not ids:
        core = normalize(max(kpi_nouns, key=len))  # "公開数の目標": the KPI label is the topic
    return Reading(
        text=text,
        cue_form=fold(text, kana=False),
        lang=lang,
        project_ids=tuple(ids),
        approach_ids=tuple(approaches),
        policy_ids=tuple(policies),
        grade=grade,
        grade_explicit=explicit,
        project_intent=intent,
        glossary_cue=bool(glossary),
        list_cue=bool(listed),
        help_cue=bool(helped),
        followup=bool(demonstrative),
        core=core,
        fragments=tuple(fragments),
        question=question,
    )
