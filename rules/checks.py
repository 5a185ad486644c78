"""The check behind each catalogue rule, registered by the rule's kebab-case name.

Why checks are separate from the catalogue: the catalogue (YAML) says *what*
a rule reports and how severe it is; a check only decides *whether* and
*where* it fires and which values fill the message. The engine joins the two
and refuses to start if a rule has no check, so data and code cannot drift.

Key-result checks read the rule labels (``rules.labels``) rather than
re-deciding from the facts, so a finding never contradicts the labels shown
beside it: OKR-K001 fires iff phrasing is ``task``; OKR-K002/K003 iff
measurable is false; OKR-K005/K006/K007 iff kpi_confusion is true (each
sub-rule names the reason). The stretch rules use the asked change ``r`` of
LABELS.md with the profile's thresholds; at the default thresholds they agree
with the stretch label. To keep one problem one message, the informational
OKR-K010 stays quiet on statements that already have an error or a missing
baseline, and OKR-K008 is not raised on keep/maintain statements (OKR-K005
says it).

Spans returned by key-result checks are relative to the statement, by
objective checks relative to the objective title, by draft checks absolute
in the draft text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from coach.models import Draft, Facts, KeyResult, Labels, Objective, Quantity
from rules.labels import relative_change
from rules.lexicon import Lexicon, per_lexicon
from rules.nlp import lemma_of, lemma_table

# ---------------------------------------------------------------------------
# What checks receive and return
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """Where a rule fires and the values that fill its message."""

    start: int
    end: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyResultContext:
    text: str
    facts: Facts
    labels: Labels
    lexicon: Lexicon


@dataclass(frozen=True)
class ObjectiveContext:
    objective: Objective
    title_facts: Facts
    kr_facts: list[Facts]


@dataclass(frozen=True)
class DraftContext:
    draft: Draft
    lexicon: Lexicon | None = None


#: A check takes the context of its scope and the rule's effective parameters.
Check = Callable[[Any, dict[str, Any]], Iterable[Hit]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under the catalogue name of its rule."""

    def register(fn: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"two checks registered for rule {name!r}")
        CHECKS[name] = fn
        return fn

    return register


# ---------------------------------------------------------------------------
# Helpers over facts
# ---------------------------------------------------------------------------


def whole(text: str) -> tuple[int, int]:
    """The statement without surrounding whitespace and trailing full stop."""
    stripped = text.rstrip().rstrip(".;,").rstrip()
    start = len(stripped) - len(stripped.lstrip())
    return start, max(start, len(stripped))


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_word(text: str) -> tuple[int, int, str]:
    m = re.search(r"[^\W\d_][\w'-]*", text)
    if m is None:
        s, e = whole(text)
        return s, e, text[s:e]
    return m.start(), m.end(), m.group(0)


def verb_hit(text: str, facts: Facts) -> tuple[int, int, str]:
    """The main verb's span and text; the first word when no verb was read."""
    if facts.verb_span is not None:
        s, e = facts.verb_span
        return s, e, text[s:e]
    return _first_word(text)


def _quantity(facts: Facts, value: float | None, *, after: int = -1) -> Quantity | None:
    if value is None:
        return None
    for q in facts.quantities:
        if q.start > after and abs(q.value - value) <= 1e-9 * max(1.0, abs(value)):
            return q
    return None


def target_quantity(facts: Facts) -> Quantity | None:
    """The quantity that states the target (the last one with the target's value)."""
    if facts.target is None:
        return None
    matches = [q for q in facts.quantities if abs(q.value - facts.target) <= 1e-9 * max(1.0, abs(facts.target))]
    return matches[-1] if matches else None


def asked_change(facts: Facts, lexicon: Lexicon) -> float | None:
    """The relative change r of LABELS.md (the labels' own reading, so rules and labels agree)."""
    r = relative_change(facts, lexicon)
    return None if r is None else abs(r)


def change_span(text: str, facts: Facts) -> tuple[int, int]:
    """The most specific part that states the ambition: 'B to T', 'by X%', 'double', else the metric."""
    if facts.baseline is not None and facts.target is not None:
        base = _quantity(facts, facts.baseline)
        target = _quantity(facts, facts.target, after=base.start if base else -1)
        if base is not None and target is not None:
            return base.start, target.end
    if facts.relative_change is not None:
        for q in facts.quantities:
            if q.unit == "percent" and abs(q.value / 100 - abs(facts.relative_change)) < 1e-9:
                return q.start, q.end
    if facts.magnitude_word:
        m = re.search(re.escape(facts.magnitude_word), text, re.IGNORECASE)
        if m:
            return m.start(), m.end()
    if facts.metric_span is not None:
        return facts.metric_span
    return whole(text)


