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
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coach.grounding import PLACEHOLDERS, numbers_in, placeholders_in
from coach.models import KeyResultReport, Suggestion, resource_dir
from coach.verify import verify

if TYPE_CHECKING:
    from coach.pipeline import Coach

MAX_SUGGESTIONS = 3
FLAGGED = ("error", "warning")

# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------


class ActivityPattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    department: str
    verbs: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(min_length=1)
    example: str = Field(min_length=3)
    outcomes: list[str] = Field(min_length=1, max_length=MAX_SUGGESTIONS)

    @field_validator("verbs", "keywords")
    @classmethod
    def _lowercase(cls, words: list[str]) -> list[str]:
        cleaned = [w.strip().lower() for w in words]
        if any(not w for w in cleaned):
            raise ValueError("empty word")
        return cleaned

    @field_validator("outcomes")
    @classmethod
    def _grounded_templates(cls, outcomes: list[str]) -> list[str]:
        """A template may not carry numbers of its own: they would be invented for every user."""
        for outcome in outcomes:
            bare = outcome.replace("{per}", "").replace("{n}", "")
            if numbers_in(bare):
                raise ValueError(f"outcome has a number of its own (use [baseline]/[target]/{{n}}): {outcome!r}")
            unknown = [p for p in placeholders_in(bare) if p not in PLACEHOLDERS]
            if unknown:
                raise ValueError(f"outcome uses unknown placeholders {unknown}: {outcome!r}")
            if "[target]" not in outcome and "{n}" not in outcome:
                raise ValueError(f"outcome has no target: {outcome!r}")
        return outcomes


class ActivityLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    departments: list[str] = Field(min_length=1)
    patterns: list[ActivityPattern] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ActivityLibrary:
        ids = [p.id for p in self.patterns]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate pattern ids: {duplicates}")
        unknown = sorted({p.department for p in self.patterns} - set(self.departments))
        if unknown:
            raise ValueError(f"patterns name departments not listed under 'departments': {unknown}")
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


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    return text[:1].upper() + text[1:] if text else text


class _Reading:
    """What the offline coach needs to know about one flagged key result."""

    def __init__(self, kr: KeyResultReport, lower_is_better: list[str], bounded: list[str]) -> None:
        self.text = kr.text.strip().rstrip(".")
        self.facts = kr.facts
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


def _change_candidates(r: _Reading) -> list[str]:
    """A KPI to keep or a vague direction -> a change with a baseline and a target."""
    up, down = ("Raise", "Cut")
    verb = down if r.decrease else up
    out = []
    if r.numbers and r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"}:
        value = r.numbers[0].text
        out.append(f"{verb} {r.metric} from {value} to {_like(value, '[target]')}")
    if r.rate:
        out.append(f"{verb} {r.metric} from [baseline]% to [target]%")
    else:
        out.append(f"{verb} {r.metric} from [baseline] to [target]")
    if "OKR-K002" in r.flagged and r.facts.is_outcome_verb:
        out.insert(0, f"{_strip(r.text, _DEADLINE)} from [baseline] to [target]")
    return [r.with_deadline(o) for o in out]


def _milestone_candidates(r: _Reading) -> list[str]:
    obj = r.object_phrase
    return [
        r.with_deadline(f"Grow the share of intended users actively using {obj} from [baseline]% to [target]%"),
        r.with_deadline(f"Grow weekly active users of {obj} from [baseline] to [target]"),
    ]


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
    if not r.numbers:
        return []
    last = r.numbers[-1]
    return [r.text[: last.start] + _like(last.text, "[target]") + r.text[last.end :]]


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
    return ["\n".join(lines)]


def candidates_for(kr: KeyResultReport, library: ActivityLibrary, lower_is_better: list[str],
                   bounded: list[str]) -> list[str]:  # fmt: skip
    """Every rewrite the offline coach can think of for one flagged key result, best first (unverified)."""
    r = _Reading(kr, lower_is_better, bounded)
    out: list[str] = []
    if "OKR-K011" in r.flagged:
        out += _split_candidates(r)
    if r.flagged & {"OKR-K001", "OKR-K002", "OKR-K003"} or r.facts.is_activity_verb:
        out += _library_candidates(r, library)
    if r.flagged & {"OKR-K005", "OKR-K006", "OKR-K007"}:
        out += _change_candidates(r)
    if not out and ("OKR-K003" in r.flagged or (r.flagged & {"OKR-K001"} and r.facts.is_milestone)):
        out += _milestone_candidates(r)  # generic adoption only when the library knows nothing better
    vague_direction = r.facts.is_outcome_verb or not r.facts.verb
    if "OKR-K002" in r.flagged and vague_direction and not r.facts.is_activity_verb and "OKR-K001" not in r.flagged:
        out += _change_candidates(r)  # a vague direction ("Improve CSAT"), not a task
    if "OKR-K004" in r.flagged:
        out += _baseline_candidates(r)
    if "OKR-K008" in r.flagged:
        out += _target_candidates(r)
    seen: dict[str, None] = {}
    for text in out:
        text = "\n".join(_sentence(line) for line in text.splitlines())
        if text and text.casefold() != kr.text.strip().casefold():
            seen.setdefault(text, None)
    return list(seen)


def offline_suggestions(
    key_results: list[KeyResultReport], coach: Coach, limit: int = MAX_SUGGESTIONS
) -> list[list[Suggestion]]:
    """Verified offline suggestions (up to ``limit``) for each key result, with one engine call for all."""
    library = default_library()
    lexicon = getattr(coach.engine, "lexicon", None)
    lower = list(getattr(lexicon, "lower_is_better", []))
    bounded = list(getattr(lexicon, "bounded_metrics", []))
    per_kr = [candidates_for(kr, library, lower, bounded) for kr in key_results]
    out: list[list[Suggestion]] = [[] for _ in key_results]
    # Round 1 verifies the best `limit` candidates of each key result; round 2 the rest, only where
    # round 1 left a key result short. Most drafts need one engine batch.
    rounds = [[c[:limit] for c in per_kr], [c[limit:] for c in per_kr]]
    for n, batch in enumerate(rounds):
        flat = [(i, text) for i, cands in enumerate(batch) for text in cands if n == 0 or len(out[i]) < limit]
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
