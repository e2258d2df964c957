"""Drawing and encoding each answer object once.

A question asked again is answered from the Responder's cache as the very same Answer object, so
the channel's drawing of it (a Flex Message, Block Kit blocks) can be kept as well, and the JSON of
that drawing: drawing and encoding a project card cost about as much as answering from the cache.
Keyed by identity, so two equal answers from different snapshots are never confused, and holding
the object keeps its id from being reused while the result is kept. Callers must not change what
they get back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class OncePerObject(Generic[T, R]):
    """``make(obj)`` computed once per object, for the ``size`` most recent objects."""

    def __init__(self, make: Callable[[T], R], *, size: int = 1024) -> None:
        self.make = make
        self.size = size
        self._kept: dict[int, tuple[T, R]] = {}
        self._lock = threading.Lock()

    def __call__(self, obj: T) -> R:
        kept = self._kept.get(id(obj))
        if kept is not None and kept[0] is obj:
            return kept[1]
        made = self.make(obj)
        with self._lock:
            self._kept[id(obj)] = (obj, made)
            while len(self._kept) > self.size:  # the oldest first (dicts keep insertion order)
                self._kept.pop(next(iter(self._kept)))
        return made


def _encode(drawing: Any) -> bytes:
    return json.dumps(drawing, ensure_ascii=False).encode()


def drawn_once(render: Callable[[Any], R], *, size: int = 1024) -> OncePerObject[Any, R]:
    """A renderer that draws each answer object once."""
    return OncePerObject(render, size=size)


def encoded_once(*, size: int = 1024) -> OncePerObject[Any, bytes]:
    """The JSON text of each drawing, encoded once."""
    return OncePerObject(_encode, size=size)
