"""What kind of question it is, whatever it is about: the type decides, the topic only selects.

「オープンデータは今何件？」 asks for a figure although オープンデータ is also a glossary term;
「RPAの課題は？」 asks for the 課題 section; 「R6に何をする？」 asks for that year's schedule.
:func:`classify` reads these cues from the folded message; :mod:`handlers.understand` turns the
type into the project intent, and :mod:`handlers.focus` leads the answer with what was asked.
(Definitions — 「〜とは」「〜ってどういう意味？」 — are glossary cues, decided in
:mod:`handlers.resolve`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.lexicon import HOW_MANY_JA
from knowledge.meaning_words import starts_with_verb
from knowledge.records import reiwa_to_fiscal

# A figure: how many, how much, what rate. 率 after 効/能/統/引/軽 is not a rate (効率化).
# 何 and a counter: 何件, 何台, 何業務 (not 何年 or 何時, which ask when, nor 何故, 何事, nor 何番, an id, nor 何階, a place).
# 何 and a counter then も (何回も, 何時間も) is "many times", not a question.
_COUNTER = re.compile(r"何\s*((?:か|ヶ|カ)所|%|パーセント|時間|[\u3400-\u9fff]{1,2}+)(?!も)")
_NOT_COUNTERS = ("年", "月", "日", "時", "故", "処", "事", "者", "物", "等", "度目", "番", "階")  # 何階: a place
_QUANTITY = re.compile(
    r"何(?:件|人|名|回|時間|個|種類|%|パーセント|割|台|様式|手続)(?!も)|" + HOW_MANY_JA + r"|いくら|どれ(?:くらい|ぐらい|だけ)|どの(?:くらい|ぐらい|程度)"
    r"|(?<![効能統引軽])率(?!先)|割合|(?<=[\u3400-\u9fff\u30a1-\u30fc])(?<![複多少半関変無係手])数(?![字値料学])"
    r"|\bhow (?:many|much|far)\b|\bnumber of\b|\bpercentage\b|\bwhat percent|\bwhat ?%|\brate\b|\bfigures?\b"
)
_ISSUE = re.compile(
    r"課題|問題点|問題(?!なく|ない|な)|困りごと|困って|懸念|ネック|障壁|壁は"
    r"|\bproblems?\b|\bissues?\b|\bchallenges?\b|\bdifficult(?:y|ies)\b|\bobstacles?\b"
)
_CLAUSE_END = re.compile(r"[、,，。!！?？]")
_YEAR = re.compile(
    r"(?:令和|れいわ|(?<![a-z0-9])r)\s*(\d{1,2})\s*(?:年度|年|ねんど|ねん)?(?![0-9])"
    r"|(?:平成|へいせい|(?<![a-z0-9])h)\s*(\d{1,2})\s*(?:年度|年|ねんど|ねん)(?![0-9])"
    r"|(?<![0-9])(20[1-3]\d)\s*年度?(?![0-9]|\s*[0-9]+\s*月)|\bfy\s*(20[1-3]\d)\b"
    r"|\b(?:in|for|during|by|fiscal(?:\s+year)?)\s+(20[1-3]\d)(?![0-9])"
)
_FIRST_YEAR = re.compile(r"(令和|平成)\s*元\s*年")
# The year is what is asked when the question asks what will be done: 何をする, 予定, planned.
_PLANS = re.compile(
    r"何を|何する|なにを|なにする|予定|計画|やる|取り組|実施|行う|する|進める"
    r"|\bplan(?:s|ned)?\b|\bschedul|\bwill\b|\bgoing to\b|\bdo\b|\bdoes\b|\bhappen"
)
# What was done that year (「R4は何をやったことになってる」「令和4年度はどこまで実施された」): how it went, not the plan.
_DONE = re.compile(r"(?:やった|やれた|やってた|実施された|実施した|実施できた|行った|おこなった|進んだ|終わった)(?:ことに|の|ん|か|[?？]|$)")
# With a year, 目標 is that year's target figure (「RPAの令和6年度の目標は？」), not the 目標 section.
_TARGET = re.compile(r"目標|見込み|\btargets?\b|\bgoals? for\b|\bprojected\b")
# A measure named in the question (交付率, 利用者数), to find in a project's text.
# 「ポイント何％」: what a rate asked for is a rate of.
_RATE_OF = re.compile(r"([\u3400-\u9fff\u30a1-\u30fcA-Za-z]{2,12}?)(?:が|は|を|の)?\s*何\s*(?:％|%|パーセント|割)")
_KPI_WORD = re.compile(r"実績|目標|見込|参考値|達成|割合|kpi|指標|数値|全体|合計")
_MEASURE = re.compile(r"([\u3400-\u9fff\u30a1-\u30fcA-Za-z]{1,12}?(?:率|割合|件数|人数|回数|者数|時間数|時間|数))")


@dataclass(frozen=True)
class QuestionType:
    kind: str = ""  # "quantity" | "issue" | "schedule" | ""
    year: int | None = None  # fiscal year named ("R6" -> 2024)
    measure: str = ""  # the quantity named, folded (交付率)
    counter: str = ""  # what 何 counts (台 in 何台, 業務 in 何業務)
    rate_of: str = ""  # what a rate asked with no measure word is a rate of (ポイント in ポイント何％)

    @property
    def intent(self) -> str | None:
        return {"quantity": "project_kpi", "issue": "project_overview", "schedule": "project_schedule"}.get(self.kind)


def years_named(form: str) -> int:
    """How many years the message names (R4 and R5 in 「R4の実績とR5の目標」: 2)."""
    return len(_YEAR.findall(_FIRST_YEAR.sub(r"\g<1>1年", form)))


def asked_year(form: str) -> int | None:
    form = _FIRST_YEAR.sub(r"\g<1>1年", form)  # 令和元年 is 令和1年
    found = list(_YEAR.finditer(form))
    if not found:
        return None
    # 「R3が6,615時間なのは見たけど、令和2年度は？」: a year in the clause that asks, over one told before it.
    last = max((c.end() for c in _CLAUSE_END.finditer(form, 0, max(0, len(form.rstrip(" ?？。")) - 1))), default=0)
    asking = [y for y in found if y.start() >= last] if last else []
    m = asking[0] if asking and len(asking) < len(found) else found[0]
    if m.group(1):
        reiwa = int(m.group(1))
        return reiwa_to_fiscal(reiwa) if 1 <= reiwa <= 20 else None
    if m.group(2):  # Heisei 1 is 1989; its last year, 31, became Reiwa 1 (2019)
        heisei = int(m.group(2))
        return 1988 + heisei if 1 <= heisei <= 31 else None
    return int(next(g for g in m.groups()[2:] if g))


# "how many digits / kinds / types": the counter the plan writes after its figures (12桁, 3種類).
_EN_COUNTER = re.compile(r"how many (digits?|kinds?|types?|sorts?|forms?|letters?|characters?|items?|operations?|"
                         r"jobs?|procedures?|services?)\b")
_EN_COUNTERS = {"digit": "桁", "kind": "種類", "type": "種類", "sort": "種類", "form": "形態", "letter": "文字",
                "character": "文字", "item": "項目", "operation": "業務", "job": "業務", "procedure": "手続",
                "service": "サービス"}


# いくつ and what it counts (いくつの形態, いくつ種類): the counter 何 would have carried.
_IKUTSU = re.compile(r"いくつ\s*(?:の)?\s*([\u3400-\u9fff]{1,3})")


def _counter(form: str) -> str:
    en = _EN_COUNTER.search(form)
    if en:
        return _EN_COUNTERS[en.group(1).rstrip("s")]
    ikutsu = _IKUTSU.search(form)
    if ikutsu and not ikutsu.group(1).startswith(_NOT_COUNTERS):
        return ikutsu.group(1)
    m = _COUNTER.search(form)
    if not m or m.group(1).startswith(_NOT_COUNTERS) and not m.group(1).startswith("時間"):
        return ""
    if starts_with_verb(form[m.start(1):m.end(1) + 4]):  # 「何書いてあった」: what was written, no count
        return ""
    return m.group(1)


def done_that_year(clause: str) -> bool:
    """What was done (「何をやった」「どこまで実施された」), not what will be."""
    return bool(_DONE.search(clause))


def classify(form: str, *, intent: str | None, asked: str | None = None) -> QuestionType:
    """The type of a question from its folded form and the intent its cue words gave.

    An explicit department or KPI cue stays as it is; a year with "what will be done" makes a
    schedule question; a count or a rate makes a KPI question (over 「状況」 or 「概要」, which are
    what a bare topic defaults to); 課題 or "problem" makes an overview led by the 課題.
    ``asked``: the clause that asks (the last, holding the intent's cue); counts and problems
    only there change the type, the clauses before it describe.
    """
    year = asked_year(form)
    if intent in {"project_department"}:
        return QuestionType(year=year)
    asking = asked or form
    counter = _counter(asking)
    # A year's target with a count (「令和5年度の目標はいくら」) is a figure, whatever else is planned.
    # So is a year with "how many" (「R4に何時間削減した」, "how many hours … in FY2022 by having robots do …").
    target_figure = year is not None and (_QUANTITY.search(asking) or _TARGET.search(asking) and counter)
    if year is not None and intent in {None, "project_overview", "project_schedule"} and not target_figure and (
        intent == "project_schedule" or _PLANS.search(form)
    ) and not (intent != "project_schedule" and done_that_year(asking)):
        return QuestionType("schedule", year)
    quantity = _QUANTITY.search(asking) or counter or (year is not None and _TARGET.search(asking))
    # 「いくつにする予定」「いくつまで増やす計画」: a planned figure, not the schedule.
    planned_figure = intent == "project_schedule" and _QUANTITY.search(asking)
    if quantity and (intent in {None, "project_status", "project_overview", "project_kpi"} or planned_figure):
        m = _MEASURE.search(form)
        rate = _RATE_OF.search(form) if not m else None
        rate = rate if rate and not _KPI_WORD.search(rate.group(1)) else None
        return QuestionType("quantity", year, m.group(1) if m and not m.group(1).startswith("何") else "", counter,
                            rate.group(1) if rate else "")
    if _ISSUE.search(asking) and intent in {None, "project_status", "project_overview"}:
        return QuestionType("issue", year)
    return QuestionType(year=year)
