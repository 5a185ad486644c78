"""Training: rebuild the label classifiers from ``data/corpus`` with a fixed seed.

``okr-coach train`` runs this. With the same corpus, seed and library
versions it rebuilds the committed artifact's predictions exactly; the skops
zip itself may differ in file timestamps, so the stated tolerance is on
probabilities (1e-9), which ``tests/test_classifiers.py`` checks.

Cross-validation groups folds by department, so each fold's test statements
come from departments the model did not see: a harsher and more honest
estimate than random folds on a corpus written by a few hands.
"""

from __future__ import annotations

import json
import platform
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import sklearn
import skops.io as sio
from pydantic import BaseModel, ConfigDict, Field
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from coach.models import LABEL_CLASSES, LABEL_NAMES, resource_dir
from classifiers.features import fact_features, mask_numbers
from classifiers.model import ARTIFACT
from rules.engine import RuleEngine

# Model capacity is fixed here, not tuned per run, so the artifact stays small
# and retraining is reproducible. Hashed n-grams keep no vocabulary, so the
# artifact holds only coefficient arrays (a fitted vocabulary of char n-grams
# alone weighed 8 MB in skops' schema).
WORD_FEATURES = 2**16
CHAR_FEATURES = 2**17
# C chosen by department-grouped CV on the corpus only (never on the evaluation set).
C_BY_LABEL = {"phrasing": 1.0, "measurable": 1.0, "kpi_confusion": 1.0, "stretch": 1.0}


class CorpusRecord(BaseModel):
    """One labelled statement, as LABELS.md defines the record."""

    model_config = ConfigDict(extra="allow")
    id: str
    text: str
    phrasing: Literal["outcome", "task"]
    measurable: bool
    kpi_confusion: bool
    stretch: Literal["safe", "stretch", "moonshot", "unknown"]
    department: str = "unknown"
    origin: Literal["hand", "template"] = "hand"
    #: The corpus file the record came from (set by ``load_corpus``, not part of the record format).
    source: str = Field("", exclude=True)


def corpus_files() -> list[Path]:
    return sorted((resource_dir("data") / "corpus").glob("*.jsonl"))


def load_corpus(paths: list[Path] | None = None) -> list[CorpusRecord]:
    records = []
    for path in paths or corpus_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    record = CorpusRecord.model_validate_json(line)
                    record.source = path.stem
                    records.append(record)
                except ValueError as exc:
                    raise ValueError(f"{path.name}:{n}: {exc}") from exc
    return records


def target(record: Any, label: str) -> str:
    value = getattr(record, label) if not isinstance(record, dict) else record[label]
    return str(value).lower() if isinstance(value, bool) else str(value)


def _new_vectorizers() -> tuple[Pipeline, Pipeline, DictVectorizer]:
    word = make_pipeline(
        HashingVectorizer(ngram_range=(1, 2), n_features=WORD_FEATURES, alternate_sign=False, norm=None,
                          token_pattern=r"(?u)\b\w+\b|[<>→%$€£]"),
        TfidfTransformer(sublinear_tf=True),
    )
    char = make_pipeline(
        HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, alternate_sign=False,
                          norm=None),
        TfidfTransformer(sublinear_tf=True),
    )
    return word, char, DictVectorizer()


def _new_classifier(label: str, seed: int) -> CalibratedClassifierCV:
    """A linear SVM (fast on sparse n-grams) with sigmoid-calibrated probabilities."""
    base = LinearSVC(C=C_BY_LABEL[label], class_weight="balanced", random_state=seed)
    return CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)


def _fit_features(texts, facts, rule_labels):
    masked = [mask_numbers(t) for t in texts]
    dicts = [fact_features(f, r) for f, r in zip(facts, rule_labels)]
    word, char, dv = _new_vectorizers()
    X = sp.hstack([word.fit_transform(masked), char.fit_transform(masked), dv.fit_transform(dicts)], format="csr")
    return X, (word, char, dv)


def _transform(vecs, texts, facts, rule_labels):
    word, char, dv = vecs
    masked = [mask_numbers(t) for t in texts]
    dicts = [fact_features(f, r) for f, r in zip(facts, rule_labels)]
    return sp.hstack([word.transform(masked), char.transform(masked), dv.transform(dicts)], format="csr")


#: Corpus files written blind, each by one annotator: ``voice-*`` in one family of voices, ``shape-*`` in one
#: sentence shape the rest of the corpus lacked (see data/README.md). Each was measured unseen before joining.
BLIND_PREFIXES = ("voice-", "shape-")


def _splits_by_department(records: list[CorpusRecord], folds: int):
    return GroupKFold(n_splits=folds).split(records, groups=[r.department for r in records])


