"""Aliases taught at run time (``dxbot alias``): kept in the shared state, so every host answers
with them. The plan's own aliases (data, variants, readings) are the knowledge base's."""

from __future__ import annotations

from knowledge.normalize import normalize
from state.statedb import as_state, bump_generation


def add_user_alias(db, text: str, target: str, *, state=None) -> tuple[str, str]:
    """Teach a phrasing: ``text`` now names ``target`` (a project id or a glossary term).

    The target is checked against the knowledge base ``db``; the alias is kept in the state
    (default: the same file), so every host answers with it. Returns (kind, target). Raises
    ValueError naming the problem when the target is unknown.
    """
    text = text.strip()
    if not normalize(text):
        raise ValueError("the alias is empty")
    with db.lock:
        if db.execute("SELECT 1 FROM projects WHERE id = ? AND active = 1", [target]).fetchone():
            kind = "project"
        elif db.execute("SELECT 1 FROM glossary WHERE term = ?", [target]).fetchone():
            kind = "glossary"
        else:
            raise ValueError(f"no project or glossary term {target!r} (use an id like 2-3-1 or a term as the plan writes it)")
    shared = as_state(state or db)
    with shared.transaction():
        shared.execute("INSERT INTO aliases(alias, kind, target, source, normalized) VALUES (?, ?, ?, 'user', ?) "
                       "ON CONFLICT(alias, kind, target) DO UPDATE SET source = 'user', normalized = excluded.normalized",
                       [text, kind, target, normalize(text)])
        bump_generation(shared)
    return kind, target
