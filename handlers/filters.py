"""List questions: which filters a message asks for, and the projects that pass all of them.

Every filter found applies together (policy × approach × department × grade × KPI result × new ×
no KPI × topic); one that names something the plan does not have, or a year the plan has no
figures for, is reported rather than dropped, so a list is never wider than the question. The
filters themselves, one entry each, are in :mod:`handlers.list_filters`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from handlers import lexicon as lx
from handlers.list_filters import (
    ACCEPT,
    FILTER_CUES,
    FILTERS,
    GROUP_BY,
    GROUP_CUES,
    PROJECTS_ASKED,
    YEAR,
    Asked,
    Filters,
    Plan,
    TopicFilter,
    actual_years,
    cues,
    group_asked,
    unused_topic_note,
    years_in,
)
from handlers.understand import Reading
from knowledge.catalog import Catalog
from knowledge.meaning_words import names_a_thing
from knowledge.normalize import as_typed, fold, hira_to_kata, prolonged_marks
from knowledge.records import Project
from knowledge.search import Hit, key

OF_PROJECTS = re.compile(r"事業|じぎょう|取り?組み?|とりくみ|\bprojects?\b|\binitiatives?\b|\bprogram(?:me)?s\b")

# A word said as a kind of project (「セキュリティ関係の事業」「タイトルに…」 "security related").
_TOPIC_KIND = re.compile(r"(?:関係|関連|系|がらみ|絡み)の?(?:事業|取り?組み?)|タイトルに|名前に|\b(?:related|relating)\b", re.I)
# Words that say "a list" strongly enough to read a name as an approach or policy.
_STRONG_LIST = cues("一覧", "どの事業", "どんな事業", "事業がある", "事業はある", "事業って", "含まれる", "含む", "属する",
                     "関わる", "関わっている", "関係する", "関連する", "に入る", "which projects", "what projects", "projects",
                     "list")
_RELATION = cues("以外", "を除く", "を除いた", "other than", "except for", "except", "excluding", "besides","に含まれる", "に含まれている", "に属する", "が関わる", "が関わっている", "が関わってる", "に関わる",
                  "に関係する", "に関連する", "が担当している", "が担当する", "の担当", "担当の", "担当", "に入っている",
                  "に入る", "が所管する", "所管", "含まれる", "関わる", "関係", "関連", "担当している", "belonging to",
                  "part of", "related to", "involving", "involve", "involved", "handled by", "owned by", "run by",
                  "under", "in", "入っている", "入ってる", "抱えている", "担っている", "受け持っている", "も含めて", "含めて",
                  "も含む", "including")
# 「戸籍住民課が担当してるものはどれとどれ」: which things a department named holds, asked with no
# word of projects.
_WHICH_HELD = re.compile(r"(?:担当|受け持|うけも|所管)[^。？?]{0,12}?(?:もの|の)?(?:は|って)?\s*(?:どれ|なに|何)"
                         r"|\bwhich (?:ones|things)\b")
_PEOPLE_COUNTED = re.compile(r"何人|何名|人数|\bhow many (?:people|staff|employees|persons)\b")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_KANA_ENDING = re.compile(r"[\u3041-\u309f]*[いたるてだすか]")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_P = r"(?:の|は|が|を|に|で|と|も|や|へ|か|な|だ|です|ますか|[?!.,、。・:;()（）「」？！．，：；\s])"
# 「…に関する事業」 leaves 「…に関」 once 事業 and する are read: the relation, not the topic.
_PARTICLES = re.compile(rf"^{_P}+|(?:{_P}|に関(?:する|して|し)?|について)+$")
# Leftovers that carry no topic once the filters are read.
_EMPTY_REST = cues("ある", "あります", "ありますか", "もの", "やつ", "どれ", "どの", "どんな", "全て", "すべて", "中", "うち",
                    "一覧", "リスト", "数", "件", "いる", "された", "している", "した", "する", "できた", "できる", "教えて",
                    "what", "which", "show", "list", "all", "got", "rated", "with", "were", "have", "has", "each",
                    "that", "the", "in", "r", "年度", "年", "度", "者", "事業", "ごと", "毎", "別", "数えて", "数",
                    "されていない", "されてない", "ていない", "てない", "がない", "のない", "ない", "なし", "まだ", "全部で", "全部",
                    "取り組み", "取組み", "取組", "取り組", "施策", "プロジェクト", "project", "projects", "initiative",
                    "initiatives", "measures", "items", "ones", "改定", "改訂", "revision", "revised", "版", "どれ", "number", "total", "per", "many", "count", "in total",
                    # The plan's own name: every project is Funabashi's DX.
                    "dx", "船橋市", "船橋", "本市", "funabashi", "city's", "city")


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
    unused_topic: str = ""  # the words left after the filters, which narrowed nothing
    by_text: bool = False  # chosen by what their texts say: a list, never the one project described



class ListReader:
    """Reads list filters out of a :class:`Reading` and applies them to a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        names: list[tuple[str, str, str]] = [("approach", a.id, a.title) for a in catalog.approaches.values()]
        names += [("policy", str(p.id), p.title) for p in catalog.policies.values()]
        self._titles = [(kind, target, key(title)) for kind, target, title in names]

    # ------------------------------------------------------------------ reading
    def read(self, r: Reading, by_kind: dict[str, list[Hit]], project_score: float) -> Filters | None:
        """The filters of a list question, or None when the message does not ask for a list."""
        form = r.cue_form
        q = Asked(r, form, by_kind, project_score, group_asked(form))
        years = years_in(form)
        f = Filters(en=r.lang == "en", year=years[0] if years else None)
        for list_filter in FILTERS:
            list_filter.read(q, f)
        strong = bool(_STRONG_LIST.search(form) or PROJECTS_ASKED.search(form)) or r.project_intent is None or f.any
        topic_read = False  # the topic is read only for list questions: it is the costly part
        if q.list_cue and strong and not (f.policies or f.approaches):
            self._read_topic_and_group(q, f)
            topic_read = True
        if not _asks_list(q, f):
            return None
        if not topic_read:
            f.topic = self._rest(r, f)
        if not f.any and f.topic:
            return None  # "RPAの事業": a topic alone is a question about it, not a list
        return f

    def _read_topic_and_group(self, q: Asked, f: Filters) -> None:
        """The topic, and the approach or policy it names, if any ("行政手続のオンライン化の事業")."""
        r = q.r
        f.topic = self._rest(r, f)
        named = self._named_group(r.text, f.topic, q.by_kind)
        if named is None:
            return
        kind, target, via = named
        # 「セキュリティ関係の事業」 "security related projects": a word of the approach's title said as a
        # kind of project is all the projects about it, its projects' reposts under other approaches too.
        f.with_reposts = kind == "approach" and bool(_TOPIC_KIND.search(q.form)) and key(via) != key(
            self.catalog.approaches[target].title)
        if kind == "policy":
            f.policies.append(int(target))
        else:
            f.approaches.append(target)
        f.consumed.append(via)
        f.topic = self._rest(r, f)
        if f.has_grade and not r.grade_explicit and names_the_grade_word(via, q.form, r.grade):
            f.has_grade = f.no_eval = False  # "leave no one behind" names policy 3; it grades nothing

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
            # (keys spell の as ノ: 「会議まわりのデジタル化」 shares only ノデジタル化 with 窓口のデジタル化)
            if len(common) < 2 or re.fullmatch(r"[\u3041-\u309f]+", common) or common.startswith(("の", "ノ")) or common.endswith(("の", "ノ")):
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

    def _rest(self, r: Reading, f: Filters) -> str:
        """What the message says beyond its filters: a topic that narrows the list further."""
        pieces = []
        consumed = [key(c) for c in f.consumed if key(c)]
        for fragment in r.fragments:
            if any(key(fragment) in c for c in consumed):
                continue  # a piece of a name read as a filter ("データの提供" of 市が保有するデータの提供)
            typed = as_typed(r.text, fragment)
            # 「令和４年度」 is a year too, テレワ－ク is テレワーク (same length: offsets hold).
            k = prolonged_marks(typed.translate(_FULLWIDTH).casefold())
            for c in consumed:
                k = _replace_key(k, c)
            for pattern in (*FILTER_CUES, _RELATION, _STRONG_LIST, YEAR, *GROUP_CUES):
                k = pattern.sub(lambda m: "|" * len(m.group(0)), k)
            k = _QUOTES.sub("|", k)
            start = 0
            for part in k.split("|"):
                at, start = start, start + len(part) + 1
                stripped = _PARTICLES.sub("", part)
                if not stripped.strip() or not _EMPTY_REST.sub("", stripped).strip(" のはがをにでともや"):
                    continue  # only words that carry no topic
                if _KANA_ENDING.fullmatch(stripped.strip()) or not stripped.isascii() and not names_a_thing(stripped):
                    continue  # 「できていない」「出した」「進ん」: what is left of a verb once its cue was read
                if len(key(stripped)) >= 2 and not any(key(stripped) in c for c in consumed):
                    offset = at + part.find(stripped)
                    pieces.append(typed[offset: offset + len(stripped)].strip())
        return max(pieces, key=len) if pieces else ""



