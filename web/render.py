"""Turning a Report into what a page shows: highlighted spans, badges."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.models import SEVERITY_RANK, Finding, Report


@dataclass
class Segment:
    """A run of the draft text covered by the same findings."""

    text: str
    severity: str | None = None
    refs: list[str] = field(default_factory=list)  # finding anchors, e.g. "f3"
    messages: list[str] = field(default_factory=list)


def numbered_findings(report: Report) -> list[tuple[str, Finding]]:
    """Every finding with a stable anchor id, in reading order."""
    return [
        (f"f{i}", f) for i, f in enumerate(sorted(report.all_findings(), key=lambda f: (f.start, f.end)), 1)
    ]


def highlight(text: str, findings: list[tuple[str, Finding]]) -> list[Segment]:
    """Split the text at every span boundary; each piece carries the findings covering it.

    Overlapping spans are fine: a piece covered by two findings shows the more
    severe one and links to both. Zero-width spans are widened to one character
    so they stay visible.
    """
    spans = []
    for ref, f in findings:
        start, end = max(0, min(f.start, len(text))), max(0, min(f.end, len(text)))
        if end <= start:
            end = min(len(text), start + 1)
        if end > start:
            spans.append((start, end, ref, f))
    cuts = sorted({0, len(text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    segments = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [(ref, f) for s, e, ref, f in spans if s <= a and b <= e]
        if not covering:
            segments.append(Segment(text[a:b]))
            continue
        worst = max(covering, key=lambda rf: SEVERITY_RANK[rf[1].severity])[1].severity
        segments.append(Segment(text[a:b], worst, [r for r, _ in covering], [f.message for _, f in covering]))
    return segments
