"""Build ``knowledge/data/english_japanese.tsv``: everyday English words with the Japanese words
they translate to, so that an English question reaches the plan's units by meaning (the chiVe
vectors are Japanese only).

Run by hand when the source or the plan changes (the bot only reads the .tsv; jamdict is no
dependency: its database is 311 MB, the table it yields here a few hundred kB):

    uv pip install --target /tmp/jmdict jamdict-data==1.5
    uv run python tools/build_english_bridge.py /tmp/jmdict/jamdict_data/jamdict.db

Source: JMdict (Electronic Dictionary Research and Development Group, CC BY-SA 4.0) as compiled by
``jamdict-data`` 1.5 (2021-04-17). The output is a derived work under the same licence; its header
says so.

A row is an English word (stemmed as ``knowledge.meaning_words.en_words`` stems) and up to
``KEEP`` Japanese words (Sudachi normalized forms that have a vector, common in JMdict's priority
tags or used by the plan), the main meaning first: an entry's earlier sense, a common entry, an
earlier gloss of the sense, a word the plan uses. A gloss counts only when it is the whole gloss,
one word after "to " and notes in brackets are dropped, and only from an entry's first
``SENSES`` senses: "exactly" is 丁度, not the third sense of 其々.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.meaning_vectors import shared_vectors  # noqa: E402
from knowledge.meaning_words import EN_STOP, _stem, ja_words  # noqa: E402
from knowledge.store import bundled_plan_text  # noqa: E402

OUT = ROOT / "knowledge" / "data" / "english_japanese.tsv"
SENSES = 3
KEEP = 4
_NOTE = re.compile(r"\s*\([^)]*\)\s*")
_WORD = re.compile(r"[a-z][a-z-]{1,24}")
_KANA_ONLY = re.compile(r"[\u3041-\u309f]+")

HEADER = """# English word (stemmed) -> Japanese words (Sudachi normalized forms), tab-separated.
# Built by tools/build_english_bridge.py from JMdict (EDRDG, https://www.edrdg.org/jmdict/j_jmdict.html),
# licensed CC BY-SA 4.0; this derived table is under the same licence.
"""


def gloss_key(gloss: str) -> str | None:
    text = _NOTE.sub(" ", gloss.lower()).strip()
    text = text.removeprefix("to ").strip()
    if not _WORD.fullmatch(text) or text in EN_STOP:
        return None
    return _stem(text)


def main(db_path: str) -> None:
    vectors = shared_vectors()
    plan_words = set(ja_words(bundled_plan_text()))
    db = sqlite3.connect(db_path)
    common = {row[0] for row in db.execute(
        "SELECT k.idseq FROM Kanji k JOIN KJP p ON p.kid = k.id UNION SELECT a.idseq FROM Kana a JOIN KNP p ON p.kid = a.id")}
    heads: dict[int, str] = {}
    for idseq, text in db.execute("SELECT idseq, text FROM Kanji ORDER BY ID"):
        heads.setdefault(idseq, text)
    for idseq, text in db.execute("SELECT idseq, text FROM Kana ORDER BY ID"):
        heads.setdefault(idseq, text)
    sense_rank: dict[int, int] = {}
    counts: dict[int, int] = defaultdict(int)
    for sid, idseq in db.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        sense_rank[sid] = counts[idseq]
        counts[idseq] += 1
    sense_entry = dict(db.execute("SELECT ID, idseq FROM Sense"))
    # key -> {japanese word: its rank}: an earlier sense, a common entry, an earlier gloss first
    found: dict[str, dict[str, tuple[int, int, int, int]]] = defaultdict(dict)
    position: dict[int, int] = defaultdict(int)
    for sid, gloss in db.execute("SELECT sid, text FROM SenseGloss WHERE lang = 'eng' OR lang IS NULL ORDER BY rowid"):
        at = position[sid]
        position[sid] += 1
        if sense_rank.get(sid, SENSES) >= SENSES or not gloss:
            continue
        key = gloss_key(gloss)
        idseq = sense_entry[sid]
        head = heads.get(idseq)
        if key is None or head is None:
            continue
        words = ja_words(head)
        if len(words) != 1 or vectors.get(words[0]) is None:
            continue
        word = words[0]
        if len(word) < 2 or _KANA_ONLY.fullmatch(word):  # 可, する: too many meanings to carry one
            continue
        if idseq not in common and word not in plan_words:
            continue
        rank = (sense_rank[sid], 0 if idseq in common else 1, min(at, 3), 0 if word in plan_words else 1)
        old = found[key].get(word)
        if old is None or rank < old:
            found[key][word] = rank
    lines = []
    for key in sorted(found):
        keep = [w for w, _ in sorted(found[key].items(), key=lambda kv: (kv[1], kv[0]))][:KEEP]
        lines.append(key + "\t" + " ".join(keep))
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} English words -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
