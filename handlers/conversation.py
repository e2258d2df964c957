"""Follow-ups on any channel: the last project discussed, per conversation, kept in the database.

A channel names the conversation (a LINE user, a web session, a Slack thread) with a key; 「そのKPIは？」
then means the project of the previous answer for ``CONTEXT_TTL``, across restarts and processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.answer import Answer, Audience, Context, Lang
from handlers.respond import Responder
from state.conversations import Conversations

CONTEXT_TTL = timedelta(minutes=10)
EXPIRING = ("line:", "web:")  # conversation keys whose rows housekeeping may delete once expired


def answer_in_conversation(responder: Responder, conversations: Conversations, message: str, *, key: str | None,
                           audience: Audience, now: datetime, lang: Lang | None = None,
                           ttl: timedelta | None = CONTEXT_TTL) -> Answer:
    """Answer ``message`` with what conversation ``key`` last discussed; remember what this answer is about.

    ``ttl``: how long a conversation's project stands (None: for as long as it is kept)."""
    # Recalled only if the answer reads it: most messages name their own subject.
    context = Context(recall=lambda: conversations.recall(key, now=now, ttl=ttl)) if key else None
    answer = responder.answer(message, audience=audience, context=context, lang=lang)
    projects = [a.id for a in answer.answers if a.kind == "project"]
    if key and len(projects) == 1:  # a list or a choice names no single project to follow up on
        conversations.remember(key, projects[0], now=now)
    return answer
