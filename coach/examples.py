"""Department example OKRs for trainers, verified by the coach's own engine.

Trainers need fresh, believable examples per department, not the same three
OKRs every workshop. The library in ``data/examples/<department>.yaml`` holds
objectives (no numbers) and key-result *patterns* whose baselines and targets
are drawn at random within plausible ranges, so every seed gives a different
but reproducible set. Every key result that leaves this module has been scored
by the same engine that scores users' drafts (``Coach.assess``): a trainer's
example that the coach itself would flag would teach the wrong thing.

With an LLM configured the examples are written fresh by the model, verified
the same way, and the library answers instead (with a notice saying why) when
the model fails or its examples do not pass.

How a parent objective is cascaded: the parent's words are mapped to the
library's themes (``data/examples/_shared.yaml``: a word matches a theme
keyword when it equals it or starts with it). Objectives sharing the most
themes with the parent come first; key results are chosen by the themes they
share with their objective first and with the parent second. The set records
the parent so renderings can present it as serving that objective.
"""

from __future__ import annotations

import math
import random
import re
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coach.errors import InputError
from coach.models import (
    ExampleOKR,
    ExampleSet,
    KeyResult,
    KeyResultReport,
    Level,
    Objective,
    WorkshopPair,
    resource_dir,
)

if TYPE_CHECKING:  # pragma: no cover - imported for type names only
    from coach.pipeline import Coach

LEVELS: tuple[str, ...] = ("company", "team", "individual")
MAX_COUNT = 10
KEY_RESULTS_RANGE = (3, 5)
MAX_PARENT_CHARS = 300
# Smallest relative change a generated key result may ask for. LABELS.md calls
# r < 0.10 'safe'; the margin keeps rounding from ever landing below it.
MIN_CHANGE = 0.12
# Key results drawn per objective before the engine has the last word.
ATTEMPTS_PER_PATTERN = 3
WORKSHOP_PAIRS_PER_LABEL = 2
WORKSHOP_LABEL_ORDER: tuple[str, ...] = ("phrasing", "measurable", "kpi_confusion", "stretch")
# Levels that may stand in when a level has too few objectives of its own.
ADJACENT_LEVELS: dict[str, tuple[str, ...]] = {
    "company": ("team",),
    "team": ("company", "individual"),
    "individual": ("team",),
}

FlawKind = Literal[
    "task", "unmeasurable", "milestone", "maintain", "monitor", "bare-metric", "safe", "no-baseline", "unknown"
]
_SPAN = re.compile(r"from \{baseline\}(?P<mid>.*?) to \{target\}")
_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")


# ---------------------------------------------------------------------------
# The library as data, validated when loaded
# ---------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObjectiveSpec(_Spec):
    """An objective: qualitative (no digits), short, tagged for levels and themes."""

    text: str = Field(min_length=10, max_length=69)
    levels: tuple[Level, ...] = Field(min_length=1)
    themes: tuple[str, ...] = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _no_numbers(cls, v: str) -> str:
        if re.search(r"\d", v):
            raise ValueError("an objective is qualitative: no numbers")
        return v


class PatternSpec(_Spec):
    """A key-result pattern: text with {baseline}/{target} and the ranges to draw from."""

    text: str
    unit: Literal["percent", "currency", "count", "duration", "score"]
    direction: Literal["increase", "decrease"]
    baseline: tuple[float, float]
    change: tuple[float, float]
    step: float | None = Field(default=None, gt=0)
    max: float | None = None
    themes: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PatternSpec:
        if not _SPAN.search(self.text):
            raise ValueError("text must say 'from {baseline} ... to {target}'")
        lo, hi = self.baseline
        if not 0 < lo <= hi:
            raise ValueError("baseline must be a range [low, high] of positive numbers")
        clo, chi = self.change
        if not MIN_CHANGE <= clo <= chi:
            raise ValueError(f"change must be a range [low, high] with low >= {MIN_CHANGE} (never 'safe')")
        if self.direction == "decrease" and chi > 0.85:
            raise ValueError("a decrease cannot ask for more than 85% less")
        if self.unit == "percent" and hi > 90:
            # Above 90% a bounded rate is judged on the remaining gap (LABELS.md);
            # keeping baselines lower keeps one plain formula for the stretch.
            raise ValueError("percent baselines stay at or below 90")
        ceiling = self._ceiling()
        if self.direction == "increase" and lo * (1 + clo) > ceiling:
            raise ValueError("no baseline in range leaves room for the smallest change below the maximum")
        return self

    def _ceiling(self) -> float:
        if self.max is not None:
            return self.max
        return 99.0 if self.unit == "percent" else math.inf


