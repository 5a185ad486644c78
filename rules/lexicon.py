"""The rule engine's vocabulary, loaded from ``lexicon.yaml`` and validated.

Word lists live in data so a company profile can add its own activity verbs
or KPI names without touching code (``load_lexicon(extra=...)``). Loading
validates every entry (lowercase, non-empty, known list names) so a typo in a
profile fails at start-up with a message naming the field, not later as a
silently unmatched word.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache, cached_property, wraps
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")

_NUMBER_WORD_RE = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|hundred)\b")

#: The word lists, in the order the matcher labels them.
WORD_LISTS: tuple[str, ...] = (
    "activity_verbs",
    "outcome_verbs",
    "neutral_verbs",
    "increase_words",
    "decrease_words",
    "maintain_words",
    "monitoring_words",
    "milestone_verbs",
    "deliverable_nouns",
    "actor_nouns",
    "monitoring_nouns",
    "metric_nouns",
    "lower_is_better",
    "bounded_metrics",
    "score_metrics",
    "ratio_metrics",
    "identifier_words",
)


class MetricPattern(BaseModel):
    """A raw spaCy Matcher pattern that adds matches to one word list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    pattern: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("label")
    @classmethod
    def _known_label(cls, value: str) -> str:
        if value not in WORD_LISTS:
            raise ValueError(f"unknown word list {value!r}; expected one of {', '.join(WORD_LISTS)}")
        return value


def _clean_words(values: list[str]) -> list[str]:
    """Lowercase, strip, de-duplicate and sort: the matcher compares lowercase lemmas."""
    out = set()
    for word in values:
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"word list entries must be non-empty strings, got {word!r}")
        out.add(" ".join(word.lower().split()))
    return sorted(out)


class Lexicon(BaseModel):
    """Every word list the fact extractor and the labels use (see lexicon.yaml for what each means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    activity_verbs: list[str] = Field(default_factory=list)
    outcome_verbs: list[str] = Field(default_factory=list)
    neutral_verbs: list[str] = Field(default_factory=list)
    increase_words: list[str] = Field(default_factory=list)
    decrease_words: list[str] = Field(default_factory=list)
    maintain_words: list[str] = Field(default_factory=list)
    monitoring_words: list[str] = Field(default_factory=list)
    milestone_verbs: list[str] = Field(default_factory=list)
    deliverable_nouns: list[str] = Field(default_factory=list)
    actor_nouns: list[str] = Field(default_factory=list)
    monitoring_nouns: list[str] = Field(default_factory=list)
    metric_nouns: list[str] = Field(default_factory=list)
    lower_is_better: list[str] = Field(default_factory=list)
    bounded_metrics: list[str] = Field(default_factory=list)
    score_metrics: list[str] = Field(default_factory=list)
    ratio_metrics: list[str] = Field(default_factory=list)
    identifier_words: list[str] = Field(default_factory=list)
    magnitude_words: dict[str, float] = Field(default_factory=dict)
    metric_patterns: list[MetricPattern] = Field(default_factory=list)
    #: Short function words of other European languages that English OKRs do not use (OKR-D004).
    foreign_function_words: list[str] = Field(default_factory=list)
    #: Names that hold a number which counts nothing ("360 feedback", "9-box", "401(k)"): never a target.
    named_numbers: list[str] = Field(default_factory=list)

    @field_validator(*WORD_LISTS, "foreign_function_words", "named_numbers")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        return _clean_words(value)

    @field_validator("named_numbers")
    @classmethod
    def _holds_a_number(cls, value: list[str]) -> list[str]:
        for name in value:
            if not any(ch.isdigit() for ch in name) and not _NUMBER_WORD_RE.search(name):
                raise ValueError(f"named number {name!r} holds no number; it could never hide a quantity")
        return value

    @field_validator("magnitude_words")
    @classmethod
    def _magnitudes(cls, value: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for word, r in value.items():
            if r < 0:
                raise ValueError(f"magnitude word {word!r}: relative change must be >= 0, got {r}")
            out[" ".join(word.lower().split())] = float(r)
        return out

    def merged(self, extra: dict[str, Any] | None) -> Lexicon:
        """A new lexicon with ``extra`` words added to the lists (a profile extends, never replaces).

        Example: ``{"activity_verbs": ["groom"], "metric_nouns": ["gross bookings"]}``.
        Unknown list names raise a pydantic ``ValidationError`` naming the field.
        """
        if not extra:
            return self
        data = self.model_dump()
        unknown = set(extra) - set(data)
        if unknown:
            # Let pydantic produce the error so callers see one error type.
            Lexicon.model_validate({**extra})
        for key, value in extra.items():
            if key == "magnitude_words":
                data[key] = {**data[key], **dict(value)}
            elif key == "metric_patterns":
                data[key] = [*data[key], *list(value)]
            else:
                if isinstance(value, str):
                    value = [value]
                data[key] = [*data[key], *list(value)]
        return Lexicon.model_validate(data)

    @cached_property
    def fingerprint(self) -> str:
        """A short stable hash, so pipelines built from equal lexicons can be cached and shared."""
        return hashlib.sha1(self.model_dump_json().encode()).hexdigest()[:16]


@cache
def _default_lexicon() -> Lexicon:
    with LEXICON_PATH.open(encoding="utf-8") as fh:
        return Lexicon.model_validate(yaml.safe_load(fh))


T = TypeVar("T")


def per_lexicon(build: Callable[[Lexicon], T]) -> Callable[[Lexicon], T]:
    """``build(lexicon)`` run once per distinct lexicon (by fingerprint): word sets the hot path reads.

    Profiles extend the lexicon, so a plain module-level constant would be wrong; lexicons are
    unhashable pydantic models, so ``functools.cache`` cannot key on them directly.
    """
    built: dict[str, T] = {}

    @wraps(build)
    def get(lexicon: Lexicon) -> T:
        value = built.get(lexicon.fingerprint)
        if value is None:
            value = built[lexicon.fingerprint] = build(lexicon)
        return value

    return get


def load_lexicon(extra: dict[str, Any] | None = None) -> Lexicon:
    """The bundled vocabulary, optionally extended with ``extra`` words (from a profile)."""
    return _default_lexicon().merged(extra)
