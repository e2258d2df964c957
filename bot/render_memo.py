"""A renderer that draws each answer object once.

A question asked again is answered from the Responder's cache as the very same Answer object, so
the channel's drawing of it (a Flex Message, Block Kit blocks) can be kept as well: drawing a
project card costs about as much as understanding a short question. Keyed by identity, so two
equal answers from different snapshots are never confused, and holding the answer keeps its id
from being reused while the drawing is kept. Callers must not change what they get back.
"""

from __future__ import annotations

import json
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


class EncodeOnce:
    """The JSON of the same drawing once: a cached answer's drawing is the same object each time,
    and encoding a project card costs about as much as answering from the cache (keyed by
    identity, holding the object so that its id is not reused while the text is kept)."""

    def __init__(self, *, size: int = 1024) -> None:
        self.size = size
        self._encoded: dict[int, tuple[object, bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, drawing: object) -> bytes:
        kept = self._encoded.get(id(drawing))
        if kept is not None and kept[0] is drawing:
            return kept[1]
        encoded = json.dumps(drawing, ensure_ascii=False).encode()
        with self._lock:
            self._encoded[id(drawing)] = (drawing, encoded)
            while len(self._encoded) > self.size:
                self._encoded.pop(next(iter(self._encoded)))
        return encoded
