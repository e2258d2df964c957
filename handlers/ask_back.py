"""The options of a "which one?" the question model asks back: the projects nearest by meaning,
those the model finds likely, the neighbours of one approach, and the projects that share the
question's topic word (handlers.model_steps decides when to ask; this module, among which)."""

from __future__ import annotations

from collections import Counter

from handlers.by_meaning import MeaningStage
from handlers.cue_words import cue_words
from handlers.question_model import Judgement
from handlers.understand import Reading
from knowledge.catalog import Catalog
from knowledge.meaning import MeaningHit, Query
from knowledge.meaning_words import describes, is_topic_word, ja_words

# Up to ASK_BACK_OPTIONS options within ASK_BACK_MARGIN of the nearest by meaning, the model's likely
# ones (ASK_BACK_LIKELY) before the third nearest (chosen with ASK_BACK_AT, handlers.model_steps).
ASK_BACK_MARGIN = 0.25
ASK_BACK_LIKELY = 0.02
ASK_BACK_OPTIONS = 4
ASK_BACK_SEARCHED = 6  # nearest projects the options and an approach's siblings are taken from
# Projects of one approach (ペーパーレス: 2-1-1 and 2-1-2) this near the nearest are the options on
# their own: the choice people are asked is between neighbours, not a stranger the words also touch.
ASK_BACK_SIBLINGS = 0.3
# An approach the words describe this well (meaning index, 0–1), this far ahead of the next one:
# its projects are the options (chosen on six sets, each answered with a model trained without it:
# 1,390 -> 1,393 of 1,493, none lost; flat from 0.2 to 0.3 and for a lead of 0.05 to 0.15).
APPROACH_AT = 0.3
APPROACH_LEAD = 0.1
# A topic word a few projects share is asked about (shared_topic) only when the nearest project is
# this near: "hello world program in rust" (0.25) shares "program" with two. 0.4 on sixteen leave-out
# sets (0.35 the same, 0.45 one fewer); 0.3 on seventeen (with held-out 24) +1, none lost (「市役所の
# 窓口って何か変わる予定ある？子連れで…」 0.33, the counters' projects; 0.25 the same, all sets the same).
SHARED_NEAR_AT = 0.3


