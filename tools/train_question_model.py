"""Train ``handlers/data/question_model.npz`` (see ``handlers/question_model.py``) from the labelled
question sets in ``tests/data``.

    uv run --group train python tools/train_question_model.py            # train and write the model
    uv run --group train python tools/train_question_model.py --check    # grouped cross-validation only
    uv run --group train python tools/train_question_model.py --without meaning_dev7 --out /tmp/m.npz

Every set is training data except the held-out sets that judge the current and the next round
(``HELD_OUT`` below): a set that judges must never be learned from. When a held-out set has been
scored at the end of its round it becomes a development set: take it out of ``HELD_OUT``, add the
new held-out set, and train again.

``--check`` estimates how the model does on a set it has never seen: each set in turn is left out
of training and scored (the sets were written by different people, so this is the question a
new writer asks).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.question_model import MODEL_PATH, OUT_OF_SCOPE, char_ngrams, load  # noqa: E402

DATA = ROOT / "tests" / "data"
HELD_OUT = {"meaning_heldout27.json", "meaning_heldout28.json"}
MIN_DF = 2  # an n-gram seen in one question only is that question's, not a way of asking
C = 10.0  # inverse regularisation, chosen by --check (1, 3, 10, 30)
GATE = 0.5  # the threshold handlers.respond uses for Japanese, reported by --check
PROJECT_INTENTS = ("project_status", "project_overview", "project_kpi", "project_schedule", "project_department")


def label(case: dict) -> str:
    if case.get("unknown"):
        return OUT_OF_SCOPE
    if "clarify" in case:
        return "ask back"
    if "set" in case:
        return "list"
    if "top" in case:
        return str(case["top"])
    if "top_in" in case:
        return str(case["top_in"][0])
    return f"intent:{case.get('intent', '-')}"


def cases() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(DATA.glob("*.json")):
        if path.name in HELD_OUT:
            continue
        out += [(path.stem, c) for c in json.loads(path.read_text(encoding="utf-8")) if "q" in c]
    return out


def fit(texts: list[str], labels: list[str], *, c: float = C) -> tuple[TfidfVectorizer, LogisticRegression]:
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, min_df=MIN_DF, sublinear_tf=True)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


def check(data: list[tuple[str, dict]], *, c: float) -> None:
    """Leave one set out at a time: accuracy of the label, and of the gate on out-of-scope."""
    names = sorted({name for name, _ in data})
    tally: Counter[str] = Counter()
    for left_out in names:
        train = [(case["q"], label(case)) for name, case in data if name != left_out]
        test = [case for name, case in data if name == left_out]
        vectorizer, model = fit([t for t, _ in train], [y for _, y in train], c=c)
        p = model.predict_proba(vectorizer.transform([case["q"] for case in test]))
        unk = list(model.classes_).index(OUT_OF_SCOPE)
        for case, row in zip(test, p, strict=True):
            y = label(case)
            tally["questions"] += 1
            tally["label right"] += model.classes_[row.argmax()] == y
            gated = row[unk] >= GATE
            if y == OUT_OF_SCOPE:
                tally["out of scope"] += 1
                tally["out of scope gated"] += gated
            else:
                tally["answerable"] += 1
                tally["answerable gated (wrongly)"] += gated
    print(f"C={c}: " + ", ".join(f"{k} {v}" for k, v in tally.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("-C", type=float, action="append")
    ap.add_argument("--without", action="append", default=[], metavar="SET",
                    help="leave this set out too (to score the bot with a model that never saw it)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args()
    data = [(name, case) for name, case in cases() if name not in args.without]
    if args.check:
        for c in args.C or [C]:
            check(data, c=c)
        return
    texts, labels = [c["q"] for _, c in data], [label(c) for _, c in data]
    vectorizer, model = fit(texts, labels)
    grams = vectorizer.get_feature_names_out()
    asked = [(c["q"], c["intent"]) for _, c in data if c.get("intent") in PROJECT_INTENTS]
    intents = LogisticRegression(C=C, max_iter=5000).fit(vectorizer.transform([q for q, _ in asked]),
                                                          [i for _, i in asked])
    args.out.parent.mkdir(exist_ok=True)
    np.savez_compressed(
        args.out,
        vocabulary=np.array(grams, dtype=str),
        idf=vectorizer.idf_.astype(np.float32),
        coef=model.coef_.T.astype(np.float16),
        intercept=model.intercept_.astype(np.float32),
        labels=np.array(model.classes_, dtype=str),
        intent_coef=intents.coef_.T.astype(np.float16),
        intent_intercept=intents.intercept_.astype(np.float32),
        intent_labels=np.array(intents.classes_, dtype=str),
    )
    # The numpy scorer must say what scikit-learn says (float16 weights: to a few thousandths).
    ours = load(args.out)
    theirs = model.predict_proba(vectorizer.transform(texts))
    unk = list(model.classes_).index(OUT_OF_SCOPE)
    worst = max(abs(ours.out_of_scope(t) - row[unk]) for t, row in zip(texts, theirs, strict=True))
    worst_intent = max(abs(ours.project_intent(q)[1] - row.max())
                       for (q, _), row in zip(asked, intents.predict_proba(vectorizer.transform([q for q, _ in asked])), strict=True))
    worst = max(worst, worst_intent)
    print(f"{len(texts)} questions ({len(asked)} asking something of a project) from {len({n for n, _ in data})} sets, {len(grams)} n-grams, "
          f"{len(model.classes_)} labels -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.1f} MB); largest difference from scikit-learn {worst:.4f}")
    if worst > 0.01:
        raise SystemExit("the numpy scorer disagrees with scikit-learn")


if __name__ == "__main__":
    main()
