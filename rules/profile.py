"""Company profiles: tune the rule engine without touching code.

A profile is a small YAML file (``--profile`` or ``OKR_COACH_PROFILE``) that
switches rules off, changes severities and parameters, and adds company
vocabulary::

    disable: [OKR-K010]
    severity: {OKR-K004: info}
    parameters: {OKR-O003: {min_key_results: 2, max_key_results: 4}}
    vocabulary: {activity_verbs: [groom], metric_nouns: [gross bookings]}

Everything is checked against the catalogue and the lexicon when the profile
is loaded, so a typo (an unknown rule id, a misspelt parameter, a wrong type)
fails at start-up with a message naming it rather than silently doing nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coach.models import Severity
from rules.catalogue import Catalogue, ParameterValue, load_catalogue
from rules.lexicon import WORD_LISTS

PROFILE_ENV = "OKR_COACH_PROFILE"

#: Friendlier names a profile may use for lexicon lists.
VOCABULARY_ALIASES: dict[str, str] = {"kpi_names": "metric_nouns", "metric_names": "metric_nouns"}


def _yaml_where(exc: yaml.YAMLError) -> str:
    """' at line L, column C: problem' -- PyYAML's own text spans several lines, a CLI error is one."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{where}: {' '.join(str(problem).split())}" if problem else where


class ProfileError(ValueError):
    """The profile file is missing, unreadable or invalid; the message says what and where."""


class Profile(BaseModel):
    """Overrides on top of the catalogue defaults; the empty profile changes nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, description="Free text, shown nowhere but useful in the file.")
    disable: list[str] = Field(default_factory=list, description="Rule ids to switch off.")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Rule id -> new severity.")
    parameters: dict[str, dict[str, ParameterValue]] = Field(
        default_factory=dict, description="Rule id -> {parameter: value}."
    )
    vocabulary: dict[str, list[str]] = Field(
        default_factory=dict, description="Lexicon list name -> extra words (see rules/lexicon.yaml)."
    )

    @field_validator("vocabulary")
    @classmethod
    def _known_lists(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(WORD_LISTS) - set(VOCABULARY_ALIASES))
        if unknown:
            allowed = ", ".join([*WORD_LISTS, *VOCABULARY_ALIASES])
            raise ValueError(f"unknown vocabulary list(s) {unknown}; expected some of: {allowed}")
        for key, words in value.items():
            if any(not w.strip() for w in words):
                raise ValueError(f"{key}: words must be non-empty")
        return value

    @model_validator(mode="after")
    def _against_catalogue(self) -> Profile:
        self.validate_against(load_catalogue())
        return self

    def validate_against(self, catalogue: Catalogue) -> None:
        """Raise ValueError naming unknown rule ids, unknown parameters and bad values."""
        known = set(catalogue.ids)
        mentioned = [*self.disable, *self.severity, *self.parameters]
        unknown = sorted({rid for rid in mentioned if rid not in known})
        if unknown:
            raise ValueError(f"unknown rule id(s) {unknown}; see `okr-coach rules` for the catalogue")
        for rule_id, overrides in self.parameters.items():
            defaults = catalogue.get(rule_id).parameters
            bad = sorted(set(overrides) - set(defaults))
            if bad:
                allowed = ", ".join(defaults) or "none"
                raise ValueError(f"{rule_id}: unknown parameter(s) {bad}; allowed: {allowed}")
            merged = {**defaults, **overrides}
            for key, value in overrides.items():
                default = defaults[key]
                numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
                if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
                    raise ValueError(f"{rule_id}.{key}: expected a number, got {value!r}")
                if numeric and value < 0:
                    raise ValueError(f"{rule_id}.{key}: must be >= 0, got {value!r}")
                if isinstance(default, int) and not isinstance(default, bool) and not float(value).is_integer():
                    raise ValueError(f"{rule_id}.{key}: expected a whole number, got {value!r}")
            for key in merged:
                if key.startswith("min_") and f"max_{key[4:]}" in merged and merged[key] > merged[f"max_{key[4:]}"]:
                    raise ValueError(f"{rule_id}: {key} ({merged[key]}) is above max_{key[4:]} ({merged[f'max_{key[4:]}']})")

    # -- what the engine asks -------------------------------------------------

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disable

    def severity_for(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def parameters_for(self, rule_id: str, defaults: dict[str, ParameterValue]) -> dict[str, ParameterValue]:
        return {**defaults, **self.parameters.get(rule_id, {})}

    def lexicon_extra(self) -> dict[str, list[str]] | None:
        """The vocabulary in the shape ``rules.lexicon.load_lexicon(extra=...)`` takes (aliases resolved)."""
        out: dict[str, list[str]] = {}
        for key, words in self.vocabulary.items():
            out.setdefault(VOCABULARY_ALIASES.get(key, key), []).extend(words)
        return {k: v for k, v in out.items() if v} or None


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "profile"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {msg}")
    return "; ".join(lines)


def parse_profile(data: object, source: str = "<profile>") -> Profile:
    """Validate loaded YAML data as a profile (an empty file is the empty profile)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"profile {source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"profile {source}: {_format_errors(exc)}") from None


def load_profile(path: str | Path | None = None) -> Profile:
    """Load a profile from ``path``, else from ``$OKR_COACH_PROFILE``, else the empty profile."""
    if path is None:
        env = os.environ.get(PROFILE_ENV, "").strip()
        if not env:
            return Profile()
        path = env
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"profile {file}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {file}: cannot read it ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"profile {file}: not valid YAML{_yaml_where(exc)}") from None
    return parse_profile(data, str(file))
