"""The offline coach: deterministic rewrites that need no LLM and no network.

It is the default (no LLM configured) and the fallback (LLM failed), so it
has to be good on its own. Two sources of rewrites, both driven by what the
rule engine flagged:

1. The activity -> outcome library (``data/activity_outcomes.yaml``): an
   activity the team does ("Send 10 sales emails per week") is matched to a
   pattern and replaced by the outcomes it is meant to cause ("Grow qualified
   meetings booked from outbound email from [baseline] to [target] per week").
2. Generic fixes built from the engine's facts: a KPI to keep becomes a change
   ("Maintain 95% CSAT" -> "Raise CSAT from 95% to [target]%"), a vague
   direction gets "from [baseline] to [target]", a milestone becomes the
   adoption it should bring, a missing baseline gets "[baseline]", a too-safe
   target becomes "[target]", and two metrics are split (one key result per line).

The user's numbers are kept where they still mean the same thing (a
maintained level is the baseline of the change) and never invented: every
other value is a visible placeholder. Every candidate then goes through the
same verification as LLM suggestions (``coach.verify``), so nothing is shown
that the check would flag again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from coach.grounding import PLACEHOLDERS, invented_numbers, numbers_in, placeholders_in
from coach.models import KeyResultReport, Suggestion, resource_dir
from coach.verify import verify

if TYPE_CHECKING:
    from coach.pipeline import Coach

MAX_SUGGESTIONS = 3
FLAGGED = ("error", "warning")

# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------


# Slots a template may use; anything else in braces is a typo the loader should name.
_SLOTS = ("{per}", "{n}", "{thing}", "{bare}", "{audience}", "{subject}")


def _check_templates(outcomes: list[str]) -> list[str]:
    """A template may not carry numbers of its own: they would be invented for every user."""
    for outcome in outcomes:
        bare = outcome
        for slot in _SLOTS:
            bare = bare.replace(slot, "")
        if "{" in bare or "}" in bare:
            raise ValueError(f"outcome uses an unknown slot (known: {', '.join(_SLOTS)}): {outcome!r}")
        if numbers_in(bare):
            raise ValueError(f"outcome has a number of its own (use [baseline]/[target]/{{n}}): {outcome!r}")
        unknown = [p for p in placeholders_in(bare) if p not in PLACEHOLDERS]
        if unknown:
            raise ValueError(f"outcome uses unknown placeholders {unknown}: {outcome!r}")
        if "[target]" not in outcome and "{n}" not in outcome:
            raise ValueError(f"outcome has no target: {outcome!r}")
    return outcomes


def _lower_words(words: list[str]) -> list[str]:
    cleaned = [w.strip().lower() for w in words]
    if any(not w for w in cleaned):
        raise ValueError("empty word")
    return cleaned


Words = Annotated[list[str], AfterValidator(_lower_words)]
Templates = Annotated[list[str], Field(min_length=1, max_length=MAX_SUGGESTIONS), AfterValidator(_check_templates)]


class ActivityPattern(BaseModel):
    """One kind of activity a team writes as a key result and the outcomes it is meant to cause."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    department: str
    verbs: Words = Field(default_factory=list)
    keywords: Words = Field(min_length=1)
    example: str = Field(min_length=3)
    outcomes: Templates


class ObjectKind(BaseModel):
    """A kind of thing a task makes or runs (meeting, document, tool...) and the changes such things exist for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    audience: str = Field(min_length=2, description="Who it serves when neither the text nor the department says.")
    audience_from: Literal["own", "team", "served"] = Field(
        default="own", description="Whose people fill {audience} when the text names none: see the YAML header."
    )
    by_verb: bool = Field(default=False, description="Decided by the task's verb before its nouns.")
    verbs: Words = Field(default_factory=list)
    nouns: Words = Field(default_factory=list)
    outcomes: Templates
    anonymous: Annotated[list[str], AfterValidator(_check_templates)] = Field(
        default_factory=list,
        description="Used instead of `outcomes` when neither the text nor the department names who it serves: "
        "'the share of intended users who...' reads like a form, not a coach.",
    )

    @model_validator(mode="after")
    def _recognisable(self) -> ObjectKind:
        if not self.verbs and not self.nouns:
            raise ValueError(f"object kind {self.id!r} has neither verbs nor nouns")
        return self


class Quality(BaseModel):
    """A quality a vague key result or an objective asks for ("faster") and the metric that shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    words: Words = Field(min_length=1)
    outcomes: Templates


class DepartmentProfile(BaseModel):
    """Who a department usually serves, words that give a statement away as its own, and what it exists for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team: str = Field(min_length=2, description="The department's own people: who uses its documents and tools.")
    served: str = Field(min_length=2, description="The people the department works for.")
    keywords: Words = Field(default_factory=list)
    outcomes: Templates


class ActivityLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    departments: list[str] = Field(min_length=1)
    patterns: list[ActivityPattern] = Field(min_length=1)
    objects: list[ObjectKind] = Field(default_factory=list)
    qualities: list[Quality] = Field(default_factory=list)
    profiles: dict[str, DepartmentProfile] = Field(default_factory=dict)
    people: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ActivityLibrary:
        ids = [p.id for p in self.patterns]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate pattern ids: {duplicates}")
        unknown = sorted({p.department for p in self.patterns} - set(self.departments))
        if unknown:
            raise ValueError(f"patterns name departments not listed under 'departments': {unknown}")
        unknown = sorted(set(self.profiles) - set(self.departments))
        if unknown:
            raise ValueError(f"profiles name departments not listed under 'departments': {unknown}")
        for group in (self.objects, self.qualities):
            ids = [g.id for g in group]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate ids: {duplicates}")
        return self


def load_library(path: Path | None = None) -> ActivityLibrary:
    """Read and validate the library (a broken file fails here, naming the field)."""
    path = path or resource_dir("data") / "activity_outcomes.yaml"
    return ActivityLibrary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------
# Matching activities
# ---------------------------------------------------------------------------

_IRREGULAR = {
    "send": ["sent"], "write": ["wrote", "written"], "run": ["ran"], "hold": ["held"], "make": ["made"],
    "do": ["did", "done", "does"], "build": ["built"], "meet": ["met"], "buy": ["bought"], "give": ["gave", "given"],
    "take": ["took", "taken"], "teach": ["taught"], "set": [], "get": ["got"], "have": ["had", "has"],
    "speak": ["spoke"], "fit": [], "put": [], "cut": [],
}  # fmt: skip


def verb_forms(lemma: str) -> set[str]:
    """Common inflections of an English verb: enough for the library's activity verbs."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing", lemma + "d"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= set(_IRREGULAR.get(lemma, []))
    return forms


def _keyword_regex(keyword: str) -> str:
    """Short keywords (ad, api, crm) must be whole words; longer ones match word beginnings (email -> emails)."""
    escaped = re.escape(keyword)
    return rf"\b{escaped}s?\b" if len(keyword) <= 3 else rf"\b{escaped}"


