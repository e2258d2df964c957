"""A renderer that draws each answer object once.

A question asked again is answered from the Responder's cache as the very same Answer object, so
the channel's drawing of it (a Flex Message, Block Kit blocks) can be kept as well: drawing a
project card costs about as much as understanding a short question. Keyed by identity, so two
equal answers from different snapshots are never confused, and holding the answer keeps its id
from being reused while the drawing is kept. Callers must not change what they get back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from handlers.answer import Answer

T = TypeVar("T")


class RenderOnce(Generic[T]):
    def __init__(self, render: Callable[[Answer], T], *, size: int = 1024) -> None:
        self.render = render
        self.size = size
        self._drawn: dict[int, tuple[Answer, T]] = {}
        self._lock = threading.Lock()

    def __call__(self, answer: Answer) -> T:
        kept = self._drawn.get(id(answer))
        if kept is not None and kept[0] is answer:
            return kept[1]
        drawn = self.render(answer)
        with self._lock:
            self._drawn[id(answer)] = (answer, drawn)
            while len(self._drawn) > self.size:  # the oldest drawing first (dicts keep insertion order)
                self._drawn.pop(next(iter(self._drawn)))
        return drawn
