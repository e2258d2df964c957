"""Build ``knowledge/data/chive.npz``: chiVe word vectors in a compact file the bot loads offline.

Run by hand when the source changes (the bot only reads the .npz; neither spaCy nor ja-ginza is a
dependency, since ja-ginza pins ``sudachipy<0.7`` and its full pipeline costs ~450 MB per process):

    pip download --no-deps ja-ginza==5.3.0 -d /tmp/ginza
    uv run python tools/build_vectors.py /tmp/ginza/ja_ginza-5.3.0-py3-none-any.whl

Source: the ``ja_ginza`` 5.3.0 wheel (MIT) carries chiVe (Apache-2.0, Works Applications and
NINJAL), pruned by spaCy to 20,000 rows of 300 floats under 480k keys: Sudachi normalized forms,
each rare word mapped to the row of its nearest frequent word. spaCy stores the keys as
MurmurHash64A (seed 1) of the UTF-8 string, its ``key2row`` map as msgpack.

Output (numpy, ~16 MB): ``keys`` the sorted 8-byte BLAKE2b digests of the kept strings (so the bot
needs no string table: a look-up is one hash and one binary search), ``rows`` each key's row,
``vectors`` the rows as float16, unit length. Strings that no question can use are dropped:
numbers, single symbols, private-use characters, anything longer than 16 characters.
"""

from __future__ import annotations

import json
import struct
import sys
import unicodedata
import zipfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "chive.npz"
VOCAB = "ja_ginza/ja_ginza-5.3.0/vocab/"
_MASK = (1 << 64) - 1


def murmur64a(data: bytes, seed: int = 1) -> int:
    """spaCy's string hash (MurmurHash64A), to join ``strings.json`` with ``key2row``."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ (len(data) * m)) & _MASK
    whole = len(data) // 8
    for j in range(whole):
        k = int.from_bytes(data[j * 8:j * 8 + 8], "little")
        k = (k * m) & _MASK
        k ^= k >> r
        k = (k * m) & _MASK
        h ^= k
        h = (h * m) & _MASK
    tail = data[whole * 8:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    h ^= h >> r
    return h


def _uint(b: bytes, i: int) -> tuple[int, int]:
    t = b[i]
    if t < 0x80:
        return t, i + 1
    size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[t]
    return int.from_bytes(b[i + 1:i + 1 + size], "big"), i + 1 + size


def read_key2row(b: bytes) -> dict[int, int]:
    """spaCy's msgpack ``key2row``: one map32 of unsigned ints to unsigned ints."""
    if b[0] != 0xDF:
        raise ValueError("key2row is not a msgpack map32")
    (n,), i = struct.unpack(">I", b[1:5]), 5
    out: dict[int, int] = {}
    for _ in range(n):
        k, i = _uint(b, i)
        v, i = _uint(b, i)
        out[k] = v
    return out


def usable(word: str) -> bool:
    if not word or len(word) > 16 or word.isdigit():
        return False
    if any(unicodedata.category(ch) in ("Co", "Cs", "Cc") for ch in word):
        return False
    return any(ch.isalpha() for ch in word)


def digest(word: str) -> int:
    from knowledge.meaning_vectors import word_digest  # the one definition the bot looks up with
    return word_digest(word)


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        strings = json.loads(z.read(VOCAB + "strings.json"))
        key2row = read_key2row(z.read(VOCAB + "key2row"))
        with z.open(VOCAB + "vectors") as f:
            vectors = np.load(f)
    keys: dict[int, int] = {}
    for word in strings:
        row = key2row.get(murmur64a(word.encode("utf-8")))
        if row is not None and usable(word):
            keys[digest(word)] = row
    order = np.array(sorted(keys), dtype=np.uint64)
    rows = np.array([keys[int(k)] for k in order], dtype=np.uint16)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    np.savez_compressed(OUT, keys=order, rows=rows, vectors=unit.astype(np.float16))
    print(f"{len(order)} keys, {vectors.shape[0]} rows -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main(sys.argv[1])