@dataclass(frozen=True)
class _CompiledPattern:
    pattern: ActivityPattern
    verbs: re.Pattern[str] | None
    keywords: list[tuple[str, re.Pattern[str]]]


_COMPILED: dict[int, tuple[ActivityLibrary, list[_CompiledPattern]]] = {}


def _compiled(library: ActivityLibrary) -> list[_CompiledPattern]:
    """Regexes per library, built once (keyed by identity; the library is frozen)."""
    cached = _COMPILED.get(id(library))
    if cached is not None and cached[0] is library:
        return cached[1]
    out = []
    for p in library.patterns:
        verbs = None
        if p.verbs:
            forms = sorted({f for v in p.verbs for f in verb_forms(v)}, key=len, reverse=True)
            verbs = re.compile(r"\b(" + "|".join(map(re.escape, forms)) + r")\b", re.IGNORECASE)
        keywords = [(k, re.compile(_keyword_regex(k), re.IGNORECASE)) for k in p.keywords]
        out.append(_CompiledPattern(p, verbs, keywords))
    _COMPILED[id(library)] = (library, out)
    return out


def match_activities(text: str, library: ActivityLibrary | None = None) -> list[ActivityPattern]:
    """Library patterns that fit ``text``, best first (keywords required; verbs when the pattern lists any).

    Score: one per keyword found (plus one per extra word of a multi-word keyword,
    so "compliance training" beats "training"), one for the verb, half more when
    the verb opens the statement. Ties keep library order.
    """
    library = library or default_library()
    scored = []
    first_word = (text.split() or [""])[0].lower()
    for order, c in enumerate(_compiled(library)):
        hits = [k for k, rx in c.keywords if rx.search(text)]
        if not hits:
            continue
        score = len(hits) + sum(len(k.split()) - 1 for k in hits)
        if c.verbs is not None:
            verb = c.verbs.search(text)
            if verb is None:
                continue
            score += 1 + (0.5 if verb.group(0).lower() == first_word else 0)
        scored.append((-score, order, c.pattern))
    return [p for _, _, p in sorted(scored, key=lambda t: (t[0], t[1]))]


@cache
def default_library() -> ActivityLibrary:
    return load_library()


# ---------------------------------------------------------------------------
# Reading the statement
# ---------------------------------------------------------------------------

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DEADLINE = re.compile(
    r"\b(?:by|before|until|in|during|within|for)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    rf"(?:Q[1-4]|H[12]|FY\s?'?\d{{2,4}}|(?:19|20)\d{{2}}|{_MONTHS}|(?:this|next|the)\s+(?:quarter|year|half|month))"
    r"(?:\s+(?:19|20)\d{2})?\b|\b(?:this|next)\s+(?:quarter|year|half)\b",
    re.IGNORECASE,
)
_CADENCE = re.compile(r"\b(?:per|a|an|each|every)\s+(day|week|month|quarter|year)\b", re.IGNORECASE)
_CADENCE_ADJ = re.compile(r"\b(daily|weekly|monthly|quarterly|yearly|annually)\b", re.IGNORECASE)
_ADJ_TO_NOUN = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
                "annually": "year"}  # fmt: skip
_ALL_PERIOD = re.compile(r"\b(?:all|every|each|the whole|throughout the)\s+(?:day|week|month|quarter|year|time)\b"
                         r"|\bat all times\b", re.IGNORECASE)
_NUMBER_CORE = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_GERUND = {"reducing": "Reduce", "increasing": "Increase", "growing": "Grow", "cutting": "Cut", "raising": "Raise",
           "improving": "Improve", "lowering": "Lower", "lifting": "Lift", "boosting": "Boost",
           "decreasing": "Decrease", "shortening": "Shorten"}  # fmt: skip
_SPLIT = re.compile(r"\s*(?:;|,?\s+and\s+|,?\s+while\s+|\s+as well as\s+|\s*&\s*|,?\s+plus\s+)\s*", re.IGNORECASE)
# A list bullet, an outline number ("2.3 -") or a tag ("[DRAFT]") in front of the statement: not part of it.
_PREFIX = re.compile(r"^\s*(?:KR\s*\d+(?:\.\d+)*\s*[-–:.)]?\s+|[•·*]+\s*|[-–]+\s+|\[[^\]]{1,20}\]\s*|\d+(?:\.\d+)+\s*[-–:.)]?\s+|\d+[.)]\s+|\d+\s+[-–:]\s+)*")
_RATE_WORDS = re.compile(r"\b(rate|share|percentage|ratio|accuracy|adoption|availability|uptime|coverage|"
                         r"completion|compliance|conversion|retention|churn|margin|satisfaction|csat)\b",
                         re.IGNORECASE)  # fmt: skip


def deadline_of(text: str) -> str | None:
    m = _DEADLINE.search(text)
    return m.group(0) if m else None


def cadence_of(text: str) -> str:
    m = _CADENCE.search(text)
    if m:
        return f"per {m.group(1).lower()}"
    m = _CADENCE_ADJ.search(text)
    return f"per {_ADJ_TO_NOUN[m.group(1).lower()]}" if m else "per month"


def _strip(text: str, *patterns: re.Pattern[str]) -> str:
    for p in patterns:
        text = p.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.;:-")


def _like(value_text: str, placeholder: str) -> str:
    """The placeholder dressed like the user's number: '$2M' -> '$[target]M', '95%' -> '[target]%'."""
    return _NUMBER_CORE.sub(placeholder, value_text, count=1)


# Words that cannot begin or end a noun phrase we put into a template ("the from", "within the").
_FUNCTION_WORDS = r"(?:the|a|an|from|to|with|within|of|for|on|about|in|at|by|under|below|above|over|and|or)"
_DANGLING = re.compile(rf"^(?:{_FUNCTION_WORDS}\s+)+|(?:\s+{_FUNCTION_WORDS})+$|^{_FUNCTION_WORDS}$", re.IGNORECASE)


def _trim_dangling(phrase: str) -> str:
    """A phrase without leading or trailing function words; '' when nothing else is left."""
    return _DANGLING.sub("", re.sub(r"\s+", " ", phrase).strip(" ,.;:-")).strip(" ,.;:-")


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    return text[:1].upper() + text[1:] if text else text


