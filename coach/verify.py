"""Verification: a suggested rewrite is kept only if the coach's own engine approves of it.

LLM suggestions and offline suggestions are judged by the same function with
the same engine (``Coach.assess``) that produced the findings, so a rewrite
can never be shown that the check would flag again.

A suggestion passes when every key result in it (a split suggestion has one
per line):
- contains no placeholder other than ``[baseline]`` / ``[target]``;
- is not the user's text again;
- once placeholders are filled with neutral numbers
  (``coach.grounding.fill_placeholders``), is labelled an outcome, measurable
  and not a KPI, and raises no error or warning finding (so whatever was
  flagged is fixed and nothing new of that weight appears). Info findings
  are fine. Placeholders are filled twice, as a rise and as a fall, and
  either reading may pass: the user picks the real values.

All texts of one call go to the engine in one ``assess`` batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coach.grounding import fill_placeholders, placeholders_in, unknown_placeholders
from coach.models import KeyResultReport

if TYPE_CHECKING:
    from coach.pipeline import Coach


@dataclass
class Verdict:
    ok: bool
    why: str = ""
    placeholders: list[str] = field(default_factory=list)


def _problems(report: KeyResultReport) -> list[str]:
    """What the engine still objects to, in words the repair prompt can quote."""
    problems = []
    if report.phrasing != "outcome":
        problems.append("still phrased as a task")
    if not report.measurable:
        problems.append("still not measurable")
    if report.kpi_confusion:
        problems.append("still reads as a KPI to keep, not a change")
    for f in report.findings:
        if f.severity in ("error", "warning"):
            problems.append(f"{f.rule}: {f.message}")
    return list(dict.fromkeys(problems))


def split_lines(suggestion: str) -> list[str]:
    return [line.strip(" -•\t") for line in suggestion.splitlines() if line.strip(" -•\t")]


def verify(coach: Coach, suggestions: list[str], originals: list[str]) -> list[Verdict]:
    """One verdict per suggestion; ``originals[i]`` is the key result ``suggestions[i]`` rewrites."""
    verdicts: list[Verdict | None] = [None] * len(suggestions)
    batch: list[str] = []
    plan: list[tuple[int, list[list[int]]]] = []  # per suggestion: per line, indices of filled variants
    for i, (text, original) in enumerate(zip(suggestions, originals)):
        lines = split_lines(text)
        unknown = unknown_placeholders(text)
        if not lines:
            verdicts[i] = Verdict(False, "empty suggestion")
        elif unknown:
            verdicts[i] = Verdict(False, f"uses placeholders other than [baseline]/[target]: {', '.join(unknown)}")
        elif " ".join(lines).casefold() == original.strip().casefold():
            verdicts[i] = Verdict(False, "repeats the original key result")
        else:
            per_line = []
            for line in lines:
                variants = [fill_placeholders(line)]
                if placeholders_in(line):
                    variants.append(fill_placeholders(line, decrease=True))
                per_line.append(list(range(len(batch), len(batch) + len(variants))))
                batch.extend(variants)
            plan.append((i, per_line))
    reports = coach.assess(batch) if batch else []
    for i, per_line in plan:
        failures = []
        for line_variants in per_line:
            problems = [_problems(reports[j]) for j in line_variants]
            if not any(not p for p in problems):
                failures.extend(problems[0])
        if failures:
            verdicts[i] = Verdict(False, "; ".join(dict.fromkeys(failures)))
        else:
            verdicts[i] = Verdict(True, placeholders=placeholders_in(suggestions[i]))
    return [v if v is not None else Verdict(False, "not checked") for v in verdicts]
