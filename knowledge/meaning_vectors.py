"""Offline word vectors (chiVe, via ``tools/build_vectors.py``): a word in, a unit vector out.

The file holds no strings: each word is looked up by an 8-byte digest in a sorted array, so the
table costs ~16 MB of memory and loads in milliseconds.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "chive.npz"
DIMENSIONS = 300

Vector = npt.NDArray[np.float32]
SEEN = 100_000
_UNSEEN = object()


def word_digest(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class WordVectors:
    """Unit-length float vectors of Sudachi normalized forms; ``None`` for an unknown word."""

    def __init__(self, path: Path = DEFAULT_PATH) -> None:
        with np.load(path) as data:
            self._keys = data["keys"]
            self._rows = data["rows"]
            self._vectors = data["vectors"]  # float16: half the memory; a word's vector is widened when looked up
        self._seen: dict[str, Vector | None] = {}

    @property
    def dimensions(self) -> int:
        return int(self._vectors.shape[1])

    def get(self, word: str) -> Vector | None:
        found = self._seen.get(word, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        d = np.uint64(word_digest(word))
        i = int(np.searchsorted(self._keys, d))
        vector = (self._vectors[int(self._rows[i])].astype(np.float32)
                  if i < len(self._keys) and self._keys[i] == d else None)
        if len(self._seen) < SEEN:  # the words people use are few: remember them, up to a bound
            self._seen[word] = vector
        return vector


@lru_cache(maxsize=2)
def shared_vectors(path: Path = DEFAULT_PATH) -> WordVectors:
    """One table per process: every catalog snapshot and responder reads the same arrays."""
    return WordVectors(path)