class _Reading:
    """What the offline coach needs to know about one flagged key result."""

    def __init__(self, kr: KeyResultReport, lower_is_better: list[str], bounded: list[str]) -> None:
        raw = kr.text.rstrip().rstrip(".")
        offset = _PREFIX.match(raw).end()  # type: ignore[union-attr]  # the pattern matches the empty string
        self.text = raw[offset:]
        # Facts spans are relative to the user's text; shift them past a bullet or "[DRAFT]" prefix.
        span = kr.facts.verb_span
        shifted = (span[0] - offset, span[1] - offset) if span and span[0] >= offset else None
        self.facts = kr.facts.model_copy(update={"verb_span": shifted}) if offset else kr.facts
        self.flagged = {f.rule for f in kr.findings if f.severity in FLAGGED}
        self.deadline = deadline_of(self.text)
        self.cadence = cadence_of(self.text)
        words = self.text.split()
        self.verb = self.facts.verb or (words[0] if words else "")
        self.numbers = [n for n in numbers_in(self.text) if n.value is not None]
        self.metric = self._metric()
        low = self.metric.lower()
        self.decrease = self.facts.direction == "decrease" or any(
            re.search(rf"(?<![\w-]){re.escape(w)}s?\b", low) for w in lower_is_better
        )
        self.rate = bool(_RATE_WORDS.search(low)) or any(re.search(rf"\b{re.escape(w)}", low) for w in bounded)
        self.rate = self.rate or any(n.percent for n in self.numbers)

    def _metric(self) -> str:
        """The metric in the user's own words (qualifiers kept), falling back to the engine's reading."""
        rest = self.text
        if self.facts.verb_span and not self.flagged & {"OKR-K007"}:
            rest = self.text[self.facts.verb_span[1] :]
        if "OKR-K007" in self.flagged:  # a bare metric: its words are all the metric ("Monthly recurring revenue")
            rest = _strip(rest, _DEADLINE)
        else:
            rest = _strip(rest, _DEADLINE, _CADENCE, _CADENCE_ADJ, _ALL_PERIOD)
        if self.facts.is_monitoring:
            rest = re.split(r"\b(?:to|with|for|in front of)\b", rest, maxsplit=1)[0]
        rest = re.sub(
            r"(?:\b(?:at|to|from|above|below|under|over|around|of|by)\s+)?[$€£¥]?\d[\d,.]*\s?(?:%|[kKmM]\b)?", " ", rest
        )
        rest = re.sub(r"\s+", " ", rest).strip(" ,.;:-")
        rest = re.sub(r"\s+(?:at|to|from|above|below|under|over|of|around|by)$", "", rest)
        rest = re.sub(r"^(?:a|an)\s+", "", rest, flags=re.IGNORECASE)
        if len(rest) > 1 and rest[0].isupper() and not rest[1].isupper():
            rest = rest[0].lower() + rest[1:]  # "Churn rate" -> "Raise churn rate"; "NPS" stays
        return rest or self.facts.metric or self.text

    @property
    def object_phrase(self) -> str:
        """What a task or milestone acts on: 'Launch the partner portal by Q2' -> 'the partner portal'."""
        rest = self.text[self.facts.verb_span[1] :] if self.facts.verb_span else " ".join(self.text.split()[1:])
        rest = re.sub(r"^\s*(?:out|up|live)\b", "", rest)
        rest = _strip(rest, _DEADLINE)
        moved = re.search(r"\b(?:migration|move|transition|switch)\s+to\s+(.+)$", rest, re.IGNORECASE)
        if moved:
            rest = moved.group(1)
        rest = re.sub(r"\bversion\s+\d+\s+of\s+", "", rest, flags=re.IGNORECASE)
        return rest if rest.lower().startswith(("the ", "our ", "a ", "an ")) else f"the {rest}"

    def with_deadline(self, outcome: str) -> str:
        if self.deadline and not deadline_of(outcome):
            return f"{outcome} {self.deadline}"
        return outcome


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


def _library_candidates(r: _Reading, library: ActivityLibrary) -> list[str]:
    out = []
    for pattern in match_activities(r.text, library)[:1]:
        for template in pattern.outcomes:
            if "{n}" in template and not r.numbers:
                continue
            text = template.replace("{per}", r.cadence).replace("{n}", r.numbers[0].text if r.numbers else "")
            out.append(r.with_deadline(text))
    return out


# A level to hold ("Keep X at or below 10", "X of 8/10 or better"): the words around the metric that are not it.
_KEEP_LEAD = re.compile(
    r"^(?:(?:each|every|all)\s+(?:[\w-]+\s+){1,2}?(?:to\s+)?(?:keeps?|maintains?|holds?|retains?|sustains?|stays?)\s+"
    r"|(?:keep|maintain|sustain|hold|stay|remain|retain|ensure|preserve|protect|track|monitor|report|measure|watch)"
    r"\w*\s+(?:(?:on|the\s+level\s+of)\s+)?)",
    re.IGNORECASE,
)
_BOUND_END = re.compile(
    r"(?:\s+|^)(?:at\s+or|at|of|or|to|under|below|above|over|within|around|near|about|than|between|no\s+(?:higher|"
    r"lower|more|less|fewer|worse|better)|(?:not\s+(?:to\s+)?|from\s+)(?:fall|drop|go|dip|rise|exceed)\w*|at\s+(?:most|least)|max|"
    r"min|steady|stays?|remains?|is|are|today's|current|>=|<=|[<>≥≤=]|less\s+than|more\s+than|fewer\s+than)$",
    re.IGNORECASE,
)
_VALUE = re.compile(
    r"(?<![\w.])[$€£¥]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?(?:%|[kKmMbB]\b|t\b))?(?:\s*/\s*\d+(?:\.\d+)?)?"
    r"(?:\s*(?:business\s+days|school\s+days|working\s+days|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|"
    r"ms|seconds?|s|kg|rps)\b)?"
)
_CLAUSE_TAIL = re.compile(
    r"\s*(?:[,;(–—]|\s-\s|\b(?:while|during|across|through|throughout|in\s+line\s+with|in\s+every|every|each|"
    r"all\s+(?:quarter|year|month|week)|no\s+decline|or\s+(?:better|higher|more|above|less|lower|fewer|below|under)|"
    r"held\b|on\s+average|currently|for\s+the\s+(?:quarter|year))\b).*$",
    re.IGNORECASE,
)
_LOWER_BOUND = re.compile(r"\b(?:not\s+(?:to\s+)?|from\s+)(?:fall|drop|go|dip)\w*|\b(?:above|over|at\s+least|min(?:imum)?|or\s+"
                          r"(?:better|higher|more|above)|no\s+(?:lower|less|fewer)\s+than)\b|>=?|≥", re.IGNORECASE)
_UPPER_BOUND = re.compile(r"\b(?:under|below|less\s+than|fewer\s+than|at\s+most|max(?:imum)?|or\s+(?:less|lower|"
                          r"fewer|below|under)|no\s+(?:higher|more)\s+than|zero)\b|<=?|≤", re.IGNORECASE)
# Metrics where lower is better that the engine's lexicon does not list (it judges findings, not rewrites).
_ALSO_LOWER = re.compile(r"\b(?:dso|days\s+sales\s+outstanding|write-offs?|stockouts?|discounts?|variability|"
                         r"variance|risk|scrap|no-show|violations?|findings|mttr|mttd|turnaround|weight|"
                         r"vulnerabilit\w*|pages)\b", re.IGNORECASE)  # fmt: skip
