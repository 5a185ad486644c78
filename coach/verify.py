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


def _pre_check(text: str, original: str) -> Verdict | None:
    """Reasons to reject without asking the engine."""
    unknown = unknown_placeholders(text)
    if not split_lines(text):
        return Verdict(False, "empty suggestion")
    if unknown:
        return Verdict(False, f"uses placeholders other than [baseline]/[target]: {', '.join(unknown)}")
    if " ".join(split_lines(text)).casefold() == original.strip().casefold():
        return Verdict(False, "repeats the original key result")
    return None


def verify(coach: Coach, suggestions: list[str], originals: list[str]) -> list[Verdict]:
    """One verdict per suggestion; ``originals[i]`` is the key result ``suggestions[i]`` rewrites.

    Two engine batches at most: every line filled as a rise first, then only
    the lines that failed and have placeholders, filled as a fall.
    """
    verdicts: list[Verdict | None] = [_pre_check(t, o) for t, o in zip(suggestions, originals)]
    lines = {i: split_lines(t) for i, t in enumerate(suggestions) if verdicts[i] is None}
    keys = [(i, n) for i, ls in lines.items() for n in range(len(ls))]
    first = coach.assess([fill_placeholders(lines[i][n]) for i, n in keys]) if keys else []
    problems = {key: _problems(r) for key, r in zip(keys, first)}
    retry = [key for key in keys if problems[key] and placeholders_in(lines[key[0]][key[1]])]
    if retry:
        second = coach.assess([fill_placeholders(lines[i][n], decrease=True) for i, n in retry])
        for key, report in zip(retry, second):
            if not _problems(report):
                problems[key] = []
    for i, ls in lines.items():
        failures = [p for n in range(len(ls)) for p in problems[(i, n)]]
        if failures:
            verdicts[i] = Verdict(False, "; ".join(dict.fromkeys(failures)))
        else:
            verdicts[i] = Verdict(True, placeholders=placeholders_in(suggestions[i]))
    return [v if v is not None else Verdict(False, "not checked") for v in verdicts]
