"""The persisted label classifiers and how they are loaded.

One skops file holds the fitted vectorizers and one calibrated linear model
per label. skops (not pickle) so that loading a model file cannot run
arbitrary code: only the types in ``TRUSTED_TYPES`` are accepted, and a file
that needs anything else is refused with a clear message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import skops.io as sio
from scipy.special import expit

from coach.models import LABEL_CLASSES, LABEL_NAMES, Facts, Labels
from classifiers.features import fact_features, mask_numbers
from classifiers.hybrid import combine

ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "labels.skops"

# The only types the artifact may contain beyond those skops trusts by default
# (scikit-learn estimators, numpy and scipy containers).
TRUSTED_TYPES = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]


class ModelLoadError(RuntimeError):
    pass


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """TfidfTransformer(sublinear_tf=True, norm="l2").transform, without per-call validation."""
    X = counts.tocsr(copy=True).astype(np.float64)
    np.log(X.data, X.data)
    X.data += 1.0
    X.data *= idf[X.indices]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ X


class Featurizer:
    """Text and fact features in one sparse matrix (fitted vectorizers live in the artifact)."""

    def __init__(self, word: Any, char: Any, facts: Any) -> None:
        self.word_hasher, self.word_idf = word.steps[0][1], word.steps[1][1].idf_
        self.char_hasher, self.char_idf = char.steps[0][1], char.steps[1][1].idf_
        self.facts = facts

    def transform(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> sp.csr_matrix:
        masked = [mask_numbers(t) for t in texts]
        dicts = [fact_features(f, r) for f, r in zip(facts, rule_labels)]
        return sp.hstack(
            [
                _tfidf(self.word_hasher.transform(masked), self.word_idf),
                _tfidf(self.char_hasher.transform(masked), self.char_idf),
                self.facts.transform(dicts),
            ],
            format="csr",
        )


class LinearCalibrated:
    """predict_proba of a fitted ``CalibratedClassifierCV(LinearSVC, "sigmoid", ensemble=False)`` in numpy.

    scikit-learn validates its input on every call, which costs more than the
    arithmetic for the one-draft requests a coach mostly answers; this does the
    same arithmetic (decision function, sigmoid calibration, normalisation)
    directly. ``tests/test_classifiers.py`` checks it equals scikit-learn's.
    """

    def __init__(self, calibrated: Any, label_classes: tuple[str, ...]) -> None:
        (cc,) = calibrated.calibrated_classifiers_
        est = cc.estimator
        self.classes = [str(c) for c in cc.classes]
        self.coef = np.ascontiguousarray(np.asarray(est.coef_, dtype=np.float64).T)
        self.intercept = np.asarray(est.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in cc.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in cc.calibrators], dtype=np.float64)
        self.positions = [self.classes.index(str(c)) for c in est.classes_]
        self.order = [self.classes.index(c) for c in label_classes]

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        scores = X @ self.coef + self.intercept
        calibrated = expit(-(self.a * scores + self.b))
        n, k = X.shape[0], len(self.classes)
        if k == 2:
            proba = np.empty((n, 2))
            proba[:, 1] = calibrated[:, 0]
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            proba = np.zeros((n, k))
            proba[:, self.positions] = calibrated
            total = proba.sum(axis=1, keepdims=True)
            proba = np.divide(proba, total, out=np.full_like(proba, 1.0 / k), where=total != 0)
        proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba[:, self.order]


class LabelModel:
    """Calibrated per-label classifiers combined with the rules (see classifiers/hybrid.py)."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        self.featurizer = Featurizer(bundle["word"], bundle["char"], bundle["facts"])
        self.models = bundle["models"]
        self.fast = {label: LinearCalibrated(self.models[label], LABEL_CLASSES[label]) for label in LABEL_NAMES}
        self.meta = bundle.get("meta", {})

    @classmethod
    def load(cls, path: Path | None = None) -> "LabelModel | None":
        """The committed artifact, or None when there is none (the rules then label alone)."""
        path = path or ARTIFACT
        if not path.exists():
            return None
        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
        if untrusted:
            raise ModelLoadError(f"{path} contains types that are not trusted: {', '.join(untrusted)}")
        return cls(sio.load(path, trusted=TRUSTED_TYPES))

    def probabilities(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> dict[str, np.ndarray]:
        """Per label, an (n, classes) array in LABEL_CLASSES order."""
        X = self.featurizer.transform(texts, facts, rule_labels)
        return {label: self.fast[label].predict_proba(X) for label in LABEL_NAMES}

    def predict(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> list[Labels]:
        probs = self.probabilities(texts, facts, rule_labels)
        return [
            combine({label: probs[label][i] for label in LABEL_NAMES}, facts[i], rule_labels[i])
            for i in range(len(texts))
        ]