# What a task makes, not a level to hold: "Share a monthly marketing dashboard" has no metric to change.
_NOT_A_METRIC = re.compile(r"\b(?:dashboards?|reports?|alerts?|reviews?|meetings?|updates?|newsletters?|"
                           r"summar(?:y|ies))$", re.IGNORECASE)  # fmt: skip
_METRIC_NOISE = re.compile(r"^(?:#|no\.?|number\s+of|the\s+number\s+of|count\s+of|total)\s*", re.IGNORECASE)


def _kept_metric(r: _Reading) -> tuple[str, str | None, bool | None]:
    """A held level read as (metric, the user's value as written, lower is better?), '' when unreadable.

    "Hold first response time on P2 tickets at 30 minutes or less" ->
    ("first response time on P2 tickets", "30 minutes", True). Only the words of
    the metric are kept: the holding verb, the bound ("at or below", "or
    better"), the value and trailing clauses ("while we raise prices") go.
    """
    text = _strip(r.text, _DEADLINE)
    paren = re.search(r"\(([^)0-9]*[A-Za-z][^)0-9]*)\)", text)
    if paren and re.search(r"\b(?:metric|kpi|north\s+star)\b", text[: paren.start()], re.IGNORECASE):
        text = paren.group(1)  # "North star metric (weekly active teams)": the parenthesis names the metric
    text = re.sub(r"\([^)]*\)", " ", text)
    text = _KEEP_LEAD.sub("", text.strip())
    within = re.match(r"^within\s+(?P<v>\S+%?)\s+of\s+(?P<what>.+)$", text, re.IGNORECASE)
    if within and _VALUE.fullmatch(within.group("v")):
        return f"the gap to {_CLAUSE_TAIL.sub('', within.group('what'))}", within.group("v"), True
    bound_words = _LOWER_BOUND.search(text), _UPPER_BOUND.search(text)
    value = None
    zero = re.match(r"^(?:zero|no)\s+(.+)$", text, re.IGNORECASE)
    if zero:
        metric = zero.group(1)
    else:
        m = _VALUE.search(text)
        metric = re.sub(r"\s+at\s+(?:zero|nil|none)\b.*$", "", text[: m.start()] if m else text).strip()
        if m:
            value = m.group(0).strip()
            share_of = re.match(r"^\s+(of\s+(?:[\w-]+\s?){1,3})", text[m.end() :])
            if value.endswith("%") and share_of and metric:  # "scrap below 1.5% of output": a share of something
                value += " " + _CLAUSE_TAIL.sub("", share_of.group(1)).strip()
        while metric and _BOUND_END.search(metric):
            metric = _BOUND_END.sub("", metric).strip()
        after = text[m.end() :] if m else ""
        per = re.match(r"^\s*(?:/\s*|per\s+|a\s+)(day|week|month|quarter|year)\b", after, re.IGNORECASE)
        if per and value:  # "$40k/month": the cadence belongs to the value
            value, after = f"{value} per {per.group(1).lower()}", after[per.end() :]
        if m and not re.search(r"[A-Za-z]{2}", _LEADING_QUANTIFIERS.sub("", metric + " ")):
            metric = re.sub(r"^(?:%\s*)?(?:of|on|in)\s+", "", after.strip())  # "Stay below 5 open matters"
    metric = _CLAUSE_TAIL.sub("", metric)
    metric = re.sub(r"\s+(?:stays?|remains?|is|are|held|holds?|keeps?|at|of|to)$", "", metric.strip(" ,.;:-"))
    metric = _trim_dangling(_METRIC_NOISE.sub("", re.sub(r"\s+", " ", metric)))
    lower = None
    if zero or (bound_words[1] and not bound_words[0]):
        lower = True
    elif bound_words[0]:
        lower = False
    if not metric or len(metric.split()) > 7 or (not zero and _VALUE.search(metric)) or _NOT_A_METRIC.search(metric):
        return "", None, None
    if len(metric) > 1 and metric[0].isupper() and metric[1].islower():
        metric = metric[0].lower() + metric[1:]
    return metric, value, lower


def _change_candidates(r: _Reading) -> list[str]:
    """A KPI to keep or a vague direction -> a change with a baseline and a target.

    A level the user holds today is the baseline of the change; a [baseline]
    variant is offered only when the user gave none (two ways of saying the
    same thing are one suggestion too many).
    """
    up, down = ("Raise", "Cut")
    metric, value, lower = r.metric, (r.numbers[0].text if r.numbers else None), None
    if _MORE_LESS.match(_strip(r.text, _DEADLINE)):
        return []  # "Less UI bugs": the vague-shape rewrite says it already, without "Cut less ..."
    if r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"}:
        kept, kept_value, lower = _kept_metric(r)
        if "OKR-K001" in r.flagged and not (_KEEP_LEAD.match(r.text) and kept):
            return []  # a task that happens to name a metric ("Set up alerts for when CSAT drops"): not a level
        if kept:
            metric, value = kept, kept_value
        elif _NOT_A_METRIC.search(metric):
            return []
    decrease = r.decrease or bool(_ALSO_LOWER.search(metric)) if lower is None else lower
    verb = down if decrease else up
    rate = r.rate or bool(value and value.rstrip().endswith("%"))
    out = []
    if value and r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"}:
        level, per = re.match(r"^(.*?)((?:\s+per\s+\w+)?)$", value).groups()
        out.append(f"{verb} {metric} from {level} to {_like(level, '[target]')}{per}")
    elif rate:
        out.append(f"{verb} {metric} from [baseline]% to [target]%")
    else:
        out.append(f"{verb} {metric} from [baseline] to [target]")
    if "OKR-K002" in r.flagged and r.facts.is_outcome_verb and not _VALUE.search(r.text):
        vague = _strip(r.text, _DEADLINE)
        if re.match(r"^(?:improve|better|enhance|optimi[sz]e)\b", vague, re.IGNORECASE):
            out = [f"{vague} from [baseline] to [target]"]  # "Raise" would only repeat it with another verb
        else:
            out.insert(0, f"{vague} from [baseline] to [target]")
    return [r.with_deadline(o) for o in out]


def _baseline_candidates(r: _Reading) -> list[str]:
    """Target without baseline: add '[baseline]' next to the user's target."""
    to_number = list(re.finditer(r"\bto\s+(?=[$€£¥]?\d)", r.text))
    if to_number:
        m = to_number[-1]
        return [r.text[: m.start()] + "from [baseline] " + r.text[m.start() :]]
    direction = "down" if r.decrease else "up"
    return [f"{_strip(r.text, _DEADLINE)}, {direction} from [baseline]" + (f" {r.deadline}" if r.deadline else "")]


