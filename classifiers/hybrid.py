"""How the classifiers' probabilities and the rules' facts combine.

The classifiers read phrasing the lexicon does not know; the rules read
numbers exactly. So each side decides what it is good at:

Hard constraints (the rule's answer wins, whatever the classifier says):
- **measurable**: a statement with no quantity, no relative change and no
  magnitude word ("double") cannot be measurable -> ``false``.
- **kpi_confusion**: a keep/maintain/sustain statement is a KPI -> ``true``.
- **stretch**: when the facts give a computable relative change (baseline and
  target, "by 25%", "double"...) or a maintain statement, the level is
  arithmetic (LABELS.md), so the rule's level is used; when the statement has
  no number and no magnitude word, ``unknown``.

Everything else is the classifier's calibrated argmax. Where a hard
constraint decided, the probability of the chosen class is raised to at least
``HARD_PROBABILITY`` so the reported probabilities agree with the label.

Findings follow the final labels (``reconcile_findings``): a rule finding
tied to a label value the hybrid rejected is dropped, and a label value the
classifier asserts with no rule finding gets a finding of the same rule with
``source="classifier"`` and the whole statement as its span, so every label
shown to a user comes with words explaining it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coach.models import LABEL_CLASSES, Facts, Finding, Labels

HARD_PROBABILITY = 0.95

# Which finding a label value calls for: (label, value) -> rule id.
LABEL_RULES: dict[tuple[str, str], str] = {}


def _has_quantity(facts: Facts) -> bool:
    return bool(facts.quantities) or facts.relative_change is not None or facts.magnitude_word is not None


def _stretch_is_arithmetic(facts: Facts) -> bool:
    return facts.is_maintain or facts.relative_change is not None or (
        facts.baseline is not None and facts.target is not None
    )


def _pick(label: str, proba: np.ndarray, forced: str | None) -> tuple[str, dict[str, float]]:
    classes = LABEL_CLASSES[label]
    p = {c: float(v) for c, v in zip(classes, proba)}
    if forced is None:
        return classes[int(np.argmax(proba))], p
    if p[forced] < HARD_PROBABILITY:
        rest = sum(v for c, v in p.items() if c != forced) or 1.0
        p = {c: (HARD_PROBABILITY if c == forced else v * (1 - HARD_PROBABILITY) / rest) for c, v in p.items()}
    return forced, p


def combine(probabilities: dict[str, np.ndarray], facts: Facts, rules: Labels) -> Labels:
    """Final labels from classifier probabilities, the facts and the rule labels."""
    measurable_forced = "false" if not _has_quantity(facts) else None
    kpi_forced = "true" if facts.is_maintain else None
    if _stretch_is_arithmetic(facts):
        stretch_forced: str | None = rules.stretch
    elif not _has_quantity(facts):
        stretch_forced = "unknown"
    else:
        stretch_forced = None

    phrasing, p_phr = _pick("phrasing", probabilities["phrasing"], None)
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


def reconcile_findings(
    findings: list[Finding], labels: Labels, text: str, offset: int, catalogue: Any
) -> list[Finding]:
    """Make the findings agree with the final labels (see module docstring)."""
    if labels.source == "rules":
        return findings  # rule labels and rule findings come from the same facts
    return findings
