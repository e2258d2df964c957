"""Why the bot answered as it did: the stage that decided and every candidate's scores.

``dxbot ask --explain`` prints this so an operator can see why a question went where it went
and teach an alias (``dxbot aliases add``) where a name was missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.answer import Answer, Audience
from handlers.cue_words import cue_words
from handlers.model_steps import OUT_OF_SCOPE_GATE
from handlers.respond import Responder
from handlers.understand import read

MAX_ROWS = 6


@dataclass(frozen=True)
class Candidate:
    kind: str
    id: str
    name: float | None  # the precise stages' 0–100 (how the name matched in ``how``)
    how: str
    lexical: float | None  # the meaning index, 0–1
    semantic: float | None
    fused: float | None
    support: float | None  # share of the question's weight the item's own words carry


@dataclass(frozen=True)
class Explanation:
    answer: Answer
    stage: str
    question_type: str
    coverage: float
    words: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    out_of_scope: float | None = None  # the question model's probability (None: no model file)

    def text(self) -> str:
        a = self.answer
        first = (a.answers or a.suggestions or ())
        lines = [
            f"answer: {a.intent} {first[0].id if first else '-'}",
            f"stage: {self.stage}",
            f"question type: {self.question_type or '-'}",
            f"words compared by meaning: {' '.join(self.words) or '-'} (coverage {self.coverage:.2f})",
            f"question model: out of scope {_num(self.out_of_scope, 2)} (an item found by words is not answered "
            f"from {OUT_OF_SCOPE_GATE[self.answer.lang]:.2f} unless its own text holds the question's words)",
            f"{'kind':9} {'id':24} {'name':>6} {'how':10} {'lexical':>7} {'semantic':>8} {'fused':>6} {'support':>7}",
        ]
        for c in self.candidates:
            lines.append(f"{c.kind:9} {c.id[:24]:24} {_num(c.name, 1):>6} {c.how[:10]:10} "
                         f"{_num(c.lexical, 3):>7} {_num(c.semantic, 3):>8} {_num(c.fused, 3):>6} {_num(c.support, 2):>7}")
        return "\n".join(lines)


def _num(x: float | None, digits: int) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def explain(responder: Responder, message: str, *, audience: Audience = "staff") -> Explanation:
    answer = responder.answer(message, audience=audience)
    r = read(responder.meaning.respell(message))
    names = responder.resolver.analyse(r).by_kind
    query, hits = responder.meaning.index.search(r.text, limit=MAX_ROWS, ignore=cue_words())
    rows: dict[tuple[str, str], Candidate] = {}
    for kind in ("project", "glossary"):
        for h in names.get(kind, [])[:MAX_ROWS]:
            rows[(kind, h.id)] = Candidate(kind, h.id, h.score, h.how, None, None, None, None)
    for m in hits:
        if m.kind not in ("project", "glossary"):
            continue
        old = rows.get((m.kind, m.ref))
        rows[(m.kind, m.ref)] = Candidate(m.kind, m.ref, old.name if old else None, old.how if old else "",
                                          m.lexical, m.semantic, m.score,
                                          responder.meaning.index.support(query, m.kind, m.ref))
    ranked = sorted(rows.values(), key=lambda c: -max((c.name or 0) / 100, c.fused or 0))
    stage = answer.extra.get("stage") or _stage_of(answer, r)
    model = responder.question_model
    return Explanation(answer, stage, r.question.kind or (r.project_intent or ""), query.coverage, query.words,
                       tuple(ranked[: MAX_ROWS * 2]), model.out_of_scope(message) if model else None)


def _stage_of(answer: Answer, r: object) -> str:
    if "out_of_scope" in answer.extra:
        return "scope (another organisation)"
    if getattr(r, "project_ids", ()):
        return "ids"
    return {"project_list": "lists", "help": "help", "glossary_list": "glossary list"}.get(answer.intent, answer.intent)