def _target_candidates(r: _Reading) -> list[str]:
    """A too-safe target: keep the baseline, ask for a bigger target."""
    # The target is the number the engine read as the target, not a scale ("per million") or a range ("/5").
    numbers = [n for n in r.numbers if not re.search(r"(?:/|\bper|\bof)\s*$", r.text[: n.start])
               and not re.fullmatch(r"[a-z]+", n.text)]  # fmt: skip
    if not numbers:
        return []
    targets = [n for n in numbers if r.facts.target is not None and n.value == r.facts.target]
    last = (targets or numbers)[-1]
    out = [r.text[: last.start] + _like(last.text, "[target]") + r.text[last.end :]]
    first = numbers[0]
    plain = re.search(r"\bfrom\b[^,;]*\bto\b", r.text, re.IGNORECASE)  # already "from X to Y": one rewrite is enough
    if len(numbers) >= 2 and r.facts.is_outcome_verb and r.verb and not plain:  # "Increase X 5% -> 20%"
        out.append(r.with_deadline(f"{r.verb} {r.metric} from {first.text} to {_like(first.text, '[target]')}"))
    return out


def _split_candidates(r: _Reading) -> list[str]:
    parts = [p for p in _SPLIT.split(r.text) if p and p.strip()]
    if len(parts) < 2:
        return []
    first_verb = parts[0].split()[0]
    lines = []
    for part in parts:
        words = part.split()
        if words[0].lower() in _GERUND:
            words[0] = _GERUND[words[0].lower()]
        elif not (numbers_in(part) and re.match(r"^[A-Za-z]+", words[0])) or words[0][0].islower():
            if words[0].lower() not in {"raise", "cut", "grow", "increase", "reduce", "lift", "lower", "improve",
                                        "boost", "decrease", "halve", "double", "win", "close", "reach"}:
                words.insert(0, first_verb.lower())
        lines.append(_sentence(" ".join(words)))
    # "Run interviews, fix the top 3 issues, and raise activation from 35% to 45%": the outcome part alone is
    # the key result; the tasks are how the team will get there.
    leads = [p.split()[0].lower() for p in parts]
    outcomes = [p for p, w in zip(parts, leads) if w in _OUTCOME_LEADS and numbers_in(p)]
    if outcomes and not any(w in _GERUND for w in leads) and len(outcomes) < len(parts):
        return ["\n".join(_sentence(p) for p in outcomes), "\n".join(lines)]
    return ["\n".join(lines)]


_OUTCOME_LEADS = {"raise", "cut", "grow", "increase", "reduce", "lift", "lower", "improve", "boost", "decrease",
                  "halve", "double", "win", "save", "sign", "reach", "hit", "achieve", "generate"}  # fmt: skip


# ---------------------------------------------------------------------------
# Generic fallbacks: when the library has no pattern for the activity
# ---------------------------------------------------------------------------
#
# Every task serves someone and is meant to change something for them. When no
# activity pattern fits, the offline coach reads what the task makes or runs
# (its object: "a kickoff meeting", "the API guide"), who it is for ("with the
# pickers"), which department it belongs to, and what a vague statement or the
# objective asks for ("faster", "better known"), and fills the library's
# generic templates with those words. Values stay placeholders; the user's
# words name the thing, never a number.

_COUNTED_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|a few|several|some|"
                  "more|new|additional|extra|remaining|all|every|each|any|both|weekly|monthly|daily|quarterly|"
                  "yearly|annual|regular|recurring|first|our|my|their|your|its|the|a|an")  # fmt: skip
_LEADING_QUANTIFIERS = re.compile(rf"^(?:(?:{_COUNTED_WORDS})\s+)+", re.IGNORECASE)
_FROM_TO = re.compile(
    r"(?<![\w.])(?:\bfrom\s+)?(?:[$€£¥]?[+-]?\d[\d,.]*\s*(?:%|[kKmM]\b)?(?:\s*/\s*\d+)?\s*(?:to|->|→|–|-)\s*)?"
    r"[$€£¥]?[+-]?\d[\d,.]*\s*(?:%|[kKmM]\b|x\b)?(?:\s*/\s*\d+)?(?:\s+(?:min|mins|minutes|hours|days|weeks)\b)?"
)
_BY_AMOUNT = re.compile(r"\bby\s+[$€£¥]?\d[\d,.]*\s*%?", re.IGNORECASE)
_SHARE_OF = re.compile(r"^(?:the\s+)?(?:total\s+)?(?:number|share|percentage|proportion|count|amount|%|ratio)\s+of\s+",
                       re.IGNORECASE)  # fmt: skip
_STATE = re.compile(r"\s+(?:(?!need|feed|speed|seed|bed|red|shed)\w+ed|published|done|live|built|written|shipped|"
                    r"signed|approved|in place|finished|ready|launched|rolled out|set up|running|adopted|chosen)\b.*$",
                    re.IGNORECASE)  # fmt: skip
_PHRASE_END = re.compile(
    r"\s+(?:with|to|into|onto|across|on|in|at|from|by|between|among|within|so|that|which|who|instead|per|using|"
    r"via|through|before|after|during|until|as|because|where|when|while|and|or|than|once|if)\b.*$"
    r"|\s*[(:;,–—].*$|\s+-\s+.*$",
    re.IGNORECASE,
)
_PARTICLE = re.compile(r"^(?:-\w+|up|out|on|off|down|in place|into|through|over|back|together|around|to)\b\s*",
                       re.IGNORECASE)  # fmt: skip
_SUBJECT_PRONOUN = re.compile(r"^(?:we|i|you|they|the team|our team)(?:\s+(?:will|shall|should|must|want to|"
                              r"need to|are going to|plan to|aim to))?\s+|^to\s+", re.IGNORECASE)  # fmt: skip
_DETERMINER = re.compile(r"^(?:the|our|my|their|your|its|this|these|those|a|an)\s+", re.IGNORECASE)
_PREPOSITIONS = "with|for|to|among|across|by|from|between|of|at|in|on"
_AUDIENCE_PREPOSITIONS = "with|for|among|across|between"  # not "to": "to attract students" is a purpose
_VAGUE_FILLER = re.compile(r"\b(?:more|less|much|very|really|most|far|way|so|too|even|and|or|a lot|lot|a bit|"
                           r"significantly|substantially|greatly|overall)\b", re.IGNORECASE)  # fmt: skip
_VAGUE_LEAD = re.compile(r"^(?:(?:make sure|make|makes|making|get|gets|getting|keep|keeps|keeping|become|be|have|"
                         r"ensure|help|continue to|continue|start|try to|to|we|will|should|must|want to)\s+)+",
                         re.IGNORECASE)  # fmt: skip
_CLAUSE = re.compile(r"^(?P<who>.+?)\s+(?P<verb>get|gets|see|sees|reach|reaches|find|finds|receive|receives|"
                     r"learn|learns|hear|hears|ship|ships|finish|finishes|complete|completes)\s+(?P<what>.+)$",
                     re.IGNORECASE)  # fmt: skip
