"""List questions: which filters a message asks for, and the projects that pass all of them.

Every filter found applies together (policy × approach × department × grade × KPI result × new ×
no KPI × topic); one that names something the plan does not have, or a year the plan has no
figures for, is reported rather than dropped, so a list is never wider than the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers import lexicon as lx
from handlers.compose import new_since_evaluation
from handlers.cue_words import has_content
from handlers.understand import Reading
from knowledge.catalog import Catalog
from knowledge.normalize import fold, hira_to_kata, normalize
from knowledge.records import GRADES, GRADES_EN, Project, fiscal_to_reiwa, reiwa_to_fiscal
from knowledge.search import Hit, key

ACCEPT = 75.0


def _cues(*words: str) -> re.Pattern[str]:
    """One pattern for cue words, matching both the folded message and normalised fragments."""
    forms = sorted({fold(w, kana=False) for w in words} | {normalize(w) for w in words if not w.isascii()},
                   key=len, reverse=True)
    parts = [rf"(?<![a-z]){re.escape(f)}(?![a-z])" if f.isascii() else re.escape(f) for f in forms]
    return re.compile("|".join(parts))


# KPI results, negatives first: 「達成していない」 contains 「達成し」.
_KPI_BELOW = _cues(
    "未達", "未達成", "達成していない", "達成できていない", "達成できなかった", "達成しなかった", "達成されていない",
    "届いていない", "届かなかった", "届かない", "下回った", "下回って", "下回る", "目標割れ", "未到達",
    "未満", "満たない", "満たなかった", "less than 100", "under 100", "below 100",
    "missed", "miss", "below target", "below their target", "below its target", "below the target", "fell short",
    "short of", "did not meet", "didn't meet", "not met", "not meet", "under target", "behind target",
    "not achieved", "failed to meet", "did not reach", "didn't reach",
)
_KPI_ABOVE = _cues(
    "上回った", "上回って", "上回る", "超えた", "超えて", "超過", "超える", "exceeded", "exceed", "exceeds",
    "above target", "above their target", "above its target", "above the target", "beat", "surpassed", "outperformed",
    "over target",
)
_KPI_AT = _cues("目標どおり", "目標通り", "ちょうど", "exactly on target", "exactly met", "at target", "on target")
_KPI_MET = _cues(
    "100%以上", "100%達成", "達成した", "達成している", "達成できた", "達成済", "達成", "クリア", "到達した", "届いた",
    "met", "meet", "achieved", "achieve", "reached", "hit their target", "hit the target", "hit target", "hit", "hits", "made their target",
)
# Without one of these, 「上回った」 or "beat" is not about a KPI target.
_KPI_CONTEXT = _cues("目標", "参考値", "見込み値", "kpi", "指標", "実績", "target", "targets", "goal", "goals",
                     "indicator", "達成", "未達")
_NEW = _cues(
    "設定年度", "に設定された", "で設定された", "に設定", "改定で加わった", "新しい事業", "新規事業", "新しく", "新しい", "新規", "新たに", "新設", "追加された", "追加", "加わった", "増えた",
    "r5新", "r5 新", "new", "newly", "added",
)
# A word that says "new" of anything (新しいものに替える, a new website) asks for the new projects only
# with projects or the plan's year near it: 新しく追加された事業, new projects, R5で追加.
_NEW_STRONG = _cues("設定年度", "に設定された", "で設定された", "改定で加わった", "新しい事業", "新規事業", "新設", "r5新", "r5 新", "【r5")
_NEW_NEAR = re.compile(r"事業|取り組み|取組|とりくみ|projects?|initiatives?|令和\s*5|r\s*5|今年度|改定|this year|revision|in 2023")


def _asks_new(form: str) -> bool:
    if _NEW_STRONG.search(form):
        return True
    return any(_NEW_NEAR.search(form, max(0, m.start() - 20), m.end() + 9) for m in _NEW.finditer(form))


_NO_KPI = re.compile(
    r"(?:kpi|参考値|見込み値|指標|目標値)s?\s*(?:の|が|は)?\s*(?:ない|無い|なし|無し|設定されていない|設定がない|未設定)"
    r"|(?:no|without(?:\s+an?)?|lacking|lack)\s+(?:kpis?|targets?|indicators?|metrics?|reference values?)"
)
_HAS_KPI = re.compile(
    r"(?:kpi|参考値|見込み値|指標|目標値)s?\s*(?:を|が|の)?\s*(?:設定|ある|あり|持つ|もつ)"
    r"|(?:with|have|has|having)\s+(?:an?\s+|their\s+own\s+)?(?:kpis?|reference values?|indicators?)(?![a-z])"
)
_OF_PROJECTS = re.compile(r"事業|取り組み|取組|とりくみ|\bprojects?\b|\binitiatives?\b")
# 「新しい取り組み」: items marked 【R5 新】 in a project's schedule, not only projects set that year.
_NEW_ITEMS = _cues("取り組み", "取組", "とりくみ", "スケジュール", "新】", "initiative", "initiatives", "activities",
                   "activity", "schedule items", "items")
_NO_EVAL = _cues("評価されていない", "評価がまだ", "まだ評価", "評価のない", "評価がない", "評価なし", "未評価",
                 "評価が付いていない", "評価がついていない", "評価が付いてない", "評価がついてない", "評価されてない",
                 "評価が出ていない", "評価が出てない", "評価が無い", "評価がされていない", "評価を受けていない",
                 "not been evaluated", "no grade yet", "not been graded", "hasn't been graded", "haven't been graded",
                 "not evaluated", "not yet evaluated", "no evaluation", "without an evaluation", "without a grade",
                 "no grade", "ungraded", "not graded")
_GROUPS = {
    "department": _cues("部署ごと", "部署毎", "部署別", "課ごと", "課毎", "課別", "担当課ごと", "担当部署ごと", "所管課ごと",
                        "各部署", "各課", "各担当課", "事業が一番多い部署", "事業が最も多い部署", "一番多い部署", "最も多い部署",
                        "一番多い課", "最も多い課", "the most projects", "most projects", "fewest projects",
                        "per department", "each department", "by department", "every department", "per division",
                        "each division", "by division"),
    "policy": _cues("基本方針ごと", "方針ごと", "基本方針別", "方針別", "各基本方針", "各方針", "per policy", "each policy", "by policy"),
    "grade": _cues("評価ごと", "評価別", "評価毎", "per grade", "each grade", "by grade"),
}
_COUNT = _cues("何件", "いくつ", "件数", "何個", "何事業", "事業数", "数は", "how many", "number of", "count")
# Words that say "a list" strongly enough to read a name as an approach or policy.
_STRONG_LIST = _cues("一覧", "どの事業", "どんな事業", "事業がある", "事業はある", "事業って", "含まれる", "含む", "属する",
                     "関わる", "関わっている", "関係する", "関連する", "に入る", "which projects", "what projects", "projects",
                     "list")
_RELATION = _cues("以外", "を除く", "を除いた", "other than", "except for", "except", "excluding", "besides","に含まれる", "に含まれている", "に属する", "が関わる", "が関わっている", "が関わってる", "に関わる",
                  "に関係する", "に関連する", "が担当している", "が担当する", "の担当", "担当の", "担当", "に入っている",
                  "に入る", "が所管する", "所管", "含まれる", "関わる", "関係", "関連", "担当している", "belonging to",
                  "part of", "related to", "involving", "involve", "involved", "handled by", "owned by", "run by",
                  "under", "in")
_MORE_POLICIES = re.compile(
    r"(?:基本方針|方針|polic(?:y|ies))\s*\d{1,2}(?:\s*(?:と|、|・|,|及び|および|and|or|か|&)\s*(?:基本方針|方針|policy)?\s*\d{1,2}(?![\d-]))+")
_GRADE_PAIR = re.compile(r"(?<![a-z])([a-d])\s*(?:評価|判定)?\s*(?:と|か|や|・|、|,|/|or|and|&)\s*([a-d])(?![a-z])")
_NEGATION_AFTER = re.compile(r"\s*(?:評価|判定)?\s*(?:い)?(?:ない|ません|以外|を除く|じゃない|ではない)")
_NEGATION_BEFORE = re.compile(r"(?:not|other than|except(?: for)?|excluding)\s+(?:graded\s+|rated\s+|an?\s+)?$")
_KANA_ENDING = re.compile(r"[\u3041-\u309f]*[いたるてだすか]")
_EXCEPT_AFTER = re.compile(r"\s*(?:以外|を除く|を除いた|を除き|じゃない|でない|ではない)"
                           r"|\s*(?:が|は|の)?[^、。,.?？]{0,10}?(?:入っていない|入ってない|含まれていない|含まれてない|含まれない"
                           r"|関わっていない|関わってない|担当していない|担当してない|担当でない|担当ではない|ない事業)")
_EXCEPT_BEFORE = re.compile(r"(?:other than|except(?: for)?|not (?:owned |run )?by|excluding|besides)\s*(?:the\s+)?$")
_YEAR = re.compile(r"(?:令和|r)\s*([1-9])\s*(?:年度|年)?(?![0-9])|(20[1-4][0-9])\s*年度?|fy\s*(20[1-4][0-9])")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_P = r"(?:の|は|が|を|に|で|と|も|や|へ|か|な|だ|です|ますか|[?!.,、。・:;()（）「」？！．，：；\s])"
_PARTICLES = re.compile(rf"^{_P}+|{_P}+$")
# Leftovers that carry no topic once the filters are read.
_EMPTY_REST = _cues("ある", "あります", "ありますか", "もの", "やつ", "どれ", "どの", "どんな", "全て", "すべて", "中", "うち",
                    "一覧", "リスト", "数", "件", "いる", "された", "している", "した", "する", "できた", "できる", "教えて",
                    "what", "which", "show", "list", "all", "got", "rated", "with", "were", "have", "has", "each",
                    "that", "the", "in", "r", "年度", "年", "度", "者", "事業", "ごと", "毎", "別", "数えて", "数",
                    "されていない", "されてない", "ていない", "てない", "がない", "のない", "ない", "なし", "まだ", "全部で", "全部",
                    "取り組み", "取組み", "取組", "取り組", "施策", "プロジェクト", "project", "projects", "initiative",
                    "initiatives", "measures", "items", "ones", "改定", "改訂", "revision", "revised", "版", "どれ", "number", "total", "per", "many", "count", "in total")


@dataclass(frozen=True)
class Selection:
    """The projects a list question selects, and how to say what it was filtered by."""

    label: str  # every applied filter, in the answer's language ("" when none)
    projects: list[Project]
    notes: tuple[str, ...] = ()  # filters that could not be applied, said in the answer
    missing: str = ""  # set when a filter names something the plan does not have: no list then
    count: bool = False  # "何件": the count comes first
    group_by: str | None = None  # "department" | "policy" | "grade"
    kpi_year: int | None = None  # the year whose actuals were compared with targets
    show: str | None = None  # "project_department" | "project_kpi": what each line adds ("C評価の事業の担当課は？")


@dataclass
class _Filters:
    en: bool
    policies: list[int] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    not_departments: list[str] = field(default_factory=list)
    grade: object = None
    grades: tuple[str, ...] = ()  # "AかB評価": either
    grade_negated: bool = False  # "遅れていない", "C評価以外"
    has_grade: bool = False
    kpi: str | None = None  # "below" | "met" | "above" | "at"
    year: int | None = None
    new: bool = False
    no_kpi: bool = False
    has_kpi: bool = False
    new_items: bool = False
    no_eval: bool = False
    group_by: str | None = None
    count: bool = False
    show: str | None = None
    topic: str = ""
    consumed: list[str] = field(default_factory=list)  # surfaces read as filters, not topic

    @property
    def any(self) -> bool:
        return bool(self.policies or self.approaches or self.departments or self.not_departments or self.has_grade or self.kpi
                    or self.new or self.no_kpi or self.has_kpi or self.no_eval or self.group_by)


def years_in(form: str) -> list[int]:
    """Fiscal years a message names (R4, 令和4年度, 2022年度, FY2022)."""
    out = []
    for m in _YEAR.finditer(form):
        if m.group(1):
            out.append(reiwa_to_fiscal(int(m.group(1))))
        else:
            out.append(int(m.group(2) or m.group(3)))
    return out


class ListReader:
    """Reads list filters out of a :class:`Reading` and applies them to a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        names: list[tuple[str, str, str]] = [("approach", a.id, a.title) for a in catalog.approaches.values()]
        names += [("policy", str(p.id), p.title) for p in catalog.policies.values()]
        self._titles = [(kind, target, key(title)) for kind, target, title in names]

    # ------------------------------------------------------------------ reading
    def read(self, r: Reading, by_kind: dict[str, list[Hit]], project_score: float) -> _Filters | None:
        """The filters of a list question, or None when the message does not ask for a list."""
        form = r.cue_form
        f = _Filters(en=r.lang == "en")
        f.policies = list(r.policy_ids)
        for m in _MORE_POLICIES.finditer(form):  # "基本方針1と2", "policies 2 and 3"
            f.policies += [int(n) for n in re.findall(r"\d+", m.group(0))]
        f.policies = list(dict.fromkeys(f.policies))
        f.approaches = list(r.approach_ids)
        if r.has_grade:
            f.has_grade, f.grade = True, r.grade
            f.no_eval = r.grade is None
            pair = _GRADE_PAIR.search(form)
            if pair and isinstance(r.grade, str) and r.grade.lower() in pair.groups():
                f.grades = tuple(sorted({g.upper() for g in pair.groups()}))
            f.grade_negated = isinstance(r.grade, str) and _grade_negated(form, r.grade)
        f.no_kpi = bool(_NO_KPI.search(form))
        f.has_kpi = not f.no_kpi and bool(_HAS_KPI.search(form))
        kpi_form = _NO_KPI.sub(" ", form)
        if not f.no_kpi and _KPI_CONTEXT.search(kpi_form):
            for name, pattern in (("below", _KPI_BELOW), ("above", _KPI_ABOVE), ("at", _KPI_AT), ("met", _KPI_MET)):
                if pattern.search(kpi_form):
                    f.kpi = name
                    break
        if not f.kpi and not f.no_kpi and _KPI_BELOW.search(form) and re.search(r"missed|未達", form):
            f.kpi = "below"
        if _NO_EVAL.search(form) and not f.has_grade:
            f.has_grade, f.grade, f.no_eval = True, None, True
        years = years_in(form)
        f.year = years[0] if years else None
        f.new = _asks_new(form) and not f.kpi
        f.new_items = f.new and bool(_NEW_ITEMS.search(form))
        for name, pattern in _GROUPS.items():
            if pattern.search(form):
                f.group_by = name
                break
        f.count = bool(_COUNT.search(form))
        if r.project_intent in ("project_department", "project_kpi"):
            f.show = r.project_intent

        list_cue = r.list_cue or f.group_by is not None
        strong = bool(_STRONG_LIST.search(form)) or r.project_intent is None
        named_project = project_score >= ACCEPT
        for hit in by_kind.get("department", []):
            if hit.how in ("exact", "mention") and (list_cue or not named_project or hit.score >= 90):
                at = form.find(fold(hit.via, kana=False))
                after, before = form[at + len(hit.via):] if at >= 0 else "", form[:at] if at >= 0 else ""
                if _EXCEPT_AFTER.match(after) or _EXCEPT_BEFORE.search(before):
                    f.not_departments.append(hit.id)  # "デジタル行政推進課以外", "other than the Taxation Division"
                else:
                    f.departments.append(hit.id)
                f.consumed.append(hit.via)
        strong = strong or f.any
        topic_read = False  # the topic is read only for list questions: it is the costly part
        if list_cue and strong and not (f.policies or f.approaches):
            f.topic, topic_read = self._rest(r, f), True
            named = self._named_group(r.text, f.topic, by_kind)
            if named is not None:
                kind, target, via = named
                if kind == "policy":
                    f.policies.append(int(target))
                else:
                    f.approaches.append(target)
                f.consumed.append(via)
                f.topic = self._rest(r, f)
                if f.has_grade and not r.grade_explicit and names_the_grade_word(via, form, r.grade):
                    f.has_grade = f.no_eval = False  # "leave no one behind" names policy 3; it grades nothing
        # 「新しい発信の仕方とか考えてるの？」 describes something new and 「公民館でスマホの質問に答えて
        # くれる人」 a place, they ask for no list: without a list cue, "new" and a department list
        # only when the question speaks of projects (新しい事業, 公民館の取り組み, new projects).
        of_projects = list_cue or bool(_OF_PROJECTS.search(form))
        new = f.new and of_projects
        new_filters = f.kpi or new or f.no_kpi or f.has_kpi or f.group_by
        if not (f.policies or f.approaches
                or (new_filters and (list_cue or not named_project))
                or (f.has_grade and (list_cue or (r.grade_explicit and project_score < 90) or project_score < ACCEPT))
                or ((f.departments or f.not_departments) and (list_cue or (not named_project and of_projects)))
                or (list_cue and (r.project_intent is None or not r.core or f.count))):
            return None
        if not topic_read:
            f.topic = self._rest(r, f)
        if not f.any and f.topic:
            return None  # "RPAの事業": a topic alone is a question about it, not a list
        return f

    def _named_group(self, text: str, topic: str, by_kind: dict[str, list[Hit]]) -> tuple[str, str, str] | None:
        """An approach or policy named by (part of) its title or an alias: (kind, id, surface)."""
        core = key(topic)
        for kind in ("approach", "policy"):
            for hit in by_kind.get(kind, []):
                if hit.score >= ACCEPT and hit.how != "contained" and (key(hit.via) in key(text) or hit.how == "fuzzy"):
                    return kind, hit.id, hit.via
        if len(core) < 2:
            return None
        best: tuple[float, str, str, str] | None = None
        for kind, target, title in self._titles:
            common = _longest_common(core, title)
            if len(common) < 2 or re.fullmatch(r"[\u3041-\u309f]+", common) or common.startswith("の") or common.endswith("の"):
                continue
            if sum(common in t for _, _, t in self._titles) > 1:
                continue  # デジタル化 is in several titles: it names none of them
            if len(common) / len(title) < 0.5 and len(common) < 4:
                continue
            score = len(common) / len(title)
            if best is None or score > best[0]:
                best = (score, kind, target, common)
        if best is None:
            return None
        return best[1], best[2], topic  # the whole phrase names the group ("行政手続のオンライン化")

    def _rest(self, r: Reading, f: _Filters) -> str:
        """What the message says beyond its filters: a topic that narrows the list further."""
        pieces = []
        consumed = [key(c) for c in f.consumed if key(c)]
        for fragment in r.fragments:
            if any(key(fragment) in c for c in consumed):
                continue  # a piece of a name read as a filter ("データの提供" of 市が保有するデータの提供)
            typed = as_typed(fragment, r.text)
            k = typed.casefold()
            for c in consumed:
                k = _replace_key(k, c)
            for pattern in (_KPI_BELOW, _KPI_ABOVE, _KPI_AT, _KPI_MET, _KPI_CONTEXT, _NEW, _NEW_ITEMS, _NO_KPI, _HAS_KPI,
                            _NO_EVAL, _COUNT, _RELATION, _STRONG_LIST, _YEAR, *_GROUPS.values()):
                k = pattern.sub(lambda m: "|" * len(m.group(0)), k)
            k = _QUOTES.sub("|", k)
            start = 0
            for part in k.split("|"):
                at, start = start, start + len(part) + 1
                stripped = _PARTICLES.sub("", part)
                if not stripped.strip() or not _EMPTY_REST.sub("", stripped).strip(" のはがをにでともや"):
                    continue  # only words that carry no topic
                if _KANA_ENDING.fullmatch(stripped.strip()):
                    continue  # 「できていない」「出した」: what is left of a verb once its cue was read
                if len(key(stripped)) >= 2 and not any(key(stripped) in c for c in consumed):
                    offset = at + part.find(stripped)
                    pieces.append(typed[offset: offset + len(stripped)].strip())
        return max(pieces, key=len) if pieces else ""


