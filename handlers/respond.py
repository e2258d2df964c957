"""``Responder.answer``: a message and an audience in, an :class:`Answer` out."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from handlers import compose as c
from handlers.answer import Answer, Audience, Contact, Context, Lang, Ref, staged
from handlers.answer_cache import AnswerCache
from handlers.ask_back import ASK_BACK_OPTIONS
from handlers.by_meaning import (
    DESCRIBED_LEAD,
    DESCRIBED_OVER_WEAK_LIST,
    DESCRIPTION_ASKED,
    ONE_ASKED,
    MeaningCall,
    MeaningStage,
    asks_name,
    meaning_kinds,
    nearest,
)
from handlers.care import reply as careful_reply
from handlers.cue_words import content_words
from handlers.fallback import popular_terms, with_fallback
from handlers.figures_held import figure_not_held, plan_years
from handlers.filters import Selection, names_the_grade_word
from handlers.focus import focused_text
from handlers.glossary_list import asks_for_glossary_list, glossary_list
from handlers.list_filters import department_related
from handlers.listing import group_lines, list_answer_text
from handlers.model_steps import (
    NAMED_BY_ID,
    NAMED_PROJECT,
    NOTHING_CONFIDENT,
    ONE_POINTED_AT,
    Builders,
    ModelSteps,
)
from handlers.near_id import one_digit_off, same_digits
from handlers.passage_answer import asks_address, passage_answer
from handlers.question_model import shared_model
from handlers.resolve import Analysis, Decision, Resolver, Scored, asked_of_the_name, without_excepted
from handlers.scope import OutOfScope, Scope
from handlers.term_projects import (
    CITY_ACTION,
    counts,
    project_of_term,
    projects_doing,
    shares_name,
    term_over,
)
from handlers.term_topic import term_topic
from handlers.understand import NO_GRADE, Reading, asked_intent, last_sentence, read
from handlers.unheld import (
    HOW_TO,
    LIST_UNHELD,
    NEVER_HELD,
    asked_kinds,
    project_text,
    term_text,
    unheld,
    unheld_reason,
)
from knowledge import changes
from knowledge.catalog import Catalog
from knowledge.gazetteer import fold_for_scan
from knowledge.normalize import as_typed, fold
from knowledge.passages import PassageFinder
from knowledge.records import Project
from state.catalog import load_catalog

# The KPI table itself asked for (not just a count): answered with it, or with its absence.
_NAMES_KPI = re.compile(r"kpi|参考値|指標|目標値|見込み?値|実績値|数値目標|\bindicators?\b|\bmetrics?\b|\btargets?\b")
# A project named as the one asked about: 「Xって事業」「Xという取り組み」, or why it got its grade.
_ONE_PROJECT_NAMED = re.compile(r"(?:って|という|っていう|とかいう)\s*(?:(?:どういう|どんな)\s*)?(?:事業|取り?組み?|プロジェクト)"
                                r"|(?:って|は)(?:なぜ|どうして|何で|なんで)(?!す|しょ|し)"
                                # 「〈title〉に関する事業がC評価となった理由」: why one project was graded so.
                                r"|(?:に関する|についての)\s*(?:事業|取り?組み?)[^。?？]{0,30}?(?:理由|原因)")
# 「スマホって英語で何て言う」「〜の正式名称は」: the named word's own name is asked.
_OWN_NAME = re.compile(r"英語|えいご|正式|略|元の|もとの|漢字で|カタカナで|ひらがなで|\bin english\b|\bfull name\b")
WEAK_LIST_WORDS = 3  # content words a list could not filter by that make it a weak reading
MAX_ASKED_FOR = 4  # projects offered when a project is asked for by a term several speak of
MAX_OFFERED = 3  # items offered under a question the plan cannot answer: what it has on the topic
NAMED_GROUP = 80.0  # an approach's or policy's title matched this surely names the group asked about
# Its projects asked for: what is in it, under it, which of them.
_IN_A_GROUP = re.compile(r"入って|はいって|含まれ|の中の|下にある|に属する|にある事業|の事業|\bin the\b|\bunder\b|\bfall under\b|\bwhich projects\b")
# Who made something, asked (a term's definition may say: シビックテック団体が…作成した).
_MAKER_ASKED = re.compile(r"(?:誰|だれ|どこ)が\s*(?:作|つく|開発|運営)|\bwho (?:made|makes|built|runs|developed)\b", re.I)
# Submitting the yearly evaluation, asked (what departments do through this bot).
_SUBMITTING = re.compile(r"(?:評価|実績|自己評価)[^。？?]{0,12}?(?:提出|入力|登録|報告|出す|出し)|(?:提出|入力)[^。？?]{0,6}?評価"
                         r"|\b(?:submit|enter|send|file|report)\b[^.?]{0,30}\b(?:evaluation|grade|actuals)\b", re.I)
_HOW = re.compile(r"方法|仕方|やり方|やりかた|どう|どこ|どの画面|手順|\bhow\b|\bwhere\b", re.I)
# Asked to change a grade or figure for them (「評価、Aに書き換えておいて」): they enter it themselves.
_CHANGE_ASKED = re.compile(r"(?:評価|実績|コメント)[^。？?]{0,12}?(?:書き換え|書きかえ|変更し|直し|修正し|変え)(?:て|と)"
                           r"|\b(?:change|update|rewrite|edit)\b[^.?]{0,30}\b(?:evaluation|grade|rating|actuals?)\b[^.?]{0,20}\bto\b", re.I)
NAMED_TERM = 70.0  # a term the message names this surely (0–100), whose definition may answer for its project
NAMED_DEPARTMENT = 90.0  # a department name matched this surely (0–100) is a list filter, not a description
# Cached under a message alone when its answer read the conversation: ask again with the context.
FOLLOWS_CONTEXT = object()
PROJECT_TEXT = {
    "project_status": c.status_text,
    "project_department": lambda cat, p, lang, aud: c.department_text(cat, p, lang),
    "project_kpi": lambda cat, p, lang, aud: c.kpi_text(cat, p, lang),
    "project_schedule": lambda cat, p, lang, aud: c.schedule_text(cat, p, lang),
    "project_overview": lambda cat, p, lang, aud: c.overview_text(cat, p, lang),
}


def visible(p: Project, audience: Audience) -> Project:
    """A project as this audience may see it: citizens never get unpublished evaluations."""
    if audience == "staff":
        return p
    return replace(p, evaluations=tuple(e for e in p.evaluations if e.status == "published"))


@dataclass(frozen=True)
class Glance:
    by_grade: dict[str | None, tuple[Project, ...]]
    behind: tuple[Project, ...]
    edition: str


# One project pointed at (あの事業, その件, "that project"): not all those a filter selects. ("The one
# about staff" names a policy: English "one" is left alone.)
_ONE_POINTED_AT = re.compile(r"(?:あの|その|例の)\s*(?:事業|取り?組み?|とりくみ|件|やつ|じぎょう)|\bthat project\b")


class Responder:
    """Answers questions from one knowledge-base snapshot; ``refresh`` picks up a re-ingest."""

    def __init__(self, catalog: Catalog, *, contact: Contact | None = None, cache_size: int = 0,
                 recheck_seconds: float = 0.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.contact = contact or Contact()
        self.cache = AnswerCache(cache_size)  # the server keeps recent answers; a library user, none
        self.recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._checked_at = self._changed_at = -math.inf
        self._changes = changes.last()
        self._set(catalog)

    def _set(self, catalog: Catalog) -> None:
        self.cache.clear()  # answers from the old snapshot
        self.catalog = catalog
        self.resolver = Resolver(catalog)
        self._popular: list[str] | None = None
        self.meaning = meaning = MeaningStage(catalog)
        self.scope = Scope(catalog, self.resolver, meaning=lambda: meaning.index)
        self.passages = PassageFinder(catalog)
        self.question_model = shared_model()
        self.steps = ModelSteps(catalog, resolver=self.resolver, meaning=meaning, build=Builders(
            project=self._project, glossary=self._glossary, clarify=self._clarify, listed=self._list_answer,
            with_twins=self._with_twins, unknown=self._unknown))
        self._years = plan_years(catalog)
        self._kpi_words = fold(" ".join(f"{i.label} {i.unit or ''}" for p in catalog.projects.values() for i in p.indicators))
        # What a list answer shows of each project, kept per snapshot: at 100x the plan a list
        # holds thousands of projects, and copying each for citizens, or making its Ref, per
        # question cost more than choosing them.
        self._views: dict[str, tuple[Project, Project]] = {}
        self._list_refs: dict[tuple[str, str], Ref] = {}

    def refresh(self) -> bool:
        """Reload when the database changed (new plan, submission, alias); True if it did.

        With ``recheck_seconds`` (the server) the database is looked at no more often than that:
        the look cost 4–5 % of the server's CPU per webhook. Another process's change then shows
        within that time. This process's own changes show at once: after one, every question looks
        again for ``recheck_seconds``, so a change noted before its commit is not missed."""
        if self.recheck_seconds:
            now, mark = self._monotonic(), changes.last()
            if mark != self._changes:
                self._changes, self._changed_at = mark, now
            elif now - self._checked_at < self.recheck_seconds and now - self._changed_at >= self.recheck_seconds:
                return False
            self._checked_at = now
        if self.catalog.is_stale(fresh=bool(self.recheck_seconds)):
            self._set(load_catalog(self.catalog.db, state=self.catalog.state))
            return True
        return False

    # ------------------------------------------------------------------ entry point
    def answer(self, message: str, *, audience: Audience = "staff", context: Context | None = None,
               lang: Lang | None = None) -> Answer:
        """``lang`` is the language the reader asked for (a page's toggle); by default the message's.

        The conversation (``context``) is read only by an answer that needs it (a follow-up), so
        the cache keeps most answers under the message alone and asks for the context only when
        this message's answer depended on it the last time."""
        # A lone surrogate (a JSON "\ud800", a byte that is not UTF-8 on a command line) can be
        # encoded by nothing downstream (Sudachi, SQLite, the log): it becomes "?" here.
        message = message.encode("utf-8", "replace").decode("utf-8")
        free = (message, audience, lang)
        context = context or Context()
        cached = self.cache.get(free)
        if isinstance(cached, Answer):
            return cached
        if cached is FOLLOWS_CONTEXT:
            key = (*free, context.last_project)
            answer = self.cache.get(key)
            if not isinstance(answer, Answer):
                answer = self._answer(message, audience=audience, context=context, lang=lang)
                self.cache.put(key, answer)
            return answer
        context.consulted = False
        answer = self._answer(message, audience=audience, context=context, lang=lang)
        if context.consulted:
            self.cache.put(free, FOLLOWS_CONTEXT)
            self.cache.put((*free, context.last_project), answer)
        else:
            self.cache.put(free, answer)
        return answer

    def _answer(self, message: str, *, audience: Audience, context: Context, lang: Lang | None) -> Answer:
        decided = self._decide(message, audience=audience, context=context, lang=lang)
        second = self.steps.second_look(message, decided, audience=audience, lang=lang, model=self.question_model)
        second = self._how_to_submit(second, audience) or self._how_to_asked(second, audience)
        return c.with_english_names(self.catalog, second)

    @staticmethod
    def _how_to_submit(answer: Answer, audience: Audience) -> Answer | None:
        """「評価の提出方法は？」「評価をAに書き換えておいて」 from staff: the bot itself takes the
        departments' evaluations, entered by them."""
        if audience != "staff" or not (_SUBMITTING.search(answer.query) and _HOW.search(answer.query)
                                       or _CHANGE_ASKED.search(answer.query)):
            return None
        text = c.SUBMIT_HELP_EN if answer.lang == "en" else c.SUBMIT_HELP_JA
        return staged(Answer(query=answer.query, intent="help", lang=answer.lang, audience=audience, text=text),
                      "how to submit an evaluation")

    def _how_to_asked(self, answer: Answer, audience: Audience) -> Answer:
        """「ふなっぷを入れる手順を教えて」: the plan says what the city does, never how a person does
        it. The item the question is about is offered (or what was offered already, when nothing
        answered), and no steps are made up from its text."""
        if "out_of_scope" in answer.extra or answer.extra.get("stage") == NAMED_BY_ID:
            return answer  # another city's procedure (that it is another city's comes first); a project by its number
        how = asked_kinds(answer.query, kinds=HOW_TO)
        if not how:
            return answer
        offered = list(answer.answers[:MAX_OFFERED] or answer.suggestions[:MAX_OFFERED])
        reading = replace(read(answer.query), lang=answer.lang)
        return staged(self._unknown(reading, audience, offered, reason=unheld_reason(how[0], answer.lang, what="")),
                      "how to do something, which the plan never says")

    def _decide(self, message: str, *, audience: Audience, context: Context, lang: Lang | None) -> Answer:
        # Distress, personal data, an opinion asked, a greeting: a fixed reply before the plan is read.
        cared = careful_reply(message, audience=audience, lang=lang, popular=self._popular_terms)
        if cared is not None:
            return cared
        reading = read(self.meaning.respell(message))
        if lang is not None:
            reading = replace(reading, lang=lang)
        if not reading.text.strip():
            return self._help(reading, audience)
        early = self._not_about_the_plan(reading, audience, lang_asked=lang is not None)
        if isinstance(early, Answer):
            return early
        reading = early
        if reading.project_ids:
            return staged(self._by_ids(reading, audience), NAMED_BY_ID)
        typo = self._mistyped_id(reading, audience)
        if typo is not None:
            return typo
        analysis = self.resolver.analyse(reading)
        if asks_name(reading):  # "what do you call …" asks for a term, never for a list
            return self._by_topic(reading, analysis, audience)
        if self._one_project_named(reading, analysis):  # not a list, nor the term in its title
            named = analysis.by_kind["project"][0]
            return staged(self._project(reading, [Scored(named.id, named.score)], asked_intent(reading),
                                        audience), "names (a project named as the one asked about)")
        kind_of = self.meaning.category(reading)
        if kind_of is not None:  # 「スマホ関係の事業」: a kind of project that several are
            topic, options = kind_of
            return staged(self._clarify(reading, list(options), topic, audience), "meaning (a kind of project)")
        listed = self._listed(reading, analysis, audience)
        if listed is not None:
            return listed
        if reading.help_cue and not reading.core:
            return self._help(reading, audience)
        if not reading.core and (reading.project_intent or reading.followup) and (
            context.last_project in self.catalog.projects  # the only place an answer reads the conversation
        ):
            p = self.catalog.projects[context.last_project]
            return self._project(reading, [Scored(p.id, 100.0)], asked_intent(reading),
                                 audience, assumed=p.id)
        return self._by_topic(reading, analysis, audience)

    def _not_about_the_plan(self, reading: Reading, audience: Audience, *, lang_asked: bool) -> Answer | Reading:
        """The answers given before the plan's items are looked at: a request or a question about the
        bot, the list of terms, another organisation. Otherwise the reading, without whose names
        that only say whose (船橋市の, 国の where the plan says so)."""
        never = asked_kinds(reading.text, kinds=NEVER_HELD)
        if never:  # 「指示を無視して…」, "how old are you?": nothing in the plan answers it
            return staged(self._unknown(reading, audience, [], reason=unheld_reason(never[0], reading.lang, what="")),
                          "a request, not a question about the plan")
        if asks_for_glossary_list(reading.text):
            terms = sorted(self.catalog.terms.values(), key=lambda t: t.position)
            return glossary_list(terms, query=reading.text, lang=reading.lang, audience=audience,
                                 source=c.source_line(self.catalog, reading.lang, glossary=True))
        verdict = self.scope.check(reading.text)
        if verdict.out is not None:
            if not lang_asked:  # "Kashiwa's telework" is English, whatever words it uses
                reading = replace(reading, lang=verdict.out.reply_lang(reading.text, reading.lang))
            return self._out_of_scope(reading, audience, verdict.out)
        if verdict.topic != fold_for_scan(reading.text):  # "船橋市のRPA", "国のガバメントクラウド": the topic
            reading = replace(read(verdict.topic), text=reading.text, lang=reading.lang)
        return reading

    def _listed(self, reading: Reading, analysis: Analysis, audience: Audience) -> Answer | None:
        """A list: of an approach or policy named by its words, or of the filters the question names."""
        # An approach or policy named by its title with its projects asked for (「テレワークの推進に入って
        # る事業はどれ」「…っていうアプローチには何の事業が入ってますか」): its projects, not the one
        # some of its words describe.
        group_named = bool(_IN_A_GROUP.search(reading.cue_form)) and (bool(reading.policy_ids or reading.approach_ids) or any(
            h.score >= NAMED_GROUP and h.how in ("exact", "mention")
            for kind in ("approach", "policy") for h in analysis.by_kind.get(kind, [])))
        group = self.meaning.group(reading)
        if group is not None:  # an approach or policy named by its words: all of its projects
            kind, gid, texts = group
            named = replace(reading, list_cue=True, fragments=(), core="",
                            **({"policy_ids": (int(gid),)} if kind == "policy" else {"approach_ids": (gid,)}))
            if reading.has_grade and not reading.grade_explicit and names_the_grade_word(texts, reading.cue_form, reading.grade):
                named = replace(named, grade=NO_GRADE)  # "leave no one behind" names policy 3; it grades nothing
            listed = self._list(named, analysis, audience)
            asks_one = kind == "approach" and listed is not None and ONE_ASKED.search(reading.cue_form) and not group_named
            one = self.meaning.describes_one(reading, lead=DESCRIBED_OVER_WEAK_LIST) if asks_one else None
            if one is not None:  # 「…クラウドへ移していく事業って何番？」 asks for one
                return staged(self._project(reading, [one], asked_intent(reading), audience),
                              "meaning (one project described)")
            if listed is not None:
                return staged(listed, "meaning (approach or policy described)")
        listed = self._list(reading, analysis, audience)
        if listed is None:
            return None
        # A department named outright is never a filter named by accident (「システム所管課が担当に
        # 入っている事業」 lists that department's projects, whatever one project its words describe).
        named_department = any(h.how in ("exact", "mention") and (h.score >= NAMED_DEPARTMENT or department_related(
            reading.cue_form, h.via)) for h in analysis.by_kind.get("department", []))
        named_department = named_department or group_named
        # Many words it could not filter by (「公民館…出向いてカード申請を手伝って…」): perhaps no list at all.
        # So is one asked for by number or as the one heard of (「…事業って何番？」).
        weak = len(content_words(str(listed.extra.get("list_unused", "")))) >= WEAK_LIST_WORDS or bool(
            ONE_ASKED.search(reading.cue_form))
        # Projects chosen by what their texts say (「振り返りに…と書いてある事業どれ」) are a list too.
        one = None if named_department or listed.extra.get("list_by_text") else self.meaning.describes_one(
            reading, lead=DESCRIBED_OVER_WEAK_LIST if weak else DESCRIBED_LEAD)
        if one is None:
            everything = len(listed.projects) >= sum(1 for p in self.catalog.projects.values() if not p.repost_of)
            # 「業務のやり方が課ごとにバラバラなのを直す事業」: a grouping word in a description, whose
            # words filtered nothing, is no list of every project; what it describes is looked for.
            return None if weak and everything else listed
        # 「PCを115台増やした事業ってどれ？」: a description of one project whose words happened
        # to name a list filter (オンライン, 追加); the project it describes is the answer.
        intent = asked_intent(reading)
        return staged(self._project(reading, [one], intent, audience), "meaning (one project described)")

    def _one_project_named(self, r: Reading, a: Analysis) -> bool:
        """「オープンデータの整備って事業の中身」「「テレワーク環境の重実」って何でC評価なの」: a project
        named by its title (typos and all) as the one asked about, with no group or department named."""
        projects = a.by_kind.get("project", [])
        if not projects or projects[0].score < NAMED_PROJECT or projects[0].how not in ("exact", "mention", "fuzzy"):
            return False
        if any(h.score >= NAMED_PROJECT for kind in ("approach", "policy", "department") for h in a.by_kind.get(kind, [])):
            return False
        # Its full title and one of its parts asked (「…の発信強化の目標値…一覧で見たい」): 一覧 is its table.
        whole = (projects[0].how == "exact" and r.project_intent == "project_kpi"
                 and fold(projects[0].via) == fold(self.catalog.projects[projects[0].id].name))
        return whole or bool(_ONE_PROJECT_NAMED.search(r.cue_form))

    def project_answer(self, project_id: str, intent: str, *, audience: Audience = "staff",
                       lang: str = "ja") -> Answer:
        """The answer to a button press ("KPI" on 2-3-1's card): no text to understand."""
        r = read("")
        r = replace(r, lang=lang, text=f"{project_id} {intent}")  # type: ignore[arg-type]
        if project_id not in self.catalog.projects:
            return self._unknown(r, audience, [])
        if intent not in PROJECT_TEXT:
            intent = "project_status"
        return c.with_english_names(self.catalog, self._project(r, [Scored(project_id, 100.0)], intent, audience))

    def term_answer(self, term: str, *, audience: Audience = "staff", lang: str = "ja") -> Answer:
        """The answer to a glossary button: the term's definition."""
        return self.answer(f"{term}とは" if lang == "ja" else f"what is {term}", audience=audience,
                           lang="en" if lang == "en" else "ja")

    def glance(self, *, audience: Audience = "staff") -> Glance:
        """The plan at a glance: projects per grade, and the ones behind schedule."""
        by_grade: dict[str | None, list[Project]] = {}
        for p in self.catalog.projects.values():
            e = visible(p, audience).latest_evaluation(include_drafts=False)
            by_grade.setdefault(e.grade if e else None, []).append(p)
        return Glance(
            by_grade={g: tuple(ps) for g, ps in by_grade.items()},
            behind=(*by_grade.get("C", []), *by_grade.get("D", [])),
            edition=self.catalog.edition,
        )

    # ------------------------------------------------------------------ branches
    def _mistyped_id(self, r: Reading, audience: Audience) -> Answer | None:
        """「2-31のKPI」: an approach number the plan lacks whose digits spell exactly one project."""
        for typed in r.approach_ids:
            if typed in self.catalog.approaches:
                continue
            near = same_digits(typed, self.catalog.projects)
            if len(near) == 1:
                answer = self._by_ids(replace(r, project_ids=(near[0],), approach_ids=()), audience)
                note = (f"(Reading {typed} as project {near[0]}.)" if r.lang == "en"
                        else f"（{typed} は事業番号 {near[0]} として答えています）")
                return staged(replace(answer, text=note + "\n" + answer.text), "ids (mistyped)")
        return None

    def _by_ids(self, r: Reading, audience: Audience) -> Answer:
        known = [Scored(pid, 100.0) for pid in r.project_ids if pid in self.catalog.projects]
        intent = r.project_intent or ("project_overview" if r.glossary_cue else asked_intent(r))
        if known:
            return self._project(r, known, intent, audience)
        missing = r.project_ids[0]
        close = same_digits(missing, self.catalog.projects) + one_digit_off(missing, self.catalog.projects)
        near = [self.catalog.projects[pid] for pid in dict.fromkeys(close)]
        listed = {p.id for p in near}
        near += [p for p in self.catalog.projects.values() if p.approach_id == missing.rsplit("-", 1)[0] and p.id not in listed]
        reason = (f"There is no project {missing} in the action plan." if r.lang == "en"
                  else f"事業番号 {missing} はアクションプランにありません。")
        return self._unknown(r, audience, [self._ref(p.id, 50.0, r.lang) for p in near][:5], reason=reason)

    def _list(self, r: Reading, a: Analysis, audience: Audience) -> Answer | None:
        sel = self.resolver.list_filter(r, a)
        if sel is None:
            return None
        if sel.missing:  # a filter naming something the plan does not have
            reason = (f"The action plan has no {sel.missing}." if r.lang == "en" else f"アクションプランに{sel.missing}はありません。")
            return self._unknown(r, audience, [], reason="\n".join([reason, *sel.notes]))
        missing = (unheld(r.text, "\n".join(project_text(p) for p in sel.projects), kinds=LIST_UNHELD)
                   if asked_kinds(r.text, kinds=LIST_UNHELD) else None)  # the texts only when a fact is asked
        if missing is not None:  # "who heads the division": a list of its projects names no one
            what = sel.label or ("the action plan" if r.lang == "en" else "アクションプラン")
            return self._unknown(r, audience, [], reason=unheld_reason(missing, r.lang, what=what))
        if r.project_intent and 2 <= len(sel.projects) <= ASK_BACK_OPTIONS and _ONE_POINTED_AT.search(r.cue_form):
            # 「戸籍住民課のあの事業、進捗どうなった？」: one of the department's projects is meant, and a
            # thing asked of it: which one, not the list.
            return staged(self._clarify(r, [Scored(p.id, 0.0, "project") for p in sel.projects], sel.label or "", audience),
                          ONE_POINTED_AT)
        return self._list_answer(r, sel, audience)

    def _list_answer(self, r: Reading, sel: Selection, audience: Audience) -> Answer:
        """The projects a selection holds, as a list answer (the count first when asked, groups)."""
        cat = self.catalog
        shown = [self._view(p, audience) for p in sel.projects]
        return Answer(
            query=r.text, intent="project_list", lang=r.lang, audience=audience,
            text=list_answer_text(cat, sel, shown, r.lang) + "\n" + c.source_line(cat, r.lang),
            answers=tuple(self._listed_ref(p.id, r.lang) for p in shown), projects=tuple(shown),
            list_filter=sel.label, source=c.source_line(cat, r.lang), score=100.0,
            # For cards: per-group counts and what could not be applied, which the list alone does not show.
            extra={"list_groups": group_lines(cat, sel, shown, r.lang), "list_notes": list(sel.notes),
                   "list_unused": sel.unused_topic, "list_by_text": sel.by_text},
        )

    def _by_topic(self, r: Reading, a: Analysis, audience: Audience) -> Answer:
        a = without_excepted(r.text, a)
        if asks_address(r):  # "オープンデータのURLは？": only the plan's sentence with the address answers
            quoted = self._quote(r, audience, address_only=True)
            if quoted is not None:
                return quoted
        # A term the description itself names (すまほに…とどく あれは なんという) is part of it, not the answer.
        in_it = frozenset(h.id for h in a.by_kind.get("glossary", []) if h.how in ("exact", "mention"))
        naming = (asks_name(r) or bool(DESCRIPTION_ASKED.search(r.text)) and not in_it and not any(
            h.how in ("exact", "mention") for h in a.by_kind.get("project", []))) and not asked_of_the_name(r, a)
        if naming:  # "〜を何という？": the description names a term, whatever words it shares with names
            call = self.meaning.decide(r, kinds={"glossary"}, naming=True, besides=in_it)
            if call.kind == "glossary":
                return staged(self._glossary(r, call.top[0], audience), "meaning (naming question)")
        decision = self.resolver.decide(r, a)
        if naming and decision.kind == "glossary" and decision.top[0].id in in_it and not _OWN_NAME.search(r.text):
            # The name asked for is not the one the description uses: say so, offer the nearest.
            near = nearest(call, besides=in_it, most=MAX_ASKED_FOR)
            return staged(self._unknown(r, audience, [self._any_ref(s, r.lang) for s in near]),
                          "meaning (naming question, not sure)")
        if decision.kind != "project" and not r.glossary_cue and not naming and ONE_ASKED.search(r.cue_form):
            asked_for = self._project_asked_for(r, decision, audience)
            if asked_for is not None:
                return asked_for
        if decision.kind in ("unknown", "clarify") and not naming:
            topic = term_topic(r, a, kpi_words=self._kpi_words, mentions=self._projects_using)
            project = project_of_term(self.meaning, r, topic.id) if topic is not None and not r.glossary_cue else None
            if project is not None:
                return self._decided(r, "project", [project], asked_intent(r), decision.topic,
                                     audience, "names, the term's project")
            if topic is not None:
                return staged(self._glossary(r, topic, audience), "names (a term as the topic)")
        if decision.kind == "project" and not r.project_ids and r.project_intent in (None, "project_kpi"):
            named = [Scored(h.id, h.score, "glossary", h.how) for h in a.by_kind.get("glossary", [])]
            term = term_over(self.meaning, r, decision.top[0], named)
            if term is not None:
                return staged(self._glossary(r, term, audience), "names, the term carries the question")
        if decision.kind == "glossary" and not naming:
            doing = projects_doing(self.meaning, r, decision.top[0].id)
            if doing:
                return self._decided(r, "project" if len(doing) == 1 else "clarify", list(doing), asked_intent(r),
                                     decision.topic, audience, "names, the projects doing what the term names")
        if decision.kind == "glossary" and not r.glossary_cue and not naming:
            project = project_of_term(self.meaning, r, decision.top[0].id)
            if project is not None:
                return self._decided(r, "project", [project], asked_intent(r), decision.topic,
                                     audience, "names, the term's project")
        if decision.kind == "project" and not r.project_ids:
            via = next((h.via for h in a.by_kind.get("project", []) if h.id == decision.top[0].id), "")
            shared = shares_name(self.meaning, r, decision.top[0].id, via=via)
            if shared:
                return staged(self._clarify(r, list(shared), decision.topic, audience), "names, a topic projects share")
        if decision.kind == "project" and decision.top[0].id not in {h.id for h in a.by_kind.get("project", [])}:
            # Reached through a term it speaks of (スマートフォン → 3-1-2), not by its own name: a
            # project the whole question describes, by a clear lead, is what is asked about.
            call = self.meaning.decide(r, kinds={"project"})
            if call.kind == "project" and call.top[0].id != decision.top[0].id:
                return self._decided(r, "project", list(call.top), decision.intent, decision.topic, audience,
                                     "meaning, over a term's project")
        if decision.kind in ("glossary", "project", "clarify"):
            return self._decided(r, decision.kind, list(decision.top), decision.intent, decision.topic, audience,
                                 f"names ({decision.how})" if decision.how else "names",
                                 projects=1)
        return self._by_meaning(r, a, decision.top, decision.topic, audience, naming=naming)

    def _project_asked_for(self, r: Reading, decision: Decision, audience: Audience) -> Answer | None:
        """「…をクラウドに移す事業って何番？」 asks for a project, whatever term it names: the one
        it describes, or those that speak of the term (the one, or which of them)."""
        call = self.meaning.decide(r, kinds={"project"})
        top = list(call.top) if call.kind == "project" else []
        kind = "project"
        if not top and decision.kind == "glossary":  # the projects that speak of it: the one, or which
            about = self.resolver.projects_mentioning(decision.top[0].id)[:MAX_ASKED_FOR]
            top = [Scored(pid, decision.top[0].score) for pid in about]
            kind = "clarify" if len(top) > 1 else kind
        if not top:
            return None
        return self._decided(r, kind, top, asked_intent(r), decision.topic, audience,
                             "meaning (a project asked for)")

    def _by_meaning(self, r: Reading, a: Analysis, named: list[Scored], topic: str, audience: Audience,
                    *, naming: bool) -> Answer:
        """The precise stages found nothing they could answer. A sentence of the plan that holds
        every content word answers; then a name they found whose own text carries the rest of the
        question (「DXを最初に提唱したのは誰？」); then what the question describes."""
        kinds = meaning_kinds(r, naming=naming)
        names = [Scored(h.id, h.score, kind, h.how) for kind in ("glossary", "project") for h in a.by_kind.get(kind, [])]
        call = self.meaning.decide(r, kinds=kinds, named=names)
        if r.question.counter and "glossary" not in kinds and call.kind != "project":
            # "How many digits is a My Number?": a count a term's definition gives (12桁), not a KPI.
            counted = self.meaning.decide(r, kinds=kinds | {"glossary"}, named=names)
            if counted.kind == "glossary" and counts(self.meaning, counted.top[0].id, r.question.counter):
                call = counted
        if call.shared_topic:  # a sentence holding a bare topic word is one of many, not the answer
            return staged(self._clarify(r, list(call.top), topic, audience), "meaning (a topic several projects share)")
        quoted = self._quote(r, audience) or self._quote_asking_sentence(r, call, audience)
        if quoted is not None:
            if call.kind == "clarify" and quoted.answers and quoted.answers[0].id in {s.id for s in call.top}:
                # The sentence is in one of several projects the question fits equally: ask which.
                return staged(self._clarify(r, list(call.top), topic, audience), "meaning")
            if call.kind in ("glossary", "project") and (not quoted.answers or quoted.answers[0].id != call.top[0].id):
                # A sentence that happens to hold the words, against what the whole question means (or
                # words it says the plan does not explain, where the whole question means an item).
                return self._decided(r, call.kind, list(call.top), asked_intent(r), topic,
                                     audience, "meaning, over a passage")
            return staged(self._held(r, quoted, audience), "passage")
        carried = self.meaning.carried(r, names, kinds=kinds)
        if carried is not None:
            return self._decided(r, carried.kind, [carried], asked_intent(r), topic, audience,
                                 "names, carried by meaning")
        if call.kind == "glossary" and not naming and not r.glossary_cue:
            project = project_of_term(self.meaning, r, call.top[0].id)
            if project is not None:
                return self._decided(r, "project", [project], asked_intent(r), topic, audience,
                                     "meaning, the term's project")
        if call.kind == "unknown" and not naming and CITY_ACTION.search(r.cue_form):
            # 「…えーあいの話をやってたけど、市役所でもそういうのを使うつもり？」: a term named in
            # passing, and what the city does with it asked: the term's project, when it has one.
            for named_term in (n for n in names if n.kind == "glossary" and n.how in ("exact", "mention")):
                project = project_of_term(self.meaning, r, named_term.id)
                if project is not None:
                    return self._decided(r, "project", [project], asked_intent(r), topic, audience,
                                         "names, what the city does with a term")
        if call.kind in ("glossary", "project", "clarify"):
            return self._decided(r, call.kind, list(call.top), asked_intent(r), topic, audience,
                                 "meaning")
        # A figure or a fact the plan may not hold (人口, 職員数, a budget) is not asked between projects.
        close = () if r.question.kind == "quantity" or asked_kinds(r.text) else self.meaning.close_projects(call)
        if len(close) > 1:
            # Two or more projects as near as each other and near enough: which one, not "I don't know".
            return staged(self._clarify(r, list(close), topic, audience), "meaning (close projects)")
        return staged(self._unknown(r, audience, [self._any_ref(s, r.lang) for s in (named or list(call.top))]),
                      NOTHING_CONFIDENT)

    def _decided(self, r: Reading, kind: str, top: list[Scored], intent: str, topic: str, audience: Audience,
                 stage: str, *, projects: int | None = None) -> Answer:
        """The answer a stage decided on: a term, the project(s) (at most ``projects`` of them), or
        the question which."""
        if kind == "glossary":
            return staged(self._glossary(r, top[0], audience), stage)
        if kind == "clarify":
            return staged(self._clarify(r, top, topic, audience), stage)
        return staged(self._project(r, top[:projects] if projects else top, intent, audience), stage)

    def _projects_using(self, term: str) -> int:
        return len(self.resolver.projects_mentioning(term))

    def _held(self, r: Reading, answer: Answer, audience: Audience) -> Answer:
        """A quoted answer, or "I don't know" when the question asks a fact its item does not hold."""
        if answer.intent == "unknown" or not answer.answers:
            return answer
        ref = answer.answers[0]
        if ref.kind == "project" and ref.id in self.catalog.projects:  # 「令和5年度の評価」: a year the plan lacks
            return self._not_in_plan(r, self.catalog.projects[ref.id], answer.intent, ref.score, audience) or answer
        return self._unheld(r, ref, audience) or answer

    def _unheld(self, r: Reading, ref: Ref, audience: Audience) -> Answer | None:
        """"The plan does not say" when the question asks a kind of fact (a price, a company…) that
        the item's own text never holds; None otherwise. The text is built only when one is asked."""
        if not asked_kinds(r.text):
            return None
        missing = unheld(r.text, self._held_text(ref))
        if missing is None:
            return None
        return self._unknown(r, audience, [ref], reason=unheld_reason(missing, r.lang, what=ref.title))

    def _held_text(self, ref: Ref) -> str:
        return term_text(self.catalog.terms[ref.id]) if ref.kind == "glossary" else project_text(self.catalog.projects[ref.id])

    def _held_by_none(self, r: Reading, refs: list[Ref]) -> str | None:
        """Why none of the options can give what is asked (a year or a count its tables lack, a kind of
        fact its text never holds), or None when one may."""
        q = r.question
        if not (q.year is not None or q.kind in ("quantity", "schedule") or q.measure or q.rate_of or q.counter
                or asked_kinds(r.text)):
            return None  # nothing asked that an option's text could lack (most "which one?"s)
        intent, first = asked_intent(r), None
        for ref in refs:
            p = self.catalog.projects.get(ref.id) if ref.kind == "project" else None
            reason = figure_not_held(r, p, intent, years=self._years, title=ref.title) if p is not None else None
            if reason is None and ref.kind in ("project", "glossary") and asked_kinds(r.text):
                missing = unheld(r.text, self._held_text(ref))
                reason = unheld_reason(missing, r.lang, what=ref.title) if missing is not None else None
            if reason is None:
                return None
            first = first or reason
        return first

    def _glossary(self, r: Reading, hit: Scored, audience: Audience) -> Answer:
        term = self.catalog.terms[hit.id]
        refused = self._unheld(r, self._term_ref(term.term, hit.score, r.lang), audience)
        if refused is not None:  # 「ふなっぷはどこの会社が作った？」: the definition names no company
            return refused
        related = self.resolver.projects_mentioning(term.term)[:3]
        source = c.source_line(self.catalog, r.lang, glossary=True)
        return Answer(
            query=r.text, intent="glossary", lang=r.lang, audience=audience,
            text=c.glossary_text(self.catalog, term, r.lang) + "\n" + source,
            answers=(self._term_ref(term.term, hit.score, r.lang),),
            suggestions=tuple(self._ref(pid, 0.0, r.lang) for pid in related),
            terms=(term,), source=source, score=hit.score,
        )

    def _clarify(self, r: Reading, top: list[Scored], topic: str, audience: Audience) -> Answer:
        refs = [self._any_ref(s, r.lang) for s in self._with_twins(top)]
        reason = self._held_by_none(r, refs)
        if reason is not None:
            # "How many people took the security training?" of 4-1-1 and its repost 5-1-2, 「令和9年度の
            # スマホの目標」 of either smartphone project: choosing one would not answer it.
            return self._unknown(r, audience, refs, reason=reason)
        return Answer(
            query=r.text, intent="clarify", lang=r.lang, audience=audience,
            text=c.clarify_text(r.lang, as_typed(r.text, topic), [f"{x.id} {x.title}" if x.kind == "project" else x.title for x in refs]),
            suggestions=tuple(refs), score=top[0].score, extra={"topic": topic} if topic else {},
        )

    def _with_twins(self, top: list[Scored]) -> list[Scored]:
        """Options with each project's repost beside it (4-1-1 and 5-1-2 are one project listed
        under two policies): a person choosing may know it by either number."""
        out: list[Scored] = []
        for s in top:
            out.append(s)
            p = self.catalog.projects.get(s.id) if s.kind == "project" else None
            if p is None:
                continue
            twins = [p.repost_of] if p.repost_of else self.catalog.reposts_of(p.id)
            out += [Scored(t, s.score, "project", s.how) for t in twins if t in self.catalog.projects]
        first: dict[tuple[str, str], Scored] = {}
        for s in out:
            first.setdefault((s.kind, s.id), s)
        return list(first.values())

    def _quote_asking_sentence(self, r: Reading, call: MeaningCall, audience: Audience) -> Answer | None:
        """「…端末があるって聞きました。本庁舎の何階にあるんでしたっけ？」: after a story, the plan's
        sentence that holds the asking sentence's words, in the item the whole message means."""
        asking = last_sentence(r.text)
        if asking == r.text.strip() or call.kind not in ("glossary", "project") or len(content_words(asking)) < 2:
            return None
        quoted = self._quote(read(asking), audience)
        if quoted is None or quoted.intent == "unknown" or not quoted.answers or quoted.answers[0].id != call.top[0].id:
            return None
        return quoted

    def _quote(self, r: Reading, audience: Audience, *, address_only: bool = False) -> Answer | None:
        """The whole-text stage (handlers.passage_answer): the plan's own sentence, or None."""
        quoted = passage_answer(self.catalog, self.passages, r, audience, show=lambda p: visible(p, audience),
                                project_text=PROJECT_TEXT, is_name=self.resolver.index.is_name,
                                address_only=address_only)
        if quoted is not None and quoted.intent == "unknown":  # a word the plan uses but never defines
            return self._unknown(r, audience, list(quoted.suggestions), reason=quoted.extra["reason"])
        return quoted

    # ------------------------------------------------------------------ builders
    def _project(self, r: Reading, hits: list[Scored], intent: str, audience: Audience,
                 *, assumed: str | None = None) -> Answer:
        cat = self.catalog
        refused = self._not_in_plan(r, cat.projects[hits[0].id], intent, hits[0].score, audience)
        if refused is not None:
            return refused
        if intent == "project_kpi" and not any(cat.projects[h.id].indicators for h in hits) and not _NAMES_KPI.search(
                r.cue_form):
            # 「何回やったの？」 of a project with no KPI table: its status (evaluation comment, 12館) says it.
            intent = "project_status"
        projects = [visible(cat.projects[h.id], audience) for h in hits]
        texts = [focused_text(cat, p, r.question, intent, r.lang, PROJECT_TEXT[intent](cat, p, r.lang, audience))
                 for p in projects]
        source = c.source_line(cat, r.lang, project=", ".join(p.id for p in projects))
        text = "\n\n".join(texts) + "\n" + source
        if assumed:
            note = (f"(Assuming you mean {assumed}, the project we were discussing.)" if r.lang == "en"
                    else f"（直前の話題の事業 {assumed} についてお答えします）")
            text = note + "\n" + text
        return Answer(
            query=r.text, intent=intent, lang=r.lang, audience=audience, text=text,  # type: ignore[arg-type]
            answers=tuple(self._ref(h.id, h.score, r.lang) for h in hits), projects=tuple(projects),
            assumed_project=assumed, source=source, score=hits[0].score,
            extra={"question_type": r.question.kind, "year": r.question.year} if r.question.kind else {},
        )

    def _not_in_plan(self, r: Reading, p: Project, intent: str, score: float, audience: Audience) -> Answer | None:
        """"I don't know" for a year outside the plan's tables or a fact its texts never hold."""
        ref = self._ref(p.id, score, r.lang)
        reason = figure_not_held(r, p, intent, years=self._years, title=ref.title)
        if reason is not None:
            return self._unknown(r, audience, [ref], reason=reason)
        refused = self._unheld(r, ref, audience)
        if refused is not None and _MAKER_ASKED.search(r.text):
            # 「船橋子育て地域マップは誰が作ったの」: the project never says, the term named says who made it.
            named = [h for h in self.resolver.analyse(r).by_kind.get("glossary", [])
                     if h.how in ("exact", "mention") and h.score >= NAMED_TERM]
            maker = next((h for h in named if unheld(r.text, term_text(self.catalog.terms[h.id])) is None), None)
            if maker is not None:
                return staged(self._glossary(r, Scored(maker.id, maker.score, "glossary", maker.how), audience),
                              "names, the term says who made it")
        return refused

    def _help(self, r: Reading, audience: Audience) -> Answer:
        text = c.help_text(r.lang, audience)
        if r.lang == "en" and len(r.text.split()) == 1:
            # A bare "help" or "/dx help" says nothing about the reader's language: show both.
            text = c.help_text("ja", audience) + "\n\n" + text
        return Answer(query=r.text, intent="help", lang=r.lang, audience=audience, text=text)

    def _unknown(self, r: Reading, audience: Audience, suggestions: list[Ref], *, reason: str = "",
                 label: str | None = None) -> Answer:
        names = [f"{s.id} {s.title}" if s.kind == "project" else s.title for s in suggestions]
        answer = Answer(
            query=r.text, intent="unknown", lang=r.lang, audience=audience,
            text=c.unknown_text(r.lang, reason=reason, suggestions=names, label=label), suggestions=tuple(suggestions),
        )
        return with_fallback(answer, contact=self.contact, popular=self._popular_terms())

    def _popular_terms(self) -> list[str]:
        """The terms offered under an unanswered question and a greeting (worked out once per snapshot)."""
        if self._popular is None:
            self._popular = popular_terms(self.catalog.terms, mentions=self.resolver.projects_mentioning)
        return self._popular

    def _out_of_scope(self, r: Reading, audience: Audience, out: OutOfScope) -> Answer:
        """Another organisation: say so, and point at the same topic in Funabashi's plan."""
        answer = self._unknown(r, audience, [self._any_ref(s, r.lang) for s in out.suggestions],
                               reason=out.reason(r.lang), label=out.suggestion_label(r.lang))
        where = {"organisation": out.org.name, "kind": out.org.kind}
        return replace(answer, extra={**answer.extra, "out_of_scope": where})

    def _ref(self, pid: str, score: float, lang: str) -> Ref:
        p = self.catalog.projects[pid]
        title = (self.catalog.english_name("project", pid) or p.name) if lang == "en" else p.name
        return Ref("project", pid, title, score)

    def _view(self, p: Project, audience: Audience) -> Project:
        if audience == "staff":
            return p
        seen = self._views.get(p.id)
        if seen is None or seen[0] is not p:
            seen = self._views[p.id] = (p, visible(p, audience))
        return seen[1]

    def _listed_ref(self, pid: str, lang: str) -> Ref:
        ref = self._list_refs.get((pid, lang))
        if ref is None:
            ref = self._list_refs[(pid, lang)] = self._ref(pid, 100.0, lang)
        return ref

    def _term_ref(self, term: str, score: float, lang: str) -> Ref:
        return Ref("glossary", term, term, score)

    def _any_ref(self, s: Scored, lang: str) -> Ref:
        if s.kind == "glossary":
            return self._term_ref(s.id, s.score, lang)
        return self._ref(s.id, s.score, lang)