_SUPERLATIVE = re.compile(r"(?:est|best|most)$", re.IGNORECASE)


_TIMES = re.compile(r"\b(?:once|twice|\w+\s+times)(?:\s+(?:a|an|per|each|every)\s+\w+)?\b"
                    r"|\b(?:every|each|on)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning|"
                    r"evening|night|sprint|release)s?\b", re.IGNORECASE)  # fmt: skip
_CHANGE_LEAD = re.compile(r"^(?:go|going|take|get|bring|move|increase|reduce|grow|raise|cut|lift|lower)\s+",
                          re.IGNORECASE)  # fmt: skip
_TRAILING_ADVERB = re.compile(r"\s+(?:better|properly|well|again|regularly|consistently|too|first)$", re.IGNORECASE)
_NOT_A_THING = re.compile(r"\b(?:more|less|better|worse|be|become|proactive|happy)\b"
                          r"|^(?:to|up|out|why|how|what|whether|if|when|where|which|who)\b", re.IGNORECASE)
_BACKLOG = re.compile(r"\b(?:backlog|queue|dependenc\w*|debt|tickets?|prs|pull requests|bugs?|incidents?|"
                      r"findings|open)\b", re.IGNORECASE)  # fmt: skip
_MASS_NOUNS = {"staff", "leadership", "management", "sales", "personnel", "security", "finance", "marketing"}


def _word_regex(words: list[str]) -> re.Pattern[str]:
    """Words as word beginnings ("review" matches "reviews"); short ones (api, ar) as whole words."""
    parts = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(_keyword_regex(w)[2:] for w in parts) + r")", re.IGNORECASE)


@dataclass(frozen=True)
class _Fallbacks:
    """The library's generic sections, with their regexes built once."""

    kinds: list[tuple[ObjectKind, re.Pattern[str] | None, set[str]]]
    qualities: list[tuple[Quality, re.Pattern[str]]]
    profiles: dict[str, tuple[DepartmentProfile, re.Pattern[str] | None]]
    people: re.Pattern[str] | None
    people_words: str  # the people nouns as one regex alternation


_FALLBACKS: dict[int, tuple[ActivityLibrary, _Fallbacks]] = {}


def _fallbacks(library: ActivityLibrary) -> _Fallbacks:
    cached = _FALLBACKS.get(id(library))
    if cached is not None and cached[0] is library:
        return cached[1]
    kinds = [(k, _word_regex(k.nouns) if k.nouns else None, {f for v in k.verbs for f in verb_forms(v)})
             for k in library.objects]  # fmt: skip
    qualities = [(q, re.compile(r"\b(?:" + "|".join(map(re.escape, q.words)) + r")\b", re.IGNORECASE))
                 for q in library.qualities]  # fmt: skip
    profiles = {d: (p, _word_regex(p.keywords) if p.keywords else None) for d, p in library.profiles.items()}
    people = None
    alternation = "|".join(map(re.escape, sorted(library.people, key=len, reverse=True)))
    if library.people:
        people = re.compile(
            rf"\b(?:{_AUDIENCE_PREPOSITIONS})\s+(?:(?:the|our|all|every|each|a|an|my|their|new|other)\s+)*"
            rf"(?P<who>(?:(?!(?:the|our|a|an|be|become|get|help|make|support|train|hire|onboard|engage|reach|"
            rf"with|for|to|and|or)\b)[A-Za-z][\w-]*\s+)?(?:{alternation})[a-z]*)\b",
            re.IGNORECASE,
        )
    built = _Fallbacks(kinds, qualities, profiles, people, alternation)
    _FALLBACKS[id(library)] = (library, built)
    return built


def _object_words(r: _Reading) -> str:
    """The thing a task makes or runs, without counts, cadence or trailing clauses ("kickoff meeting").

    Empty when what is left does not look like a thing (a person, an adjective, a bare number).
    """
    text = re.sub(r"\([^)]*\)", " ", r.text)
    span = r.facts.verb_span
    lead = text[: span[0]] if span else ""
    from_start = False
    if span and (not lead.strip() or _SUBJECT_PRONOUN.match(lead)):
        rest = text[span[1] :]
    else:
        rest = _STATE.sub("", text)  # a noun phrase with a state: "H2 hiring plan approved by the exec team"
        from_start = True
    rest = _PARTICLE.sub("", rest.strip())
    if re.match(r"^(?:with|from)\b", rest, re.IGNORECASE):
        return ""  # "Negotiate with our top vendors" acts on people; "Go from weekly to daily": a change, no thing
    rest = _strip(rest, _DEADLINE, _CADENCE, _CADENCE_ADJ, _ALL_PERIOD, _TIMES, _BY_AMOUNT, _FROM_TO)
    rest = _CHANGE_LEAD.sub("", rest) if from_start else rest
    rest = _SHARE_OF.sub("", rest)
    rest = _PHRASE_END.sub("", rest)
    rest = _LEADING_QUANTIFIERS.sub("", rest + " ").strip()
    rest = _TRAILING_ADVERB.sub("", rest)
    rest = re.sub(r"^(?:%\s*)?(?:of|for|on|about)\s+|\s+(?:of|for|on|about)$", "", rest.strip(), flags=re.IGNORECASE)
    rest = _LEADING_QUANTIFIERS.sub("", rest + " ").strip()
    rest = _trim_dangling(re.sub(r"\s+", " ", rest).strip(" ,.;:-'\""))
    if len(rest.split()) > 6:
        rest = re.split(r"\s+(?:of|for)\s+", rest, maxsplit=1)[0]
    if not rest or len(rest.split()) > 6 or not re.search(r"[A-Za-z]{3}", rest) or _NOT_A_THING.search(rest):
        return ""
    first = rest.split()[0]
    if from_start and first.isalpha() and first[1:].islower():
        rest = rest[0].lower() + rest[1:]  # the statement's capital, not a name ("Catalogue" -> "catalogue")
    return rest


def _the(bare: str) -> str:
    """'API guide' -> 'the API guide'; a lone name keeps no article ('Postgres')."""
    if _DETERMINER.match(bare) or (" " not in bare and bare[:1].isupper()):
        return bare
    return f"the {bare}"


def _head(bare: str) -> str:
    """The part of the object that names its kind: 'log of all schema changes' -> 'log'."""
    return re.split(r"\s+(?:of|for)\s+", bare, maxsplit=1)[0]


