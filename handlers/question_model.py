"""A classifier learned from labelled questions: how likely a question asks what the plan does not hold.

The precise and meaning stages find *what* a question is about; they cannot tell "how do I switch
off ふなっぷ's night notifications?" (no plan answers that) from "what is ふなっぷ?", because both
name the same thing. People mark the difference with how they ask (どうしたら, 何階, 予約, "every
year", 次はいつ), and those phrasings are many and open-ended. So a model learns them: character
1–3-grams (TF-IDF, sublinear counts) into a multinomial logistic regression over the labels of
thousands of questions that people who read only the plan wrote as residents and staff (each
project, each term, "out of scope", "ask back", "a list"). Its probability of "out of scope" is
used as a gate after the stages have chosen an item. A second head over the same features learns
what is asked of a project (status, overview, KPI, schedule, department) from the same people's
labels, where cue words alone disagree with how they ask (「…って本当？」 asks what it is).

The model is trained offline by ``tools/train_question_model.py`` (scikit-learn, in the ``train``
dependency group) into ``handlers/data/question_model.npz``; scoring here is numpy only: a dict
lookup per n-gram and a product of a few dozen rows.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.gazetteer import without_home

MODEL_PATH = Path(__file__).resolve().parent / "data" / "question_model.npz"
OUT_OF_SCOPE = "UNK"  # the label of a question the plan does not answer
NGRAMS = (1, 3)
_SPACES = re.compile(r"\s+")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'-]*")


def char_ngrams(text: str) -> list[str]:
    """The features of a message: character 1–3-grams of each space-separated run, padded with a
    space so that a run's start and end are features of their own. The training tool passes this
    very function to scikit-learn, so training and scoring read a message the same way.

    Funabashi's own names (船橋市, 千葉県船橋市, "Funabashi City") are taken out first: the people
    who wrote the labelled questions named the city mostly when asking what the plan lacks (its
    population, its weather), and a resident naming their own city asks no less about the plan."""
    folded = unicodedata.normalize("NFKC", without_home(text)).casefold()
    grams: list[str] = []
    for run in _SPACES.split(folded):
        if not run:
            continue
        padded = f" {run} "
        for n in range(NGRAMS[0], NGRAMS[1] + 1):
            grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    # English words and word pairs too: three letters of "who handles open data" say little.
    words = _ENGLISH_WORD.findall(folded)
    grams += [f"w:{w}" for w in words] + [f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return grams


@dataclass(frozen=True)
class Head:
    """One logistic regression over the shared features: its weights and its labels."""
    coef: np.ndarray  # features × labels
    intercept: np.ndarray  # per label
    labels: tuple[str, ...]

    def probabilities(self, rows: np.ndarray, weights: np.ndarray) -> dict[str, float]:
        logits = self.intercept.astype(np.float64)
        if len(rows):
            logits = logits + weights @ self.coef[rows].astype(np.float64)
        logits -= logits.max()
        p = np.exp(logits)
        p /= p.sum()
        return dict(zip(self.labels, p.tolist(), strict=True))


@dataclass(frozen=True)
class QuestionModel:
    vocabulary: dict[str, int]
    idf: np.ndarray  # per feature
    items: Head  # each project and term, "out of scope", "ask back", "a list"
    intents: Head  # what is asked of a project: status, overview, KPI, schedule, department

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in char_ngrams(text):
            i = self.vocabulary.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        rows = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = np.array([(1.0 + math.log(n)) for n in counts.values()]) * self.idf[rows]
        norm = float(np.linalg.norm(weights))
        return rows, weights / norm if norm else weights

    def probabilities(self, text: str) -> dict[str, float]:
        """Each label's probability for this message (softmax of the logistic regression)."""
        return self.items.probabilities(*self._features(text))

    def out_of_scope(self, text: str) -> float:
        """How likely the message asks what the plan does not hold, 0–1."""
        return self.probabilities(text).get(OUT_OF_SCOPE, 0.0)

    def project_intent(self, text: str) -> tuple[str, float]:
        """What the message most likely asks of a project, and how likely."""
        return self.judge(text).intent

    def judge(self, text: str) -> Judgement:
        """Both heads' say on one message, its features read once."""
        rows, weights = self._features(text)
        intents = self.intents.probabilities(rows, weights)
        items = self.items.probabilities(rows, weights)
        best, item = max(intents, key=intents.__getitem__), max(items, key=items.__getitem__)
        return Judgement(items.get(OUT_OF_SCOPE, 0.0), (best, intents[best]), (item, items[item]))


@dataclass(frozen=True)
class Judgement:
    out_of_scope: float  # how likely the plan does not answer it, 0–1
    intent: tuple[str, float]  # what it most likely asks of a project, and how likely
    item: tuple[str, float]  # the label it finds likeliest (a project, a term, out of scope, …), and how likely


_MODEL: list[QuestionModel | None] = []
_LOCK = threading.Lock()


def shared_model(path: Path = MODEL_PATH) -> QuestionModel | None:
    """The model, loaded once per process; None when the file is missing (a checkout that has not
    trained one yet answers as it did before the gate)."""
    with _LOCK:
        if not _MODEL:
            _MODEL.append(load(path) if path.exists() else None)
        return _MODEL[0]


def load(path: Path) -> QuestionModel:
    with np.load(path, allow_pickle=False) as data:
        grams = [str(g) for g in data["vocabulary"]]
        return QuestionModel(
            vocabulary={g: i for i, g in enumerate(grams)},
            idf=data["idf"].astype(np.float32),
            items=_head(data, ""),
            intents=_head(data, "intent_"),
        )


def _head(data: Any, prefix: str) -> Head:
    return Head(coef=data[f"{prefix}coef"], intercept=data[f"{prefix}intercept"].astype(np.float32),
                labels=tuple(str(x) for x in data[f"{prefix}labels"]))
