"""Persisted label classifiers (loaded with skops)."""

from __future__ import annotations

from pathlib import Path

from coach.models import Facts, Labels


class LabelModel:
    @classmethod
    def load(cls, path: Path | None = None) -> "LabelModel | None":
        return None

    def predict(self, texts: list[str], facts: list[Facts], rule_labels: list[Labels]) -> list[Labels]:
        raise NotImplementedError