def _object_kind(r: _Reading, bare: str, fb: _Fallbacks) -> ObjectKind | None:
    """What the task makes or runs, from the strongest clue down.

    1. a kind decided by its verb ("Deprecate ...", "Automate ...", "Train ...");
    2. the noun that ends the object's head ("design review ritual" is a ritual);
    3. the task's verb ("Write 30 detection rules" makes documents);
    4. any noun of the head, the latest one winning.
    Change verbs ("Reduce CRM custom fields") only fit the consolidation kind, which lists them.
    """
    head = _head(bare)
    last = head.split()[-1] if head else ""
    verb = (r.facts.verb_lemma or r.verb or "").lower().split()
    verb_words = {w for w in [*(verb[:1]), (r.verb or "").lower()] if w}
    by_verb = [k for k, _, forms in fb.kinds if verb_words & forms]
    strong = [k for k in by_verb if k.by_verb]
    if strong:
        return strong[0]
    last_start = len(head) - len(last)
    for kind, nouns, _ in fb.kinds:  # a noun that reaches into the last word: "design crits", "business review"
        if nouns is not None and last and any(m.end() > last_start for m in nouns.finditer(head)):
            return kind
    if by_verb:
        return by_verb[0]
    best: tuple[int, ObjectKind] | None = None
    for kind, nouns, _ in fb.kinds:
        ends = [m.end() for m in nouns.finditer(head)] if nouns is not None and head else []
        if ends and (best is None or max(ends) > best[0]):
            best = (max(ends), kind)
    return best[1] if best else None


def _audience(r: _Reading, fb: _Fallbacks) -> str | None:
    """The people a task is for, as written: 'with the pickers' -> 'pickers', 'every customer' -> 'customers'."""
    if fb.people is None:
        return None
    m = fb.people.search(r.text)
    if not m:
        return None
    who = re.sub(r"\s+", " ", m.group("who")).strip()
    last = who.split()[-1].lower()
    if last.endswith("team"):
        return f"the {who}"
    if not last.endswith("s") and last not in _MASS_NOUNS:
        who += "s"  # "every customer" -> "customers": the share of a group is plural
    return who[0].lower() + who[1:] if len(who) > 1 and who[1:].islower() else who


def guess_department(text: str, library: ActivityLibrary | None = None) -> str | None:
    """The department a statement most likely belongs to, from the profiles' keywords (None if unclear)."""
    library = library or default_library()
    score: dict[str, int] = {}
    for department, (_, keywords) in _fallbacks(library).profiles.items():
        if keywords is not None:
            hits = len({m.group(0).lower() for m in keywords.finditer(text)})
            if hits:
                score[department] = hits
    best = sorted(score.values(), reverse=True)
    if not best or (len(best) > 1 and best[0] == best[1]):
        return None  # no clue, or two departments equally likely: a wrong guess is worse than none
    return max(score, key=score.__getitem__)


def _fill(template: str, r: _Reading, **slots: str | None) -> str | None:
    """A template with its slots filled, or None when it needs a slot this key result cannot fill."""
    text = template.replace("{per}", r.cadence)
    for name, value in slots.items():
        if "{" + name + "}" in text:
            if not value:
                return None
            text = text.replace("{" + name + "}", value)
    return None if "{" in text else text


def _vague_subject(text: str, m: re.Match[str], qualities: re.Pattern[str]) -> str:
    """What a vague statement wants improved: 'Make our brand more known in Spain' -> 'our brand in Spain'."""
    before, after = text[: m.start()], text[m.end() :]
    before = _VAGUE_LEAD.sub("", _strip(qualities.sub(" ", before), _DEADLINE).strip())
    before = _VAGUE_FILLER.sub(" ", before)
    before = re.sub(r"\s+(?:the|a|an|to|as|at)$", "", re.sub(r"\s+", " ", before).strip())
    before = before if _trim_dangling(before) else ""  # "be the best taqueria": nothing but "the" is left
    after = _strip(after, _DEADLINE)
    tail = ""
    if not _SUPERLATIVE.search(m.group(0)):
        phrase = re.match(rf"^\s*((?:{_PREPOSITIONS})\s+[^,;]+?)(?:\s+(?:and|or|while)\b.*)?$", after, re.IGNORECASE)
        if phrase and not qualities.search(phrase.group(1)):
            tail = phrase.group(1)
        elif not before:
            tail = re.split(r"\s+(?:and|or|while)\s+", after.strip(), maxsplit=1)[0]
    subject = re.sub(r"\s+", " ", f"{before} {tail}").strip(" ,.;:-")
    subject = _VAGUE_LEAD.sub("", subject)
    if not _trim_dangling(subject) or qualities.search(subject) or len(subject.split()) > 8:
        return ""
    return subject[0].lower() + subject[1:] if len(subject) > 1 and not subject[1].isupper() else subject


def _quality_candidates(r: _Reading, text: str, library: ActivityLibrary) -> list[str]:
    """What a vague statement (or an objective) asks for, as the metric that shows it, from [baseline] to [target]."""
    fb = _fallbacks(library)
    if not fb.qualities:
        return []
    every = re.compile("|".join(rx.pattern for _, rx in fb.qualities), re.IGNORECASE)
    found = sorted((m.start(), order, m) for order, (_, rx) in enumerate(fb.qualities) for m in rx.finditer(text))
    out = []
    for _, order, m in found:
        quality = fb.qualities[order][0]
        subject = _vague_subject(text, m, every)
        clause = _CLAUSE.match(subject) if subject else None
        if clause and quality.id == "speed":
            verb = re.sub(r"(?<=[^s])s$|(?<=sh)es$|(?<=ch)es$", "", clause.group("verb").lower())
            out.append(f"Cut the time it takes for {clause.group('who')} to {verb} {clause.group('what')} "
                       "from [baseline] to [target] days")  # fmt: skip
            continue
        if not subject or clause:
            continue
        for template in quality.outcomes:
            filled = _fill(template, r, subject=subject)
            if filled:
                out.append(filled)
    return out


_GET_PEOPLE_TO = re.compile(
    r"^(?:get|help|encourage|convince)\s+(?:more\s+|many\s+more\s+)?(?P<who>[\w -]+?)\s+to\s+"
    r"(?P<verb>use|adopt|try|buy|renew|join|recommend|choose|read|open|complete|attend|upgrade to)\s+(?P<what>.+)$",
    re.IGNORECASE,
)
_MORE_LESS = re.compile(r"^(?P<how>less|fewer|more)\s+(?P<what>[\w -]+)$", re.IGNORECASE)


def _vague_shape_candidates(r: _Reading) -> list[str]:
    """Two vague shapes with an obvious metric: 'Get more customers to use X' and 'Fewer/More X'."""
    text = _strip(r.text, _DEADLINE)
    m = _GET_PEOPLE_TO.match(text)
    if m:
        return [f"Grow the share of {m.group('who')} who {m.group('verb').lower()} {m.group('what')} "
                "from [baseline]% to [target]%"]  # fmt: skip
    m = _MORE_LESS.match(text)
    if m:
        verb = "Grow" if m.group("how").lower() == "more" else "Cut"
        return [f"{verb} {m.group('what')} from [baseline] to [target] {r.cadence}"]
    return []


