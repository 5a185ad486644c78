"""Inter-annotator agreement on the corpus: a second, independent annotation of 200 statements.

`data/agreement/second-annotation.jsonl` holds 200 corpus statements (120 from
the blind voice files, 80 hand-written others, drawn at random with seed 7)
labelled a second time by an annotator who saw only the texts, LABELS.md and
the data card's conventions. This prints, per label, raw agreement and
Cohen's kappa against the corpus labels: a ceiling for what a model trained
on these labels can be expected to reach on statements like them.
Run: .venv/bin/python bench/agreement.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.train import load_corpus, target  # noqa: E402
from coach.models import LABEL_NAMES, resource_dir  # noqa: E402


def main() -> None:
    corpus = {r.text: r for r in load_corpus()}
    path = resource_dir("data") / "agreement" / "second-annotation.jsonl"
    second = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [s["id"] for s in second if s["text"] not in corpus]
    if missing:
        raise SystemExit(f"{len(missing)} statements are no longer in the corpus: {missing[:5]}")
    print(f"{len(second)} statements annotated twice")
    print(f"{'label':15} {'agreement':>9} {'kappa':>7}")
    for label in LABEL_NAMES:
        a = [target(corpus[s['text']], label) for s in second]
        b = [target(s, label) for s in second]
        agreement = sum(x == y for x, y in zip(a, b)) / len(a)
        print(f"{label:15} {agreement:9.3f} {cohen_kappa_score(a, b):7.3f}")


if __name__ == "__main__":
    main()
