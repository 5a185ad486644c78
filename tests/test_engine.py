"""The rule engine: spans, offsets, positions for structured input, and agreement with the labels."""

from __future__ import annotations

import json

import pytest

from coach.models import Draft, KeyResult, Objective, resource_dir
from rules.catalogue import example_draft, load_catalogue, split_marked
from rules.engine import RuleEngine
from rules.labels import labels_from_facts


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine()


def rules_of(findings) -> set[str]:
    return {f.rule for f in findings}


def check(engine: RuleEngine, text: str):
    return engine.check_key_result(text, engine.facts(text))


def test_task_span_is_the_verb(engine: RuleEngine) -> None:
    text = "Run 6 customer webinars this quarter"
    [task] = [f for f in check(engine, text) if f.rule == "OKR-K001"]
    assert text[task.start : task.end] == "Run"
    assert task.severity == "error" and task.source == "rule"
    assert "'Run'" in task.message and task.suggestion


def test_offset_shifts_every_span(engine: RuleEngine) -> None:
    text = "Maintain 95% customer satisfaction"
    facts = engine.facts(text)
    plain = engine.check_key_result(text, facts)
    shifted = engine.check_key_result(text, facts, offset=120)
    assert plain and [(f.start + 120, f.end + 120) for f in plain] == [(f.start, f.end) for f in shifted]


def test_stretch_span_is_the_change(engine: RuleEngine) -> None:
    text = "Grow weekly active teams from 200 to 1,000"
    [moon] = [f for f in check(engine, text) if f.rule == "OKR-K009"]
    assert text[moon.start : moon.end] == "200 to 1,000"
    assert "400%" in moon.message and "100%" in moon.message


def test_clean_key_result_has_no_findings(engine: RuleEngine) -> None:
    assert check(engine, "Raise trial-to-paid conversion from 9% to 13%") == []


def test_findings_in_a_parsed_draft_point_into_the_text(engine: RuleEngine) -> None:
    text, _ = split_marked(
        "Implement a new CRM @dana\n- Send 10 sales emails per week\n- Track NPS monthly\n- Track NPS monthly"
    )
    draft = example_draft(text)
    findings = engine.check_all(draft)
    got = {(f.rule, text[f.start : f.end]) for f in findings}
    assert ("OKR-O002", "Implement") in got
    assert ("OKR-K001", "Send") in got
    assert ("OKR-K006", "Track") in got
    assert ("OKR-D003", "Track NPS monthly") in got
    dup = next(f for f in findings if f.rule == "OKR-D003")
    assert dup.start == text.rindex("Track NPS monthly")


def test_check_draft_returns_only_draft_rules(engine: RuleEngine) -> None:
    text = "\n".join(f"Objective number {i}\n- Send {i} emails" for i in range(7))
    found = engine.check_draft(example_draft(text))
    assert found and all(f.rule.startswith("OKR-D") for f in found)
    [too_many] = [f for f in found if f.rule == "OKR-D001"]
    assert text[too_many.start : too_many.end] == "Objective number 5"
    assert too_many.message.startswith("7 objectives")


def test_objective_without_positions_uses_first_key_result() -> None:
    engine = RuleEngine()
    obj = Objective(
        title="Grow revenue to $5M",
        key_results=[KeyResult(text="Raise win rate from 18% to 25%", start=40, end=70)],
    )
    spans = {f.rule: (f.start, f.end) for f in engine.check_objective(obj, [])}
    assert spans["OKR-O001"] == (40, 70)
    assert spans["OKR-O003"] == (40, 70)
    bare = Objective(title="Grow revenue to $5M")
    assert {(f.start, f.end) for f in engine.check_objective(bare, [])} == {(0, 0)}


def test_objective_span_is_title_offset_when_known(engine: RuleEngine) -> None:
    obj = Objective(title="Reach 99.9% uptime", start=10, end=28)
    [target] = [f for f in engine.check_objective(obj, []) if f.rule == "OKR-O001"]
    assert (target.start, target.end) == (16, 21)


