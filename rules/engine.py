"""The rule engine: catalogue + profile + checks -> Findings.

One ``RuleEngine`` per profile. It resolves, once, which rules are on, their
severities and parameters, and the lexicon (with the profile's vocabulary),
then applies the registered checks (rules/checks.py) to key results,
objectives and whole drafts. Findings all have the shared
``coach.models.Finding`` shape with ``source="rule"`` and spans in the
draft's text.

Positions: key-result spans are shifted by the ``offset`` the caller gives
(the key result's start in the draft). Objective findings point into the
objective's title span when the parser knows it; for structured input with no
positions they fall back to the first positioned key result's span, else
(0, 0) - see ``rules.checks.objective_span``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coach.models import Draft, Facts, Finding, Labels, Objective, Severity
from rules.catalogue import Catalogue, CatalogueError, RuleSpec, Scope, load_catalogue
from rules.checks import (
    CHECKS,
    Check,
    DraftContext,
    Hit,
    KeyResultContext,
    ObjectiveContext,
    objective_span,
)
from rules.facts import extract_facts, extract_facts_many
from rules.labels import labels_from_facts
from rules.lexicon import Lexicon, load_lexicon
from rules.profile import Profile, ProfileError


@dataclass(frozen=True)
class ActiveRule:
    """A catalogue rule as this engine runs it: profile severity and parameters applied."""

    spec: RuleSpec
    check: Check
    severity: Severity
    params: dict[str, Any]


class _Values(dict):
    def __init__(self, rule_id: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.rule_id = rule_id

    def __missing__(self, key: str) -> str:
        raise KeyError(f"{self.rule_id}: its check gave no value for message placeholder {{{key}}}")


class RuleEngine:
    """Checks key results, objectives and drafts against the (profiled) catalogue."""

    def __init__(self, profile: Profile | None = None, catalogue: Catalogue | None = None) -> None:
        self.catalogue: Catalogue = catalogue or load_catalogue()
        self.profile: Profile = profile or Profile()
        try:
            self.profile.validate_against(self.catalogue)
        except ValueError as exc:
            raise ProfileError(f"profile: {exc}") from None
        self.lexicon: Lexicon = load_lexicon(extra=self.profile.lexicon_extra())
        missing = [r.id for r in self.catalogue.active() if r.name not in CHECKS]
        if missing:
            raise CatalogueError(f"rule(s) with no registered check: {missing}")
        self._rules: dict[Scope, list[ActiveRule]] = {"key_result": [], "objective": [], "draft": []}
        for spec in self.catalogue.active():
            if self.profile.enabled(spec.id):
                self._rules[spec.scope].append(
                    ActiveRule(
                        spec=spec,
                        check=CHECKS[spec.name],
                        severity=self.profile.severity_for(spec.id, spec.severity),
                        params=self.profile.parameters_for(spec.id, spec.parameters),
                    )
                )

    # -- facts and labels -------------------------------------------------------

    def facts(self, text: str) -> Facts:
        return extract_facts(text, lexicon=self.lexicon)

    def facts_many(self, texts: Iterable[str]) -> list[Facts]:
        return extract_facts_many(list(texts), lexicon=self.lexicon)

    def labels(self, text: str, facts: Facts) -> Labels:
        """The four labels from the rules alone (``source="rules"``)."""
        return labels_from_facts(text, facts, self.lexicon)

    def rules(self, scope: Scope | None = None) -> list[ActiveRule]:
        """The rules this engine runs (after the profile), in catalogue order."""
        if scope is not None:
            return list(self._rules[scope])
        return [r for rules in self._rules.values() for r in rules]

    # -- checks -----------------------------------------------------------------

    def check_key_result(
        self, text: str, facts: Facts, offset: int = 0, labels: Labels | None = None
    ) -> list[Finding]:
        """Findings for one key result; spans shifted by ``offset`` into the draft.

        ``labels`` may be passed when the caller already has the rule labels, to
        avoid computing them twice; they must be the rule labels of ``text``.
        """
        labels = labels if labels is not None else self.labels(text, facts)
        ctx = KeyResultContext(text=text, facts=facts, labels=labels, lexicon=self.lexicon)
        out: list[Finding] = []
        for rule in self._rules["key_result"]:
            for hit in rule.check(ctx, rule.params):
                out.append(self._finding(rule, hit, offset))
        return _sorted(out)

    def check_objective(self, obj: Objective, kr_facts: list[Facts] | None = None) -> list[Finding]:
        """Objective-level findings (title, key-result count); spans into the draft."""
        rules = self._rules["objective"]
        if not rules:
            return []
        ctx = ObjectiveContext(objective=obj, title_facts=self.facts(obj.title), kr_facts=list(kr_facts or []))
        out: list[Finding] = []
        for rule in rules:
            for hit in rule.check(ctx, rule.params):
                start, end = objective_span(obj, (hit.start, hit.end))
                out.append(self._finding(rule, Hit(start, end, hit.values), 0))
        return _sorted(out)

    def check_draft(self, draft: Draft) -> list[Finding]:
        """Draft-level findings only (objective count, owners, duplicates); absolute spans."""
        out: list[Finding] = []
        ctx = DraftContext(draft=draft, lexicon=self.lexicon)
        for rule in self._rules["draft"]:
            for hit in rule.check(ctx, rule.params):
                out.append(self._finding(rule, hit, 0))
        return _sorted(out)

    def check_all(self, draft: Draft) -> list[Finding]:
        """Every finding for a draft: key results, objectives and the draft (for tests and tools)."""
        out = self.check_draft(draft)
        for obj in draft.objectives:
            texts = [kr.text for kr in obj.key_results]
            facts = self.facts_many(texts)
            out += self.check_objective(obj, facts)
            for kr, f in zip(obj.key_results, facts, strict=True):
                out += self.check_key_result(kr.text, f, offset=kr.start or 0)
        return _sorted(out)

    # -- internals --------------------------------------------------------------

    def _finding(self, rule: ActiveRule, hit: Hit, offset: int) -> Finding:
        values = {**rule.params, **hit.values}
        message = rule.spec.message.format_map(_Values(rule.spec.id, values))
        return Finding(
            rule=rule.spec.id,
            severity=rule.severity,
            message=" ".join(message.split()),
            start=hit.start + offset,
            end=max(hit.start, hit.end) + offset,
            suggestion=" ".join(rule.spec.suggestion.format_map(_Values(rule.spec.id, values)).split()),
            source="rule",
        )


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))
