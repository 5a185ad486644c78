"""The domain model: the one shared kernel every layer may import.

Everything that crosses a layer boundary (parser -> rules -> classifiers ->
report -> web/CLI) is one of these pydantic models, so the JSON the API
returns, the JSON the CLI prints and the objects the code passes around are
the same thing with the same names.

Offsets (``start``/``end``) are always character offsets into the text the
user gave (``Report.text``), half-open like Python slices, so a client can
highlight ``text[start:end]`` without re-parsing anything.

This module also says where the authored resources (``data/``, ``prompts/``)
live, because every layer reads them and the answer differs between a source
checkout and an installed wheel.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------------------
# Label vocabulary: the contract of ../shared/eval/LABELS.md
# ---------------------------------------------------------------------------

Phrasing = Literal["outcome", "task"]
Stretch = Literal["safe", "stretch", "moonshot", "unknown"]
Severity = Literal["error", "warning", "info"]
FindingSource = Literal["rule", "classifier", "llm"]
SuggestionSource = Literal["llm", "offline"]
Unit = Literal["percent", "currency", "count", "duration", "score", "ratio"]
Direction = Literal["increase", "decrease", "maintain"]
Level = Literal["company", "team", "individual"]

LABEL_NAMES: tuple[str, ...] = ("phrasing", "measurable", "kpi_confusion", "stretch")
LABEL_CLASSES: dict[str, tuple[str, ...]] = {
    "phrasing": ("outcome", "task"),
    "measurable": ("true", "false"),
    "kpi_confusion": ("true", "false"),
    "stretch": ("safe", "stretch", "moonshot", "unknown"),
}
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class InputError(ValueError):
    """The user's input is unusable: the CLI prints ``message`` and exits 2, the API answers 4xx naming ``field``."""

    def __init__(self, message: str, field: str = "text", code: str = "invalid_input") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


class Finding(_Model):
    """One problem, the same shape whether a rule, a classifier or an LLM found it."""

    rule: str = Field(description="Stable rule id, e.g. OKR-K001.", examples=["OKR-K001"])
    severity: Severity
    message: str = Field(description="One line: what is wrong.")
    start: int = Field(ge=0, description="Start offset in the text the user gave.")
    end: int = Field(ge=0, description="End offset (exclusive) in the text the user gave.")
    suggestion: str | None = Field(default=None, description="How to fix it, or null.")
    source: FindingSource = "rule"


# ---------------------------------------------------------------------------
# Facts the rule engine extracts from one key result
# ---------------------------------------------------------------------------


class Quantity(_Model):
    """A number as written, normalised (``10k`` -> 10000, ``85%`` -> 85, unit percent)."""

    value: float
    unit: Unit | None = None
    currency: str | None = None
    text: str
    start: int
    end: int


class Facts(_Model):
    """What the rule engine read in one key-result statement.

    Spans in Facts are relative to the key-result text itself (not the draft);
    the pipeline shifts them when it builds findings.
    """

    verb: str | None = None
    verb_lemma: str | None = None
    verb_span: tuple[int, int] | None = None
    metric: str | None = None
    metric_span: tuple[int, int] | None = None
    metrics: list[str] = Field(default_factory=list, description="Every distinct metric phrase found.")
    baseline: float | None = None
    target: float | None = None
    unit: Unit | None = None
    currency: str | None = None
    comparator: Literal["<", "<=", ">", ">=", "="] | None = None
    relative_change: float | None = Field(
        default=None, description="Asked change as a fraction: 'by 25%' -> 0.25, 'double' -> 1.0."
    )
    magnitude_word: str | None = None
    direction: Direction | None = None
    deadline: str | None = None
    deadline_span: tuple[int, int] | None = None
    quantities: list[Quantity] = Field(default_factory=list)
    is_activity_verb: bool = False
    is_outcome_verb: bool = False
    is_maintain: bool = False
    is_monitoring: bool = False
    is_milestone: bool = False
    bounded_percent: bool = Field(default=False, description="A rate capped at 100% (uptime, accuracy...).")


# ---------------------------------------------------------------------------
# A draft as parsed
# ---------------------------------------------------------------------------


