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


class Featurizer:
    """Text and fact features in one sparse matrix (fitted vectorizers live in the artifact)."""

    def __init__(self, word: Any, char: Any, facts: Any) -> None:
        self.word, self.char, self.facts = word, char, facts

    def transform(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> sp.csr_matrix:
        masked = [mask_numbers(t) for t in texts]
        dicts = [fact_features(f, r) for f, r in zip(facts, rule_labels)]
        return sp.hstack(
            [self.word.transform(masked), self.char.transform(masked), self.facts.transform(dicts)], format="csr"
        )


class LabelModel:
    """Calibrated per-label classifiers combined with the rules (see classifiers/hybrid.py)."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        self.featurizer = Featurizer(bundle["word"], bundle["char"], bundle["facts"])
        self.models = bundle["models"]
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
        out = {}
        for label in LABEL_NAMES:
            model = self.models[label]
            proba = model.predict_proba(X)
            order = [list(model.classes_).index(c) for c in LABEL_CLASSES[label]]
            out[label] = proba[:, order]
        return out

    def predict(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> list[Labels]:
        probs = self.probabilities(texts, facts, rule_labels)
        return [
            combine({label: probs[label][i] for label in LABEL_NAMES}, facts[i], rule_labels[i])
            for i in range(len(texts))
        ]