def as_typed(fragment: str, text: str) -> str:
    """The stretch of ``text`` a normalised fragment came from, as the user typed it (script and case)."""
    flat: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        for c in folded:
            flat.append(c)
            where.append(i)
    target = fragment.replace(" ", "")
    pos = "".join(flat).find(target)
    if pos < 0 or not target:
        return fragment
    return text[where[pos]: where[pos + len(target) - 1] + 1]


def _replace_key(text: str, surface_key: str) -> str:
    """Blank out a consumed name in casefolded typed text, whatever its kana script."""
    flat = "".join(hira_to_kata(ch) for ch in text)
    i = flat.find(surface_key)
    return text if i < 0 else text[:i] + "|" * len(surface_key) + text[i + len(surface_key):]


def _grade_negated(form: str, grade: str) -> bool:
    """「遅れていない」「C評価以外」 "not behind": the grade is excluded, not wanted."""
    words = [w for w in lx.GRADE_WORDS.get(grade, []) if w in form]
    spots = [(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), form)]
    spots += [(m.start(), m.end()) for m in re.finditer(rf"(?<![a-z]){grade.lower()}(?![a-z])", form)]
    return any(_NEGATION_AFTER.match(form, end) or _NEGATION_BEFORE.search(form[:start]) for start, end in spots)