class AskBackOptions:
    """Which projects a "which one?" offers, over one knowledge-base snapshot."""

    def __init__(self, catalog: Catalog, meaning: MeaningStage) -> None:
        self.catalog, self.meaning = catalog, meaning
        self._title_words: dict[str, frozenset[str]] | None = None
        self._title_holders: dict[str, tuple[str, ...]] | None = None
        self._words_of_title: dict[str, frozenset[str]] = {}

    def choose(self, reading: Reading, said: Judgement, *, sharing: bool = True) -> list[str]:
        """The projects a "which one?" offers: the nearest by meaning and those the model finds likely."""
        query, hits = self.meaning.index.search(reading.text, kinds={"project"}, limit=ASK_BACK_SEARCHED,
                                                ignore=cue_words())
        hits = self.meaning.without_reposts(hits)
        near = [h.ref for h in hits if h.score >= hits[0].score - ASK_BACK_MARGIN] if hits else []
        likely = [label for label, p in said.ranked if label in self.catalog.projects and p >= ASK_BACK_LIKELY]
        siblings = self.approach_described(reading, [h.ref for h in hits]) or self._siblings(hits)
        if len(siblings) >= 2:  # projects of one approach, as near as each other: those, and no stranger
            near, likely = siblings, [pid for pid in likely if pid in siblings]
        options = list(dict.fromkeys(near[:2] + likely + near[2:]))
        if len(options) < 2 or not sharing:
            return options[:ASK_BACK_OPTIONS]
        # Then the projects that share the topic's word (クラウド of 2-4-2, in 4-1-2's schedule) among the
        # nearest searched, before farther ones.
        head = options if len(siblings) >= 2 else options[:2]
        searched = {h.ref for h in hits}
        shared = [pid for pid in self._sharing(query, head, neighbours=len(siblings) >= 2) if pid in searched]
        return list(dict.fromkeys(head + shared + options))[:ASK_BACK_OPTIONS]

    def shared_topic(self, reading: Reading) -> tuple[list[str], float]:
        """「国保のことで何か変わる？」: the projects whose own texts hold the question's weightiest topic
        word, when two to ASK_BACK_OPTIONS do and one of the two nearest by meaning is among them;
        nearest first. With how near the nearest project is by meaning."""
        query, hits = self.meaning.index.search(reading.text, kinds={"project"}, limit=ASK_BACK_SEARCHED,
                                                ignore=cue_words())
        hits = self.meaning.without_reposts(hits)
        if len(hits) < 2 or hits[0].score < SHARED_NEAR_AT:
            return [], 0.0
        nearest = [h.ref for h in hits]
        held = self._sharing(query, nearest[:2], neighbours=False, naming=True)
        return [pid for pid in nearest if pid in held] + [pid for pid in held if pid not in nearest], hits[0].score

    def _sharing(self, query: Query, nearest: list[str], *, neighbours: bool, naming: bool = False) -> list[str]:
        """「クラウド化の件」: the projects whose own texts hold the question's weightiest noun (or, a
        word none holds, a near word of it: 国保), when a few (two to ASK_BACK_OPTIONS) do and the
        nearest speak of it: one of them, or (``neighbours``,
        projects of one approach) two of them or one's title (会議 of 2-1-3 Web 会議の推進). A word
        one neighbour's text happens to hold (場所 of 2-2-2) is no topic they share."""
        index = self.meaning.index
        titled = {w for pid in nearest for w in self._title_words_of(pid)} if neighbours else set()
        best: tuple[float, list[str]] = (0.0, [])
        for word in filter(is_topic_word, query.words):  # not 人, 進む
            if naming and describes(word):  # 便利 of 「まどぐちを べんりに する件」: how, not which thing
                continue
            holding = index.carriers(word, "project")
            if len(holding) > 2 * ASK_BACK_OPTIONS:  # a word of many (業務): no few projects' topic, and no walk over them
                continue
            held = [pid for pid in holding if not self.catalog.projects[pid].repost_of]
            among = len(set(held) & set(nearest))
            spoken = among >= 2 or among == 1 and (not neighbours or word in titled)
            if 2 <= len(held) <= ASK_BACK_OPTIONS and spoken and index.weight(query, word) > best[0]:
                best = (index.weight(query, word), held)
        return best[1]

    def approach_described(self, reading: Reading, nearest: list[str]) -> list[str]:
        """「紙を減らす話」「地図を活用した取組」: the projects of the one approach (施策) the words
        describe clearly better than any other, when it holds one of the two nearest projects."""
        _, hits = self.meaning.index.search(reading.text, kinds={"approach"}, limit=2, ignore=cue_words())
        if not hits or hits[0].score < APPROACH_AT or len(hits) > 1 and hits[0].score - hits[1].score < APPROACH_LEAD:
            return []
        under = list(self.catalog.projects_under(hits[0].ref))
        if not any(pid in under for pid in nearest[:2]):
            return []
        # 「窓口のデジタル化」: another approach's project named by the approach's own word (窓口へのデジタル
        # 端末の配備) is as much what was described.
        own = self._own_title_words().get(hits[0].ref, frozenset())
        titled = self._titled()
        named = {pid for word in own for pid in titled.get(word, ())} - set(under)
        return under + [pid for pid in self.catalog.projects if pid in named]

    def _own_title_words(self) -> dict[str, frozenset[str]]:
        """Each approach's title words that no other approach's title has (窓口 of 窓口のデジタル化)."""
        if self._title_words is None:
            words = {aid: set(ja_words(a.title)) for aid, a in self.catalog.approaches.items()}
            titles_with = Counter(w for ws in words.values() for w in ws)
            self._title_words = {aid: frozenset(w for w in ws if len(w) >= 2 and titles_with[w] == 1)
                                 for aid, ws in words.items()}
        return self._title_words

    def _titled(self) -> dict[str, tuple[str, ...]]:
        """The projects (reposts left out) whose titles hold each word, read once per snapshot."""
        if self._title_holders is None:
            holders: dict[str, list[str]] = {}
            for p in self.catalog.projects.values():
                if not p.repost_of:
                    for word in self._title_words_of(p.id):
                        holders.setdefault(word, []).append(p.id)
            self._title_holders = {w: tuple(ids) for w, ids in holders.items()}
        return self._title_holders

    def _title_words_of(self, pid: str) -> frozenset[str]:
        words = self._words_of_title.get(pid)
        if words is None:
            words = self._words_of_title[pid] = frozenset(ja_words(self.catalog.projects[pid].name))
        return words

    def _siblings(self, hits: list[MeaningHit]) -> list[str]:
        """The nearest project and those of its approach (施策) within ASK_BACK_SIBLINGS of it."""
        if not hits:
            return []
        approach = self.catalog.projects[hits[0].ref].approach_id
        return [h.ref for h in hits if h.score >= hits[0].score - ASK_BACK_SIBLINGS
                and self.catalog.projects[h.ref].approach_id == approach]
