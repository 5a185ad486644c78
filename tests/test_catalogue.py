"""The rule catalogue: every rule's examples run through the real engine, and the schema bites.

Tests are generated from rules/catalogue.yaml, so adding a rule (with its
examples) adds its tests: each bad example must fire the rule exactly once on
the [[marked]] span, no good example may fire it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from rules.catalogue import (
    CATALOGUE_PATH,
    CatalogueError,
    example_draft,
    load_catalogue,
    parse_catalogue,
    render_markdown,
    split_marked,
)
from rules.checks import CHECKS
from rules.engine import RuleEngine

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue()
BAD = [(r.id, ex) for r in CATALOGUE.active() for ex in r.examples.bad]
GOOD = [(r.id, ex) for r in CATALOGUE.active() for ex in r.examples.good]


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine()


def findings_for(engine: RuleEngine, rule_id: str, text: str):
    """Run the whole engine on an example (a statement or a small draft); keep one rule's findings."""
    rule = CATALOGUE.get(rule_id)
    if rule.scope == "key_result":
        found = engine.check_key_result(text, engine.facts(text))
    else:
        found = engine.check_all(example_draft(text))
    return [f for f in found if f.rule == rule_id]


@pytest.mark.parametrize(("rule_id", "example"), BAD, ids=[f"{r}-bad{i}" for i, (r, _) in enumerate(BAD)])
def test_bad_example_fires_on_marked_span(engine: RuleEngine, rule_id: str, example: str) -> None:
    text, span = split_marked(example)
    hits = findings_for(engine, rule_id, text)
    assert len(hits) == 1, f"{rule_id} should fire once on {text!r}, got {hits}"
    got = (hits[0].start, hits[0].end)
    assert got == span, f"{rule_id} span {text[got[0]:got[1]]!r}, expected {text[span[0]:span[1]]!r}"
    finding = hits[0]
    assert finding.severity == CATALOGUE.get(rule_id).severity
    assert finding.source == "rule"
    assert "\n" not in finding.message and "{" not in finding.message and finding.message
    assert finding.suggestion and "{" not in finding.suggestion


@pytest.mark.parametrize(("rule_id", "example"), GOOD, ids=[f"{r}-good{i}" for i, (r, _) in enumerate(GOOD)])
def test_good_example_does_not_fire(engine: RuleEngine, rule_id: str, example: str) -> None:
    assert findings_for(engine, rule_id, example) == []


KR_GOOD = [ex for r in CATALOGUE.active("key_result") for ex in r.examples.good]


@pytest.mark.parametrize("example", KR_GOOD)
def test_good_key_result_examples_are_clean(engine: RuleEngine, example: str) -> None:
    """A fix must not trade one problem for another: good examples raise no warning or error at all."""
    serious = [f for f in engine.check_key_result(example, engine.facts(example)) if f.severity != "info"]
    assert serious == [], f"{example!r}: {[(f.rule, f.message) for f in serious]}"


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    names = {r.name for r in CATALOGUE.active()}
    assert names == set(CHECKS)


def test_catalogue_covers_the_required_checks() -> None:
    names = {r.name for r in CATALOGUE.active()}
    required = {
        "task-phrasing", "not-measurable", "binary-milestone", "no-baseline", "maintain-metric",
        "monitoring-metric", "bare-metric", "stretch-too-safe", "moonshot", "stretch-unknown",
        "two-metrics", "objective-with-target", "objective-is-task", "objective-title-too-long",
        "key-result-count", "too-many-objectives", "missing-owner", "duplicate-key-result",
        "objective-without-key-results",
    }  # fmt: skip
    assert required <= names
    # The brief's defaults: task, unmeasurable and KPI-confused key results are errors.
    for name in ("task-phrasing", "not-measurable", "binary-milestone", "maintain-metric", "bare-metric"):
        assert next(r for r in CATALOGUE.rules if r.name == name).severity == "error"


def test_docs_are_up_to_date() -> None:
    """docs/rules.md is generated; regenerate with `python -m rules.catalogue > docs/rules.md`."""
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_markdown(CATALOGUE)