def _asks_new_filters(f: Filters, of_projects: bool) -> bool:
    """A KPI result, new projects (said of projects), no / a KPI, or counts per group."""
    return bool(f.kpi or (f.new and of_projects) or f.no_kpi or f.has_kpi or f.group_by)


# A grade said of the item named, to be confirmed: 「…、評価Aだったって聞いたけど合ってる？」, not a list.
_CONFIRMS = re.compile(r"合って(?:る|ます)|あって(?:る|ます)|本当|ほんと|だよね|でしたよね|ですよね|とのこと|って聞いた"
                       r"|\bis (?:that|it) (?:right|true|correct)\b|\bright\?")


# One thing described, then how it goes (「…取り組みがあるって聞いたんですけど、それって予定どおり
# 進んでる？」): the grade's words ask about it, not for every project so graded.
_ONE_DESCRIBED = re.compile(r"それ|あれ|その件|この件|(?<![電会通対])話|はなし|(?<![事要])件|やつ|\bthat one\b|\bthe one\b|\bthe project (?:that|where|which)\b")


_WHICH_ONES = re.compile(r"どれ|どの事業|だけ(?!ど)|\bwhich\b")
_CALLED_PROJECT = re.compile(r"(?:って|という|っていう|とかいう)\s*事業")
_LISTING_SAID = re.compile(r"一覧|全部|ぜんぶ|すべて|全て|どれ|何件|" + lx.HOW_MANY_JA + r"|\blist\b|\ball\b")


