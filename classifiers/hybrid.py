"""How classifier labels and rule findings combine (placeholder until the classifier lands).

With rule labels only, findings and labels come from the same facts and never
disagree, so there is nothing to reconcile.
"""

from __future__ import annotations

from typing import Any

from coach.models import Finding, Labels


def reconcile_findings(
    findings: list[Finding], labels: Labels, text: str, offset: int, catalogue: Any
) -> list[Finding]:
    return findings
