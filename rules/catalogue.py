"""The rule catalogue: rules as data (rules/catalogue.yaml), validated when loaded.

Why data and not code: the same entries drive the engine (severity, message,
parameters), the docs (docs/rules.md, ``okr-coach rules``, the ``/rules`` page)
and the tests (every bad example must fire on its marked span, no good example
may fire). A malformed catalogue fails loudly at load time, naming the rule,
instead of producing odd findings later.

Run ``python -m rules.catalogue`` to print the Markdown docs
(``> docs/rules.md`` regenerates the committed copy).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coach.models import Draft, KeyResult, Objective, Severity

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")

Scope = Literal["key_result", "objective", "draft"]
LabelName = Literal["phrasing", "measurable", "kpi_confusion", "stretch"]
ParameterValue = int | float | str | bool

#: Placeholders a message may use besides the rule's own parameters. The checks
#: in rules/checks.py fill them; each entry says what it holds.
KNOWN_PLACEHOLDERS: dict[str, str] = {
    "text": "the statement (shortened when long)",
    "verb": "the main verb as written",
    "metric": "the metric phrase",
    "metrics": "the distinct metrics, comma-separated",
    "target": "the target value as written",
    "baseline": "the baseline value as written",
    "change": "the asked relative change as a percentage",
    "threshold": "the rule's threshold as a percentage",
    "number": "a number as written",
    "count": "how many items were counted",
    "chars": "a length in characters",
    "kind": "what kind of item ('key results' or 'objectives')",
    "duplicate_of": "the earlier key result this one repeats",
}

_ID_LETTER = {"key_result": "K", "objective": "O", "draft": "D"}
_MARK = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)


class CatalogueError(ValueError):
    """The catalogue file is unreadable or breaks a rule of its schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Examples(_Strict):
    bad: list[str] = Field(default_factory=list, description="Each marks the expected span with [[...]].")
    good: list[str] = Field(default_factory=list)


