"""The list filters, one entry each: how a question asks for it, which projects it keeps, what is
missing when the plan cannot answer it, and its label in Japanese and English.

:data:`FILTERS` is read and applied in its order; a new filter is one more entry there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers import lexicon as lx
from handlers.compose import new_since_evaluation
from handlers.cue_words import has_content
from handlers.understand import Reading
from handlers.unheld import is_rate, project_text
from knowledge.aliases import reading
from knowledge.catalog import Catalog
from knowledge.meaning_words import en_words, ja_words
from knowledge.normalize import fold, hira_to_kata, normalize
from knowledge.records import GRADES, GRADES_EN, Project, fiscal_to_reiwa, reiwa_to_fiscal
from knowledge.search import Hit, key

ACCEPT = 75.0

MIN_KANA_CUE = 3  # letters: a shorter reading (すう, けん) is part of too many other words


def cues(*words: str) -> re.Pattern[str]:
    """One pattern for cue words, matching both the folded message and normalised fragments, and
    each word with kanji as it is typed in kana too (届かなかった, とどかなかった)."""
    typed = {fold(kana, kana=False) for w in words if not w.isascii() and (kana := reading(w)) and len(kana) >= MIN_KANA_CUE}
    forms = sorted({fold(w, kana=False) for w in words} | {normalize(w) for w in words if not w.isascii()} | typed,
                   key=len, reverse=True)
    parts = [rf"(?<![a-z]){re.escape(f)}(?![a-z])" if f.isascii() else re.escape(f) for f in forms]
    return re.compile("|".join(parts))


# KPI results, negatives first: 「達成していない」 contains 「達成し」.
_KPI_BELOW = cues(
    "未達", "未達成", "達成していない", "達成できていない", "達成できなかった", "達成しなかった", "達成されていない",
    "届いていない", "届かなかった", "届かない", "下回った", "下回って", "下回る", "目標割れ", "未到達",
    "未満", "満たない", "満たなかった", "less than 100", "under 100", "below 100",
    "missed", "miss", "below target", "below their target", "below its target", "below the target", "fell short",
    "short of", "did not meet", "didn't meet", "not met", "not meet", "under target", "behind target",
    "not achieved", "failed to meet", "did not reach", "didn't reach",
)
_KPI_ABOVE_WORDS = cues(
    "上回った", "上回って", "上回る", "超えた", "超えて", "超過", "超える", "exceeded", "exceed", "exceeds",
    "above target", "above their target", "above its target", "above the target", "beat", "surpassed", "outperformed",
    "over target",
)
# "above their FY2022 target", "came in above (not just equal to) their target": a year or an aside between
_KPI_ABOVE = re.compile(_KPI_ABOVE_WORDS.pattern + r"|\babove\b[^.?]{0,30}?\b(?:the|their|its)\b[^.?]{0,12}?\btargets?\b")
_KPI_AT = cues("目標どおり", "目標通り", "ちょうど", "exactly on target", "exactly met", "at target", "on target")
_KPI_MET = cues(
    "100%以上", "100%達成", "参考値以上", "目標以上", "見込み以上", "見込み値以上", "以上だった", "達成した", "達成している", "達成できた", "達成済", "達成", "クリア", "到達した", "届いた",
    "met", "meet", "achieved", "achieve", "reached", "hit their target", "hit the target", "hit target", "hit", "hits", "made their target",
)
_AT_OR_ABOVE = re.compile(r"同じか|同じ(?:また|もしく)は|と同じ|以上|\bor (?:above|more|higher|better)\b|\bat least\b")
# Without one of these, 「上回った」 or "beat" is not about a KPI target.
_KPI_CONTEXT = cues("目標", "参考値", "見込み値", "kpi", "指標", "実績", "target", "targets", "goal", "goals",
                     "indicator", "indicators", "reference value", "reference values", "expected value",
                     "expected values", "benchmark", "benchmarks", "kpis", "達成", "未達")
_NEW = cues(
    "設定年度", "に設定された", "で設定された", "に設定", "改定で加わった", "新しい事業", "新規事業", "新しく", "新しい", "新規", "新たに", "新設", "追加された", "追加", "加わった", "増えた",
    "r5新", "r5 新", "new", "newly", "added",
)
# A word that says "new" of anything (新しいものに替える, a new website) asks for the new projects only
# with projects or the plan's year near it: 新しく追加された事業, new projects, R5で追加.
_NEW_STRONG = cues("設定年度", "に設定された", "で設定された", "改定で加わった", "新しい事業", "新規事業", "新設", "r5新", "r5 新", "【r5")
_NEW_NEAR = re.compile(r"事業|取り組み|取組|とりくみ|projects?|initiatives?|令和\s*5|r\s*5|今年度|改定|this year|revision|in 2023")


def _asks_new(form: str) -> bool:
    if _NEW_STRONG.search(form):
        return True
    return any(_NEW_NEAR.search(form, max(0, m.start() - 20), m.end() + 9) and not _NEW_OTHER.match(form, m.end())
               for m in _NEW.finditer(form))


# "new" said of people or things that are not projects: new hires, new staff, 新しい職員, 新人.
_NEW_OTHER = re.compile(r"\s*(?:hires?|staff|employees?|recruits?|members?|users?|residents?|people|職員|採用|人)")


# An adverb between a table and its verb: 「そもそも設定されてない」「ちゃんと設定されてる」.
_ADVERB = r"(?:(?:そもそも|まだ|全く|まったく|一切|いっさい|特に|ちゃんと|きちんと|しっかり|もう|すでに|既に)\s*)?"
_NO_KPI = re.compile(
    r"(?:kpi|参考値|見込み値|指標|目標値)s?(?:\s*[（(][^）)]{0,12}[）)])?\s*(?:の\s*表)?\s*(?:の|が|は|も)?\s*" + _ADVERB +
    r"(?:ない|無い|なし|無し|未設定|設定(?:が|は)?(?:ない|無い|なし)|設定(?:さ|し)(?:れ)?て(?:い)?ない|設定(?:さ)?れない)"
    r"|(?:no|without(?:\s+an?)?|lacking|lack|(?:do not|don't|does not|doesn't) have(?:\s+an?|\s+any)?)\s+"
    r"(?:kpis?|targets?|indicators?|metrics?|reference values?)"
)
# One department alone, or several together (「単独で担当」「複数の課にまたがる」「共管」).
_SOLE = re.compile(r"単独|単体で|一つの(?:課|部署)だけ|1つの(?:課|部署)だけ|(?:だけ|のみ)で(?:担当|受け持|持っ|やっ|抱え|所管)|共管(?:の|のもの)?(?:は|を)?除"
                   r"|\b(?:on its own|alone|solely|by itself|single department|only one department)\b")
_SHARED = re.compile(r"複数の(?:課|部署|部局)|(?:課|部署|部局)に(?:また|跨)が|共同で|共管|合同で|一緒に担当|二つ以上の(?:課|部署)|2つ以上の(?:課|部署)"
                     # 「担当部署が2つ以上書いてある」「担当課が複数ある」
                     r"|(?:課|部署|部局)(?:が|は)\s*(?:2つ以上|二つ以上|ふたつ以上|2以上|複数)"
                     r"|\b(?:several|multiple|more than one|two or more) (?:departments?|divisions?|sections?|teams?)\b|\bjointly\b"
                     r"|\bshared (?:by|between|among)\b")
_OWNERS_TOO = re.compile(r"(?:共管|共同|複数|単独)[^。）)]{0,8}?(?:も含|含め|もふく)|\bincluding (?:shared|joint)"
                         # either way: 「単独または共管で」 "alone or jointly"
                         r"|単独(?:または|又は|もしくは|か|・|や|と)共管|共管(?:または|又は|もしくは|か|・|や|と)単独"
                         r"|\b(?:alone|solely|on (?:its|our) own) or (?:jointly|shared|with others)\b")
# Their words, blanked out before a topic is looked for (「部署」 may have gone as a cue already).
_OWNERS_WORDS = re.compile(r"単独|複数|共同|合同|共管|一緒|\bshared\b|\bjointly\b|\bsolely\b|\bmore than one\b|\btwo or more\b")
_HAS_KPI = re.compile(
    r"(?:kpi|参考値|見込み値|指標|目標値)s?\s*(?:の\s*表)?\s*(?:\([^()]{1,12}\))?\s*(?:の\s*(?:表|数字|数値))?\s*(?:を|が|の)?\s*" + _ADVERB +
    r"(?:設定|ある|あり|持つ|もつ|つい|付い|載っ|のっ)"
    r"|(?:with|have|has|having)\s+(?:an?\s+|their\s+own\s+)?(?:(?:table|set|list)s?\s+of\s+)?(?:[a-z-]+\s+){0,2}"
    r"(?:kpis?|reference (?:values?|targets?)|indicators?)(?![a-z])"
)
# 「コメントに「予算化した」って書いてある事業」「有識者に意見を求めた、と振り返りに書かれている」: a
# phrase the projects' texts say, quoted or before と; where, when said (the comments).
_WRITTEN = r"(?:書いて|書かれて|かいて|かかれて|記載されて|記載して|載って|のって)"
_WHERE = r"(?:(?:評価)?コメント|振り返り|ふりかえり|本文|計画)"
_SAYS = re.compile(_WHERE + r"?\s*(?:に|で|の中に|の中で|には|では)?\s*"
                   r"(?:[「『\"](?P<quoted>[^」』\"]{2,24})[」』\"]|(?P<word>[^\s、。,，「」『』]{2,16}?))\s*[、,]?\s*(?:と|って)\s*"
                   + _WHERE + r"?\s*(?:に|で|には)?\s*" + _WRITTEN + r"(?:ある|あり|いる|い|る)?"
                   r"(?!あっ|いた|た)")  # 「計画に…って書いてあった気がする」 tells what they remember reading
_SAYS_VERB = re.compile(_WRITTEN)  # checked first: most questions have none
_IN_COMMENTS = re.compile(r"コメント|振り返り|ふりかえり|評価の(?:文|中)")
_SAID_WHERE = re.compile(_WHERE)
_SAID_ENDING = re.compile(r"(?:しました|している|しています|された|される|した|する)$")
# A KPI table of a kind: targets revised since first set (「参考値を途中で下方修正した」), or given as a
# rate (「参考値を割合（％）で設定している」).
_KPI_WORD = r"(?:kpi|参考値|見込み値|目標値|目標|指標|targets?|reference values?)"
_KPI_REVISED = re.compile(_KPI_WORD + r"[^。？?]{0,12}?(?:下方修正|上方修正|修正|見直し|見直さ|引き下げ|引き上げ|下げ|変更)"
                          r"|(?:下方|上方)?修正(?:した|された|後の)\s*" + _KPI_WORD
                          + r"|\b(?:revised|lowered|raised|changed|adjusted)\b[^.?]{0,12}\b(?:targets?|kpis?)\b"
                          r"|\b(?:targets?|kpis?)\b[^.?]{0,12}\b(?:(?:were|was|been|got)\s+)?(?:revised|lowered|raised|changed|adjusted)\b")
_KPI_RATE = re.compile(_KPI_WORD + r"[^。？?]{0,8}?(?:割合|率|[%％]|パーセント)\s*(?:[（(][^）)]{0,4}[）)])?\s*(?:で|に|として)"
                       r"|(?:割合|[%％]|パーセント)\s*(?:[（(][^）)]{0,4}[）)])?\s*(?:で|の)\s*" + _KPI_WORD
                       + r"|\b(?:targets?|kpis?)\b[^.?]{0,20}\b(?:as|in) (?:a )?(?:percentages?|percent|rates?)\b")
_PROJECTS_WORD = re.compile(r"事業|じぎょう|取り?組み?|とりくみ|\bprojects?\b|\binitiatives?\b")
_KPI_LOWERED = re.compile(r"下方|引き下げ|下げ|\blowered\b")
_KPI_RAISED = re.compile(r"上方|引き上げ|\braised\b")
# 「新しい取り組み」: items marked 【R5 新】 in a project's schedule, not only projects set that year.
_NEW_ITEMS = cues("取り組み", "取組", "とりくみ", "スケジュール", "新】", "initiative", "initiatives", "activities",
                   "activity", "schedule items", "items")
_NO_EVAL = cues("評価されていない", "評価がまだ", "まだ評価", "評価のない", "評価がない", "評価なし", "未評価",
                 "評価が付いていない", "評価がついていない", "評価が付いてない", "評価がついてない", "評価されてない",
                 "評価が出ていない", "評価が出てない", "評価が無い", "評価がされていない", "評価を受けていない",
                 "not been evaluated", "no grade yet", "not been graded", "hasn't been graded", "haven't been graded",
                 "not evaluated", "not yet evaluated", "no evaluation", "without an evaluation", "without a grade",
                 "no grade", "ungraded", "not graded")
_GROUPS = {
    "department": cues("部署ごと", "部署毎", "部署別", "課ごと", "課毎", "課別", "担当課ごと", "担当部署ごと", "所管課ごと",
                        "各部署", "各課", "各担当課", "事業が一番多い部署", "事業が最も多い部署", "一番多い部署", "最も多い部署",
                        "一番多い課", "最も多い課", "the most projects", "most projects", "fewest projects",
                        "per department", "each department", "by department", "every department", "per division",
                        "each division", "by division"),
    "policy": cues("基本方針ごと", "方針ごと", "基本方針別", "方針別", "各基本方針", "各方針", "per policy", "each policy", "by policy"),
    "grade": cues("評価ごと", "評価別", "評価毎", "per grade", "each grade", "by grade"),
}
_COUNT = cues("何件", "いくつ", "件数", "何個", "何事業", "事業数", "数は", "how many", "number of", "count")
_MORE_POLICIES = re.compile(
    r"(?:基本方針|方針|polic(?:y|ies))\s*\d{1,2}(?:\s*(?:と|、|・|,|及び|および|and|or|か|&)\s*(?:基本方針|方針|policy)?\s*\d{1,2}(?![\d-]))+")
_GRADE_PAIR = re.compile(r"(?<![a-z])([a-d])\s*(?:評価|判定)?\s*(?:と|か|や|・|、|,|/|又は|または|もしくは|及び|および|ないし|or|and|&)\s*([a-d])(?![a-z])")
_NEGATION_AFTER = re.compile(r"\s*(?:評価|判定)?\s*(?:い)?(?:ない|ません|以外|を除く|じゃない|ではない)"
                             r"|\s*(?:に|と)\s*(?:なって\s*(?:い)?ない|なってません|ならない|なっていません)")
_NEGATION_BEFORE = re.compile(r"(?:not|other than|except(?: for)?|excluding)\s+(?:graded\s+|rated\s+|an?\s+)?$")
_EXCEPT_AFTER = re.compile(r"\s*(?:以外|を除く|を除いた|を除き|じゃない|でない|ではない)"
                           r"|\s*(?:が|は|の)?[^、。,.?？]{0,10}?(?:入っていない|入ってない|含まれていない|含まれてない|含まれない"
                           r"|関わっていない|関わってない|担当していない|担当してない|担当でない|担当ではない|ない事業)")
_EXCEPT_BEFORE = re.compile(r"(?:other than|except(?: for)?|not (?:owned |run )?by|excluding|besides|without|not involving"
                            r"|(?:do|does|did|are|is)(?: not|n't) (?:involve|include|have|list)(?: any)?)\s*(?:the\s+)?$")
_YEAR = re.compile(r"(?:令和|r)\s*([1-9])\s*(?:年度|年)?(?![0-9])|(20[1-4][0-9])\s*年度?|fy\s*(20[1-4][0-9])")


@dataclass
class Filters:
    en: bool
    policies: list[int] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    not_departments: list[str] = field(default_factory=list)
    grade: object = None
    grades: tuple[str, ...] = ()  # "AかB評価": either
    grade_negated: bool = False  # "遅れていない", "C評価以外"
    grade_said: tuple[str, ...] = ()  # the grade's words the message holds ("behind"), not "C評価"
    has_grade: bool = False
    kpi: str | None = None  # "below" | "met" | "above" | "at"
    year: int | None = None
    new: bool = False
    no_kpi: bool = False
    has_kpi: bool = False
    owners: str | None = None  # "sole" | "shared": one department alone, or several
    new_items: bool = False
    no_eval: bool = False
    group_by: str | None = None
    count: bool = False
    show: str | None = None
    topic: str = ""
    consumed: list[str] = field(default_factory=list)  # surfaces read as filters, not topic
    with_reposts: bool = False  # the approach named by a word as a kind (「セキュリティ関係」): its reposts elsewhere too
    says: str = ""  # a phrase the projects' texts say (「予算化」と書いてある)
    says_quoted: bool = False  # … as quoted: those very words
    says_in_comments: bool = False  # … in their evaluation comments (コメントに, 振り返りに)
    kpi_shape: str | None = None  # "revised" | "lowered" | "raised" | "rate": KPI targets changed, or a rate

    @property
    def any(self) -> bool:
        return bool(self.policies or self.approaches or self.departments or self.not_departments or self.has_grade or self.kpi
                    or self.new or self.no_kpi or self.has_kpi or self.no_eval or self.group_by or self.owners or self.says
                    or self.kpi_shape)


def years_in(form: str) -> list[int]:
    """Fiscal years a message names (R4, 令和4年度, 2022年度, FY2022)."""
    out = []
    for m in _YEAR.finditer(form):
        if m.group(1):
            out.append(reiwa_to_fiscal(int(m.group(1))))
        else:
            out.append(int(m.group(2) or m.group(3)))
    return out



def _grade_negated(form: str, grade: str) -> bool:
    """「遅れていない」「C評価以外」 "not behind": the grade is excluded, not wanted."""
    words = [w for w in lx.GRADE_WORDS.get(grade, []) if w in form]
    spots = [(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), form)]
    spots += [(m.start(), m.end()) for m in re.finditer(rf"(?<![a-z]){grade.lower()}(?![a-z])", form)]
    return any(_NEGATION_AFTER.match(form, end) or _NEGATION_BEFORE.search(form[:start]) for start, end in spots)



def kpi_result(p: Project, year: int) -> str | None:
    """How a project's R-year actuals compare with its targets: below / at / above, None without data."""
    pairs = []
    for ind in p.indicators:
        t, a = ind.value(year, "target"), ind.value(year, "actual")
        if t is not None and a is not None and t.value is not None and a.value is not None:
            pairs.append((a.value, t.value))
    if not pairs:
        return None
    if any(a < t for a, t in pairs):
        return "below"
    if any(a > t for a, t in pairs):
        return "above"
    return "at"


