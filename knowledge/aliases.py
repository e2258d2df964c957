"""Alias data: the bundled TOML, generated variants and kana readings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.meaning_words import readings
from knowledge.normalize import kata_to_hira
from knowledge.romaji import romaji, short_vowels

_KANJI = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Alias:
    alias: str
    kind: str  # "project" | "glossary" | "department"
    target: str
    source: str  # "data" | "variant" | "reading" | "romaji" | "user"


@dataclass(frozen=True)
class AliasData:
    english: dict[tuple[str, str], str]  # (kind, target) -> English name
    aliases: tuple[Alias, ...]


def load_alias_data(path: Path | None = None) -> AliasData:
    """Read the TOML file (default: the bundled ``knowledge/data/aliases.toml``)."""
    if path is None:
        raw = resources.files("knowledge").joinpath("data/aliases.toml").read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    english: dict[tuple[str, str], str] = {}
    aliases: list[Alias] = []
    for section, kind in (("projects", "project"), ("terms", "glossary"), ("departments", "department"),
                          ("approaches", "approach"), ("policies", "policy")):
        for target, entry in data.get(section, {}).items():
            if entry.get("en"):
                english[(kind, target)] = entry["en"]
                aliases.append(Alias(entry["en"], kind, target, "data"))
            for alias in entry.get("aliases", []):
                aliases.append(Alias(alias, kind, target, "data"))
    return AliasData(english=english, aliases=tuple(aliases))


def variants(name: str) -> set[str]:
    """Spellings a name implies: optional parts "(の)", a trailing "(再掲)", "・" joins."""
    out = set()
    if "(" in name or "（" in name:
        out.add(re.sub(r"[（(]([^()（）]*)[)）]", r"\1", name))  # システムの標準化・共通化
        out.add(re.sub(r"[（(][^()（）]*[)）]", "", name))  # システム標準化・共通化
    if "・" in name:
        out |= {v.replace("・", "") for v in out | {name}}
    out.discard(name)
    return {v.strip() for v in out if v.strip()}


def reading(text: str) -> str | None:
    """Hiragana reading of a name containing kanji, or None when there is nothing to read.

    Sudachi reads each word that holds kanji; the rest (kana, Latin letters, digits, marks) stays as
    written, since Sudachi reads a mark as 「キゴウ」 and a Latin word in katakana.
    """
    if not _KANJI.search(text):
        return None
    return kata_to_hira("".join(kana if _KANJI.search(word) else word for word, kana in readings(text)))


_KATAKANA = re.compile(r"[\u30a1-\u30fa]")
_HIRAGANA_NAME = re.compile(r"^[\u3041-\u3096\u30fc]+$")
MIN_ROMAJI = 6  # letters; shorter romaji (ka, jinji) collide with English words and each other


def romaji_spellings(text: str) -> set[str]:
    """A name as an English-speaking resident types it (電子決裁 → "denshi kessai", "denshikessai";
    基幹20業務 → "kikan 20 gyomu"; ふなっぷ → "funappu"): words apart and run together, long vowels
    short and as written. Names with katakana (loanwords) are typed in English, not romaji."""
    if _KATAKANA.search(text) or not (_KANJI.search(text) or _HIRAGANA_NAME.match(text)):
        return set()
    words: list[str] = []
    for word, kana in [(text, text)] if _HIRAGANA_NAME.match(text) else readings(text):
        if word.isascii():
            words.append(word.casefold())
            continue
        spelled = romaji(kana if _KANJI.search(word) else word)
        if spelled is None:
            return set()
        words.append(spelled)
    spaced = " ".join(w for w in words if w.strip())
    out = {spaced, spaced.replace(" ", "")}
    out |= {short_vowels(w) for w in out}
    return {w for w in out if len(w.replace(" ", "")) >= MIN_ROMAJI}
