"""This process's own changes to what answers are drawn from (a submission, a publish, an alias,
a re-ingest): a server that looks at the database only every so often looks at once after one
of its own (handlers.respond.Responder.refresh)."""

from __future__ import annotations

import itertools

_count = itertools.count(1)
_last = 0


def note() -> None:
    """Call when a generation is bumped (before or after the commit: either is seen)."""
    global _last
    _last = next(_count)  # one atomic step under the GIL: no change is lost between threads


def last() -> int:
    """Grows with every change this process made; compare two readings."""
    return _last
