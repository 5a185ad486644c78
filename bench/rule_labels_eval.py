"""Rule-only labels against a labelled JSON Lines file: per-label macro-F1 and per-class F1.

Usage: python bench/rule_labels_eval.py [PATH] [--errors LABEL]
PATH defaults to ../shared/eval/dev.jsonl (read-only evaluation data: measured
here, never copied into the repository). ``--errors LABEL`` prints the
misclassified statements of one label to the terminal, to study categories of
failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.models import LABEL_CLASSES, LABEL_NAMES  # noqa: E402
from rules.facts import extract_facts_many  # noqa: E402
from rules.labels import labels_from_facts  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def _as_class(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--errors", choices=LABEL_NAMES)
    args = parser.parse_args()
    records = [json.loads(line) for line in Path(args.path).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in records]
    started = time.perf_counter()
    facts = extract_facts_many(texts)
    predicted = [labels_from_facts(t, f) for t, f in zip(texts, facts)]
    elapsed = time.perf_counter() - started
    print(f"{len(records)} statements from {args.path} ({len(records) / elapsed:,.0f}/s)")
    for name in LABEL_NAMES:
        gold = [_as_class(r[name]) for r in records]
        pred = [_as_class(getattr(p, name)) for p in predicted]
        classes = [c for c in LABEL_CLASSES[name] if c in gold or c in pred]
        per_class = f1_score(gold, pred, labels=classes, average=None, zero_division=0)
        macro = f1_score(gold, pred, labels=classes, average="macro", zero_division=0)
        accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold)
        detail = "  ".join(f"{c}={v:.2f}" for c, v in zip(classes, per_class))
        print(f"{name:14s} macro-F1 {macro:.3f}  accuracy {accuracy:.3f}  | {detail}")
        if args.errors == name:
            for r, p, f in zip(records, pred, facts):
                if _as_class(r[name]) != p:
                    print(f"    gold={_as_class(r[name])} pred={p} :: {r['text']}")
                    print(f"        verb={f.verb_lemma} metric={f.metric} b={f.baseline} t={f.target} "
                          f"rel={f.relative_change} dir={f.direction} mag={f.magnitude_word}")


if __name__ == "__main__":
    main()