def actual_years(catalog: Catalog) -> list[int]:
    return sorted({v.fiscal_year for p in catalog.projects.values() for i in p.indicators for v in i.values
                   if v.kind == "actual" and v.value is not None})



def _id_key(pid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", pid))


# ---------------------------------------------------------------------------- the table


# Projects asked for in the plural, in words the intents read first (どんな事業 is also "what kind
# of project is 1-1-1"): 「テレワークの推進にはどんな事業がある？」「事業いくつあるの」「何本ぶら下がってる」.
PROJECTS_ASKED = re.compile(r"どんな事業が|事業が(?:ある|あり|入|含)|事業(?:は|が|って)?(?:いくつ|何件|何個|何本)|何本")


@dataclass(frozen=True)
class Asked:
    """A question as the filters read it."""

    r: Reading
    form: str  # folded, hiragana kept
    by_kind: dict[str, list[Hit]]
    project_score: float
    group_by: str | None  # "部署ごと": read first, as it makes a question a list question

    @property
    def list_cue(self) -> bool:
        return self.r.list_cue or self.group_by is not None or bool(PROJECTS_ASKED.search(self.form))

    @property
    def named_project(self) -> bool:
        return self.project_score >= ACCEPT

    @property
    def names_an_item(self) -> bool:
        """A project or term named anywhere in the message ("How many hours did RPA save …"), however
        little of a long message its name covers."""
        return self.named_project or any(h.how in ("exact", "mention") for kind in ("project", "glossary")
                                         for h in self.by_kind.get(kind, []))


def group_asked(form: str) -> str | None:
    """"department" | "policy" | "grade" when the question asks for counts per group."""
    return next((name for name, pattern in _GROUPS.items() if pattern.search(form)), None)


@dataclass
class Plan:
    """What applying the filters needs: the plan, the answer's language, how a topic selects projects."""

    catalog: Catalog
    en: bool
    projects_of_topic: Callable[[str], set[str]]
    kpi_year: int | None = None  # set by the KPI filter: the year whose actuals were compared


@dataclass(frozen=True)
class Step:
    """What one filter does to the list: the projects it keeps and its label, notes said after the
    list, or ``missing``: what it names that the plan does not have (no list then)."""

    keep: Callable[[Project], bool] | None = None
    label: str = ""
    notes: tuple[str, ...] = ()
    missing: str = ""
    unused: str = ""  # words read as a topic that narrowed nothing


class ListFilter:
    """One filter. ``read`` sets its fields from the question, ``asked`` says whether it applies,
    ``step`` narrows the projects kept so far."""

    def read(self, q: Asked, f: Filters) -> None:
        pass

    def asked(self, f: Filters) -> bool:
        return False

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        return Step()


class PolicyFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        f.policies = list(q.r.policy_ids)
        for m in _MORE_POLICIES.finditer(q.form):  # "基本方針1と2", "policies 2 and 3"
            f.policies += [int(n) for n in re.findall(r"\d+", m.group(0))]
        f.policies = list(dict.fromkeys(f.policies))

    def asked(self, f: Filters) -> bool:
        return bool(f.policies)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        en, catalog = plan.en, plan.catalog
        bad = [pid for pid in f.policies if pid not in catalog.policies]
        if bad:
            return Step(missing=f"policy {bad[0]}" if en else f"基本方針{bad[0]}")
        ids = sorted(set(f.policies))
        if len(ids) > 1:
            joined = " or ".join(map(str, ids)) if en else "・".join(map(str, ids))
            return Step(lambda p: p.policy_id in ids, f"under policy {joined}" if en else f"基本方針{joined}")
        pid = ids[0]
        title = (catalog.english_name("policy", str(pid)) if en else None) or catalog.policies[pid].title
        return Step(lambda p: p.policy_id == pid, f"under policy {pid} ({title})" if en else f"基本方針{pid}「{title}」")


class ApproachFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        f.approaches = list(q.r.approach_ids)

    def asked(self, f: Filters) -> bool:
        return bool(f.approaches)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        en, catalog, aid = plan.en, plan.catalog, f.approaches[0]
        if aid not in catalog.approaches:
            return Step(missing=f"approach {aid}" if en else f"アプローチ策 {aid}")
        title = (catalog.english_name("approach", aid) if en else None) or catalog.approaches[aid].title
        under = {p.id for p in catalog.projects.values() if p.approach_id == aid}
        # 「セキュリティ関係の事業」: 5-1-2 is 4-1-1 listed again under staff training, and about security too.
        reposts = {p.id for p in catalog.projects.values() if p.repost_of in under} if f.with_reposts else set()
        label = f"under approach {aid} ({title})" if en else f"アプローチ策 {aid}「{title}」"
        if reposts:
            label += " and their reposts elsewhere" if en else "（他の施策での再掲を含む）"
        return Step(lambda p: p.id in under or p.id in reposts, label)


def _department_names(catalog: Catalog, departments: list[str], en: bool) -> list[str]:
    names = []
    for d in departments:
        en_name = catalog.english_name("department", d)
        names.append(f"{en_name} ({d})" if en and en_name else d)
    return names


def named_at(form: str, via: str) -> int:
    """Where a name found in the message stands in its folded form, whatever the kana script of the
    alias it was found by (でじ推 typed デジ推); -1 when not there."""
    return hira_to_kata(form).find(hira_to_kata(fold(via, kana=False)))


# 「人事課が関わっている事業はどれ」: the department named as what the projects are related to, not
# who is asking (「社会教育課です。…」).
_RELATED = re.compile(r"\s*(?:が|の|で|も)?\s*(?:関わ|かかわ|関与|担当|所管|持っ|もっ|入っ|はいっ|絡|からん|関係|携わ|たずさわ)")


def department_related(form: str, via: str) -> bool:
    """Whether the department found by ``via`` is named as what the projects relate to."""
    at = named_at(form, via)
    return at >= 0 and bool(_RELATED.match(form, at + len(fold(via, kana=False))))


class DepartmentFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        """Departments named, wanted or excluded (both read here, in the order they are named)."""
        for hit in q.by_kind.get("department", []):
            if hit.how in ("exact", "mention") and (q.list_cue or not q.named_project or hit.score >= 90):
                at = named_at(q.form, hit.via)
                after, before = q.form[at + len(hit.via):] if at >= 0 else "", q.form[:at] if at >= 0 else ""
                if _EXCEPT_AFTER.match(after) or _EXCEPT_BEFORE.search(before):
                    f.not_departments.append(hit.id)  # "デジタル行政推進課以外", "other than the Taxation Division"
                else:
                    f.departments.append(hit.id)
                f.consumed.append(hit.via)

    def asked(self, f: Filters) -> bool:
        return bool(f.departments)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        depts = list(dict.fromkeys(f.departments))
        names = _department_names(plan.catalog, depts, plan.en)
        joined = (" or ".join(names)) if plan.en else "・".join(names)
        wanted = set(depts)
        return Step(lambda p: not wanted.isdisjoint(p.departments), f"owned by {joined}" if plan.en else f"{joined}が担当する")


class NotDepartmentFilter(ListFilter):
    # Read by DepartmentFilter: one pass over the departments named.

    def asked(self, f: Filters) -> bool:
        return bool(f.not_departments)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        excluded = set(f.not_departments)
        names = _department_names(plan.catalog, f.not_departments, plan.en)
        return Step(lambda p: excluded.isdisjoint(p.departments),
                    f"not involving {' or '.join(names)}" if plan.en else f"{'・'.join(names)}が関わらない")


class GradeFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        r = q.r
        if not r.has_grade:
            return
        f.has_grade, f.grade = True, r.grade
        if not r.grade_explicit:
            f.grade_said = tuple(w for w in lx.GRADE_WORDS.get(str(r.grade), []) if w in q.form)
        f.no_eval = r.grade is None
        pair = _GRADE_PAIR.search(q.form)
        if pair and isinstance(r.grade, str) and r.grade.lower() in pair.groups():
            f.grades = tuple(sorted({g.upper() for g in pair.groups()}))
        f.grade_negated = isinstance(r.grade, str) and _grade_negated(q.form, r.grade)

    def asked(self, f: Filters) -> bool:
        return f.has_grade and f.grade is not None

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        en = plan.en
        titles = _chosen_titles(plan.catalog, f) if f.grade_said and f.topic else []
        if any(w in fold(t, kana=False) and _is_title(f"{f.topic} {w}", titles) for w in f.grade_said for t in titles):
            f.topic = ""  # "policy 3, the 'no one left behind' one": the title with its word, not grade C
            return Step()
        wanted_grades = set(f.grades or (str(f.grade),))
        names = [f"{g} ({GRADES_EN[g]})" if en else f"{g}評価（{GRADES[g]}）" for g in sorted(wanted_grades)]
        if f.grade_negated:
            return Step(lambda p: (e := p.latest_evaluation()) is not None and e.grade is not None
                        and e.grade not in wanted_grades,
                        f"not graded {' or '.join(names)}" if en else f"{'・'.join(names)}以外の")
        return Step(lambda p: (e := p.latest_evaluation()) is not None and e.grade in wanted_grades,
                    f"graded {' or '.join(names)}" if en else "・".join(names))


class NoEvaluationFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        if _NO_EVAL.search(q.form) and not f.has_grade:
            f.has_grade, f.grade, f.no_eval = True, None, True

    def asked(self, f: Filters) -> bool:
        return f.has_grade and f.grade is None

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        def keep(p: Project) -> bool:
            return (e := p.latest_evaluation()) is None or e.grade is None

        notes = []
        for p in filter(keep, projects):
            if new_since_evaluation(p, p.latest_evaluation()):
                ry = fiscal_to_reiwa(p.set_year or 0)
                notes.append(f"{p.id} is new in R{ry}: its first evaluation is due for R{ry}." if plan.en
                             else f"{p.id} は令和{ry}年度に新たに加わった事業で、最初の評価は令和{ry}年度分です。")
        return Step(keep, "with no grade yet" if plan.en else "評価のない", tuple(notes))


class KpiResultFilter(ListFilter):
    """Actuals below / meeting / above / exactly at their targets, in the year asked or the latest."""

    WANTED = {"below": {"below"}, "met": {"at", "above"}, "above": {"above"}, "at": {"at"}}
    LABELS_EN = {"below": "R{ry} actual below its KPI target", "met": "R{ry} KPI target met",
                 "above": "R{ry} actual above its KPI target", "at": "R{ry} actual exactly at its KPI target"}
    LABELS_JA = {"below": "令和{ry}年度の実績が目標（参考値）に届かなかった", "met": "令和{ry}年度の目標（参考値）を達成した",
                 "above": "令和{ry}年度の実績が目標（参考値）を上回った", "at": "令和{ry}年度の実績が目標（参考値）ちょうどの"}

    def read(self, q: Asked, f: Filters) -> None:
        form = q.form
        if _NO_KPI.search(form):
            return  # "KPIがない" asks for no KPI, not for a result
        kpi_form = _NO_KPI.sub(" ", form)
        if _KPI_CONTEXT.search(kpi_form):
            # 「達成したか上回った」「同じか上回った」: met or above is met (at the target counts).
            if not _KPI_BELOW.search(kpi_form) and _KPI_ABOVE.search(kpi_form) and (
                    _KPI_MET.search(kpi_form) or _KPI_AT.search(kpi_form) or _AT_OR_ABOVE.search(kpi_form)):
                f.kpi = "met"
                return
            for name, pattern in (("below", _KPI_BELOW), ("above", _KPI_ABOVE), ("at", _KPI_AT), ("met", _KPI_MET)):
                if pattern.search(kpi_form):
                    f.kpi = name
                    return
        if _KPI_BELOW.search(form) and re.search(r"missed|未達", form):
            f.kpi = "below"

    def asked(self, f: Filters) -> bool:
        return bool(f.kpi)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        en, catalog = plan.en, plan.catalog
        years = actual_years(catalog)
        year = f.year if f.year is not None else (years[-1] if years else None)
        if year is None or year not in years:
            have = ", ".join((f"R{fiscal_to_reiwa(y)}" if en else f"令和{fiscal_to_reiwa(y)}年度") for y in years)
            asked = f"R{fiscal_to_reiwa(year)}" if en and year else f"令和{fiscal_to_reiwa(year)}年度" if year else ""
            note = (f"It has KPI actuals for {have} only, so targets cannot be compared for that year."
                    if en else f"実績値は{have}の分だけのため、その年度は目標と比べられません。")
            return Step(notes=(note,), missing=f"KPI actuals for {asked}" if en else f"{asked}の実績値")
        ry, plan.kpi_year = fiscal_to_reiwa(year), year
        wanted = self.WANTED[str(f.kpi)]
        without = [p.id for p in catalog.projects.values() if kpi_result(p, year) is None]
        note = (f"{len(without)} projects have no KPI figures for R{ry} and are not counted."
                if en else f"令和{ry}年度の参考値と実績がない{len(without)}事業は対象外です。")
        label = (self.LABELS_EN if en else self.LABELS_JA)[str(f.kpi)].format(ry=ry)
        return Step(lambda p: kpi_result(p, year) in wanted, label, (note,))


class NewFilter(ListFilter):
    """Projects first set in the year asked (or the latest), or with schedule items new that year."""

    def read(self, q: Asked, f: Filters) -> None:
        f.new = _asks_new(q.form) and not f.kpi
        f.new_items = f.new and bool(_NEW_ITEMS.search(q.form))

    def asked(self, f: Filters) -> bool:
        return f.new

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        en, catalog = plan.en, plan.catalog
        set_years = sorted({p.set_year for p in catalog.projects.values() if p.set_year})
        year = f.year if f.year is not None else (set_years[-1] if set_years else None)
        ry = fiscal_to_reiwa(year) if year else 0
        with_items = {p.id for p in catalog.projects.values() if any(s.new_in == year for s in p.schedule)}
        if f.new_items:
            return Step(lambda p: p.set_year == year or p.id in with_items,
                        f"with work new in R{ry} (【R{ry} 新】)" if en else f"令和{ry}年度から新しい取り組み（【R{ry} 新】）がある")
        older = sorted((pid for pid in with_items if catalog.projects[pid].set_year != year), key=_id_key)
        notes = (f"Existing projects with schedule items new in R{ry} (【R{ry} 新】): {', '.join(older)}."
                 if en else f"既存の事業で【R{ry} 新】の取り組みがあるもの: {'、'.join(older)}",) if older else ()
        return Step(lambda p: p.set_year == year,
                    f"new in R{ry} (first set in R{ry})" if en else f"令和{ry}年度に新たに設定された", notes)


class NoKpiFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        f.no_kpi = bool(_NO_KPI.search(q.form))

    def asked(self, f: Filters) -> bool:
        return f.no_kpi

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        return Step(lambda p: not p.indicators, "with no KPI (reference values)" if plan.en else "参考値（KPI）のない")


class OwnersFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        if _OWNERS_TOO.search(q.form):  # 「共管も含む」: shared ones too, no filter
            return
        f.owners = "sole" if _SOLE.search(q.form) else "shared" if _SHARED.search(q.form) else None

    def asked(self, f: Filters) -> bool:
        return f.owners is not None

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        if f.owners == "sole":
            return Step(lambda p: len(p.departments) == 1, "owned by one department alone" if plan.en else "一つの課が単独で担当する")
        return Step(lambda p: len(p.departments) > 1, "shared by several departments" if plan.en else "複数の課が担当する")


class HasKpiFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        f.has_kpi = not f.no_kpi and bool(_HAS_KPI.search(q.form))

    def asked(self, f: Filters) -> bool:
        return f.has_kpi

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        return Step(lambda p: bool(p.indicators), "with a KPI (reference values)" if plan.en else "参考値（KPI）が設定されている")


class KpiShapeFilter(ListFilter):
    def read(self, q: Asked, f: Filters) -> None:
        if not _PROJECTS_WORD.search(q.form) or q.names_an_item:
            return  # 「アプリの目標って途中で下げたって聞いた」: one item's figure, not a kind of project
        if _KPI_REVISED.search(q.form):
            f.kpi_shape = ("lowered" if _KPI_LOWERED.search(q.form) else "raised" if _KPI_RAISED.search(q.form)
                           else "revised")
        elif _KPI_RATE.search(q.form):
            f.kpi_shape = "rate"

    def asked(self, f: Filters) -> bool:
        return f.kpi_shape is not None

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        if f.kpi_shape == "rate":
            return Step(lambda p: any(i.unit == "%" or is_rate(i.label) for i in p.indicators),
                        "whose KPI targets are rates (%)" if plan.en else "参考値（KPI）を割合（％）で設けている")
        lowered, raised = f.kpi_shape == "lowered", f.kpi_shape == "raised"

        def revised(p: Project) -> bool:
            changes = [(v.revised_from, v.value) for i in p.indicators for v in i.values
                       if v.revised_from is not None and v.value is not None]
            return any((not lowered or new < old) and (not raised or new > old) for old, new in changes)

        direction = ("lowered" if lowered else "raised" if raised else "revised") if plan.en else (
            "下方修正" if lowered else "上方修正" if raised else "修正")
        return Step(revised, f"whose KPI targets were {direction}" if plan.en else f"参考値（KPI）を{direction}した")


class SaysFilter(ListFilter):
    """The projects whose texts say a phrase: a staff member looking for the comment they remember."""

    def read(self, q: Asked, f: Filters) -> None:
        m = _SAYS.search(q.r.text) if _SAYS_VERB.search(q.r.text) else None
        if m is None or not _SAID_WHERE.search(m.group(0)):
            return  # 「広報に「…」って書いてあった」 tells where they read it: no filter without the plan's texts named
        phrase = _SAID_ENDING.sub("", (m.group("quoted") or m.group("word")).strip())
        if len(phrase) >= 2:
            f.says, f.says_in_comments = phrase, bool(_IN_COMMENTS.search(m.group(0)))
            f.says_quoted = m.group("quoted") is not None
            f.consumed.append(m.group(0))

    def asked(self, f: Filters) -> bool:
        return bool(f.says)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        said, words = key(f.says), [] if f.says_quoted else ja_words(f.says)

        def says(p: Project) -> bool:
            text = "\n".join(e.comment for e in p.evaluations) if f.says_in_comments else project_text(p)
            if said in key(text):
                return True
            # Retold, not quoted (有識者に意見を求めた of 「外部有識者にアドバイスを求めながら」): its words, all
            # but one of three or more.
            held = set(ja_words(text))
            return len(words) >= 2 and sum(w in held for w in words) >= len(words) - (len(words) >= 3)

        if plan.en:
            where = "whose evaluation comments" if f.says_in_comments else "whose texts"
            return Step(says, f"{where} {'say' if f.says_quoted else 'speak of'} \"{f.says}\"")
        where = "評価コメント" if f.says_in_comments else "本文"
        return Step(says, f"{where}に「{f.says}」とある" if f.says_quoted else f"{where}が「{f.says}」に触れている")


class TopicFilter(ListFilter):
    # Read by the list reader, and only for list questions: it is the costly part.

    def asked(self, f: Filters) -> bool:
        return bool(f.topic)

    def step(self, plan: Plan, f: Filters, projects: list[Project]) -> Step:
        if f.says:
            f.topic = ""  # what the texts say is the topic (「予算化までこぎつけた」 beside it retells it)
            return Step()
        if not has_content(f.topic) or _names_the_group(plan.catalog, f, f.topic):
            f.topic = ""  # 「教えてほしいんだけど」: what is left of asking, not a topic to filter by
            return Step()
        approach = _approach_named(plan.catalog, f, f.topic)
        if approach is not None:  # "policy 5, the staff training one": its approach 5-1 (職員研修の充実)
            title = (plan.catalog.english_name("approach", approach) if plan.en else None) or plan.catalog.approaches[approach].title
            return Step(lambda p: p.approach_id == approach,
                        f"under approach {approach} ({title})" if plan.en else f"アプローチ策 {approach}「{title}」")
        topic_ids, t = plan.projects_of_topic(f.topic), f.topic
        if topic_ids:
            return Step(lambda p: p.id in topic_ids, f"about \"{t}\"" if plan.en else f"「{t}」に関する")
        return Step(notes=(unused_topic_note(t, en=plan.en),), unused=t)


def unused_topic_note(topic: str, *, en: bool) -> str:
    """What a list says of words it could not narrow by."""
    return (f"\"{topic}\" could not be used to narrow the list." if en
            else f"「{topic}」では絞り込めませんでした（この条件は使っていません）。")


STEM = 5  # letters of a word that say which word it is (digitalisation, digital)
TITLE_SHARE = 0.6  # of a topic's words in the chosen group's title: the topic is the title, said another way


def _chosen_titles(catalog: Catalog, f: Filters) -> list[str]:
    """The titles, in both languages, of the approaches, policies and departments a list has chosen
    ("the 'system owner divisions' (システム所管課)": its "system" is the department's, no topic)."""
    titles = [catalog.approaches[a].title for a in f.approaches if a in catalog.approaches]
    titles += [name for d in f.departments for name in (d, catalog.english_name("department", d) or "")]
    titles += [catalog.english_name("approach", a) or "" for a in f.approaches]
    titles += [catalog.policies[p].title for p in f.policies if p in catalog.policies]
    titles += [catalog.english_name("policy", str(p)) or "" for p in f.policies]
    return titles


def _approach_named(catalog: Catalog, f: Filters, topic: str) -> str | None:
    """The one approach of the chosen policy whose title the topic is, said another way."""
    if len(f.policies) != 1 or f.approaches:
        return None
    under = [a for a in catalog.approaches.values() if a.policy_id == f.policies[0]]
    named = [a.id for a in under if any(_is_title(topic, [t]) and _covers(topic, t)
                                        for t in (a.title, catalog.english_name("approach", a.id) or ""))]
    return named[0] if len(named) == 1 else None


def _covers(topic: str, title: str) -> bool:
    """The topic says most of the title (「AI」 is one word of 「AI 等の先進技術の活用」: a topic within it)."""
    said = {w[:STEM] for w in _words(topic)}
    words = [w[:STEM] for w in _words(title)]
    return bool(words) and sum(w in said for w in words) >= 0.5 * len(words)


def _words(text: str) -> tuple[str, ...]:
    return tuple(en_words(text) if text.isascii() else ja_words(text))


def _names_the_group(catalog: Catalog, f: Filters, topic: str) -> bool:
    """The topic is the title of the approach, policy or department already chosen, in other words
    or another language ("the digitalisation-of-service-counters approach" is 1-2, 窓口のデジタル化): no filter."""
    return _is_title(topic, _chosen_titles(catalog, f))


def _is_title(topic: str, titles: list[str]) -> bool:
    said = [w[:STEM] for t in titles for w in _words(t)]
    words = _words(topic)
    if not words or not said:
        return False
    # Most of it is the title, the rest how it is said (「…を掲げる基本方針5」, "the policy that aims at …").
    inside = sum(w[:STEM] in said for w in words)
    return inside == len(words) or inside >= 2 and inside >= TITLE_SHARE * len(words)


class GroupByFilter(ListFilter):
    """Counts per department, policy or grade: keeps every project, adds to the label."""

    WORDS = {"department": ("department", "部署"), "policy": ("policy", "基本方針"), "grade": ("grade", "評価")}

    def read(self, q: Asked, f: Filters) -> None:
        f.group_by = q.group_by

    def suffix(self, group_by: str, en: bool) -> str:
        by = self.WORDS[group_by]
        return f", counted by {by[0]}" if en else f"（{by[1]}ごとの件数）"


class CountFilter(ListFilter):
    """「何件」: the count comes first; keeps every project."""

    def read(self, q: Asked, f: Filters) -> None:
        f.count = bool(_COUNT.search(q.form))


class ShowFilter(ListFilter):
    """「C評価の事業の担当課は？」: what each line adds; keeps every project."""

    def read(self, q: Asked, f: Filters) -> None:
        if q.r.project_intent in ("project_department", "project_kpi"):
            f.show = q.r.project_intent


GROUP_BY = GroupByFilter()
# Applied in this order, which is the order of the label. Read in the same order: a filter may use
# what one before it read (no evaluation only without a grade, "new" only without a KPI result,
# "has a KPI" only without "no KPI").
FILTERS: tuple[ListFilter, ...] = (
    PolicyFilter(),
    ApproachFilter(),
    DepartmentFilter(),
    NotDepartmentFilter(),
    GradeFilter(),
    NoEvaluationFilter(),
    KpiResultFilter(),
    NewFilter(),
    NoKpiFilter(),
    HasKpiFilter(),
    OwnersFilter(),
    KpiShapeFilter(),
    SaysFilter(),
    TopicFilter(),
    GROUP_BY,
    CountFilter(),
    ShowFilter(),
)
# Cue words a list reader blanks out before looking for a topic, in this order.
FILTER_CUES = (_KPI_REVISED, _KPI_RATE, _KPI_BELOW, _KPI_ABOVE, _KPI_AT, _KPI_MET, _KPI_CONTEXT, _NEW, _NEW_ITEMS, _NO_KPI, _HAS_KPI,
               _NO_EVAL, _COUNT, _SOLE, _SHARED, _OWNERS_WORDS, _AT_OR_ABOVE)
YEAR = _YEAR
GROUP_CUES = tuple(_GROUPS.values())
