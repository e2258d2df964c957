"""A question that names a glossary term as its topic and asks something of it.

「オープンデータって、お金かからないの？」, 「CSIRTの正式名称を英語で」, "Which company provides
Yahoo!くらし?": the term is named and the rest asks one of its facts in words the entry need not
use. The entry is all the plan knows of the term, so it answers (a fact of a kind it does not hold
is still refused by the caller). Not a topic: a term inside a statement (「マイナンバーの暗証番号を
忘れた」), a term named after the question's own topic (「国の中でのDXの順位」 asks of 国), or a
term whose project is what is asked (its department, schedule or figures).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers.by_meaning import NAMED
from handlers.resolve import Analysis, Scored, asking_key
from handlers.understand import Reading
from knowledge.normalize import fold
from knowledge.search import Hit, key

# What follows a Japanese topic: 「〜って」「〜は」「〜とは」「〜の」「〜という」「〜でいう」「〜、」.
# 「ふなっぷで申請もできる？」: what can be done with it is asked of the term too; 「〜さんには」 a person.
_TOPIC_MARK = re.compile(r"\s*(?:さん\s*)?(?:って|とは|は|の|という|でいう|には|では|に|、|,)"
                         r"|\s*で(?=[^。?？]{0,12}(?:でき|できる|出来|使え|つかえ)[^。?？]{0,6}(?:[?？]|の|か)\s*$)")
_JA_QUESTION = re.compile(r"[?？]|(?:か|の|かな|かしら|っけ|かね)\s*[。!！]*\s*$|何|なに|なん|どこ|だれ|誰|いくつ|どんな|どういう|どの|どれ")
_EN_QUESTION = re.compile(r"\?|^\s*(?:who|what|which|how|does|do|is|are|can|where|when|why)\b", re.IGNORECASE)
# What may come before a topic that opens a question: marks and a word of address.
_LEAD = re.compile(r"[\s、,。!！?？「『\"']*(?:ねえ|あの|あのー|えっと|すみません|ちょっと|ところで|質問です|しつもんです)?[\s、,。!！?？「『\"']*")
_ABOUT_PROJECTS = re.compile(r"事業|取り組み|取組|\bprojects?\b|\binitiatives?\b", re.IGNORECASE)
EVERYDAY = 3  # projects using a term beyond which it is an everyday word, not a topic
_DEPARTMENT = re.compile(r"担当|部署|所管|課|部局|department|division|section|in charge", re.IGNORECASE)
_PROJECT_ONLY = ("project_department", "project_schedule", "project_status")


def term_topic(r: Reading, a: Analysis, *, kpi_words: str, mentions: Callable[[str], int]) -> Scored | None:
    """The glossary term ``r`` asks about as its topic, or None.

    ``kpi_words``: the folded labels and units of the plan's KPI tables; a count of something they
    measure (「テレワークの端末は何台」) asks a project's figures, any other count (「テレワークは
    何種類」) a fact of the term. ``mentions``: how many projects use a term; one that many use
    (スマホ, AI) is an everyday word in a question about something else (「すまほの あぷりで払える？」)."""
    terms = [h for h in a.by_kind.get("glossary", []) if h.how in ("exact", "mention") and h.score >= NAMED]
    if not terms:
        return None
    if _asks_a_project(r, kpi_words, names=[t.via for t in terms]):
        return None
    # A story's asking sentence names what is asked ("…my My Number card… What is マイナポータル
    # exactly?"): its terms first, and a project the story named before it is the asker's story.
    asking = asking_key(r)
    if asking is not None:
        terms.sort(key=lambda t: key(t.via) not in asking)
    # The term the question opens with, not the best-scored one it names later
    # (「ふなっぷってプッシュ通知のほかに何ができるの」 asks of ふなっぷ).
    top = next((t for t in terms if _opens_question(r, t.via)), None)
    if top is None or mentions(top.id) > EVERYDAY:
        return None
    if _project_named(a, top, within=asking if asking is not None and key(top.via) in asking else None):
        return None
    return Scored(top.id, top.score, "glossary", top.how)


def _project_named(a: Analysis, term: Hit, *, within: str | None = None) -> bool:
    """A project's own name is named, as surely as the term or longer (オープンデータカタログサイト)
    (``within``: in that sentence)."""
    return any(h.score > term.score or len(h.via) > len(term.via) for h in a.by_kind.get("project", [])
               if h.how in ("exact", "mention") and (within is None or key(h.via) in within))


def _asks_a_project(r: Reading, kpi_words: str, *, names: list[str]) -> bool:
    """What is asked only a project holds: its department, schedule, status, a year, figures
    (「事業」 inside a term's own name, 生涯学習サポート事業, speaks of no project)."""
    if r.project_intent == "project_department" and not _DEPARTMENT.search(r.text):
        return False  # 「誰が提唱した」, "who runs it": who, of a term, is a fact of its entry
    unnamed = r.text
    for name in names:
        unnamed = unnamed.replace(name, " ")
    if r.project_intent in _PROJECT_ONLY or r.question.year or _ABOUT_PROJECTS.search(unnamed):
        return True
    return r.project_intent == "project_kpi" and (not r.question.counter or fold(r.question.counter) in kpi_words)


def _opens_question(r: Reading, via: str) -> bool:
    """The name is the topic of a question: it opens a Japanese one (「オープンデータって、…？」)
    followed by a topic mark, or stands anywhere in an English one."""
    if r.lang == "en" or sum(ch.isascii() for ch in r.text) > 0.6 * len(r.text):  # "Which company provides Yahoo!くらし?"
        # (as found, whichever way it was spaced: "マイナ ポータル" of マイナポータル)
        return key(via) in key(r.text) and bool(_EN_QUESTION.search(r.text))
    text, name = fold(r.text, kana=False), fold(via, kana=False)
    at = fold(r.text).find(fold(via))  # the name as found, in whichever kana it was typed
    if at < 0 or len(text) != len(fold(r.text)):
        return False
    return bool(_LEAD.fullmatch(text[:at]) and _TOPIC_MARK.match(text, at + len(name)) and _JA_QUESTION.search(text))
