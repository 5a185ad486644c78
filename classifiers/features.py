"""Features for the label classifiers: the rule engine's facts beside the words.

Words alone overfit the corpus' vocabulary; facts alone miss phrasing the
lexicon does not know. Together a linear model can learn, for example, that
"book" with a count is an outcome while "make" with a count is a task, and
still lean on what the rules already know (a quantity is present, a baseline
was read, a maintain word appeared).

Numbers are masked in the text channel so the model learns the *shape*
("from <num>% to <num>%") rather than particular values.
"""

from __future__ import annotations

import math
import re

from coach.models import Facts, Labels

_NUMBER = re.compile(r"(?<![A-Za-z])[$€£]?\d[\d,.]*(?:\s?[kKmMbB](?![A-Za-z]))?%?")


def mask_numbers(text: str) -> str:
    """Replace each number by a token that keeps its kind (percent, money, plain)."""

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s.endswith("%"):
            return " NUMPCT "
        if s[0] in "$€£":
            return " NUMCUR "
        return " NUM "

    return _NUMBER.sub(repl, text.lower())


def _bucket(r: float) -> str:
    if r < 0.10:
        return "lt10"
    if r <= 1.0:
        return "10to100"
    return "gt100"


def fact_features(facts: Facts, rule_labels: Labels | None) -> dict[str, float]:
    """A sparse dict of what the rules read; DictVectorizer turns it into columns.

    The verb itself is left to the word n-grams: as a one-hot fact at full
    weight, a verb seen a few times (``verb=establish``) carried more weight
    than whole phrases and swung the label on its own.
    """
    f: dict[str, float] = {
        "n_quantities": math.log1p(len(facts.quantities)),
        "has_quantity": float(bool(facts.quantities)),
        "has_baseline": float(facts.baseline is not None),
        "has_target": float(facts.target is not None),
        "has_relative_change": float(facts.relative_change is not None),
        "has_magnitude_word": float(facts.magnitude_word is not None),
        "has_deadline": float(facts.deadline is not None),
        "has_metric": float(facts.metric is not None),
        "n_metrics": float(len(facts.metrics)),
        "activity_verb": float(facts.is_activity_verb),
        "outcome_verb": float(facts.is_outcome_verb),
        "maintain": float(facts.is_maintain),
        "monitoring": float(facts.is_monitoring),
        "milestone": float(facts.is_milestone),
        "bounded_percent": float(facts.bounded_percent),
        "has_comparator": float(facts.comparator is not None),
        "no_verb": float(facts.verb is None),
    }
    if facts.unit:
        f[f"unit={facts.unit}"] = 1.0
    if facts.direction:
        f[f"direction={facts.direction}"] = 1.0
    if facts.comparator:
        f[f"comparator={facts.comparator}"] = 1.0
    if facts.baseline is not None and facts.target is not None and facts.baseline != 0:
        f[f"r={_bucket(abs(facts.target - facts.baseline) / abs(facts.baseline))}"] = 1.0
    if facts.relative_change is not None:
        f[f"r={_bucket(abs(facts.relative_change))}"] = 1.0
    if rule_labels is not None:
        f[f"rule_phrasing={rule_labels.phrasing}"] = 1.0
        f[f"rule_measurable={rule_labels.measurable}"] = 1.0
        f[f"rule_kpi={rule_labels.kpi_confusion}"] = 1.0
        f[f"rule_stretch={rule_labels.stretch}"] = 1.0
    return f