class KeyResult(_Model):
    text: str
    start: int | None = None
    end: int | None = None
    owner: str | None = None
    progress: float | None = Field(default=None, description="0.0-1.0 when the draft states progress.")


class Objective(_Model):
    title: str
    start: int | None = None
    end: int | None = None
    owner: str | None = None
    key_results: list[KeyResult] = Field(default_factory=list)


class Draft(_Model):
    """A parsed draft; ``text`` is what the spans point into."""

    text: str = ""
    objectives: list[Objective] = Field(default_factory=list)


# ---------------------------------------------------------------------------
# Labels and the report
# ---------------------------------------------------------------------------


class Labels(_Model):
    phrasing: Phrasing
    measurable: bool
    kpi_confusion: bool
    stretch: Stretch
    probabilities: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Per label, probability of each class ('true'/'false' for booleans).",
    )
    source: Literal["rules", "hybrid"] = "rules"


class ClassifyItem(_Model):
    """One line of the classify contract's output."""

    id: str
    phrasing: Phrasing
    measurable: bool
    kpi_confusion: bool
    stretch: Stretch
    probabilities: dict[str, dict[str, float]] = Field(default_factory=dict)


class KeyResultReport(_Model):
    text: str
    start: int
    end: int
    owner: str | None = None
    progress: float | None = None
    phrasing: Phrasing
    measurable: bool
    kpi_confusion: bool
    stretch: Stretch
    probabilities: dict[str, dict[str, float]] = Field(default_factory=dict)
    facts: Facts
    findings: list[Finding] = Field(default_factory=list)


class ObjectiveReport(_Model):
    title: str
    start: int
    end: int
    owner: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    key_results: list[KeyResultReport] = Field(default_factory=list)


class Suggestion(_Model):
    text: str
    source: SuggestionSource
    placeholders: list[str] = Field(default_factory=list, description="e.g. ['[baseline]', '[target]'].")
    fixes: list[str] = Field(default_factory=list, description="Rule ids this rewrite resolves.")


class KeyResultRewrite(_Model):
    text: str
    start: int | None = None
    end: int | None = None
    findings: list[Finding] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)


class RewriteResult(_Model):
    source: SuggestionSource
    notice: str | None = None
    key_results: list[KeyResultRewrite] = Field(default_factory=list)
    dropped_suggestions: int = Field(default=0, description="LLM suggestions dropped (invented numbers, failed checks).")


class Summary(_Model):
    objectives: int = 0
    key_results: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0


class Report(_Model):
    text: str = Field(description="The text every span points into.")
    objectives: list[ObjectiveReport] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="Draft-level findings.")
    score: int = Field(ge=0, le=100, description="0-100; 100 means no findings.")
    summary: Summary = Field(default_factory=Summary)
    labels_source: Literal["rules", "hybrid"] = "rules"
    rewrites: RewriteResult | None = None

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for obj in self.objectives:
            out.extend(obj.findings)
            for kr in obj.key_results:
                out.extend(kr.findings)
        return out


# ---------------------------------------------------------------------------
# Example OKRs for trainers
# ---------------------------------------------------------------------------


class ExampleOKR(_Model):
    objective: str
    key_results: list[str]


class WorkshopPair(_Model):
    flawed: str
    fixed: str
    rule: str = Field(description="Id of the rule the flawed key result breaks.")
    label: str = Field(description="Which of the four labels the flaw is about.")
    why: str


class ExampleSet(_Model):
    department: str
    level: Level = "team"
    parent: str | None = None
    seed: int | None = None
    source: SuggestionSource = "offline"
    notice: str | None = None
    okrs: list[ExampleOKR] = Field(default_factory=list)
    workshop: list[WorkshopPair] = Field(default_factory=list)


# ---------------------------------------------------------------------------
# Where authored resources live
# ---------------------------------------------------------------------------

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: Literal["data", "prompts"]) -> Path:
    """Directory of an authored resource tree, in a checkout or an installed wheel.

    In a source checkout (or an editable install) the trees sit beside the
    packages at the repository root; the wheel bundles them under
    ``coach/_bundled/`` (see ``pyproject.toml``) so ``pip install .`` works
    from any directory.
    """
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"okr-coach resource directory {name!r} is missing from the installation")
