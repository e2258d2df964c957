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

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.gazetteer import without_home

MODEL_PATH = Path(__file__).resolve().parent / "data" / "question_model.npz"
OUT_OF_SCOPE = "UNK"  # the label of a question the plan does not answer
ASK_BACK = "ask back"  # the label of a question several projects fit equally
RANKED = 6  # labels a judgement keeps, likeliest first
SAID_KEPT = 2048  # messages whose judgement is kept before the memo starts again
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
        pairs = list(map(add, padded, padded[1:]))  # joined in C: a message is read per question
        grams += padded
        grams += pairs
        grams += map(add, pairs, padded[2:])
    # English words and word pairs too: three letters of "who handles open data" say little.
    words = _ENGLISH_WORD.findall(folded)
    grams += [f"w:{w}" for w in words] + [f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return grams


@dataclass(frozen=True)
class Head:
    """One logistic regression over the shared features: its labels and their intercepts (the
    weights of both heads are one matrix, :attr:`QuestionModel.weights`)."""
    intercept: np.ndarray  # per label
    labels: tuple[str, ...]

    def softmax(self, logits: np.ndarray) -> np.ndarray:
        logits = logits + self.intercept
        e = np.exp(logits - logits.max())
        return e / e.sum()


@dataclass(frozen=True)
class QuestionModel:
    vocabulary: dict[str, int]
    idf: np.ndarray  # per feature
    items: Head  # each project and term, "out of scope", "ask back", "a list"
    intents: Head  # what is asked of a project: status, overview, KPI, schedule, department
    # Features × (items' labels, then intents'), float16: one gather and one product per message.
    weights: np.ndarray
    _said: dict[str, Judgement] = field(init=False, repr=False, compare=False, default_factory=dict)

    def _logits(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        vocabulary: dict[str, int] = self.vocabulary
        counts = Counter(map(vocabulary.get, char_ngrams(text)))
        counts.pop(None, None)
        joint = np.zeros(self.weights.shape[1], dtype=np.float32)
        if counts:
            rows = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            x = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[rows]
            x /= float(np.linalg.norm(x)) or 1.0
            joint = x @ self.weights[rows].astype(np.float32)
        n = len(self.items.labels)
        return joint[:n], joint[n:]

    def out_of_scope(self, text: str) -> float:
        """How likely the message asks what the plan does not hold, 0–1."""
        return self.judge(text).out_of_scope

    def project_intent(self, text: str) -> tuple[str, float]:
        """What the message most likely asks of a project, and how likely."""
        return self.judge(text).intent

    def judge(self, text: str) -> Judgement:
        """Both heads' say on one message, its features read once; a message asked again (the
        stages and ``--explain`` ask it of the same text) is looked up."""
        said = self._said.get(text)
        if said is None:
            if len(self._said) >= SAID_KEPT:
                self._said.clear()  # atomic, so threads sharing the model need no lock
            said = self._said[text] = self._judged(text)
        return said

    def _judged(self, text: str) -> Judgement:
        item_logits, intent_logits = self._logits(text)
        items, intents = self.items.softmax(item_logits), self.intents.softmax(intent_logits)
        j = int(intents.argmax())
        labels = self.items.labels
        ranked = tuple((labels[i], float(items[i])) for i in np.argsort(-items)[:RANKED])
        unk = labels.index(OUT_OF_SCOPE)  # a label of every training run
        back = float(items[labels.index(ASK_BACK)]) if ASK_BACK in labels else 0.0
        return Judgement(float(items[unk]), (self.intents.labels[j], float(intents[j])), ranked, back)


@dataclass(frozen=True)
class Judgement:
    out_of_scope: float  # how likely the plan does not answer it, 0–1
    intent: tuple[str, float]  # what it most likely asks of a project, and how likely
    ranked: tuple[tuple[str, float], ...]  # the likeliest labels (projects, terms, out of scope, …), how likely
    ask_back: float  # how likely several projects fit it equally (people asked back which), 0–1

    @property
    def item(self) -> tuple[str, float]:
        """The label it finds likeliest, and how likely."""
        return self.ranked[0]


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
            weights=np.hstack([data["coef"], data["intent_coef"]]).astype(np.float16),
        )


def _head(data: Any, prefix: str) -> Head:
    return Head(intercept=data[f"{prefix}intercept"].astype(np.float32), labels=tuple(str(x) for x in data[f"{prefix}labels"]))