def _splits_by_blind_file(records: list[CorpusRecord]):
    """One split per blind file: train on everything else, test on that file."""
    for blind in sorted({r.source for r in records if r.source.startswith(BLIND_PREFIXES)}):
        yield (np.array([i for i, r in enumerate(records) if r.source != blind]),
               np.array([i for i, r in enumerate(records) if r.source == blind]))


def cross_validate(records: list[CorpusRecord], engine: RuleEngine, seed: int = 0, folds: int = 5,
                   split: Literal["department", "blind_file"] = "department") -> dict:
    """Grouped CV macro-F1 per label for the hybrid (what users get) and for the rules alone.

    ``department``: 5 folds grouped by department, so test departments are
    unseen. ``blind_file``: each blind file in turn is the test set (its
    annotator, voice or shape and organisations are unseen), the closest the corpus
    gets to statements written by strangers.
    """
    from classifiers.hybrid import combine

    texts = [r.text for r in records]
    facts = engine.facts_many(texts)
    rule_labels = [engine.labels(t, f) for t, f in zip(texts, facts)]
    predicted: dict[str, list[str]] = {label: [""] * len(records) for label in LABEL_NAMES}
    tested = np.zeros(len(records), dtype=bool)
    splits = _splits_by_department(records, folds) if split == "department" else _splits_by_blind_file(records)
    for train_idx, test_idx in splits:
        tested[test_idx] = True
        tr = lambda xs: [xs[i] for i in train_idx]  # noqa: E731
        te = lambda xs: [xs[i] for i in test_idx]  # noqa: E731
        X_tr, vecs = _fit_features(tr(texts), tr(facts), tr(rule_labels))
        X_te = _transform(vecs, te(texts), te(facts), te(rule_labels))
        probs = {}
        for label in LABEL_NAMES:
            y = [target(records[i], label) for i in train_idx]
            clf = _new_classifier(label, seed).fit(X_tr, y)
            order = [list(clf.classes_).index(c) for c in LABEL_CLASSES[label]]
            probs[label] = clf.predict_proba(X_te)[:, order]
        for j, i in enumerate(test_idx):
            lab = combine({k: v[j] for k, v in probs.items()}, facts[i], rule_labels[i])
            for label in LABEL_NAMES:
                predicted[label][i] = target(lab.model_dump(), label)
    out: dict[str, Any] = {"records": int(tested.sum()), "hybrid": {}, "rules": {}}
    idx = np.flatnonzero(tested)
    for label in LABEL_NAMES:
        y = [target(records[i], label) for i in idx]
        classes = list(LABEL_CLASSES[label])
        out["hybrid"][label] = round(float(f1_score(y, [predicted[label][i] for i in idx], average="macro",
                                                    labels=classes)), 4)
        out["rules"][label] = round(float(f1_score(y, [target(rule_labels[i].model_dump(), label) for i in idx],
                                                   average="macro", labels=classes)), 4)
    return out


def fit(records: list[CorpusRecord], engine: RuleEngine, seed: int = 0) -> dict[str, Any]:
    texts = [r.text for r in records]
    facts = engine.facts_many(texts)
    rule_labels = [engine.labels(t, f) for t, f in zip(texts, facts)]
    X, (word, char, dv) = _fit_features(texts, facts, rule_labels)
    models = {label: _new_classifier(label, seed).fit(X, [target(r, label) for r in records]) for label in LABEL_NAMES}
    return {"word": word, "char": char, "facts": dv, "models": models}


def train(seed: int = 0, out_dir: Path | None = None, corpus: list[Path] | None = None, cv: bool = True) -> dict:
    """Fit on the whole corpus, write the artifact and its metrics; return a summary."""
    records = load_corpus(corpus)
    if len(records) < 50:
        raise ValueError(f"the corpus has only {len(records)} records; at least 50 are needed to train")
    engine = RuleEngine()
    np.random.seed(seed)
    bundle = fit(records, engine, seed)
    out_path = (out_dir / ARTIFACT.name) if out_dir else ARTIFACT
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(bundle, out_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    summary = {
        "artifact": out_path.name,
        "bytes": out_path.stat().st_size,
        "records": len(records),
        "departments": dict(sorted(Counter(r.department for r in records).items())),
        "origin": dict(Counter(r.origin for r in records)),
        "seed": seed,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
    }
    if cv:
        summary["cv_macro_f1_by_department"] = cross_validate(records, engine, seed)
        if any(r.source.startswith(BLIND_PREFIXES) for r in records):
            summary["cv_macro_f1_leave_one_blind_file_out"] = cross_validate(records, engine, seed,
                                                                             split="blind_file")
    (out_path.parent / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