def percent_beside(r: float, limit: float) -> str:
    """r as a percent that reads differently from the limit it is compared with.

    Why: 9.76% rounds to "10%", and "a 10% change, under the 10%" reads as a contradiction.
    """
    shown = percent(r)
    if shown == percent(limit) and r != limit:
        shown = f"{r * 100:.1f}%"
    return shown


def percent(r: float) -> str:
    if r == float("inf"):
        return "from-zero"
    pct = r * 100
    return f"{pct:.1f}%" if pct < 1 and pct != 0 else f"{pct:.0f}%"


# "... to 45", "to under 2 hours", "to < 5%": a change *to* a target, the shape that needs a baseline.
_TO_TARGET = re.compile(
    r"\bto\s+(?:(?:under|below|over|above|less|more|fewer|than|at|least|most|just|about|around|roughly|a|an|the)\s+)*"
    r"(?:[<>≤≥]=?\s*)?(?:[$€£]|[A-Z]{3}\s*)?$",
    re.IGNORECASE,
)


def asks_change_without_baseline(facts: Facts, labels: Labels, text: str) -> bool:
    """A change *to* a target is asked ("Increase NPS to 45"), with no start and no relative change.

    Counts with no "to" ("Close 10 new deals") are not a change to a level:
    OKR-K010 covers them, as information only.
    """
    if not (
        labels.measurable
        and not labels.kpi_confusion
        and facts.direction in ("increase", "decrease")
        and facts.target is not None
        and facts.baseline is None
        and facts.relative_change is None
        and not facts.magnitude_word
    ):
        return False
    q = target_quantity(facts)
    return q is not None and _TO_TARGET.search(text[: q.start]) is not None


# ---------------------------------------------------------------------------
# Key-result checks
# ---------------------------------------------------------------------------