def names_the_grade_word(surface: str, form: str, grade: object) -> bool:
    words = lx.GRADE_WORDS.get(grade if isinstance(grade, str) else None, [])
    folded = fold(surface, kana=False)
    return any(w in folded and w in form for w in words)


def _longest_common(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


# ---------------------------------------------------------------------------- applying


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


def apply(catalog: Catalog, f: _Filters, *, projects_of_topic: Callable[[str], set[str]]) -> Selection:
    en = f.en
    projects = list(catalog.projects.values())
    parts: list[str] = []
    notes: list[str] = []
    kpi_year: int | None = None

    def narrow(keep, label: str) -> None:
        nonlocal projects
        projects = [p for p in projects if keep(p)]
        parts.append(label)

    for pid in f.policies[:1] if len(set(f.policies)) == 1 else []:
        if pid not in catalog.policies:
            return Selection(label="", projects=[], missing=f"policy {pid}" if en else f"基本方針{pid}")
        title = (catalog.english_name("policy", str(pid)) if en else None) or catalog.policies[pid].title
        narrow(lambda p, pid=pid: p.policy_id == pid, f"under policy {pid} ({title})" if en else f"基本方針{pid}「{title}」")
    if len(set(f.policies)) > 1:
        bad = [pid for pid in f.policies if pid not in catalog.policies]
        if bad:
            return Selection(label="", projects=[], missing=f"policy {bad[0]}" if en else f"基本方針{bad[0]}")
        ids = sorted(set(f.policies))
        joined = " or ".join(map(str, ids)) if en else "・".join(map(str, ids))
        narrow(lambda p: p.policy_id in ids, f"under policy {joined}" if en else f"基本方針{joined}")
    if f.approaches:
        aid = f.approaches[0]
        if aid not in catalog.approaches:
            return Selection(label="", projects=[], missing=f"approach {aid}" if en else f"アプローチ策 {aid}")
        title = (catalog.english_name("approach", aid) if en else None) or catalog.approaches[aid].title
        narrow(lambda p: p.approach_id == aid, f"under approach {aid} ({title})" if en else f"アプローチ策 {aid}「{title}」")
    if f.departments:
        depts = list(dict.fromkeys(f.departments))
        names = []
        for d in depts:
            en_name = catalog.english_name("department", d)
            names.append(f"{en_name} ({d})" if en and en_name else d)
        joined = (" or ".join(names)) if en else "・".join(names)
        wanted = set(depts)
        narrow(lambda p: not wanted.isdisjoint(p.departments), f"owned by {joined}" if en else f"{joined}が担当する")
    if f.not_departments:
        excluded = set(f.not_departments)
        names = [f"{catalog.english_name('department', d)} ({d})" if en and catalog.english_name("department", d) else d
                 for d in f.not_departments]
        narrow(lambda p: excluded.isdisjoint(p.departments),
               f"not involving {' or '.join(names)}" if en else f"{'・'.join(names)}が関わらない")
    if f.has_grade:
        if f.grade is None:
            narrow(lambda p: (e := p.latest_evaluation()) is None or e.grade is None,
                   "with no grade yet" if en else "評価のない")
            for p in projects:
                if new_since_evaluation(p, p.latest_evaluation()):
                    ry = fiscal_to_reiwa(p.set_year or 0)
                    notes.append(f"{p.id} is new in R{ry}: its first evaluation is due for R{ry}." if en
                                 else f"{p.id} は令和{ry}年度に新たに加わった事業で、最初の評価は令和{ry}年度分です。")
        else:
            wanted_grades = set(f.grades or (str(f.grade),))
            names = [f"{g} ({GRADES_EN[g]})" if en else f"{g}評価（{GRADES[g]}）" for g in sorted(wanted_grades)]
            if f.grade_negated:
                narrow(lambda p: (e := p.latest_evaluation()) is not None and e.grade is not None
                       and e.grade not in wanted_grades,
                       f"not graded {' or '.join(names)}" if en else f"{'・'.join(names)}以外の")
            else:
                narrow(lambda p: (e := p.latest_evaluation()) is not None and e.grade in wanted_grades,
                       f"graded {' or '.join(names)}" if en else "・".join(names))
    if f.kpi:
        years = actual_years(catalog)
        year = f.year if f.year is not None else (years[-1] if years else None)
        if year is None or year not in years:
            have = ", ".join((f"R{fiscal_to_reiwa(y)}" if en else f"令和{fiscal_to_reiwa(y)}年度") for y in years)
            asked = f"R{fiscal_to_reiwa(year)}" if en and year else f"令和{fiscal_to_reiwa(year)}年度" if year else ""
            notes.append(f"It has KPI actuals for {have} only, so targets cannot be compared for that year."
                         if en else f"実績値は{have}の分だけのため、その年度は目標と比べられません。")
            return Selection(label="", projects=[], notes=tuple(notes),
                             missing=(f"KPI actuals for {asked}" if en else f"{asked}の実績値"))
        ry, kpi_year = fiscal_to_reiwa(year), year
        wanted_results = {"below": {"below"}, "met": {"at", "above"}, "above": {"above"}, "at": {"at"}}[f.kpi]
        labels_en = {"below": f"R{ry} actual below its KPI target", "met": f"R{ry} KPI target met",
                     "above": f"R{ry} actual above its KPI target", "at": f"R{ry} actual exactly at its KPI target"}
        labels_ja = {"below": f"令和{ry}年度の実績が目標（参考値）に届かなかった", "met": f"令和{ry}年度の目標（参考値）を達成した",
                     "above": f"令和{ry}年度の実績が目標（参考値）を上回った", "at": f"令和{ry}年度の実績が目標（参考値）ちょうどの"}
        narrow(lambda p: kpi_result(p, year) in wanted_results, (labels_en if en else labels_ja)[f.kpi])
        without = [p.id for p in catalog.projects.values() if kpi_result(p, year) is None]
        notes.append(f"{len(without)} projects have no KPI figures for R{ry} and are not counted."
                     if en else f"令和{ry}年度の参考値と実績がない{len(without)}事業は対象外です。")
    if f.new:
        set_years = sorted({p.set_year for p in catalog.projects.values() if p.set_year})
        year = f.year if f.year is not None else (set_years[-1] if set_years else None)
        ry = fiscal_to_reiwa(year) if year else 0
        with_items = {p.id for p in catalog.projects.values() if any(s.new_in == year for s in p.schedule)}
        if f.new_items:
            narrow(lambda p: p.set_year == year or p.id in with_items,
                   f"with work new in R{ry} (【R{ry} 新】)" if en else f"令和{ry}年度から新しい取り組み（【R{ry} 新】）がある")
        else:
            narrow(lambda p: p.set_year == year, f"new in R{ry} (first set in R{ry})" if en else f"令和{ry}年度に新たに設定された")
            older = sorted((pid for pid in with_items if catalog.projects[pid].set_year != year), key=_id_key)
            if older:
                notes.append(f"Existing projects with schedule items new in R{ry} (【R{ry} 新】): {', '.join(older)}."
                             if en else f"既存の事業で【R{ry} 新】の取り組みがあるもの: {'、'.join(older)}")
    if f.no_kpi:
        narrow(lambda p: not p.indicators, "with no KPI (reference values)" if en else "参考値（KPI）のない")
    if f.has_kpi:
        narrow(lambda p: bool(p.indicators), "with a KPI (reference values)" if en else "参考値（KPI）が設定されている")
    if f.topic and not has_content(f.topic):
        f.topic = ""  # 「教えてほしいんだけど」: what is left of asking, not a topic to filter by
    topic_ids = projects_of_topic(f.topic) if f.topic else set()
    if f.topic:
        if topic_ids:
            t = f.topic
            narrow(lambda p: p.id in topic_ids, f"about \"{t}\"" if en else f"「{t}」に関する")
        else:
            notes.append(f"\"{f.topic}\" could not be used to narrow the list." if en
                         else f"「{f.topic}」では絞り込めませんでした（この条件は使っていません）。")
    if f.group_by and not parts:
        parts.append("all projects" if en else "すべての")
    label = ", ".join(parts) if en else _ja_label(parts)
    if not label:
        label = "all projects" if en else "すべての事業"
    if f.group_by:
        by = {"department": ("department", "部署"), "policy": ("policy", "基本方針"), "grade": ("grade", "評価")}[f.group_by]
        label += f", counted by {by[0]}" if en else f"（{by[1]}ごとの件数）"
    if f.show == "project_kpi" and kpi_year is None:
        years = actual_years(catalog)
        kpi_year = years[-1] if years else None
    return Selection(label=label, projects=projects, notes=tuple(notes), count=f.count, group_by=f.group_by,
                     kpi_year=kpi_year, show=f.show)


def _ja_label(parts: list[str]) -> str:
    """「基本方針1「…」、A評価（…）の事業」; a clause ending in kana modifies 事業 directly."""
    if not parts:
        return ""
    last = parts[-1]
    return "、".join(parts) + ("事業" if re.search(r"[\u3041-\u309f]$", last) else "の事業")


def _id_key(pid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", pid))