class RuleSpec(_Strict):
    """One rule: what it checks, how it reports, how to fix it, and examples that prove it."""

    id: str = Field(pattern=r"^OKR-[KOD]\d{3}$")
    name: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    scope: Scope
    severity: Severity
    label: LabelName | None = None
    message: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    what: str = Field(min_length=1)
    why: str = Field(min_length=1)
    example: str = Field(min_length=1)
    instead: str = Field(min_length=1)
    examples: Examples = Field(default_factory=Examples)
    retired: bool = False

    @field_validator("message", "suggestion", "title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("must be a single line")
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        if self.id[4] != _ID_LETTER[self.scope]:
            raise ValueError(
                f"{self.id}: scope {self.scope!r} needs an id starting OKR-{_ID_LETTER[self.scope]}"
            )
        unknown = set(self.placeholders()) - set(KNOWN_PLACEHOLDERS) - set(self.parameters)
        if unknown:
            raise ValueError(f"{self.id}: unknown placeholder(s) {sorted(unknown)} in message or suggestion")
        if not self.retired:
            if len(self.examples.bad) < 2 or len(self.examples.good) < 2:
                raise ValueError(f"{self.id}: needs at least 2 bad and 2 good examples")
            for bad in self.examples.bad:
                if len(_MARK.findall(bad)) != 1:
                    raise ValueError(f"{self.id}: bad example must mark exactly one [[span]]: {bad!r}")
            for good in self.examples.good:
                if "[[" in good or "]]" in good:
                    raise ValueError(f"{self.id}: good examples must not mark a span: {good!r}")
        return self

    def placeholders(self) -> list[str]:
        """Field names the message and suggestion use, e.g. ['verb'] for "'{verb}' is a task"."""
        fmt = string.Formatter()
        return [name for text in (self.message, self.suggestion) for _, name, _, _ in fmt.parse(text) if name]


class Catalogue(_Strict):
    version: int = 1
    rules: list[RuleSpec]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        for attr in ("id", "name"):
            dupes = sorted(k for k, n in Counter(getattr(r, attr) for r in self.rules).items() if n > 1)
            if dupes:
                raise ValueError(f"duplicate rule {attr}(s): {dupes}")
        return self

    def get(self, rule_id: str) -> RuleSpec:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def active(self, scope: Scope | None = None) -> list[RuleSpec]:
        """Rules that are not retired, optionally of one scope, in catalogue order."""
        return [r for r in self.rules if not r.retired and (scope is None or r.scope == scope)]


def parse_catalogue(data: object, source: str = "<catalogue>") -> Catalogue:
    """Validate already-loaded YAML data; errors name the source and the failing entry."""
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
                try:
                    where = f"{data['rules'][loc[1]].get('id', '?')}: {where}"
                except (KeyError, IndexError, AttributeError, TypeError):
                    pass
            problems.append(f"{where}: {err['msg']}")
        raise CatalogueError(f"invalid rule catalogue {source}:\n  " + "\n  ".join(problems)) from None


@cache
def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The validated catalogue (cached: it is read once per process)."""
    file = Path(path) if path is not None else CATALOGUE_PATH
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read rule catalogue {file}: {exc}") from None
    return parse_catalogue(data, str(file))


# ---------------------------------------------------------------------------
# Examples: marked spans and the tiny draft notation used by objective/draft rules
# ---------------------------------------------------------------------------


def split_marked(text: str) -> tuple[str, tuple[int, int] | None]:
    """Remove the [[...]] marks; return the clean text and the marked span in it."""
    match = _MARK.search(text)
    if match is None:
        return text, None
    clean = text[: match.start()] + match.group(1) + text[match.end() :]
    return clean, (match.start(), match.start() + len(match.group(1)))


_OWNER = re.compile(r"\s+@(\w[\w.-]*)\s*$")


def example_draft(text: str) -> Draft:
    """Parse the catalogue's example notation into a Draft with exact spans.

    The notation is deliberately tiny so the rules layer does not depend on the
    real parser (coach.parser sits above it): a line is an objective, a line
    starting with "- " is a key result of the objective above, and a trailing
    "@name" sets the owner. Spans cover the title / key-result text only.
    """
    objectives: list[Objective] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        indent = len(body) - len(body.lstrip())
        stripped = body.strip()
        owner = None
        if m := _OWNER.search(stripped):
            owner, stripped = m.group(1), stripped[: m.start()]
        if stripped.startswith("- "):
            content = stripped[2:].strip()
            start = pos + indent + body.strip().index(content)
            if not objectives:
                raise ValueError(f"key result before any objective: {body!r}")
            objectives[-1].key_results.append(
                KeyResult(text=content, start=start, end=start + len(content), owner=owner)
            )
        elif stripped:
            start = pos + indent
            objectives.append(Objective(title=stripped, start=start, end=start + len(stripped), owner=owner))
        pos += len(line)
    return Draft(text=text, objectives=objectives)


# ---------------------------------------------------------------------------
# Markdown docs
# ---------------------------------------------------------------------------

_SCOPE_TITLES = {"key_result": "Key-result rules", "objective": "Objective rules", "draft": "Draft rules"}


def _bold_mark(text: str) -> str:
    return _MARK.sub(lambda m: f"**{m.group(1)}**", text)


def _render_example(text: str, scope: Scope) -> str:
    if scope == "key_result":
        return f"- {_bold_mark(text)}"
    return "```text\n" + text + "\n```"


def render_markdown(catalogue: Catalogue) -> str:
    """The catalogue as one Markdown page: docs/rules.md, `okr-coach rules`, `/rules`."""
    out = [
        "# Rule catalogue",
        "",
        "<!-- Generated from rules/catalogue.yaml by `python -m rules.catalogue`; do not edit. -->",
        "",
        "Every finding names one of these rules. Ids are stable: a rule that is dropped is marked",
        "retired, never renumbered. A profile (`--profile` or `OKR_COACH_PROFILE`) can switch rules",
        "off, change severities and parameters, and add vocabulary; see `profiles/example.yaml`.",
        "",
        "| Id | Name | Severity | Label | Title |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in catalogue.rules:
        title = f"~~{r.title}~~ (retired)" if r.retired else r.title
        out.append(f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.severity} | {r.label or '-'} | {title} |")
    for scope, heading in _SCOPE_TITLES.items():
        rules = [r for r in catalogue.rules if r.scope == scope]
        if not rules:
            continue
        out += ["", f"## {heading}"]
        for r in rules:
            out += ["", f"### {r.id}", "", f"**{r.title}** (`{r.name}`)" + (" - retired" if r.retired else ""), ""]
            out.append(f"Severity: {r.severity} · Scope: {r.scope} · Label: {r.label or '-'}")
            if r.parameters:
                params = ", ".join(f"`{k}` = {v}" for k, v in r.parameters.items())
                out.append(f"Parameters: {params}")
            out += [
                "",
                f"Message: {r.message}",
                "",
                f"Fix: {r.suggestion}",
                "",
                f"**What it checks.** {r.what}",
                "",
                f"**Why it matters.** {r.why} {r.rationale}",
                "",
                f"**Example.** {r.example}",
                "",
                f"**Instead.** {r.instead}",
            ]
            if r.examples.bad:
                flagged = "Flagged (the span in bold):" if r.scope == "key_result" else "Flagged (the span between [[ ]]):"
                out += ["", flagged, ""]
                out += [_render_example(e, r.scope) for e in r.examples.bad]
            if r.examples.good:
                out += ["", "Not flagged:", ""]
                out += [_render_example(e, r.scope) for e in r.examples.good]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render_markdown(load_catalogue()), end="")