class WorkshopSpec(_Spec):
    """An authored workshop pair: a flawed key result and its fix."""

    flaw: FlawKind
    flawed: str = Field(min_length=5)
    fixed: str = Field(min_length=5)
    why: str = Field(min_length=10)


class DepartmentLibrary(_Spec):
    id: str
    name: str
    objectives: tuple[ObjectiveSpec, ...] = Field(min_length=8)
    key_results: tuple[PatternSpec, ...] = Field(min_length=30)
    workshop: tuple[WorkshopSpec, ...] = Field(default=(), min_length=4)

    @model_validator(mode="after")
    def _check(self) -> DepartmentLibrary:
        _unique([o.text for o in self.objectives], "objective")
        _unique([p.text for p in self.key_results], "key-result pattern")
        shared = load_shared()
        used = {t for item in (*self.objectives, *self.key_results) for t in item.themes}
        unknown = sorted(used - set(shared.themes))
        if unknown:
            raise ValueError(f"themes not in _shared.yaml: {', '.join(unknown)}")
        labels = {shared.flaws[w.flaw].label for w in self.workshop}
        missing = set(WORKSHOP_LABEL_ORDER) - labels
        if missing:
            raise ValueError(f"workshop pairs must cover every label; missing {', '.join(sorted(missing))}")
        return self


class FlawSpec(_Spec):
    label: Literal["phrasing", "measurable", "kpi_confusion", "stretch"]
    rule: str = Field(pattern=r"^OKR-K\d{3}$")
    description: str


class SharedLibrary(_Spec):
    themes: dict[str, tuple[str, ...]]
    flaws: dict[FlawKind, FlawSpec]


def _unique(items: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        key = item.casefold()
        if key in seen:
            raise ValueError(f"duplicate {what}: {item!r}")
        seen.add(key)


def _examples_dir():
    return resource_dir("data") / "examples"


@cache
def load_shared() -> SharedLibrary:
    """Theme vocabulary and flaw -> rule map shared by every department."""
    with open(_examples_dir() / "_shared.yaml", encoding="utf-8") as fh:
        return SharedLibrary.model_validate(yaml.safe_load(fh))


def list_departments() -> list[str]:
    """Department ids (file names), sorted; files starting with '_' are shared data."""
    return sorted(p.stem for p in _examples_dir().glob("*.yaml") if not p.stem.startswith("_"))


@cache
def load_department(department: str) -> DepartmentLibrary:
    """Load and validate one department's library (cached: the files do not change at run time)."""
    path = _examples_dir() / f"{department}.yaml"
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    try:
        lib = DepartmentLibrary.model_validate(raw)
    except ValidationError as exc:  # a broken library is a bug in the repo, say where
        raise ValueError(f"{path.name}: {exc}") from exc
    if lib.id != department:
        raise ValueError(f"{path.name}: id {lib.id!r} does not match the file name")
    return lib


# ---------------------------------------------------------------------------
# Numbers: draw, round to what a person would write, format
# ---------------------------------------------------------------------------


def _sig2(value: float) -> float:
    if value == 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(abs(value))))
    return round(value, digits)


def _round(value: float, pattern: PatternSpec) -> float:
    """Round like a person writes numbers: 4.5%, 38 days, 1,200 users, $1.4M."""
    if pattern.step:
        return round(round(value / pattern.step) * pattern.step, 6)
    if pattern.unit == "currency":
        return _sig2(value)
    if pattern.unit == "count":
        return float(round(value)) if value < 100 else _sig2(value)
    if value < 10:
        if pattern.unit == "duration" and value >= 1:
            return round(value * 2) / 2  # "2.5 days", not "2.3 days"
        return round(value, 1)
    return float(round(value)) if value < 100 else _sig2(value)


