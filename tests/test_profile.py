"""Profiles switch rules off, change severities and thresholds, add vocabulary, and fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.catalogue import example_draft
from rules.engine import RuleEngine
from rules.profile import PROFILE_ENV, Profile, ProfileError, load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[1]


def kr_rules(engine: RuleEngine, text: str) -> dict[str, str]:
    return {f.rule: f.severity for f in engine.check_key_result(text, engine.facts(text))}


def draft_with(n_krs: int) -> str:
    krs = [f"- Raise metric {i} from {10 + i} to {15 + i}" for i in range(n_krs)]
    return "\n".join(["Make onboarding effortless", *krs])


def objective_rules(engine: RuleEngine, text: str) -> set[str]:
    return {f.rule for f in engine.check_all(example_draft(text))}


def test_default_profile_changes_nothing() -> None:
    assert load_profile(None) == Profile()
    text = "Send 10 sales emails per week"
    assert kr_rules(RuleEngine(Profile()), text) == kr_rules(RuleEngine(), text)


def test_disable_switches_a_rule_off() -> None:
    text = "Send 10 sales emails per week"
    assert "OKR-K001" in kr_rules(RuleEngine(), text)
    engine = RuleEngine(parse_profile({"disable": ["OKR-K001"]}))
    assert "OKR-K001" not in kr_rules(engine, text)
    assert "OKR-K001" not in {r.spec.id for r in engine.rules()}


def test_severity_override() -> None:
    text = "Increase NPS to 45"
    assert kr_rules(RuleEngine(), text)["OKR-K004"] == "warning"
    engine = RuleEngine(parse_profile({"severity": {"OKR-K004": "info", "OKR-K001": "warning"}}))
    assert kr_rules(engine, text)["OKR-K004"] == "info"
    assert kr_rules(engine, "Send 10 sales emails per week")["OKR-K001"] == "warning"


def test_key_result_range_two_to_four() -> None:
    default = RuleEngine()
    custom = RuleEngine(parse_profile({"parameters": {"OKR-O003": {"min_key_results": 2, "max_key_results": 4}}}))
    assert "OKR-O003" in objective_rules(default, draft_with(2))
    assert "OKR-O003" not in objective_rules(custom, draft_with(2))
    assert "OKR-O003" not in objective_rules(default, draft_with(5))
    assert "OKR-O003" in objective_rules(custom, draft_with(5))
    message = next(f.message for f in custom.check_all(example_draft(draft_with(5))) if f.rule == "OKR-O003")
    assert "2 to 4" in message and message.startswith("5 key results")


def test_stretch_threshold_parameter() -> None:
    text = "Raise trial conversion from 20% to 23%"  # r = 0.15
    assert "OKR-K008" not in kr_rules(RuleEngine(), text)
    strict = RuleEngine(parse_profile({"parameters": {"OKR-K008": {"safe_below": 0.2}}}))
    assert "OKR-K008" in kr_rules(strict, text)


def test_vocabulary_extends_the_lexicon() -> None:
    text = "Frobnicate customer churn from 5% to 3%"
    assert "OKR-K001" not in kr_rules(RuleEngine(), text)
    engine = RuleEngine(parse_profile({"vocabulary": {"activity_verbs": ["frobnicate"]}}))
    assert "frobnicate" in engine.lexicon.activity_verbs
    assert "OKR-K001" in kr_rules(engine, text)


def test_kpi_names_make_a_bare_company_metric_a_kpi() -> None:
    profile = parse_profile({"vocabulary": {"kpi_names": ["widget flux"]}})
    assert profile.lexicon_extra() == {"metric_nouns": ["widget flux"]}
    assert "widget flux" in RuleEngine(profile).lexicon.metric_nouns
    assert "OKR-K007" not in kr_rules(RuleEngine(), "Widget flux")
    assert "OKR-K007" in kr_rules(RuleEngine(profile), "Widget flux")
    assert "OKR-K007" not in kr_rules(RuleEngine(profile), "Gadget flux")


def test_env_var_names_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("disable: [OKR-D002]\nseverity: {OKR-K009: warning}\n", encoding="utf-8")
    monkeypatch.setenv(PROFILE_ENV, str(path))
    profile = load_profile()
    assert profile.disable == ["OKR-D002"] and profile.severity == {"OKR-K009": "warning"}
    monkeypatch.delenv(PROFILE_ENV)
    assert load_profile() == Profile()


def test_explicit_path_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "missing.yaml"))
    path = tmp_path / "p.yaml"
    path.write_text("disable: [OKR-K010]\n", encoding="utf-8")
    assert load_profile(path).disable == ["OKR-K010"]


def test_example_profile_loads_and_runs() -> None:
    profile = load_profile(ROOT / "profiles" / "example.yaml")
    engine = RuleEngine(profile)
    assert "OKR-K010" not in {r.spec.id for r in engine.rules()}
    assert "groom" in engine.lexicon.activity_verbs


def test_empty_file_is_the_empty_profile(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_profile(path) == Profile()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"disable": ["OKR-K999", "OKR-K001"]}, r"unknown rule id.*OKR-K999"),
        ({"severity": {"OKR-K777": "info"}}, r"OKR-K777"),
        ({"parameters": {"OKR-X001": {"a": 1}}}, r"OKR-X001"),
        ({"severity": {"OKR-K001": "fatal"}}, r"severity\.OKR-K001"),
        ({"disabled": ["OKR-K001"]}, r"disabled: Extra inputs"),
        ({"parameters": {"OKR-O003": {"min_krs": 2}}}, r"OKR-O003: unknown parameter.*min_krs.*allowed: min_key_results"),
        ({"parameters": {"OKR-O003": {"min_key_results": "two"}}}, r"expected a number"),
        ({"parameters": {"OKR-O003": {"min_key_results": 2.5}}}, r"whole number"),
        ({"parameters": {"OKR-O003": {"min_key_results": 6}}}, r"min_key_results \(6\) is above max_key_results \(5\)"),
        ({"parameters": {"OKR-K008": {"safe_below": -1}}}, r">= 0"),
        ({"vocabulary": {"verbs": ["groom"]}}, r"unknown vocabulary list.*verbs"),
        ({"vocabulary": {"activity_verbs": "groom"}}, r"vocabulary\.activity_verbs"),
    ],
)
def test_bad_profiles_name_the_problem(data: dict, expected: str) -> None:
    with pytest.raises(ProfileError, match=expected):
        parse_profile(data, "team.yaml")


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="file not found"):
        load_profile(tmp_path / "nope.yaml")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("disable: [OKR-K001\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad_yaml)
    a_list = tmp_path / "list.yaml"
    a_list.write_text("- OKR-K001\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="expected a mapping"):
        load_profile(a_list)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(binary)
