"""Recent answers, for questions asked again word for word.

A city's staff and citizens ask the same few things over and over (a project's status, a term
from the rich menu, the buttons of a card), and understanding a question is most of what an
answer costs. An answer depends only on the message, the audience, the conversation's last
project (for the few answers that read it), the language asked for and the knowledge-base
snapshot, so the Responder keys on the message, audience and language (and the last project when
the answer followed the conversation), and empties the cache whenever it loads a new snapshot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    """The ``size`` most recently used answers (least recently used leaves first); size 0 keeps none."""

    def __init__(self, size: int) -> None:
        self.size = size
        # An Answer, or a marker the Responder keeps (an answer that depends on the conversation).
        self._answers: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()  # the web chat's threads share the Responder with the event loop
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> object | None:
        if not self.size:
            return None
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: Hashable, answer: object) -> None:
        if not self.size:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