def _plain(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"${_plain(value / 1e6)}M"
    if value >= 100_000:
        return f"${_plain(value / 1e3)}k"
    return f"${_plain(value)}"


def _format_pair(baseline: float, target: float, unit: str) -> tuple[str, str]:
    """Numbers as a person writes them: '12%', '$870k', '$1.2M', '1,400'."""
    if unit == "percent":
        return f"{_plain(baseline)}%", f"{_plain(target)}%"
    if unit == "currency":
        return _money(baseline), _money(target)
    return _plain(baseline), _plain(target)


def relative_change(baseline: float, target: float) -> float:
    """r of LABELS.md for a 'from B to T' statement (baselines here stay <= 90%)."""
    return abs(target - baseline) / abs(baseline)


def draw_numbers(
    pattern: PatternSpec,
    rng: random.Random,
    change: tuple[float, float] | None = None,
    baseline: float | None = None,
) -> tuple[float, float] | None:
    """A (baseline, target) pair within the pattern's ranges, or None if rounding defeats it.

    ``change`` overrides the pattern's range (workshop mode draws 'safe' ones on purpose).
    """
    clo, chi = change or pattern.change
    for _ in range(20):
        b = baseline if baseline is not None else _round(rng.uniform(*pattern.baseline), pattern)
        r = rng.uniform(clo, chi)
        raw = b * (1 + r) if pattern.direction == "increase" else b * (1 - r)
        t = _round(raw, pattern)
        if t <= 0 or t == b or t > pattern._ceiling():
            continue
        actual = relative_change(b, t)
        if change is None and actual < MIN_CHANGE:
            continue
        if change is not None and not (clo * 0.5 <= actual <= chi * 1.5):
            continue
        if change is not None and chi < 0.1 and actual >= 0.1:
            continue
        return b, t
    return None


def fill(pattern: PatternSpec, baseline: float, target: float) -> str:
    b, t = _format_pair(baseline, target, pattern.unit)
    return pattern.text.format(baseline=b, target=t)


# ---------------------------------------------------------------------------
# Themes and parent alignment
# ---------------------------------------------------------------------------


def themes_in(text: str) -> set[str]:
    """Themes whose keywords appear in ``text`` (equal, or the word starts with a 4+ letter keyword)."""
    words = set(_WORD.findall(text.casefold()))
    found: set[str] = set()
    for theme, keywords in load_shared().themes.items():
        for kw in keywords:
            if kw in words or (len(kw) >= 4 and any(w.startswith(kw) for w in words)):
                found.add(theme)
                break
    return found


# ---------------------------------------------------------------------------
# Verification with the coach's own engine
# ---------------------------------------------------------------------------


@cache
def _default_coach() -> Coach:
    from coach.pipeline import Coach

    return Coach()


def kr_passes(report: KeyResultReport) -> bool:
    """What every example key result must be: an outcome, measurable, not a KPI, not safe.

    It must also draw no error or warning from the engine: an example the
    coach would complain about teaches the wrong thing.
    """
    return (
        report.phrasing == "outcome"
        and report.measurable
        and not report.kpi_confusion
        and report.stretch in ("stretch", "moonshot")
        and not any(f.severity in ("error", "warning") for f in report.findings)
    )


def pair_passes(flawed: KeyResultReport, fixed: KeyResultReport, rule: str) -> bool:
    """The flawed statement triggers its rule; the fix does not and passes every example check."""
    return (
        any(f.rule == rule for f in flawed.findings)
        and not any(f.rule == rule for f in fixed.findings)
        and kr_passes(fixed)
    )


def rule_labels(coach: Coach) -> dict[str, str]:
    """Rule id -> the LABELS.md label it is about, from the engine's own catalogue."""
    return {r.id: r.label for r in coach.engine.catalogue.rules if r.label}


def name_flaw(flawed: KeyResultReport, fixed: KeyResultReport, kind: FlawKind, coach: Coach) -> str | None:
    """The rule a workshop pair teaches, as the engine sees it, or None if the pair does not hold.

    The kind's own rule is preferred; another rule about the same label counts
    too (a target with no baseline may read as 'no baseline' or as 'ambition
    unknown' depending on its verb), so the handout always names the rule the
    coach really raises.
    """
    spec = load_shared().flaws[kind]
    sound = flawed.phrasing == "outcome" and flawed.measurable and not flawed.kpi_confusion
    if spec.label == "stretch" and not sound:
        return None  # an ambition flaw is taught on an otherwise sound key result
    labels = rule_labels(coach)
    fired = [f.rule for f in flawed.findings]
    for rule in [spec.rule, *fired]:
        if labels.get(rule) == spec.label and pair_passes(flawed, fixed, rule):
            return rule
    return None


# ---------------------------------------------------------------------------
# Validation of the parameters a user gives
# ---------------------------------------------------------------------------


def _check_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{field} must be a whole number from {low} to {high}", field=field)
    if not low <= value <= high:
        raise InputError(f"{field} must be from {low} to {high}, got {value}", field=field)
    return value


def _validate(
    department: Any, count: Any, level: Any, parent: Any, seed: Any, key_results: Any
) -> tuple[str, str | None]:
    valid = list_departments()
    dep = department.strip().casefold() if isinstance(department, str) else department
    if dep not in valid:
        raise InputError(
            f"unknown department {department!r}; choose one of: {', '.join(valid)}", field="department"
        )
    _check_int(count, "count", 1, MAX_COUNT)
    _check_int(key_results, "key_results", *KEY_RESULTS_RANGE)
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)}, got {level!r}", field="level")
    if parent is not None:
        if not isinstance(parent, str):
            raise InputError("parent must be text: the objective the examples should serve", field="parent")
        parent = " ".join(parent.split()) or None
        if parent is not None and len(parent) > MAX_PARENT_CHARS:
            raise InputError(f"parent objective is longer than {MAX_PARENT_CHARS} characters", field="parent")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError("seed must be a whole number >= 0", field="seed")
    patterns = len(load_department(dep).key_results)
    if count * key_results > patterns:
        raise InputError(
            f"{dep} has {patterns} key-result patterns: count x key_results must not exceed that "
            f"(asked {count} x {key_results})",
            field="count",
        )
    return dep, parent


