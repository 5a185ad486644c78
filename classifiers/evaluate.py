"""``okr-coach eval``: how well the labels match a hand-labelled JSONL file.

Reports, per label, precision/recall/F1 per class, macro-F1, the confusion
matrix and every misclassified statement, so a disagreement can be read, not
only counted.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from coach.models import LABEL_CLASSES, LABEL_NAMES, ClassifyItem, InputError


def _value(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def evaluate(records: list[dict], predictions: list[ClassifyItem]) -> dict[str, Any]:
    """Metrics per label for the labels present in the records."""
    result: dict[str, Any] = {"records": len(records), "labels": {}}
    for label in LABEL_NAMES:
        pairs = [(r, p) for r, p in zip(records, predictions) if label in r]
        if not pairs:
            continue
        classes = list(LABEL_CLASSES[label])
        gold = [_value(r[label]) for r, _ in pairs]
        bad = sorted({g for g in gold if g not in classes})
        if bad:
            raise InputError(f"label {label!r} has unknown values {bad}; expected one of {classes}", field=label)
        pred = [_value(getattr(p, label)) for _, p in pairs]
        p, r, f, s = precision_recall_fscore_support(gold, pred, labels=classes, zero_division=0)
        result["labels"][label] = {
            "n": len(pairs),
            "unlabelled": len(records) - len(pairs),  # records without this label, left out of its figures
            # macro over the classes that occur (in the file or the answers): a file of outcomes only, all
            # right, scores 1.0, not 0.5 for a 'task' class nobody wrote or predicted
            "macro_f1": round(float(f1_score(gold, pred, labels=[c for c in classes if c in gold or c in pred],
                                             average="macro", zero_division=0)), 4),
            "accuracy": round(sum(g == q for g, q in zip(gold, pred)) / len(pairs), 4),
            "classes": {
                c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                    "f1": round(float(f[i]), 4), "support": int(s[i])}
                for i, c in enumerate(classes)
            },
            "confusion": {"labels": classes, "matrix": confusion_matrix(gold, pred, labels=classes).tolist()},
            "errors": [
                {"id": rec.get("id"), "text": rec["text"], "expected": g, "predicted": q}
                for (rec, _), g, q in zip(pairs, gold, pred)
                if g != q
            ],
        }
    if not result["labels"]:
        raise InputError("no record carries any of the labels " + ", ".join(LABEL_NAMES), field="labels")
    return result


def render_evaluation(result: dict[str, Any], console: Console, max_errors: int = 15) -> None:
    console.print(f"[bold]{result['records']} records[/bold]")
    summary = Table(title="macro-F1 per label")
    summary.add_column("label")
    summary.add_column("macro-F1", justify="right")
    summary.add_column("accuracy", justify="right")
    for label, m in result["labels"].items():
        summary.add_row(label, f"{m['macro_f1']:.3f}", f"{m['accuracy']:.3f}")
    console.print(summary)
    for label, m in result["labels"].items():
        if m.get("unlabelled"):
            console.print(f"[yellow]{m['unlabelled']} of {result['records']} records have no {label} label; "
                          f"its figures use the other {m['n']}[/yellow]")
    for label, m in result["labels"].items():
        t = Table(title=f"{label} (n={m['n']}, macro-F1 {m['macro_f1']:.3f})")
        t.add_column("class")
        for col in ("precision", "recall", "F1", "support"):
            t.add_column(col, justify="right")
        for c, v in m["classes"].items():
            t.add_row(c, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"]))
        console.print(t)
        cm = Table(title=f"{label}: confusion (rows = expected, columns = predicted)")
        cm.add_column("")
        for c in m["confusion"]["labels"]:
            cm.add_column(c, justify="right")
        for c, row in zip(m["confusion"]["labels"], m["confusion"]["matrix"]):
            cm.add_row(c, *map(str, row))
        console.print(cm)
        if m["errors"]:
            console.print(f"[bold]{label}: {len(m['errors'])} misclassified[/bold]")
            for e in m["errors"][:max_errors]:
                console.print(f"  {e['id']}: expected {e['expected']}, got {e['predicted']}: {escape(e['text'])}")
            if len(m["errors"]) > max_errors:
                console.print(f"  … {len(m['errors']) - max_errors} more (use --format json for all)")