def test_missing_owner_on_structured_draft(engine: RuleEngine) -> None:
    draft = Draft(
        objectives=[
            Objective(title="A", owner="kim", key_results=[KeyResult(text="Raise x from 1 to 2")]),
            Objective(title="B", key_results=[KeyResult(text="Raise y from 1 to 2")]),
        ]
    )
    found = [f for f in engine.check_draft(draft) if f.rule == "OKR-D002"]
    assert len(found) == 1 and "objectives" in found[0].message


def test_facts_many_matches_facts(engine: RuleEngine) -> None:
    texts = ["Cut churn from 5% to 3%", "Track NPS monthly", "Launch the portal by Q2"]
    assert engine.facts_many(texts) == [engine.facts(t) for t in texts]


def test_labels_delegate_to_rules_labels(engine: RuleEngine) -> None:
    text = "Keep uptime at 99.9%"
    facts = engine.facts(text)
    assert engine.labels(text, facts) == labels_from_facts(text, facts, engine.lexicon)
    assert engine.labels(text, facts).source == "rules"


def _statements() -> list[str]:
    """Every key-result example in the catalogue plus the good corpus: a wide, varied set."""
    out = []
    for rule in load_catalogue().active("key_result"):
        out += [split_marked(e)[0] for e in rule.examples.bad + rule.examples.good]
    path = resource_dir("data") / "good_key_results.jsonl"
    out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out += [
        "Hold weekly check-ins with every account",
        "Customer satisfaction",
        "Report pipeline weekly",
        "Stay under 2% error rate",
        "Improve onboarding",
        "Go live with the new pricing page",
        "Cut cloud costs by 3%",
        "Triple qualified leads",
    ]
    return out


@pytest.mark.parametrize("text", _statements())
def test_findings_agree_with_labels(engine: RuleEngine, text: str) -> None:
    """The report never contradicts itself: each label-bound finding matches the label shown beside it."""
    facts = engine.facts(text)
    labels = engine.labels(text, facts)
    found = rules_of(engine.check_key_result(text, facts))
    assert ("OKR-K001" in found) == (labels.phrasing == "task")
    assert bool(found & {"OKR-K002", "OKR-K003"}) == (not labels.measurable)
    assert bool(found & {"OKR-K005", "OKR-K006", "OKR-K007"}) == labels.kpi_confusion
    if "OKR-K008" in found:
        assert labels.stretch == "safe"
    if "OKR-K009" in found:
        assert labels.stretch == "moonshot"
    if found & {"OKR-K010", "OKR-K004"}:
        assert labels.stretch == "unknown"
    if labels.stretch == "moonshot":
        assert "OKR-K009" in found or labels.kpi_confusion
    if labels.stretch == "safe" and not labels.kpi_confusion and labels.measurable:
        assert "OKR-K008" in found


@pytest.mark.parametrize(
    "text", ["", "   ", "🚀🚀🚀", "زيادة المبيعات بنسبة 20%", "x" * 3000, "$", "Grow signups from 0 to 500"]
)
def test_odd_statements_give_findings_inside_the_text(engine: RuleEngine, text: str) -> None:
    for f in engine.check_key_result(text, engine.facts(text), offset=7):
        assert 7 <= f.start <= f.end <= 7 + len(text)
        assert "\n" not in f.message and "{" not in f.message


def test_retired_rules_do_not_run() -> None:
    import yaml

    from rules.catalogue import CATALOGUE_PATH, parse_catalogue

    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    next(r for r in raw["rules"] if r["id"] == "OKR-K001")["retired"] = True
    engine = RuleEngine(catalogue=parse_catalogue(raw))
    assert "OKR-K001" not in rules_of(check(engine, "Send 10 sales emails per week"))


def test_a_rule_without_a_check_stops_the_engine() -> None:
    import yaml

    from rules.catalogue import CATALOGUE_PATH, CatalogueError, parse_catalogue

    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    next(r for r in raw["rules"] if r["id"] == "OKR-K011")["name"] = "no-such-check"
    with pytest.raises(CatalogueError, match="OKR-K011"):
        RuleEngine(catalogue=parse_catalogue(raw))