@check("task-phrasing")
def task_phrasing(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if ctx.labels.phrasing == "task":
        s, e, verb = verb_hit(ctx.text, ctx.facts)
        yield Hit(s, e, {"verb": verb})


@check("not-measurable")
def not_measurable(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if not ctx.labels.measurable and not ctx.facts.is_milestone:
        yield Hit(*whole(ctx.text))


@check("binary-milestone")
def binary_milestone(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if not ctx.labels.measurable and ctx.facts.is_milestone:
        yield Hit(*whole(ctx.text))


@check("no-baseline")
def no_baseline(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    f = ctx.facts
    if asks_change_without_baseline(f, ctx.labels, ctx.text):
        q = target_quantity(f)
        s, e = (q.start, q.end) if q else whole(ctx.text)
        yield Hit(s, e, {"metric": f.metric or "the metric", "target": ctx.text[s:e] if q else f"{f.target:g}"})


@check("maintain-metric")
def maintain_metric(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if ctx.labels.kpi_confusion and ctx.facts.is_maintain:
        s, e, verb = verb_hit(ctx.text, ctx.facts)
        yield Hit(s, e, {"verb": verb})


@check("monitoring-metric")
def monitoring_metric(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if ctx.labels.kpi_confusion and ctx.facts.is_monitoring and not ctx.facts.is_maintain:
        s, e, verb = verb_hit(ctx.text, ctx.facts)
        yield Hit(s, e, {"verb": verb})


@check("bare-metric")
def bare_metric(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    if ctx.labels.kpi_confusion and not ctx.facts.is_maintain and not ctx.facts.is_monitoring:
        yield Hit(*whole(ctx.text), {"metric": ctx.facts.metric or ctx.text.strip()})


@check("stretch-too-safe")
def stretch_too_safe(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    r = asked_change(ctx.facts, ctx.lexicon)
    limit = float(params["safe_below"])
    if r is not None and r < limit and not ctx.labels.kpi_confusion and ctx.facts.direction != "maintain":
        yield Hit(*change_span(ctx.text, ctx.facts), {"change": percent_beside(r, limit), "threshold": percent(limit)})


@check("moonshot")
def moonshot(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    r = asked_change(ctx.facts, ctx.lexicon)
    limit = float(params["moonshot_above"])
    if r is not None and r > limit and not ctx.labels.kpi_confusion:
        yield Hit(*change_span(ctx.text, ctx.facts), {"change": percent_beside(r, limit), "threshold": percent(limit)})


@check("stretch-unknown")
def stretch_unknown(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    L, f = ctx.labels, ctx.facts
    quiet = L.phrasing == "task" or not L.measurable or L.kpi_confusion or asks_change_without_baseline(f, L, ctx.text)
    if L.stretch == "unknown" and not quiet:
        q = target_quantity(f) or (f.quantities[0] if f.quantities else None)
        s, e = (q.start, q.end) if q else whole(ctx.text)
        yield Hit(s, e, {"target": ctx.text[s:e] if q else "the target"})


_JOINER = re.compile(r"\b(?:and|while|whilst|plus|as well as|along with)\b|[;&]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _change_word_after(text: str, lexicon: Lexicon) -> bool:
    """Does the clause start with a change verb ("... and cut churn", "while reducing tickets")?"""
    change = {*lexicon.increase_words, *lexicon.decrease_words, *lexicon.outcome_verbs}
    return any(lemma_of(w) in change or w.lower() in change for w in _WORD.findall(text)[:3])


@check("two-metrics")
def two_metrics(ctx: KeyResultContext, params: dict[str, Any]) -> Iterable[Hit]:
    """Two clauses that each carry their own number, joined by and/while/plus/';'.

    A joiner must sit between quantities, so "revenue from enterprise and
    mid-market customers from $2M to $3M" (one metric, two segments) passes.
    The clause after the joiner must either be a second metric the facts read
    or start with a change verb ("and cut churn from 5% to 3%").
    """
    f, text = ctx.facts, ctx.text
    metrics = list(dict.fromkeys(m.strip() for m in f.metrics if m.strip()))
    for joiner in _JOINER.finditer(text):
        before = [q for q in f.quantities if q.end <= joiner.start()]
        after = [q for q in f.quantities if q.start >= joiner.end()]
        if not before or not after:
            continue
        if len(metrics) >= 2 or _change_word_after(text[joiner.end() : after[0].start], ctx.lexicon):
            if len(metrics) >= 2:
                named = ", ".join(f"'{m}'" for m in metrics)
            else:
                named = f"'{shorten(text[: joiner.start()], 40)}' and '{shorten(text[joiner.end() :], 40)}'"
            yield Hit(*whole(text), {"metrics": named})
            return


# ---------------------------------------------------------------------------
# Objective checks (spans relative to the title)
# ---------------------------------------------------------------------------

_YEAR = re.compile(r"^(19|20)\d\d$")


@check("objective-with-target")
def objective_with_target(ctx: ObjectiveContext, params: dict[str, Any]) -> Iterable[Hit]:
    for q in ctx.title_facts.quantities:
        if q.unit is None and _YEAR.match(q.text.strip()):
            continue  # "in 2026" is a date, not a target
        yield Hit(q.start, q.end, {"number": q.text})
        return


@check("objective-is-task")
def objective_is_task(ctx: ObjectiveContext, params: dict[str, Any]) -> Iterable[Hit]:
    f = ctx.title_facts
    if f.is_activity_verb and not f.is_outcome_verb:
        s, e, verb = verb_hit(ctx.objective.title, f)
        yield Hit(s, e, {"verb": verb})


@check("key-result-count")
def key_result_count(ctx: ObjectiveContext, params: dict[str, Any]) -> Iterable[Hit]:
    n = len(ctx.objective.key_results)
    if n and not int(params["min_key_results"]) <= n <= int(params["max_key_results"]):
        yield Hit(*whole(ctx.objective.title), {"count": f"{n} key result{'' if n == 1 else 's'}"})


@check("objective-title-too-long")
def objective_title_too_long(ctx: ObjectiveContext, params: dict[str, Any]) -> Iterable[Hit]:
    title = ctx.objective.title.strip()
    if len(title) > int(params["max_title_chars"]):
        yield Hit(*whole(ctx.objective.title), {"chars": len(title)})


@check("objective-without-key-results")
def objective_without_key_results(ctx: ObjectiveContext, params: dict[str, Any]) -> Iterable[Hit]:
    if not ctx.objective.key_results:
        yield Hit(*whole(ctx.objective.title))


# ---------------------------------------------------------------------------
# Draft checks (absolute spans)
# ---------------------------------------------------------------------------


def objective_span(obj: Objective, sub: tuple[int, int] | None = None) -> tuple[int, int]:
    """Where an objective (or a part of its title) sits in the draft text.

    Uses the objective's own span when the parser knows it (``sub`` is then
    shifted into it); structured input (JSON/YAML) may have no positions, in
    which case the first positioned key result stands in, else (0, 0).
    """
    if obj.start is not None:
        end = max(obj.start, obj.end if obj.end is not None else obj.start + len(obj.title))
        if sub is None:
            return obj.start, end
        return min(obj.start + sub[0], end), min(obj.start + sub[1], end)
    for kr in obj.key_results:
        if kr.start is not None:
            return kr_span(kr)
    return 0, 0


def kr_span(kr: KeyResult, fallback: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    if kr.start is None:
        return fallback
    return kr.start, kr.end if kr.end is not None else kr.start + len(kr.text)


@check("too-many-objectives")
def too_many_objectives(ctx: DraftContext, params: dict[str, Any]) -> Iterable[Hit]:
    limit = int(params["max_objectives"])
    objs = ctx.draft.objectives
    if len(objs) > limit:
        yield Hit(*objective_span(objs[limit]), {"count": len(objs)})


@check("missing-owner")
def missing_owner(ctx: DraftContext, params: dict[str, Any]) -> Iterable[Hit]:
    objs = ctx.draft.objectives
    kr_owners = any(kr.owner for o in objs for kr in o.key_results)
    obj_owners = any(o.owner for o in objs)
    if not (kr_owners or obj_owners):
        return
    for obj in objs:
        if obj.owner:
            continue  # an objective's owner covers its key results
        if kr_owners and obj.key_results:
            for kr in obj.key_results:
                if not kr.owner:
                    yield Hit(*kr_span(kr, objective_span(obj)), {"kind": "key results"})
        elif not any(kr.owner for kr in obj.key_results):
            yield Hit(*objective_span(obj), {"kind": "objectives"})


_LETTER_WORD = re.compile(r"[^\W\d_]+")


@per_lexicon
def _language_words(lexicon: Lexicon) -> tuple[frozenset[str], frozenset[str]]:
    """(English words the coach knows, foreign function words), built once per lexicon.

    English: spaCy's English stop words, the lemma table's lemmas and every word of the lexicon's
    lists (inflected forms are looked up in the lemma table itself, whose keys are hashes).
    """
    english = set(STOP_WORDS) | {v for v in lemma_table().values() if isinstance(v, str)}
    for name in type(lexicon).model_fields:
        value = getattr(lexicon, name)
        if isinstance(value, list):
            english |= {w for entry in value if isinstance(entry, str) for w in entry.split()}
    foreign = frozenset(lexicon.foreign_function_words)
    return frozenset(english - foreign), foreign


@check("not-english")
def not_english(ctx: DraftContext, params: dict[str, Any]) -> Iterable[Hit]:
    """Frequent foreign function words, or few words the English vocabulary knows (long enough drafts only)."""
    if ctx.lexicon is None:
        return
    words = [w.lower() for w in _LETTER_WORD.findall(ctx.draft.text)]
    if len(words) < params["min_words"]:
        return
    known, foreign_words = _language_words(ctx.lexicon)
    foreign = sum(w in foreign_words for w in words) / len(words)
    long_words = [w for w in words if len(w) >= 3]
    table = lemma_table()
    english = sum(w in known or w in table for w in long_words) / max(1, len(long_words))
    if foreign >= params["max_foreign_share"] or english < params["min_english_share"]:
        text = ctx.draft.text
        start = len(text) - len(text.lstrip())
        line_end = text.find("\n", start)
        end = len(text.rstrip()) if line_end == -1 else len(text[:line_end].rstrip())
        yield Hit(start, end, {})


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w%$€£.]+|\.(?!\d)", " ", text.lower()).split())


@check("duplicate-key-result")
def duplicate_key_result(ctx: DraftContext, params: dict[str, Any]) -> Iterable[Hit]:
    seen: dict[str, str] = {}
    for obj in ctx.draft.objectives:
        for kr in obj.key_results:
            key = _normalise(kr.text)
            if not key:
                continue
            if key in seen:
                yield Hit(*kr_span(kr, objective_span(obj)), {"duplicate_of": shorten(seen[key])})
            else:
                seen[key] = kr.text