# ---------------------------------------------------------------------------
# Generation from the library
# ---------------------------------------------------------------------------


def _rank_objectives(
    lib: DepartmentLibrary, level: str, parent_themes: set[str], rng: random.Random
) -> tuple[list[ObjectiveSpec], int]:
    """Objectives in the order to try them, and how many are written for ``level`` itself.

    Those written for the level come first, then those of adjacent levels (a
    department may have fewer company-level objectives than a trainer asks
    for); within each group the best parent match comes first, ties at random.
    """

    def ranked(pool: list[ObjectiveSpec]) -> list[ObjectiveSpec]:
        keyed = [(-len(parent_themes & set(o.themes)), rng.random(), o) for o in pool]
        return [o for *_, o in sorted(keyed, key=lambda k: (k[0], k[1]))]

    own = [o for o in lib.objectives if level in o.levels]
    others = [o for o in lib.objectives if o not in own and set(o.levels) & set(ADJACENT_LEVELS[level])]
    return ranked(own) + ranked(others), len(own)


def objective_passes(title: str, key_results: list[KeyResultReport], coach: Coach) -> bool:
    """An example objective draws no error or warning from the engine's objective rules."""
    objective = Objective(title=title, key_results=[KeyResult(text=r.text) for r in key_results])
    findings = coach.engine.check_objective(objective, [r.facts for r in key_results])
    return not any(f.severity in ("error", "warning") for f in findings)