def _generic_candidates(r: _Reading, library: ActivityLibrary, objective: str | None) -> list[str]:
    """Outcomes for a task the library does not know, most specific first.

    What the task's kind of thing is for, then the change the objective asks
    for, then (only when the kind left room) what the department exists for,
    and the adoption of the thing as the last resort.
    """
    fb = _fallbacks(library)
    out: list[str] = []
    bare = _object_words(r)
    people = _audience(r, fb)
    if bare and fb.people is not None and re.fullmatch(rf"(?:[\w-]+\s+)?(?:{fb.people_words})\w*", bare, re.I):
        # The object is people ("Train all CSMs"): they are who the task is for, not a thing it makes.
        people = people or (bare if bare.endswith("s") or bare.lower() in _MASS_NOUNS else bare + "s")
        bare = ""
    department = guess_department(" ".join(filter(None, [r.text, objective])), library)
    profile = fb.profiles[department][0] if department in fb.profiles else None
    thing = _the(bare) if bare else None
    kind = _object_kind(r, bare, fb)
    from_kind: list[str] = []
    if kind is not None and kind.id == "consolidation" and _BACKLOG.search(bare):
        kind = None  # "Reduce the backlog of ...": a backlog is not maintained, it is worked off
    if kind is not None:
        audience = people or kind.audience
        if profile is not None and not people and kind.audience_from != "own":
            audience = profile.team if kind.audience_from == "team" else profile.served
        templates = kind.outcomes
        if kind.anonymous and audience == kind.audience:
            templates = kind.anonymous
        from_kind = [o for t in templates if (o := _fill(t, r, thing=thing, bare=bare, audience=audience))]
    out += from_kind
    if objective:  # the change the objective itself asks for ("the fastest" -> a time to cut)
        out += _quality_candidates(r, objective, library)[:1]
    if profile is not None:
        from_profile = [o for t in profile.outcomes if (o := _fill(t, r, audience=people or profile.served))]
        out += from_profile[: 1 if from_kind else None]
    if thing and not from_kind and not r.facts.is_outcome_verb:
        if people or profile:  # the last resort: the thing's use, by the people it is for when they are known
            out.append(f"Grow the share of {people or profile.team} who use {thing} from [baseline]% to [target]%")
        else:
            out.append(f"Grow weekly active users of {thing} from [baseline] to [target]")
    return [r.with_deadline(o) for o in out]


def candidates_for(kr: KeyResultReport, library: ActivityLibrary, lower_is_better: list[str],
                   bounded: list[str], objective: str | None = None) -> tuple[list[str], list[str]]:  # fmt: skip
    """Every rewrite the offline coach can think of for one flagged key result (unverified).

    Two lists, each best first: the specific rewrites (library patterns and
    fixes of what the engine flagged), and the generic fallbacks, which are
    tried only when none of the specific ones passes verification.
    """
    r = _Reading(kr, lower_is_better, bounded)
    out: list[str] = []
    split = _split_candidates(r) if "OKR-K011" in r.flagged else []
    out += split
    held = bool(r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"} and _KEEP_LEAD.match(r.text) and _kept_metric(r)[0])
    if held:
        out += _change_candidates(r)  # "Hold X at or below 6 minutes": the user's own metric beats any pattern
    # The user's own outcome (a held metric, or the outcome half of a split) makes library guesses noise.
    own_outcome = held or len(split) > 1
    if (r.flagged & {"OKR-K001", "OKR-K002", "OKR-K003"} or r.facts.is_activity_verb) and not own_outcome:
        out += _library_candidates(r, library)
    if "OKR-K002" in r.flagged and not r.facts.is_activity_verb:
        vague = _vague_shape_candidates(r) + _quality_candidates(r, r.text, library)  # "Make our brand more known"
        out += [r.with_deadline(o) for o in vague]
    if r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"}:
        out += _change_candidates(r)
    vague_direction = r.facts.is_outcome_verb or not r.facts.verb
    if "OKR-K002" in r.flagged and vague_direction and not r.facts.is_activity_verb and "OKR-K001" not in r.flagged:
        out += _change_candidates(r)  # a vague direction ("Improve CSAT"), not a task
    if "OKR-K004" in r.flagged:
        out += _baseline_candidates(r)
    if "OKR-K008" in r.flagged:
        out += _target_candidates(r)
    fallback = _generic_candidates(r, library, objective)
    return _distinct(out, kr.text), _distinct(fallback, kr.text)


def _distinct(candidates: list[str], original: str) -> list[str]:
    seen: dict[str, None] = {}
    for text in candidates:
        text = "\n".join(_sentence(line) for line in text.splitlines())
        if text and text.casefold() != original.strip().casefold():
            seen.setdefault(text, None)
    return list(seen)


def offline_suggestions(
    key_results: list[KeyResultReport],
    coach: Coach,
    limit: int = MAX_SUGGESTIONS,
    objectives: list[str | None] | None = None,
) -> list[list[Suggestion]]:
    """Verified offline suggestions (up to ``limit``) for each key result, in a few engine batches for all.

    ``objectives[i]`` is the title of the objective ``key_results[i]`` serves,
    when known: a generic rewrite may take the change the objective asks for,
    and its numbers count as the user's own.
    """
    library = default_library()
    lexicon = getattr(coach.engine, "lexicon", None)
    lower = list(getattr(lexicon, "lower_is_better", []))
    bounded = list(getattr(lexicon, "bounded_metrics", []))
    titles = list(objectives) if objectives is not None else [None] * len(key_results)
    per_kr = [candidates_for(kr, library, lower, bounded, title) for kr, title in zip(key_results, titles)]
    out: list[list[Suggestion]] = [[] for _ in key_results]
    # Round 1 verifies the best `limit` specific candidates of each key result; round 2 the rest, only where
    # round 1 left a key result short; round 3 the generic fallbacks, only where nothing specific passed.
    # Most drafts need one engine batch.
    rounds = [
        ([c[:limit] for c, _ in per_kr], lambda i: True),
        ([c[limit:] for c, _ in per_kr], lambda i: len(out[i]) < limit),
        ([g for _, g in per_kr], lambda i: not out[i]),
    ]
    for batch, wanted in rounds:
        flat = []
        for i, cands in enumerate(batch):
            if not wanted(i):
                continue
            sources = [key_results[i].text, titles[i] or ""]
            flat += [(i, text) for text in cands if not invented_numbers(text, sources)]  # never a made-up number
        if not flat:
            continue
        verdicts = verify(coach, [t for _, t in flat], [key_results[i].text for i, _ in flat])
        for (i, text), verdict in zip(flat, verdicts):
            if verdict.ok and len(out[i]) < limit:
                fixes = sorted({f.rule for f in key_results[i].findings if f.severity in FLAGGED})
                out[i].append(
                    Suggestion(text=text, source="offline", placeholders=verdict.placeholders, fixes=fixes)
                )
    return out
