"""How the classifiers' probabilities and the rules' facts combine.

The classifiers read phrasing the lexicon does not know; the rules read
numbers exactly. So each side decides what it is good at:

Hard constraints (the rule's answer wins, whatever the classifier says):
- **measurable**: a statement in which the rules read no quantity, no relative
  change, no magnitude word ("double") and no frequency cannot be measurable
  -> ``false``.
- **kpi_confusion**: a keep/maintain/sustain statement is a KPI -> ``true``.
- **stretch**: when the facts give a computable relative change (baseline and
  target, "by 25%", "double"...) or a maintain statement, the level is
  arithmetic (LABELS.md), so the rule's level is used; when the statement has
  no number and no magnitude word, ``unknown``.

- **phrasing**: a decrease of a metric the rules know (an outcome verb such as
  cut/reduce, a change downward, the rules reading an outcome) stays an
  outcome unless the classifier is at least ``DECREASE_TASK_THRESHOLD`` sure it
  is a task. The corpus teaches the classifier that consolidating the team's
  own things is a task ("Cut our status meetings from 5 to 2"), and a linear
  model over words spreads that to "Cut open critical vulnerabilities", which
  LABELS.md calls an outcome (quality, cost, speed).

Everything else is the classifier's calibrated argmax. Where a hard
constraint decided, the probability of the chosen class is raised to at least
``HARD_PROBABILITY`` so the reported probabilities agree with the label.

Findings follow the final labels: the pipeline runs the rule checks with the
*final* labels (the key-result checks read the labels they are given, so a
task finding appears exactly when the final phrasing is ``task``), then
``attribute_findings`` marks each finding whose label value came from the
classifier rather than the rules with ``source="classifier"`` and the
classifier's confidence in its message. Every label shown to a user thus comes
with a finding that explains it in words and a span.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coach.models import LABEL_CLASSES, Facts, Finding, Labels

HARD_PROBABILITY = 0.95

# Probability of the first class (LABEL_CLASSES order) at or above which it is
# chosen for a binary label; 0.5 unless department-grouped cross-validation on
# the corpus found a better cut (never tuned on the evaluation set).
DECISION_THRESHOLDS = {"phrasing": 0.5, "measurable": 0.5, "kpi_confusion": 0.4}

#: A decrease of a metric the rules know ("Cut open critical vulnerabilities from 40 to 5", "Reduce hours lost to
#: manual data entry...") is an outcome by LABELS.md (cost, speed, quality, incidents) unless the classifier is at
#: least this sure it is a task (consolidating the team's own things: "Cut our status meetings from 5 to 2").
#: Chosen on the corpus (leave-one-voice-out and department CV, the authored canonical outcomes of data/examples and
#: the offline library), never on the evaluation set.
DECREASE_TASK_THRESHOLD = 0.85



def _has_quantity(facts: Facts) -> bool:
    return bool(facts.quantities) or facts.relative_change is not None or facts.magnitude_word is not None


def _stretch_is_arithmetic(facts: Facts) -> bool:
    return facts.is_maintain or facts.relative_change is not None or (
        facts.baseline is not None and facts.target is not None
    )


def _pick(label: str, proba: np.ndarray, forced: str | None,
          threshold: float | None = None) -> tuple[str, dict[str, float]]:
    classes = LABEL_CLASSES[label]
    p = {c: float(v) for c, v in zip(classes, proba)}
    if forced is None:
        threshold = threshold if threshold is not None else DECISION_THRESHOLDS.get(label)
        if threshold is not None:
            return (classes[0] if proba[0] >= threshold else classes[1]), p
        return classes[int(np.argmax(proba))], p
    if p[forced] < HARD_PROBABILITY:
        rest = sum(v for c, v in p.items() if c != forced) or 1.0
        p = {c: (HARD_PROBABILITY if c == forced else v * (1 - HARD_PROBABILITY) / rest) for c, v in p.items()}
    return forced, p


def combine(probabilities: dict[str, np.ndarray], facts: Facts, rules: Labels) -> Labels:
    """Final labels from classifier probabilities, the facts and the rule labels."""
    measurable_forced = "false" if not _has_quantity(facts) and not rules.measurable else None
    kpi_forced = "true" if facts.is_maintain else None
    if _stretch_is_arithmetic(facts):
        stretch_forced: str | None = rules.stretch
    elif not _has_quantity(facts):
        stretch_forced = "unknown"
    else:
        stretch_forced = None

    known_decrease = facts.is_outcome_verb and facts.direction == "decrease" and rules.phrasing == "outcome"
    phrasing, p_phr = _pick("phrasing", probabilities["phrasing"], None,
                            1 - DECREASE_TASK_THRESHOLD if known_decrease else None)
    measurable, p_mea = _pick("measurable", probabilities["measurable"], measurable_forced)
    kpi, p_kpi = _pick("kpi_confusion", probabilities["kpi_confusion"], kpi_forced)
    stretch, p_str = _pick("stretch", probabilities["stretch"], stretch_forced)
    return Labels(
        phrasing=phrasing,  # type: ignore[arg-type]
        measurable=measurable == "true",
        kpi_confusion=kpi == "true",
        stretch=stretch,  # type: ignore[arg-type]
        probabilities={"phrasing": p_phr, "measurable": p_mea, "kpi_confusion": p_kpi, "stretch": p_str},
        source="hybrid",
    )


def _value(labels: Labels, label: str) -> str:
    v = getattr(labels, label)
    return str(v).lower() if isinstance(v, bool) else str(v)


def attribute_findings(findings: list[Finding], final: Labels, rules: Labels, catalogue: Any) -> list[Finding]:
    """Credit findings whose label the classifier decided (see module docstring)."""
    if final.source == "rules":
        return findings
    out = []
    for f in findings:
        label = catalogue.get(f.rule).label
        if label and _value(final, label) != _value(rules, label):
            p = final.probabilities.get(label, {}).get(_value(final, label))
            note = f" (classifier, {p:.0%} sure)" if p is not None else " (classifier)"
            f = f.model_copy(update={"source": "classifier", "message": f.message + note})
        out.append(f)
    return out
