"""False-positive budget: good key results must come back (nearly) clean.

data/good_key_results.jsonl holds key results written for this project across
many departments: outcome-phrased, measurable, with a baseline, asking for a
real change. Fewer than 0.1 warning-or-error findings per key result is the
budget; a rule that trips it is too eager and must be tightened.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from coach.models import resource_dir
from rules.engine import RuleEngine

BUDGET = 0.10


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    path = resource_dir("data") / "good_key_results.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_is_broad(corpus: list[dict]) -> None:
    assert len(corpus) >= 150
    assert len({r["department"] for r in corpus}) >= 15
    assert len({r["text"].lower() for r in corpus}) == len(corpus), "duplicate statements"
    assert all(r["phrasing"] == "outcome" and r["measurable"] and not r["kpi_confusion"] for r in corpus)


def test_false_positive_budget(corpus: list[dict]) -> None:
    engine = RuleEngine()
    texts = [r["text"] for r in corpus]
    offenders = []
    for text, facts in zip(texts, engine.facts_many(texts), strict=True):
        serious = [f for f in engine.check_key_result(text, facts) if f.severity in ("warning", "error")]
        offenders += [(f.rule, text, f.message) for f in serious]
    rate = len(offenders) / len(texts)
    print(f"\nfalse-positive rate: {rate:.3f} warning/error findings per key result ({len(offenders)}/{len(texts)})")
    print("by rule:", dict(Counter(rule for rule, _, _ in offenders)))
    for rule, text, message in offenders:
        print(f"  {rule}: {text!r}: {message}")
    assert rate < BUDGET, f"false-positive rate {rate:.3f} >= {BUDGET}: {offenders}"