def _rank_patterns(
    lib: DepartmentLibrary,
    objective: ObjectiveSpec,
    parent_themes: set[str],
    used: set[str],
    rng: random.Random,
) -> list[PatternSpec]:
    primary = objective.themes[0]

    def score(p: PatternSpec) -> int:
        # The objective's first theme is what it is mainly about; parent themes break ties.
        shared = set(p.themes) & set(objective.themes)
        return 2 * len(shared) + (2 if primary in p.themes else 0) + len(set(p.themes) & parent_themes)

    keyed = [(-score(p), rng.random(), p) for p in lib.key_results if p.text not in used]
    return [p for *_, p in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _from_library(
    lib: DepartmentLibrary,
    count: int,
    level: str,
    parent_themes: set[str],
    key_results: int,
    rng: random.Random,
    coach: Coach,
) -> tuple[list[ExampleOKR], str | None]:
    """Objectives with verified key results drawn from the patterns; see the module docstring."""
    objectives, own_level = _rank_objectives(lib, level, parent_themes, rng)
    used: set[str] = set()
    okrs: list[ExampleOKR] = []
    borrowed = 0
    for position, objective in enumerate(objectives):
        if len(okrs) == count:
            break
        reports: list[KeyResultReport] = []
        patterns: list[str] = []
        for pattern in _rank_patterns(lib, objective, parent_themes, used, rng):
            if len(reports) == key_results:
                break
            for _ in range(ATTEMPTS_PER_PATTERN):
                numbers = draw_numbers(pattern, rng)
                if numbers is None:
                    continue
                (report,) = coach.assess([fill(pattern, *numbers)])
                if kr_passes(report):
                    reports.append(report)
                    patterns.append(pattern.text)
                    break
        if len(reports) < key_results or not objective_passes(objective.text, reports, coach):
            continue
        used.update(patterns)
        okrs.append(ExampleOKR(objective=objective.text, key_results=[r.text for r in reports]))
        borrowed += position >= own_level
    if len(okrs) < count:
        raise InputError(
            f"only {len(okrs)} {lib.name} example OKRs with {key_results} key results pass the coach's checks "
            f"under the current profile; ask for fewer",
            field="count",
        )
    notice = None
    if borrowed:
        notice = (
            f"The {lib.name} library has {own_level} objectives written for the {level} level; "
            f"{borrowed} shown suit the {' or '.join(ADJACENT_LEVELS[level])} level."
        )
    return okrs, notice


# ---------------------------------------------------------------------------
# Workshop pairs: authored ones plus ones derived from the patterns
# ---------------------------------------------------------------------------

_DERIVED_WHY: dict[str, str] = {
    "unmeasurable": "A direction with no number cannot be scored at quarter end; add the baseline and target.",
    "maintain": "Holding a metric steady is business as usual; a key result asks for the change you want.",
    "monitor": "Watching a metric changes nothing by itself; say how far you want it to move.",
    "bare-metric": "A metric name is a dashboard line, not a goal; give it a direction, baseline and target.",
    "safe": "A change this small would happen without trying; stretch it so the team has to find a new way.",
    "unknown": "With no starting figure nobody can judge how ambitious the target is; say where it starts.",
}


def _derived_pairs(lib: DepartmentLibrary, rng: random.Random) -> list[tuple[FlawKind, str, str, str]]:
    """Flawed/fixed pairs made from patterns: vague, kept, watched, bare, too-safe and no-baseline versions.

    The fix is always the pattern itself with stretch numbers; the flawed version
    reuses its metric phrase so the contrast is the one flaw being taught.
    """
    out: list[tuple[FlawKind, str, str, str]] = []
    for pattern in lib.key_results:
        numbers = draw_numbers(pattern, rng)
        if numbers is None:
            continue
        b, t = numbers
        fixed = fill(pattern, b, t)
        fb, ft = _format_pair(b, t, pattern.unit)
        match = _SPAN.search(pattern.text)
        assert match is not None  # validated when loaded
        head = pattern.text[: match.start()].rstrip()
        tail = pattern.text[match.end():]
        _verb, _, metric = head.partition(" ")
        bare = re.sub(r"^(the|our) ", "", metric)
        out.append(("unmeasurable", head, fixed, _DERIVED_WHY["unmeasurable"]))
        out.append(("maintain", f"Keep {metric} at {fb}{tail}", fixed, _DERIVED_WHY["maintain"]))
        out.append(("monitor", f"Track {metric} every week", fixed, _DERIVED_WHY["monitor"]))
        out.append(("bare-metric", bare[:1].upper() + bare[1:], fixed, _DERIVED_WHY["bare-metric"]))
        out.append(("no-baseline", f"{head} to {ft}{tail}", fixed, _DERIVED_WHY["unknown"]))
        safe = draw_numbers(pattern, rng, change=(0.03, 0.06), baseline=b)
        if safe is not None:
            out.append(("safe", fill(pattern, *safe), fixed, _DERIVED_WHY["safe"]))
    return out


def _workshop_from_library(lib: DepartmentLibrary, rng: random.Random, coach: Coach) -> list[WorkshopPair]:
    """Two verified pairs per label, authored pairs first, mixed in label order.

    A first pass takes at most one pair per kind of flaw within a label (a 'keep'
    and a 'track' rather than two 'keeps'); a second pass fills what is left.
    """
    shared = load_shared()
    authored = [(w.flaw, w.flawed, w.fixed, w.why) for w in lib.workshop]
    rng.shuffle(authored)
    derived = _derived_pairs(lib, rng)
    rng.shuffle(derived)
    by_label: dict[str, list[WorkshopPair]] = {label: [] for label in WORKSHOP_LABEL_ORDER}
    kinds_used: dict[str, set[str]] = {label: set() for label in WORKSHOP_LABEL_ORDER}
    seen: set[str] = set()
    rejected: set[str] = set()
    for diverse in (True, False):
        for flaw, flawed, fixed, why in authored + derived:
            label = shared.flaws[flaw].label
            bucket = by_label[label]
            if len(bucket) >= WORKSHOP_PAIRS_PER_LABEL or (diverse and flaw in kinds_used[label]):
                continue
            if {flawed.casefold(), fixed.casefold()} & seen or flawed in rejected:
                continue
            flawed_report, fixed_report = coach.assess([flawed, fixed])
            rule = name_flaw(flawed_report, fixed_report, flaw, coach)
            if rule is None:
                rejected.add(flawed)
                continue
            bucket.append(WorkshopPair(flawed=flawed, fixed=fixed, rule=rule, label=label, why=why))
            kinds_used[label].add(flaw)
            seen.update({flawed.casefold(), fixed.casefold()})
    pairs: list[WorkshopPair] = []
    for i in range(WORKSHOP_PAIRS_PER_LABEL):
        pairs.extend(by_label[label][i] for label in WORKSHOP_LABEL_ORDER if len(by_label[label]) > i)
    return pairs


# ---------------------------------------------------------------------------
# Fresh examples from an LLM, verified the same way
# ---------------------------------------------------------------------------


class LLMExampleOKR(BaseModel):
    objective: str
    key_results: list[str]


class LLMWorkshopPair(BaseModel):
    flawed: str
    fixed: str
    rule: str
    why: str


class LLMExamples(BaseModel):
    """The JSON the ``examples`` prompt asks the model for."""

    okrs: list[LLMExampleOKR]
    workshop: list[LLMWorkshopPair] = Field(default_factory=list)


def _llm_context(
    lib: DepartmentLibrary, count: int, level: str, parent: str | None, key_results: int, workshop: bool,
    rng: random.Random,
) -> dict[str, Any]:
    shared = load_shared()
    samples = rng.sample(list(lib.key_results), k=min(4, len(lib.key_results)))
    sample_krs = []
    for p in samples:
        numbers = draw_numbers(p, rng)
        if numbers:
            sample_krs.append(fill(p, *numbers))
    return {
        "department": lib.name,
        "level": level,
        "count": count,
        "key_results": key_results,
        "parent": parent,
        "workshop": workshop,
        "style_objectives": [o.text for o in rng.sample(list(lib.objectives), k=min(3, len(lib.objectives)))],
        "style_key_results": sample_krs,
        "flaws": [{"kind": f.description, "label": f.label, "rule": f.rule} for f in shared.flaws.values()],
    }


def _from_llm(
    lib: DepartmentLibrary, count: int, level: str, parent: str | None, key_results: int, workshop: bool,
    rng: random.Random, coach: Coach,
) -> tuple[list[ExampleOKR], list[WorkshopPair]]:
    """Ask the model once, keep what passes; raise LLMError when too little does."""
    from coach.llm import LLMClient, LLMError

    client = LLMClient(coach.settings)
    context = _llm_context(lib, count, level, parent, key_results, workshop, rng)
    answer = client.complete("examples", context, LLMExamples)
    okrs: list[ExampleOKR] = []
    seen: set[str] = set()
    for item in answer.okrs:
        title = " ".join(item.objective.split())
        if not title or len(title) >= 70 or re.search(r"\d", title) or title.casefold() in seen:
            continue
        candidates = [" ".join(k.split()) for k in item.key_results]
        candidates = [k for k in candidates if k and k.casefold() not in seen]
        if not candidates:
            continue
        reports = coach.assess(list(dict.fromkeys(candidates)))
        good = [rep for rep in reports if kr_passes(rep)][:key_results]
        if len(good) < key_results or not objective_passes(title, good, coach):
            continue
        okrs.append(ExampleOKR(objective=title, key_results=[r.text for r in good]))
        seen.update({title.casefold(), *(r.text.casefold() for r in good)})
        if len(okrs) == count:
            break
    if len(okrs) < count:
        raise LLMError(f"only {len(okrs)} of the {count} objectives the model wrote passed the coach's checks")
    pairs: list[WorkshopPair] = []
    if workshop:
        shared = load_shared()
        kind_of = {spec.rule: kind for kind, spec in reversed(shared.flaws.items())}
        usable = [p for p in answer.workshop if p.rule in kind_of]
        reports = coach.assess([t for p in usable for t in (p.flawed, p.fixed)]) if usable else []
        by_label: dict[str, list[WorkshopPair]] = {label: [] for label in WORKSHOP_LABEL_ORDER}
        seen: set[str] = set()
        for i, p in enumerate(usable):
            kind = kind_of[p.rule]
            label = shared.flaws[kind].label
            if len(by_label[label]) >= WORKSHOP_PAIRS_PER_LABEL or p.flawed.casefold() in seen:
                continue
            rule = name_flaw(reports[2 * i], reports[2 * i + 1], kind, coach)
            if rule is not None:
                pair = WorkshopPair(flawed=p.flawed, fixed=p.fixed, rule=rule, label=label, why=p.why)
                by_label[label].append(pair)
                seen.add(p.flawed.casefold())
        if not all(by_label.values()):
            raise LLMError("the model's workshop pairs did not cover all four labels with verified flaws")
        for j in range(WORKSHOP_PAIRS_PER_LABEL):
            pairs.extend(by_label[label][j] for label in WORKSHOP_LABEL_ORDER if len(by_label[label]) > j)
    return okrs, pairs


# ---------------------------------------------------------------------------
# The public entry point
# ---------------------------------------------------------------------------


def generate_examples(
    department: str,
    count: int = 3,
    level: str = "team",
    parent: str | None = None,
    seed: int | None = None,
    workshop: bool = False,
    key_results: int = 3,
    coach: Coach | None = None,
) -> ExampleSet:
    """``count`` example OKRs for a department, each key result verified by the engine.

    ``seed`` makes the set reproducible; without one a seed is drawn and recorded
    in the result, so a set a trainer liked can be printed again.
    Raises ``InputError`` (naming the field) for unusable parameters.
    """
    dep, parent = _validate(department, count, level, parent, seed, key_results)
    lib = load_department(dep)
    coach = coach or _default_coach()
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    parent_themes = themes_in(parent) if parent else set()
    notices: list[str] = []
    if parent and not parent_themes:
        notices.append("No theme of the library matched the parent objective, so the examples are not tailored.")

    source: Literal["llm", "offline"] = "offline"
    okrs: list[ExampleOKR] = []
    pairs: list[WorkshopPair] = []
    if coach.settings.llm_configured:
        from coach.llm import LLMError

        try:
            okrs, pairs = _from_llm(lib, count, level, parent, key_results, workshop, rng, coach)
            source = "llm"
        except LLMError as exc:
            notices.insert(0, f"The language model was not used ({exc.reason}); the examples come from the library.")
            rng = random.Random(seed)
    if source == "offline":
        okrs, level_notice = _from_library(lib, count, level, parent_themes, key_results, rng, coach)
        if level_notice:
            notices.append(level_notice)
        if workshop:
            pairs = _workshop_from_library(lib, rng, coach)
    return ExampleSet(
        department=dep,
        level=level,  # type: ignore[arg-type]  # validated above
        parent=parent,
        seed=seed,
        source=source,
        notice=" ".join(notices) or None,
        okrs=okrs,
        workshop=pairs,
    )


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def _title(es: ExampleSet) -> str:
    name = load_department(es.department).name
    return f"Example OKRs: {name} ({es.level} level)"


def _source_line(es: ExampleSet) -> str:
    origin = "written by the language model" if es.source == "llm" else "drawn from the authored library"
    return f"Source: {origin}; seed {es.seed}. Every key result passed the coach's own checks."


def render_text(es: ExampleSet) -> str:
    """Plain text for a terminal."""
    lines = [_title(es), ""]
    if es.parent:
        lines += [f"Serving the parent objective: {es.parent}", ""]
    for i, okr in enumerate(es.okrs, 1):
        lines.append(f"Objective {i}: {okr.objective}")
        lines += [f"  KR {i}.{j}  {kr}" for j, kr in enumerate(okr.key_results, 1)]
        lines.append("")
    if es.workshop:
        lines.append("Workshop: flawed key results and their fixes")
        for i, pair in enumerate(es.workshop, 1):
            lines += [
                f"  {i}. Flawed: {pair.flawed}",
                f"     Breaks {pair.rule} ({pair.label}): {pair.why}",
                f"     Fixed:  {pair.fixed}",
            ]
        lines.append("")
    if es.notice:
        lines += [f"Note: {es.notice}", ""]
    lines.append(_source_line(es))
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_markdown(es: ExampleSet) -> str:
    """A print-friendly workshop handout: examples, then exercises, then the answer key."""
    lines = [f"# {_title(es)}", ""]
    if es.parent:
        parent = _md_escape(es.parent)
        lines += [f"> These {es.level} OKRs are written to serve the parent objective: **{parent}**", ""]
    lines += [
        "Each objective says where we want to be, in words; each key result says how we will know we got there:",
        "an outcome with a baseline and a target that asks for a real stretch.",
        "",
    ]
    for i, okr in enumerate(es.okrs, 1):
        lines += [f"## Objective {i}: {_md_escape(okr.objective)}", ""]
        lines += [f"{j}. {_md_escape(kr)}" for j, kr in enumerate(okr.key_results, 1)]
        lines.append("")
    if es.workshop:
        lines += [
            "## Exercise: what is wrong with these key results?",
            "",
            "For each statement, name the flaw (task instead of outcome, not measurable, a KPI to keep rather than",
            "a change, or a stretch that is too safe or cannot be judged) and rewrite it.",
            "",
        ]
        lines += [f"{i}. {_md_escape(p.flawed)}" for i, p in enumerate(es.workshop, 1)]
        lines += ["", '<div style="page-break-before: always"></div>', "", "## Answer key", ""]
        lines += ["| # | Flaw | Rule | A better key result | Why |", "|---|---|---|---|---|"]
        for i, p in enumerate(es.workshop, 1):
            lines.append(f"| {i} | {p.label} | {p.rule} | {_md_escape(p.fixed)} | {_md_escape(p.why)} |")
        lines.append("")
    if es.notice:
        lines += [f"*Note: {_md_escape(es.notice)}*", ""]
    lines += ["---", "", f"*{_source_line(es)}*", ""]
    return "\n".join(lines)
