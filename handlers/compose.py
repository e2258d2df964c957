"""Plain-text replies, in Japanese or English. Cards are drawn by the channels from the same facts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from handlers.answer import Answer, Audience, Lang
from knowledge.catalog import Catalog
from knowledge.records import GRADES, GRADES_EN, Evaluation, Indicator, Project, Term, fiscal_to_reiwa

# The mark an English answer puts on text the plan has only in Japanese (a comment, a 現状, a KPI's
# label, a schedule item), in every channel: "Comment (Japanese): …".
JAPANESE = "(Japanese)"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if not math.isfinite(value) or abs(value) >= 1e15:  # no plan figure is this large: keep it short
        return f"{value:.3g}"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def achievement(actual: float | None, target: float | None) -> float | None:
    """Actual against target in percent, rounded to one decimal (765 / 800 -> 95.6, never truncated);
    None when it cannot be said."""
    if actual is None or not target:
        return None
    rate = actual / target * 100
    return round(rate, 1) if math.isfinite(rate) else None


def percent(rate: float) -> str:
    """95.6 -> "95.6", 100.0 -> "100": a whole percentage shows no decimal."""
    return f"{rate:.0f}" if float(rate).is_integer() else f"{rate:.1f}"


def year_label(fiscal_year: int, lang: Lang) -> str:
    if fiscal_year < 2019:  # before Reiwa: FY2016 is Heisei 28
        return f"FY{fiscal_year}" if lang == "en" else f"平成{fiscal_year - 1988}年度"
    return f"R{fiscal_to_reiwa(fiscal_year)}" if lang == "en" else f"令和{fiscal_to_reiwa(fiscal_year)}年度"


def source_line(catalog: Catalog, lang: Lang, *, project: str | None = None, glossary: bool = False) -> str:
    m = re.search(r"\((\d{4})年\)\s*(\d+)月\s*改定", catalog.edition)
    edition = f"{m.group(1)}年{m.group(2)}月改定" if m else catalog.edition
    if lang == "en":
        edition_en = f"revised {m.group(1)}-{int(m.group(2)):02d}" if m else catalog.edition
        where = f", project {project}" if project else ", glossary" if glossary else ""
        return f"Source: Funabashi DX Action Plan ({edition_en}){where}"
    where = f", 事業 {project}" if project else ", 用語集" if glossary else ""
    return f"出典: アクションプラン {edition}{where}"


def project_title(catalog: Catalog, p: Project, lang: Lang) -> str:
    if lang == "en":
        en = catalog.english_name("project", p.id)
        return f"{p.id} {en} ({p.name})" if en else f"{p.id} {p.name}"
    return f"{p.id} {p.name}"


def departments(catalog: Catalog, p: Project, lang: Lang) -> str:
    if lang == "en":
        return ", ".join(
            f"{catalog.english_name('department', d)} ({d})" if catalog.english_name("department", d) else d
            for d in p.departments
        )
    return "、".join(p.departments)


def with_english_names(catalog: Catalog, answer: Answer) -> Answer:
    """An English answer with the English names of the projects, departments and terms it carries."""
    if answer.lang != "en":
        return answer
    found: list[tuple[str, str, str]] = []  # (kind, key, Japanese name)
    for p in answer.projects:
        found += [("project", p.id, p.name), *(("department", d, d) for d in p.departments)]
    found += [("glossary", t.term, t.term) for t in answer.terms]
    for ref in (*answer.answers, *answer.suggestions, *answer.popular):
        if ref.kind == "glossary":
            found.append(("glossary", ref.id, ref.id))
        elif ref.id in catalog.projects:
            found.append(("project", ref.id, catalog.projects[ref.id].name))
    names = {japanese: en for kind, key, japanese in found if (en := catalog.english_name(kind, key)) and en != japanese}
    return replace(answer, names=names) if names else answer


def grade_phrase(e: Evaluation | None, lang: Lang) -> str:
    if e is None or e.grade is None:
        return "no grade yet" if lang == "en" else "評価なし（まだ評価されていません）"
    meaning = (GRADES_EN if lang == "en" else GRADES)[e.grade]
    return f"{e.grade} ({meaning})" if lang == "en" else f"{e.grade}（{meaning}）"


def evaluation_lines(p: Project, lang: Lang, audience: Audience) -> list[str]:
    lines = []
    shown = p.latest_evaluation(include_drafts=audience == "staff")
    published = p.latest_evaluation()
    for e in [shown] + ([published] if published is not None and published is not shown else []):
        if new_since_evaluation(p, e):
            lines.append(_new_project_line(p, lang))
            continue
        if e is None:
            lines.append("Evaluation: none yet" if lang == "en" else "評価: まだありません")
            continue
        draft = e.status == "draft"
        if lang == "en":
            tag = " [DRAFT, not yet published]" if draft else ""
            lines.append(f"{year_label(e.fiscal_year, lang)} evaluation{tag}: {grade_phrase(e, lang)}")
            if e.comment:
                lines.append(f"Comment (Japanese): {e.comment}")
        else:
            tag = "（下書き・未公表）" if draft else ""
            label = "進み具合" if audience == "citizen" else "評価"
            lines.append(f"{year_label(e.fiscal_year, lang)}の{label}{tag}: {grade_phrase(e, lang)}")
            if e.comment:
                lines.append(f"コメント: {e.comment}")
    return lines


def new_since_evaluation(p: Project, e: Evaluation | None) -> bool:
    """A project set after the year of its (empty) evaluation: 2-4-3, added in R5, had nothing to evaluate in R4."""
    return (e is None or e.grade is None) and p.set_year is not None and (e is None or e.fiscal_year < p.set_year)


def _new_project_line(p: Project, lang: Lang) -> str:
    ry = fiscal_to_reiwa(p.set_year or 0)
    if lang == "en":
        return f"Evaluation: new in R{ry} — its first evaluation is due for R{ry}."
    return f"評価: 令和{ry}年度に新たに加わった事業のため、最初の評価は令和{ry}年度分です。"


def kpi_lines(p: Project, lang: Lang, *, actuals: dict[int, float | None] | None = None) -> list[str]:
    lines: list[str] = []
    for ind in p.indicators:
        lines.extend(indicator_lines(ind, lang, actuals=actuals))
    return lines


_KPI_WORDS = {
    "en": {"target": "target {}", "revised": "revised from {}", "actual": "actual {}", "rate": " ({} / {} = {}%)",
           "sep": "; ", "invalid": "invalid value (to be corrected)"},
    "ja": {"target": "目標 {}", "revised": "当初 {} から修正", "actual": "実績 {}", "rate": "（達成率 {} / {} = {}%）",
           "sep": "、", "invalid": "不正な値（要修正）"},
}


def indicator_lines(ind: Indicator, lang: Lang, *, actuals: dict[int, float | None] | None = None) -> list[str]:
    unit = ind.unit or ""
    head = f"KPI {ind.no} (Japanese): {ind.label}" if lang == "en" else f"参考値{'①②③④⑤'[ind.no - 1] if ind.no <= 5 else ind.no}: {ind.label}"
    lines = [head]
    base = ind.baseline
    if base is not None:
        label = "Baseline" if lang == "en" else "基準値"
        lines.append(f"  {label} {year_label(base.fiscal_year, lang)}: {number(base.value)}{unit if base.value is not None else ''}")
    for year in ind.years():
        target = ind.value(year, "target")
        actual = ind.value(year, "actual")
        t = target.value if target else None
        a = actual.value if actual else None
        w = _KPI_WORDS[lang]
        parts = [w["target"].format(w["invalid"] if target and target.invalid
                                    else f"{number(t)}{unit if t is not None else ''}")]
        if target and target.revised_from is not None:
            parts.append(w["revised"].format(number(target.revised_from)))
        if actual is not None and actual.invalid:
            parts.append(w["actual"].format(w["invalid"]))
        elif a is not None:
            rate = achievement(a, t)
            parts.append(w["actual"].format(f"{number(a)}{unit}")
                         + (w["rate"].format(number(a), number(t), percent(rate)) if rate is not None else ""))
        lines.append(f"  {year_label(year, lang)}: " + w["sep"].join(parts))
    if ind.note:
        lines.append(f"  {ind.note}")
    return lines


def schedule_lines(p: Project, lang: Lang) -> list[str]:
    by_year: dict[tuple[int, bool], list[str]] = {}
    for item in p.schedule:
        mark = ""
        if item.new_in is not None:
            mark = f"[new in R{fiscal_to_reiwa(item.new_in)}] " if lang == "en" else f"【R{fiscal_to_reiwa(item.new_in)} 新】"
        by_year.setdefault((item.fiscal_year, item.continues), []).append(mark + item.text)
    if not by_year:
        # Every project in the plan has a schedule row; one without text was drawn as a figure.
        return ["The schedule is a figure in the plan and not in its text." if lang == "en"
                else "スケジュールは図のため本文にありません。"]
    lines = []
    for (year, continues), texts in sorted(by_year.items()):
        # A continuing item's arrow was lost in the conversion: say where it starts, not where it ends.
        when = f"{'From ' if continues else ''}{year_label(year, lang)} {JAPANESE}" if lang == "en" \
            else f"{year_label(year, lang)}{'〜' if continues else ''}"
        lines.append(f"{when}: " + " / ".join(texts))
    return lines


def status_text(catalog: Catalog, p: Project, lang: Lang, audience: Audience) -> str:
    lines = [project_title(catalog, p, lang)]
    lines.append(("Department: " if lang == "en" else "担当: ") + departments(catalog, p, lang))
    if p.repost_of:
        lines.append(f"(Repeats project {p.repost_of})" if lang == "en" else f"（{p.repost_of} の再掲です）")
    lines += evaluation_lines(p, lang, audience)
    for ind in p.indicators:
        for line in indicator_lines(ind, lang):
            if "実績" in line or "actual" in line or line.startswith(("参考値", "KPI")):
                lines.append(line)
    return "\n".join(lines)


def department_text(catalog: Catalog, p: Project, lang: Lang) -> str:
    if lang == "en":
        return f"{project_title(catalog, p, lang)} is owned by: {departments(catalog, p, lang)}"
    return f"{p.id} {p.name} の担当部署は {departments(catalog, p, lang)} です。"


def kpi_text(catalog: Catalog, p: Project, lang: Lang) -> str:
    lines = [project_title(catalog, p, lang)]
    if not p.indicators:
        lines.append("The plan sets no KPI (reference values) for this project." if lang == "en"
                     else "この事業には参考値（KPI）の設定がありません。")
        e = p.latest_evaluation()
        if new_since_evaluation(p, e):
            lines.append(_new_project_line(p, lang))
        elif e is not None:
            lines.append(("Latest grade: " if lang == "en" else "直近の評価: ") + grade_phrase(e, lang))
    else:
        lines += kpi_lines(p, lang)
    return "\n".join(lines)


def schedule_text(catalog: Catalog, p: Project, lang: Lang) -> str:
    return "\n".join([project_title(catalog, p, lang), *schedule_lines(p, lang)])


def overview_text(catalog: Catalog, p: Project, lang: Lang) -> str:
    if lang == "en":
        labels = ("Current state (Japanese)", "Issue (Japanese)", "Goal (Japanese)")
    else:
        labels = ("【現状】", "【課題】", "【目標】")
    lines = [project_title(catalog, p, lang)]
    for label, text in zip(labels, (p.current, p.issue, p.goal), strict=True):
        lines.append(f"{label}{': ' if lang == 'en' else ''}{text}")
    return "\n".join(lines)


def glossary_text(catalog: Catalog, t: Term, lang: Lang) -> str:
    if lang == "en":
        en = catalog.english_name("glossary", t.term)
        head = f"{t.term}" + (f" — {en}" if en and en != t.term else "")
        return f"{head}\nDefinition from the plan's glossary (Japanese):\n{t.definition}"
    return f"【{t.term}】\n{t.definition}"


def list_text(catalog: Catalog, projects: list[Project], what: str, lang: Lang, *,
              detail: Callable[[Project], str] | None = None) -> str:
    if not projects:
        return f"No projects match: {what}." if lang == "en" else f"{what}に当てはまる事業はありません。"
    head = f"{len(projects)} project(s) — {what}:" if lang == "en" else f"{what}: {len(projects)}件"
    lines = [head]
    for policy_id, group in _by_policy(projects):
        title = catalog.policies[policy_id].title if policy_id in catalog.policies else ""
        if lang == "en" and title:
            title = catalog.english_name("policy", str(policy_id)) or f"{title} {JAPANESE}"
        lines.append(f"[Policy {policy_id}] {title}" if lang == "en" else f"［基本方針{policy_id}］{title}")
        for p in group:
            e = p.latest_evaluation()
            grade = f" ({e.grade})" if e and e.grade else ""
            lines.append(f"・{project_title(catalog, p, lang)}{grade}{detail(p) if detail else ''}")
    return "\n".join(lines)


def _by_policy(projects: Iterable[Project]) -> list[tuple[int, list[Project]]]:
    groups: dict[int, list[Project]] = {}
    for p in projects:
        groups.setdefault(p.policy_id, []).append(p)
    return sorted(groups.items())


HELP_JA = (
    "船橋市 DX 推進計画アクションプランについてお答えします。例えば:\n"
    "・事業の状況: 「2-3-1の状況は？」「RPAの評価」\n"
    "・担当部署: 「1-3-1の担当は？」\n"
    "・KPI（参考値）: 「RPAのKPIは？」\n"
    "・スケジュール / 概要: 「2-1-2のスケジュール」「3-1-3の概要」\n"
    "・事業の一覧: 「A評価の事業」「基本方針2の事業」「広報課の事業」\n"
    "・用語: 「LGWANって何？」「マイナポータルとは」"
)
HELP_CITIZEN = (
    "船橋市のデジタル化の取り組み（DX 推進計画アクションプラン）について、言葉の意味や取り組みの内容をお答えします。\n"
    "例: 「マイナポータルって何？」「LGWANとは」「キャッシュレス決済の取り組みは？」"
)
HELP_EN = (
    "I answer questions about Funabashi City's DX Action Plan. Try:\n"
    "- status: \"what's 2-3-1's status?\", \"how is the open data project going?\"\n"
    "- owner: \"who is in charge of 2-1-1?\"\n"
    "- KPI, schedule, overview: \"KPI of 2-2-1\", \"schedule for 2-4-3\", \"what is 2-3-3 about?\"\n"
    "- lists: \"projects graded C\", \"projects under policy 4\"\n"
    "- terms: \"what does LGWAN mean?\""
)


# How a department submits its yearly evaluation: through the bot, not a page of the city's.
SUBMIT_HELP_JA = ("評価の提出は、このボットでできます。締め切り前に担当の事業ごとに届くリマインダー（またはアプリのホーム）の"
                  "「評価を入力」から、評価（A〜D）、参考値の実績、コメントを入力して保存してください。"
                  "入力できるのは事業の担当課の登録者と管理者です。")
SUBMIT_HELP_EN = ("You submit the yearly evaluation through this bot: open \"評価を入力\" (enter evaluation) from the reminder "
                  "each project's department receives before the deadline, or from the app's Home tab, and save the grade "
                  "(A–D), the KPI actuals and a comment. The departments in charge and administrators can submit.")


def help_text(lang: Lang, audience: Audience) -> str:
    if lang == "en":
        return HELP_EN
    return HELP_CITIZEN if audience == "citizen" else HELP_JA


def unknown_text(lang: Lang, *, reason: str = "", suggestions: list[str] | None = None, label: str | None = None) -> str:
    if lang == "en":
        lines = [reason or "Sorry, I don't know. The action plan has nothing that answers this."]
        if suggestions:
            lines.append(label + ", ".join(suggestions) if label else "Did you mean: " + ", ".join(suggestions) + "?")
        lines.append("Ask about a project (e.g. \"2-3-1 status\") or a term (e.g. \"what is LGWAN?\"), or say \"help\".")
    else:
        lines = [reason or "すみません、わかりません。アクションプランにはこの質問に答える情報がありません。"]
        if suggestions:
            lines.append((label or "もしかして: ") + "、".join(suggestions))
        lines.append("事業番号（例: 2-3-1の状況）や用語（例: LGWANとは）で聞いてみてください。「使い方」で例を表示します。")
    return "\n".join(lines)


def not_said_text(lang: Lang) -> str:
    if lang == "en":
        return ("The action plan does not seem to say that: it holds each project's plan, schedule, KPI "
                "figures and evaluation, and a glossary, not how-to steps, personal matters or figures it never gives.")
    return ("その質問の答えはアクションプランには書かれていないようです。計画にあるのは各事業の内容・スケジュール・"
            "KPI・評価と用語集で、手続の方法や個人の状況、計画にない数値などは載っていません。")


def plan_has_label(lang: Lang) -> str:
    return "What the plan has on this: " if lang == "en" else "計画に載っている関連の項目: "


def clarify_text(lang: Lang, topic: str, options: list[str]) -> str:
    """"Which one?" with the options; ``topic`` is the word they share, or "" when it is the
    question as a whole that fits them (the question model's ask back)."""
    if lang == "en":
        fits = f"Several projects fit \"{topic}\"." if topic else "Several projects fit your question."
        return f"{fits} Which one do you mean?\n" + "\n".join(f"- {o}" for o in options)
    fits = f"「{topic}」に当てはまるものが複数あります。" if topic else "ご質問に当てはまる事業が複数あります。"
    return f"{fits}どれのことですか？\n" + "\n".join(f"・{o}" for o in options)
