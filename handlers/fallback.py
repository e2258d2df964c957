"""What an unanswered question still gets: terms to try, the help, and a person to ask."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from handlers.answer import Answer, Contact, Lang, Ref

POPULAR = 4  # terms offered as buttons under an unanswered question


def popular_terms(terms: Iterable[str], *, mentions: Callable[[str], list[str]], limit: int = POPULAR) -> list[str]:
    """The glossary terms the plan's projects mention most: the ones a reader is likeliest to meet."""
    ranked = sorted(((len(mentions(t)), i, t) for i, t in enumerate(terms)), key=lambda x: (-x[0], x[1]))
    return [t for n, _, t in ranked[:limit] if n > 0]


def contact_lines(contact: Contact, lang: Lang) -> list[str]:
    """The human fallback as text, for channels (and the CLI) that show no buttons."""
    reach = [x for x in (contact.phone and (f"tel. {contact.phone}" if lang == "en" else f"電話 {contact.phone}"),
                         contact.url) if x]
    detail = f" ({', '.join(reach)})" if lang == "en" and reach else f"（{'、'.join(reach)}）" if reach else ""
    if lang == "en":
        return [f"To ask a person: {contact.name_en or contact.name}{detail}", f"The action plan: {contact.plan_url}"]
    return [f"お問い合わせ: {contact.name}{detail}", f"アクションプラン: {contact.plan_url}"]


def with_fallback(answer: Answer, *, contact: Contact, popular: list[str]) -> Answer:
    """``answer`` (an unknown) with popular terms to try and the contact, in its text and fields."""
    refs = tuple(Ref("glossary", t, t, 0.0) for t in popular
                 if all(s.id != t for s in answer.suggestions))
    return replace(answer, popular=refs, contact=contact,
                   text=answer.text + "\n" + "\n".join(contact_lines(contact, answer.lang)))
