"""Platform-neutral question answering: a message and an audience in, an :class:`Answer` out.

Nothing here imports Slack, LINE or an HTTP library.
"""

from handlers.answer import Answer, Audience, Context, Intent, Ref
from handlers.respond import Responder

__all__ = ["Answer", "Audience", "Context", "Intent", "Ref", "Responder"]
