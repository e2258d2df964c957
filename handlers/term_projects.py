"""A term and the projects about it: when a question that names (or describes) a term asks what
the city does with it, how it went, or a count its definition gives, and when a short name is a
topic several projects share. Used by :class:`handlers.respond.Responder` next to the meaning stage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from handlers.by_meaning import (
    DESCRIPTION_WORDS,
    LEAD,
    MAX_OPTIONS,
    MIN_WORDS,
    NAMED,
    NAMED_SUPPORT,
    SHORT,
    WHOLE,
    MeaningStage,
    as_scored,
)
from handlers.cue_words import cue_words
from handlers.resolve import Scored
from handlers.understand import Reading, last_sentence

# 何種類 is 3 つの形態; いくつの形 (かたち) too.
_SAME_COUNT = {"種類": ("つの形態", "形態", "つの種類", "タイプ"), "形態": ("種類", "つの形態"), "形": ("形態", "つの形態", "種類")}
DOING_WORDS = 2  # words enough to describe a term's project when what the city did with it is asked
COUNTED_NEAR = 0.35  # a term this near by meaning may answer a count its definition gives (few give one)
_KIND_WORDS = frozenset(["事業", "取り組み", "取組", "取り組む", "話", "件", "施策"])
SHARED_TIMES = 3  # another project says a short name this often, and this share as often as the named one,
SHARED_SHARE = 1 / 3  # and holds it whole: the name is a topic both are about

# What the city does or plans is asked, not what a word is.
CITY_ACTION = re.compile(
    r"市(?:は|では|も|として|役所は|役所では|役所も)|しやくしょ(?:は|では|も)|方針|予定|つもり|検討|してくれ|やってくれ|手伝"
    r"|\b(?:is|will|does|did|has|can) (?:the )?city\b(?!'s)|\bcity hall\b|\bfunabashi\b|\bany plans?\b|\bplanning\b"
    r"|\bis there\b|\bwhere can\b|\bcan i\b", re.IGNORECASE)
# The city's doings asked for, not a word: 取り組み, 事業, 施策, "initiatives", "projects".
DOINGS = re.compile(r"取り?組み?|とりくみ|事業|施策|じぎょう|\binitiatives?\b|\bprojects?\b|\bprograms?\b|\bwhere are we\b", re.IGNORECASE)
# How something went or goes on (その後どうなった, 結果, 評価): a word's definition never says; its project does.
OUTCOME = re.compile(r"どうなった|どうなりました|どうなって|その後|そのご|結果|進捗|進み具合|評価|うまくいって|成果"
                     r"|\bwhat happened\b|\bhow did\b|\bhow is it going\b|\bprogress\b|\bstatus\b", re.IGNORECASE)
_TERM_FACT = re.compile(r"含ま|含む|含め|入って|入る|はいって|はいる|仲間|なかま|種類|しゅるい|形態|かたち|どんな形"
                        r"|\bmake up\b|\bconsists?\b|\binclud|\bkinds? of\b|\btypes? of\b|\bpart of\b", re.IGNORECASE)
TERM_GAP = 0.15  # how much more of a question a term's project must carry to answer for it


def shares_name(stage: MeaningStage, r: Reading, pid: str, *, via: str = "") -> tuple[Scored, ...]:
    """A bare topic the precise stages read as one project's short name (電子決裁 for 2-1-1)
    that another project holds as wholly and as near by meaning (2-1-2 puts 財務会計 on 電子決裁):
    the projects to ask between, or nothing. Words of its title name it (クラウド化 is 2-4-2's)."""
    if r.glossary_cue:
        return ()
    # Cheap first (most questions stop here): the name it was found by is in its title.
    folded = unicodedata.normalize("NFKC", via).casefold().replace(" ", "")
    title = unicodedata.normalize("NFKC", stage.catalog.projects[pid].name).casefold()
    if folded and folded in title.replace(" ", ""):
        return ()
    # 「アプリの事業」: 事業 says what kind of thing is asked about, not which.
    query, hits = stage.index.search(r.text, kinds={"project"}, limit=MAX_OPTIONS * 2, ignore=cue_words() | _KIND_WORDS)
    hits = stage.without_reposts(hits)
    if not hits or not query.words or len(query.words) > SHORT or query.coverage < 1.0:
        return ()
    # Held whole, and spoken of often: RPA named twice in BPR's text is a mention, not its topic.
    # The words as one phrase where the project writes them so (スマートフォン講座 is 3-1-2's; 3-1-1
    # says スマートフォン and 講座 apart).
    words = [unicodedata.normalize("NFKC", w).casefold() for w in query.words]
    phrase = "".join(words)
    said = [phrase] if phrase in stage.folded_texts.get(pid, "") else words
    named = _times_said(stage, pid, said)
    # Its title's words, or an alias its text hardly uses (スマホ講座 for 3-1-2): a name, not a topic.
    if all(w in title for w in words) or named < SHARED_TIMES:
        return ()
    near = [h for h in hits if stage.index.support(query, h.kind, h.ref) >= WHOLE
            and (h.ref == pid or _times_said(stage, h.ref, said) >= max(SHARED_TIMES, named * SHARED_SHARE))]
    if r.question.kind == "quantity" or r.project_intent == "project_kpi":  # a figure: only what has one
        near = [h for h in near if h.ref == pid or stage.measures(h)]
    if len(near) < 2 or pid not in {h.ref for h in near}:
        return ()
    return tuple(as_scored(h) for h in near[:MAX_OPTIONS])



def _times_said(stage: MeaningStage, pid: str, words: Sequence[str]) -> int:
    """How often the project says the words: as one phrase written so, else each word in the form
    the query compared it (セキュリティー is written セキュリティ), the least often of them."""
    if len(words) == 1 and (n := stage.folded_texts.get(pid, "").count(words[0])):
        return n
    said = stage.project_words.get(pid)
    return min((said[w] for w in words), default=0) if said else 0



def project_of_term(stage: MeaningStage, r: Reading, term: str) -> Scored | None:
    """The project about a term the question names, when the question asks what the city does
    with it rather than what it is: its own words carry more of the question than the term's
    definition does ("can I get help applying for a My Number card at a shopping mall?" is
    1-1-3), or as much when the city's doing is asked (「市もChatGPTを使う予定？」)."""
    if _TERM_FACT.search(r.cue_form):
        return None  # what it includes, what kinds it has: facts of the definition
    query = stage.index.query(r.text, ignore=cue_words())
    outcome = bool(OUTCOME.search(r.cue_form))
    city = bool(CITY_ACTION.search(r.cue_form))
    # A few words do when what the city did is asked ("the satellite office study - did the city decide anything?").
    if len(query.words) < (DOING_WORDS if outcome or city else DESCRIPTION_WORDS):
        return None
    carried = stage.index.support(query, "glossary", term)
    # How it went, or what the city does with it: a project whose schedule or evaluation speaks
    # of the term is about it too (2-3-2 plans ChatGPT in its schedule).
    folded = unicodedata.normalize("NFKC", term).casefold()
    about = [p for p in stage.catalog.projects.values()
             if any(term in text for text in (p.name, p.current, p.issue, p.goal))
             or (outcome or city) and folded in stage.folded_texts.get(p.id, "")]
    ranked = sorted(((stage.index.support(query, "project", p.id), p.id) for p in about), reverse=True)
    if not ranked:
        return None
    its, pid = ranked[0]
    tied = {p for support, p in ranked if support >= its}
    if len(tied) > 1:  # as much carried by several: the nearest by meaning, if one is clearly nearest
        _, hits = stage.index.search(r.text, kinds={"project"}, limit=MAX_OPTIONS * 2, ignore=cue_words())
        near = [h for h in hits if h.ref in tied]
        if not near or len(near) > 1 and near[0].score - near[1].score < LEAD:
            return None
        pid = near[0].ref
    # The city's doing is what the question ends by asking ("…Is the city planning to use things like
    # ChatGPT too?"): the project that speaks of the term answers, however much the definition shares.
    asked_of_city = bool(CITY_ACTION.search(last_sentence(r.cue_form)))
    if its - carried >= TERM_GAP or (its >= carried and its > 0 and city) or (
            its > 0 and (outcome or asked_of_city)):
        return Scored(pid, round(100 * its, 1), "project", "meaning:term's project")
    return None



def projects_doing(stage: MeaningStage, r: Reading, term: str) -> tuple[Scored, ...]:
    """「テレワークの取り組み」「the telework projects」: the city's doing with a term asked, not
    the word. The projects whose title or overview holds the term: the nearest by meaning when
    clearly so, else those to ask between (at most MAX_OPTIONS); none when it is no such question."""
    if r.glossary_cue or not DOINGS.search(r.cue_form):
        return ()
    about = {p.id for p in stage.catalog.projects.values() if p.repost_of is None
             and any(term in text for text in (p.name, p.current, p.issue, p.goal))}
    if not about:
        return ()
    _, hits = stage.index.search(r.text, kinds={"project"}, limit=MAX_OPTIONS * 2, ignore=cue_words())
    near = [h for h in hits if h.ref in about]
    if len(about) == 1 or len(near) == 1 or near and (len(near) < 2 or near[0].score - near[1].score >= LEAD):
        return (as_scored(near[0]),) if near else (Scored(next(iter(about)), 100.0, "project", "term"),)
    return tuple(as_scored(h) for h in near[:MAX_OPTIONS])



def term_over(stage: MeaningStage, r: Reading, project: Scored, terms: list[Scored]) -> Scored | None:
    """A term the question also names whose definition carries the whole question where the
    project's text does not (「マイナンバーって何桁？」: the card's project has no digits, the
    term's definition says twelve)."""
    named = [t for t in terms if t.score >= NAMED and t.how in ("exact", "mention", "contained")]
    if project.kind != "project":
        return None
    if r.question.counter:
        near = [Scored(h.ref, round(100 * h.score, 1), "glossary", "meaning")
                for h in stage.index.search(r.text, kinds={"glossary"}, limit=4, ignore=cue_words())[1]
                if h.score >= COUNTED_NEAR]
        counted = _counted_by_term(stage, r.question.counter, project.id, named + near)
        if counted is not None:
            return counted
    if not named:
        return None
    query = stage.index.query(r.text, ignore=cue_words())
    if len(query.words) < MIN_WORDS or stage.index.support(query, "project", project.id) >= NAMED_SUPPORT:
        return None
    best = max(named, key=lambda t: (stage.index.support(query, "glossary", t.id), t.score))
    return best if stage.index.support(query, "glossary", best.id) >= WHOLE else None



def _counted_by_term(stage: MeaningStage, counter: str, project_id: str, named: list[Scored]) -> Scored | None:
    """「何桁」「何種類」: a count whose counter a named term's definition gives with a figure
    (12 桁, 3 つの形態…) and no KPI of the project counts."""
    p = stage.catalog.projects.get(project_id)
    if not counter or p is None or any(counter in i.label for i in p.indicators):
        return None
    return next((t for t in named if counts(stage, t.id, counter)), None)



def counts(stage: MeaningStage, term: str, counter: str) -> bool:
    """Whether the term's definition gives a figure with this counter (12桁, 20の業務; a number of
    kinds as 3 つの形態)."""
    t = stage.catalog.terms.get(term)
    words = "|".join(re.escape(w) for w in (counter, *_SAME_COUNT.get(counter, ())))
    figure = re.compile(rf"[0-9０-９一二三四五六七八九十]+\s*(?:の)?\s*(?:{words})")
    return t is not None and bool(counter) and bool(figure.search(t.definition))