def test_docs_follow_what_why_example_instead() -> None:
    md = render_markdown(CATALOGUE)
    for rule in CATALOGUE.active():
        section = md.split(f"### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        for heading in ("What it checks.", "Why it matters.", "Example.", "Instead."):
            assert heading in section, (rule.id, heading)


def test_split_marked_and_example_draft_spans() -> None:
    text, span = split_marked("Grow NPS to [[45]]")
    assert (text, text[span[0] : span[1]]) == ("Grow NPS to 45", "45")
    draft = example_draft("Win the market @dana\n- Raise win rate from 20% to 27% @li\n  - Cut cycle from 80 to 60 days")
    obj = draft.objectives[0]
    assert (obj.title, obj.owner, draft.text[obj.start : obj.end]) == ("Win the market", "dana", "Win the market")
    krs = obj.key_results
    assert [draft.text[k.start : k.end] for k in krs] == [k.text for k in krs]
    assert [k.owner for k in krs] == ["li", None]


# ---------------------------------------------------------------------------
# A malformed catalogue fails at load time, naming the problem
# ---------------------------------------------------------------------------


@pytest.fixture
def raw() -> dict:
    return copy.deepcopy(yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8")))


def _rule(raw: dict, rule_id: str) -> dict:
    return next(r for r in raw["rules"] if r["id"] == rule_id)


def test_the_raw_catalogue_parses(raw: dict) -> None:
    assert parse_catalogue(raw).ids == CATALOGUE.ids


def test_duplicate_id_is_rejected(raw: dict) -> None:
    clone = copy.deepcopy(_rule(raw, "OKR-K001"))
    clone["name"] = "another-name"
    raw["rules"].append(clone)
    with pytest.raises(CatalogueError, match=r"duplicate rule id.*OKR-K001"):
        parse_catalogue(raw)


def test_duplicate_name_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K002")["name"] = "task-phrasing"
    with pytest.raises(CatalogueError, match="duplicate rule name"):
        parse_catalogue(raw)


def test_missing_examples_are_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K002")["examples"]["good"] = ["Raise CSAT from 70% to 80%"]
    with pytest.raises(CatalogueError, match="OKR-K002.*at least 2 bad and 2 good"):
        parse_catalogue(raw)


def test_retired_rule_needs_no_examples(raw: dict) -> None:
    rule = _rule(raw, "OKR-K011")
    rule["retired"] = True
    rule["examples"] = {"bad": [], "good": []}
    assert "OKR-K011" not in [r.id for r in parse_catalogue(raw).active()]


def test_bad_example_without_span_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K001")["examples"]["bad"][0] = "Send 10 emails a week"
    with pytest.raises(CatalogueError, match=r"OKR-K001.*\[\[span\]\]"):
        parse_catalogue(raw)


@pytest.mark.parametrize("bad_id", ["OKR-K1", "OKR-X001", "K001", "okr-k001"])
def test_id_format_is_enforced(raw: dict, bad_id: str) -> None:
    _rule(raw, "OKR-K001")["id"] = bad_id
    with pytest.raises(CatalogueError, match="id"):
        parse_catalogue(raw)


def test_scope_must_match_id_letter(raw: dict) -> None:
    _rule(raw, "OKR-K001")["scope"] = "draft"
    with pytest.raises(CatalogueError, match="OKR-D"):
        parse_catalogue(raw)


def test_unknown_severity_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K001")["severity"] = "fatal"
    with pytest.raises(CatalogueError, match="OKR-K001: rules.0.severity"):
        parse_catalogue(raw)


def test_unknown_placeholder_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K001")["message"] = "The {verbb} is a task"
    with pytest.raises(CatalogueError, match="verbb"):
        parse_catalogue(raw)


def test_multi_line_message_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K001")["message"] = "line one\nline two"
    with pytest.raises(CatalogueError, match="single line"):
        parse_catalogue(raw)


def test_unknown_field_is_rejected(raw: dict) -> None:
    _rule(raw, "OKR-K001")["sevrity"] = "error"
    with pytest.raises(CatalogueError, match="sevrity"):
        parse_catalogue(raw)


def test_unreadable_catalogue_file(tmp_path: Path) -> None:
    bad = tmp_path / "catalogue.yaml"
    bad.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="cannot read rule catalogue"):
        load_catalogue(bad)
