"""The scoring pipeline: text -> Draft -> facts -> findings -> labels -> Report.

``Coach`` is the one object the CLI, the web app, the rewriter and the example
generator share, so they all judge a key result the same way. It is cheap to
call and expensive to build (spaCy pipeline, catalogue, classifier artifacts),
so build one per process and reuse it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from coach.errors import InputError
from coach.models import (
    ClassifyItem,
    Draft,
    Facts,
    Finding,
    KeyResult,
    KeyResultReport,
    Labels,
    Objective,
    ObjectiveReport,
    Report,
    Summary,
)
from coach.parser import parse_draft
from coach.settings import Settings, get_settings
from classifiers.hybrid import attribute_findings
from classifiers.model import LabelModel
from rules.catalogue import Catalogue
from rules.engine import RuleEngine
from rules.profile import Profile, load_profile

__all__ = ["Catalogue", "Coach", "score_findings"]  # Catalogue: re-exported for the web layer

# Score weights: an error costs more than a warning; info is advice only.
_PENALTY = {"error": 12, "warning": 4, "info": 0}


def score_findings(findings: Iterable[Finding], key_results: int) -> int:
    """0-100, 100 = nothing to fix.

    The penalty is spread over the draft's size so a 12-key-result draft with
    one slip is not judged like a 1-key-result draft with the same slip.
    """
    penalty = sum(_PENALTY[f.severity] for f in findings)
    scale = max(1.0, key_results / 4)
    score = max(0, min(100, round(100 - penalty / scale)))
    # A large draft spreads a few errors so thin they round away; 100 must still mean nothing to fix.
    return min(score, 99) if penalty else score


class Coach:
    """Builds reports with one rule engine and (when trained) one classifier."""

    def __init__(self, settings: Settings | None = None, profile: Profile | None = None) -> None:
        self.settings = settings or get_settings()
        self.profile = profile if profile is not None else load_profile(self.settings.profile)
        self.engine = RuleEngine(self.profile)
        self.model: LabelModel | None = LabelModel.load() if self.settings.use_classifiers else None

    # -- parsing -----------------------------------------------------------

    def parse(self, text: str) -> Draft:
        return parse_draft(text)

    def draft_from_objectives(self, objectives: list[Objective]) -> Draft:
        """Give structured input a text of its own so every span still points somewhere real."""
        lines: list[str] = []
        pos = 0
        built: list[Objective] = []

        def add(line: str) -> tuple[int, int]:
            nonlocal pos
            start = pos
            lines.append(line)
            pos += len(line) + 1
            return start, start + len(line)

        for obj in objectives:
            s, e = add(f"Objective: {obj.title}")
            s += len("Objective: ")
            krs = []
            for kr in obj.key_results:
                ks, ke = add(f"- {kr.text}")
                krs.append(kr.model_copy(update={"start": ks + 2, "end": ke}))
            built.append(obj.model_copy(update={"start": s, "end": e, "key_results": krs}))
            add("")
        return Draft(text="\n".join(lines), objectives=built)

    # -- labelling ----------------------------------------------------------

    def label(self, texts: list[str], facts: list[Facts]) -> tuple[list[Labels], list[Labels]]:
        """(final labels, rule labels): hybrid when a classifier artifact is present, else the rules'."""
        rule_labels = [self.engine.labels(t, f) for t, f in zip(texts, facts)]
        if self.model is None or not texts:
            return rule_labels, rule_labels
        return self.model.predict(texts, facts, rule_labels), rule_labels

    def _key_result_reports(
        self, key_results: list[KeyResult], texts: list[str], offsets: list[int]
    ) -> list[KeyResultReport]:
        facts = self.engine.facts_many(texts)
        labels, rule_labels = self.label(texts, facts)
        reports = []
        for kr, text, offset, fact, label, rule_label in zip(key_results, texts, offsets, facts, labels, rule_labels):
            # The checks read the labels they are given, so findings follow the final labels.
            findings = self.engine.check_key_result(text, fact, offset=offset, labels=label)
            findings = attribute_findings(findings, label, rule_label, self.engine.catalogue)
            reports.append(
                KeyResultReport(
                    text=text,
                    start=offset,
                    end=offset + len(text),
                    owner=kr.owner,
                    progress=kr.progress,
                    phrasing=label.phrasing,
                    measurable=label.measurable,
                    kpi_confusion=label.kpi_confusion,
                    stretch=label.stretch,
                    probabilities=label.probabilities,
                    facts=fact,
                    findings=findings,
                )
            )
        return reports

    def assess(self, texts: list[str]) -> list[KeyResultReport]:
        """Labels and key-result findings for standalone statements (offsets per statement)."""
        return self._key_result_reports([KeyResult(text=t) for t in texts], list(texts), [0] * len(texts))

    # -- the report ---------------------------------------------------------

    def check(self, source: str | Draft, *, rewrites: bool = False) -> Report:
        draft = source if isinstance(source, Draft) else self.parse(source)
        if not draft.objectives:
            raise InputError("no objectives or key results were found in the draft", field="text")

        flat: list[tuple[int, KeyResult]] = []
        for oi, obj in enumerate(draft.objectives):
            for kr in obj.key_results:
                flat.append((oi, kr))
        texts = [kr.text for _, kr in flat]
        offsets = [kr.start if kr.start is not None else 0 for _, kr in flat]
        kr_reports = self._key_result_reports([kr for _, kr in flat], texts, offsets)

        objective_reports: list[ObjectiveReport] = []
        for oi, obj in enumerate(draft.objectives):
            mine = [r for (o, _), r in zip(flat, kr_reports) if o == oi]
            obj_findings = self.engine.check_objective(obj, [r.facts for r in mine])
            start = obj.start if obj.start is not None else (mine[0].start if mine else 0)
            end = obj.end if obj.end is not None else start
            objective_reports.append(
                ObjectiveReport(
                    title=obj.title,
                    start=start,
                    end=end,
                    owner=obj.owner,
                    findings=obj_findings,
                    key_results=mine,
                )
            )

        report = Report(
            text=draft.text,
            objectives=objective_reports,
            findings=self.engine.check_draft(draft),
            score=100,
            labels_source="hybrid" if self.model is not None else "rules",
        )
        everything = report.all_findings()
        report.score = score_findings(everything, len(kr_reports))
        report.summary = Summary(
            objectives=len(objective_reports),
            key_results=len(kr_reports),
            errors=sum(f.severity == "error" for f in everything),
            warnings=sum(f.severity == "warning" for f in everything),
            infos=sum(f.severity == "info" for f in everything),
        )
        if rewrites:
            from coach.rewrite import suggest_rewrites

            report.rewrites = suggest_rewrites(report, self)
        return report

    # -- the classify contract ---------------------------------------------

    def classify(self, items: list[Mapping[str, Any]]) -> list[ClassifyItem]:
        """One ClassifyItem per input item, in input order (the stable contract)."""
        ids: list[str] = []
        texts: list[str] = []
        for n, item in enumerate(items):
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"item {n} has no 'text'", field=f"items[{n}].text")
            ids.append(str(item.get("id", n)))
            texts.append(text)
        facts = self.engine.facts_many(texts)
        labels, _ = self.label(texts, facts)
        return [
            ClassifyItem(
                id=i,
                phrasing=lab.phrasing,
                measurable=lab.measurable,
                kpi_confusion=lab.kpi_confusion,
                stretch=lab.stretch,
                probabilities=lab.probabilities,
            )
            for i, lab in zip(ids, labels)
        ]