def _one_described(form: str) -> bool:
    """One thing described and asked about (「…の件、達成できてた？」), not which ones (「…やつどれ？」)."""
    return bool(_ONE_DESCRIBED.search(form)) and not _WHICH_ONES.search(form)


_NOT_COUNTS = [cue for cue in lx.LIST_CUES if cue not in {"いくつ", "何件", "how many"}]


def _asks_list(q: Asked, f: Filters) -> bool:
    """Whether the filters read make the message a list question."""
    # 「新しい発信の仕方とか考えてるの？」 describes something new and 「公民館でスマホの質問に答えて
    # くれる人」 a place, they ask for no list: without a list cue, "new" and a department list
    # only when the question speaks of projects (新しい事業, 公民館の取り組み, new projects).
    r, list_cue, named_project, score = q.r, q.list_cue, q.named_project, q.project_score
    # 「「テレワーク環境の充実」って事業、評価がCだったって本当？」: one project named, its grade to confirm.
    if named_project and _CALLED_PROJECT.search(q.form) and _CONFIRMS.search(q.form) and not _LISTING_SAID.search(q.form):
        list_cue = False
    if _PEOPLE_COUNTED.search(q.form) and not OF_PROJECTS.search(q.form):
        return False  # 「職員数は全部で何人」 counts people, not projects
    # 「R4のRPA削減時間、課ごとの内訳は」: a named item's figure split by division, not projects per division.
    if f.group_by and q.names_an_item and not OF_PROJECTS.search(q.form):
        return False
    # 「オープンデータって令和4年度いくつ公開できたの？目標には届いた？」: how many of the named item's
    # things, and whether its target was met; no word of projects asks how many projects.
    if named_project and list_cue and f.count and not OF_PROJECTS.search(q.form) and not any(
            cue in q.form for cue in _NOT_COUNTS):
        list_cue = False
    of_projects = list_cue or bool(OF_PROJECTS.search(q.form))
    new_filters = _asks_new_filters(f, of_projects)
    return bool(f.policies or f.approaches or f.says  # 「振り返りに…と書いてある事業どれ」 asks which say it
                or f.kpi_shape is not None
                or (new_filters and (list_cue or not q.names_an_item and not _one_described(q.form)))
                or (f.has_grade and (list_cue or (r.grade_explicit and score < 90 and not _CONFIRMS.search(q.form))
                                     or score < ACCEPT and (r.grade_explicit or not _one_described(q.form))))
                or ((f.departments or f.not_departments) and (list_cue or (not named_project and of_projects)
                                                              or not q.names_an_item and bool(_WHICH_HELD.search(q.form))))
                or (f.owners is not None and (list_cue or of_projects))
                # 「…様式数、令和7年度の見込み値はいくつ」: a count of a named project's figure, not of projects.
                or (list_cue and (r.project_intent is None or not r.core or f.count and not named_project)))


