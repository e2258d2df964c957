"""Every answerable unit of the plan, as the meaning index reads it.

A unit is one thing an answer can rest on: a glossary term with its definition; a project's name,
現状, 課題, 目標, schedule, KPI labels or evaluation comment; a policy; an approach. Each carries
its Japanese text and, where ``knowledge/data/english_units.toml`` has one, its English text, so
an English question reaches the same unit. Where ``knowledge/data/plain_ja.toml`` has everyday
Japanese for a term or project (what a resident who does not know its name would say of it:
現金を使わずにお金を払うこと), with ``plain_en.toml``'s everyday English as its English, that is a
unit of its own, so a description in plain words meets the item without diluting the plan's own
text. ``plain_detail_ja.toml`` and ``plain_detail_en.toml`` do the same for each project's details
(a schedule cell, what a KPI counts, how its year went): a unit of field "detail".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog

ENGLISH_PATH = Path(__file__).resolve().parent / "data" / "english_units.toml"
PLAIN_PATH = Path(__file__).resolve().parent / "data" / "plain_ja.toml"
PLAIN_EN_PATH = Path(__file__).resolve().parent / "data" / "plain_en.toml"
# Everyday words for a project's details (a schedule item, what a KPI counts, how its year went):
# 「ごみの日をスマホで教えてくれる」 describes one cell of a project, not the project as its title says.
DETAIL_PATH = Path(__file__).resolve().parent / "data" / "plain_detail_ja.toml"
DETAIL_EN_PATH = Path(__file__).resolve().parent / "data" / "plain_detail_en.toml"


@dataclass(frozen=True)
class Unit:
    kind: str  # "glossary" | "project" | "policy" | "approach"
    ref: str  # term, project id, policy number, approach id
    field: str  # "definition", "name", "current", "issue", "goal", "schedule", "kpi", "comment", "title", "all",
    #             "plain" (everyday words for the item), "detail" (everyday words for a project's details)
    text: str
    en: str = ""


@lru_cache(maxsize=4)
def _data(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def english_units(path: Path = ENGLISH_PATH) -> dict[str, Any]:
    return _data(path)


def plain_units(path: Path = PLAIN_PATH) -> dict[str, Any]:
    return _data(path)


def plan_units(catalog: Catalog, *, english: dict[str, Any] | None = None,
               plain: dict[str, Any] | None = None, plain_en: dict[str, Any] | None = None,
               detail: dict[str, Any] | None = None, detail_en: dict[str, Any] | None = None) -> list[Unit]:
    en = english_units() if english is None else english
    everyday = plain_units() if plain is None else plain
    everyday_en = plain_units(PLAIN_EN_PATH) if plain_en is None else plain_en
    details = plain_units(DETAIL_PATH) if detail is None else detail
    details_en = plain_units(DETAIL_EN_PATH) if detail_en is None else detail_en

    def said(part: str, key: str, ja_data: dict[str, Any] | None = None,
             en_data: dict[str, Any] | None = None) -> tuple[str, str]:
        ja = (everyday if ja_data is None else ja_data).get(part, {}).get(key, {}).get("plain", [])
        in_english = (everyday_en if en_data is None else en_data).get(part, {}).get(key, {}).get("plain", [])
        return "。".join(ja), ". ".join(in_english)

    names: dict[tuple[str, str], list[str]] = {}
    for a in catalog.aliases:
        if a.source != "romaji":  # a name spelled in Latin letters is the names stage's; it means no English
            names.setdefault((a.kind, a.target), []).append(a.alias)
    units: list[Unit] = []
    for term in catalog.terms.values():
        aka = names.get(("glossary", term.term), [])
        term_en = " ".join([catalog.english_name("glossary", term.term) or "", *_ascii(aka),
                            str(en.get("terms", {}).get(term.term, {}).get("text", ""))])
        units.append(Unit("glossary", term.term, "definition",
                          "。".join([term.term, *_not_ascii(aka), term.definition]), term_en))
        plain_ja, plain_english = said("terms", term.term)
        if plain_ja or plain_english:
            units.append(Unit("glossary", term.term, "plain", plain_ja, plain_english))
    for p in catalog.projects.values():
        pe = en.get("projects", {}).get(p.id, {})
        aka = names.get(("project", p.id), [])
        comment = next((e.comment for e in reversed(p.evaluations) if e.source == "plan"), "")
        fields = {
            "name": ("。".join([p.name, *_not_ascii(aka)]),
                     " ".join([catalog.english_name("project", p.id) or "", *_ascii(aka), str(pe.get("everyday", ""))])),
            "current": (p.current, pe.get("current", "")),
            "issue": (p.issue, pe.get("issue", "")),
            "goal": (p.goal, pe.get("goal", "")),
            "schedule": ("。".join(dict.fromkeys(s.text for s in p.schedule)), pe.get("schedule", "")),
            "kpi": ("。".join(i.label for i in p.indicators), pe.get("kpi", "")),
            "comment": (comment, pe.get("comment", "")),
        }
        units += [Unit("project", p.id, f, ja, str(text_en)) for f, (ja, text_en) in fields.items() if ja or text_en]
        # A description can take its words from several fields (what is done now, what is next):
        # the whole project is a unit too.
        units.append(Unit("project", p.id, "all", "。".join(ja for ja, _ in fields.values() if ja),
                          " ".join(str(en) for _, en in fields.values() if en)))
        plain_ja, plain_english = said("projects", p.id)
        if plain_ja or plain_english:
            units.append(Unit("project", p.id, "plain", plain_ja, plain_english))
        detail_ja, detail_english = said("projects", p.id, details, details_en)
        if detail_ja or detail_english:
            units.append(Unit("project", p.id, "detail", detail_ja, detail_english))
    for pol in catalog.policies.values():
        units.append(Unit("policy", str(pol.id), "title", pol.title,
                          str(en.get("policies", {}).get(str(pol.id), {}).get("text", ""))))
    for ap in catalog.approaches.values():
        units.append(Unit("approach", ap.id, "title", "。".join(filter(None, [ap.title, ap.vision])),
                          str(en.get("approaches", {}).get(ap.id, {}).get("text", ""))))
    return units


def _ascii(words: list[str]) -> list[str]:
    return [w for w in words if w.isascii()]


def _not_ascii(words: list[str]) -> list[str]:
    return [w for w in words if not w.isascii()]
