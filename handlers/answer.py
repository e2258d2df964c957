"""The platform-neutral answer: what Slack, LINE, the web chat and the CLI render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from knowledge.records import Project, Term

Intent = Literal[
    "project_status",
    "project_department",
    "project_kpi",
    "project_schedule",
    "project_overview",
    "project_list",
    "glossary",
    "glossary_list",
    "help",
    "clarify",
    "unknown",
    "care",  # a fixed, careful reply (handlers.care): distress, personal data, an opinion asked
]
Audience = Literal["staff", "citizen"]
Lang = Literal["ja", "en"]


@dataclass(frozen=True)
class Ref:
    """One thing an answer points at: a project or a glossary term."""

    kind: Literal["project", "glossary"]
    id: str
    title: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "score": round(self.score, 1)}


class Context:
    """What the conversation so far says (the last project discussed), for follow-ups.

    Given as ``last_project``, or looked up by ``recall`` the first time an answer reads it: most
    questions name their own subject, and for them the lookup (a database read, a network round
    trip on PostgreSQL) never happens. ``consulted`` says whether it was read.
    """

    __slots__ = ("_last", "_recall", "consulted")

    def __init__(self, last_project: str | None = None, *, recall: Callable[[], str | None] | None = None) -> None:
        self._last = last_project
        self._recall = recall
        self.consulted = False

    @property
    def last_project(self) -> str | None:
        self.consulted = True
        if self._recall is not None:
            self._last, self._recall = self._recall(), None
        return self._last

    def __repr__(self) -> str:
        return f"Context(last_project={self._last!r}{', unrecalled' if self._recall else ''})"


DEFAULT_CONTACT_NAME = "船橋市 デジタル行政推進課"  # the plan's secretariat
DEFAULT_CONTACT_NAME_EN = "Funabashi City, Digital Administration Promotion Division"
# The city's website: a default until DXBOT_PLAN_URL names the plan's own page.
DEFAULT_PLAN_URL = "https://www.city.funabashi.lg.jp/"


@dataclass(frozen=True)
class Contact:
    """Where a person can ask when the bot cannot: the city's contact and the plan itself."""

    name: str = DEFAULT_CONTACT_NAME
    name_en: str = DEFAULT_CONTACT_NAME_EN
    url: str = ""
    phone: str = ""
    plan_url: str = DEFAULT_PLAN_URL

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "name_en": self.name_en, "url": self.url, "phone": self.phone, "plan_url": self.plan_url}


@dataclass(frozen=True)
class Answer:
    query: str
    intent: Intent
    lang: Lang
    audience: Audience
    text: str
    answers: tuple[Ref, ...] = ()
    suggestions: tuple[Ref, ...] = ()
    # The records behind the answer, for renderers that draw cards. Citizens' answers never
    # carry draft evaluations: projects are filtered before they get here.
    projects: tuple[Project, ...] = ()
    terms: tuple[Term, ...] = ()
    list_filter: str = ""  # what a project_list was filtered by, in the answer's language
    assumed_project: str | None = None  # a follow-up resolved from context
    source: str = ""
    score: float = 0.0
    # Unanswered questions: terms people often look up, and a person to ask.
    popular: tuple[Ref, ...] = ()
    contact: Contact | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # English answers: the English name of each project, department and term they carry, by its
    # Japanese name (the knowledge base's ``en`` names), for the cards' frames. Empty in Japanese.
    names: dict[str, str] = field(default_factory=dict)

    def name(self, japanese: str) -> str:
        """The name in the answer's language: the English one where there is one, else as written."""
        return self.names.get(japanese, japanese)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "intent": self.intent,
            "answers": [a.to_json() for a in self.answers],
            "suggestions": [s.to_json() for s in self.suggestions],
            "text": self.text,
            **({"popular": [p.to_json() for p in self.popular]} if self.popular else {}),
            **({"contact": self.contact.to_json()} if self.contact else {}),
        }


def staged(answer: Answer, stage: str) -> Answer:
    """The answer, marked with the stage that decided it (``dxbot ask --explain`` shows it)."""
    return replace(answer, extra={**answer.extra, "stage": stage})