def _replace_key(text: str, surface_key: str) -> str:
    """Blank out a consumed name in casefolded typed text, whatever its kana script."""
    flat = "".join(hira_to_kata(ch) for ch in text)
    i = flat.find(surface_key)
    return text if i < 0 else text[:i] + "|" * len(surface_key) + text[i + len(surface_key):]



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


def apply(catalog: Catalog, f: Filters, *, projects_of_topic: Callable[[str], set[str]]) -> Selection:
    """The projects that pass every filter asked, in the order of :data:`FILTERS`."""
    en = f.en
    plan = Plan(catalog, en, projects_of_topic)
    projects = list(catalog.projects.values())
    parts: list[str] = []
    notes: list[str] = []
    unused = ""
    for list_filter in FILTERS:
        if not list_filter.asked(f):
            continue
        step = list_filter.step(plan, f, projects)
        if step.missing:
            return Selection(label="", projects=[], notes=(*notes, *step.notes), missing=step.missing)
        if step.keep is not None:
            keep = step.keep
            kept = [p for p in projects if keep(p)]
            if not kept and projects and isinstance(list_filter, TopicFilter):
                # Words left over from asking ("which ones got the top grade"): never a filter that
                # empties a list the named filters made.
                notes.append(unused_topic_note(f.topic, en=en))
                unused = unused or f.topic
                continue
            projects = kept
            parts.append(step.label)
        notes += step.notes
        unused = unused or step.unused
    if f.group_by and not parts:
        parts.append("all projects" if en else "すべての")
    label = ", ".join(parts) if en else _ja_label(parts)
    if not label:
        label = "all projects" if en else "すべての事業"
    if f.group_by:
        label += GROUP_BY.suffix(f.group_by, en)
    kpi_year = plan.kpi_year
    if f.show == "project_kpi" and kpi_year is None:
        years = actual_years(catalog)
        kpi_year = years[-1] if years else None
    return Selection(label=label, projects=projects, notes=tuple(notes), count=f.count, group_by=f.group_by,
                     kpi_year=kpi_year, show=f.show, unused_topic=unused, by_text=bool(f.says))


def _ja_label(parts: list[str]) -> str:
    """「基本方針1「…」、A評価（…）の事業」; a clause ending in kana modifies 事業 directly."""
    if not parts:
        return ""
    last = parts[-1]
    return "、".join(parts) + ("事業" if re.search(r"[\u3041-\u309f]$", last) else "の事業")
