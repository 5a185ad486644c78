"""The offline coach on its own: library validity, matching, generic fixes, verification, grounding.

Drafts here are invented for these tests. Every suggestion is judged by the
real rule engine (``Coach.assess``), the same way the LLM's are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from coach.grounding import invented_numbers
from coach.offline import (
    ActivityLibrary,
    cadence_of,
    deadline_of,
    default_library,
    load_library,
    match_activities,
    offline_suggestions,
    verb_forms,
)
from coach.pipeline import Coach
from coach.settings import Settings
from coach.verify import verify

DEPARTMENTS = {
    "sales", "marketing", "product", "engineering", "customer-success", "support", "people", "finance",
    "operations", "data", "security", "design", "legal", "it", "supply-chain", "partnerships", "procurement",
    "quality",
}  # fmt: skip


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(Settings(openai_base_url=None, openai_api_key=None))


def flagged(coach: Coach, texts: list[str]):
    reports = coach.assess(texts)
    for r in reports:
        assert any(f.severity in ("error", "warning") for f in r.findings), f"test draft not flagged: {r.text}"
    return reports


def suggest(coach: Coach, text: str) -> list[str]:
    [report] = flagged(coach, [text])
    return [s.text for s in offline_suggestions([report], coach)[0]]


# -- the library ----------------------------------------------------------------


def test_library_covers_every_department_with_enough_patterns():
    lib = default_library()
    assert len(lib.patterns) >= 60
    assert set(lib.departments) == DEPARTMENTS
    per_department = {d: sum(p.department == d for p in lib.patterns) for d in DEPARTMENTS}
    assert min(per_department.values()) >= 3, per_department


def test_every_example_matches_its_own_pattern_first():
    lib = default_library()
    wrong = {p.id: (match_activities(p.example, lib) or [None])[0] for p in lib.patterns}
    wrong = {k: v.id if v else None for k, v in wrong.items() if v is None or v.id != k}
    assert wrong == {}


def test_every_library_outcome_passes_the_engine(coach):
    lib = default_library()
    outcomes = [o.replace("{per}", "per month") for p in lib.patterns for o in p.outcomes]
    verdicts = verify(coach, outcomes, [""] * len(outcomes))
    failing = {o: v.why for o, v in zip(outcomes, verdicts) if not v.ok}
    assert failing == {}


def test_every_library_example_gets_a_verified_suggestion(coach):
    lib = default_library()
    reports = [r for r in coach.assess([p.example for p in lib.patterns]) if any(
        f.severity in ("error", "warning") for f in r.findings)]
    assert len(reports) >= 0.9 * len(lib.patterns)  # the examples are flawed on purpose
    results = offline_suggestions(reports, coach)
    empty = [r.text for r, s in zip(reports, results) if not s]
    assert empty == []


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "lib.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _minimal(**pattern) -> dict:
    base = {"id": "sales-x", "department": "sales", "keywords": ["email"], "example": "Send emails",
            "outcomes": ["Grow meetings from [baseline] to [target]"]}  # fmt: skip
    base.update(pattern)
    return {"version": 1, "departments": ["sales"], "patterns": [base]}


def test_library_loads_a_valid_file(tmp_path):
    assert isinstance(load_library(_write(tmp_path, _minimal())), ActivityLibrary)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcomes": ["Grow meetings from 10 to [target]"]}, "number of its own"),
        ({"outcomes": ["Grow meetings to [goal]"]}, "unknown placeholders"),
        ({"outcomes": ["Grow meetings a lot"]}, "no target"),
        ({"department": "astrology"}, "not listed"),
        ({"keywords": []}, "keywords"),
    ],
)
def test_library_rejects_broken_entries(tmp_path, change, message):
    with pytest.raises(ValidationError, match=message):
        load_library(_write(tmp_path, _minimal(**change)))


def test_library_rejects_duplicate_ids(tmp_path):
    data = _minimal()
    data["patterns"].append(dict(data["patterns"][0]))
    with pytest.raises(ValidationError, match="duplicate pattern ids"):
        load_library(_write(tmp_path, data))


# -- reading helpers -----------------------------------------------------------------


def test_verb_forms_cover_regular_and_irregular_inflections():
    assert {"sends", "sending", "sent"} <= verb_forms("send")
    assert {"ships", "shipped", "shipping"} <= verb_forms("ship")
    assert {"writes", "writing", "wrote", "written"} <= verb_forms("write")


def test_cadence_and_deadline_are_read():
    assert cadence_of("Send 10 emails per week") == "per week"
    assert cadence_of("Publish a post monthly") == "per month"
    assert cadence_of("Publish a post") == "per month"
    assert deadline_of("Launch the portal by Q2") == "by Q2"
    assert deadline_of("Hire two designers by the end of the quarter") == "by the end of the quarter"
    assert deadline_of("Hire two designers") is None


# -- activities -> outcomes ------------------------------------------------------------------


def test_sales_emails_become_meetings_or_pipeline_with_cadence_kept(coach):
    out = suggest(coach, "Email 25 prospects a week about the new analytics add-on")
    assert out, "no suggestion"
    assert any("meetings" in s and "per week" in s for s in out)
    assert all("25" not in s for s in out)  # 25 counted emails, not meetings: it does not carry over
    assert all("[target]" in s for s in out)


def test_milestone_becomes_adoption_and_keeps_the_deadline(coach):
    out = suggest(coach, "Launch the reseller deal-registration portal by Q3")
    assert out
    assert all(s.endswith("by Q3") for s in out)
    assert any("portal" in s for s in out)


def test_unknown_milestone_gets_generic_adoption(coach):
    out = suggest(coach, "Release the warranty-claims kiosk")
    assert out
    assert any("warranty-claims kiosk" in s and "[target]%" in s for s in out)


# -- generic fixes --------------------------------------------------------------------------


def test_maintain_keeps_the_users_level_as_baseline(coach):
    out = suggest(coach, "Maintain 92% on-time delivery to retail stores")
    assert out[0] == "Raise on-time delivery to retail stores from 92% to [target]%"


def test_lower_is_better_metric_is_cut_not_raised(coach):
    out = suggest(coach, "Keep warehouse picking errors below 40 per month")
    assert out and all(s.startswith("Cut") for s in out)
    assert any("from 40 to [target]" in s for s in out)


def test_monitoring_becomes_a_change(coach):
    out = suggest(coach, "Track employee NPS every quarter")
    assert out and all("[target]" in s for s in out)
    assert not any(s.lower().startswith("track") for s in out)


def test_bare_metric_gets_direction_and_placeholders(coach):
    out = suggest(coach, "Average order value")
    assert out == ["Raise average order value from [baseline] to [target]"]


def test_vague_direction_gets_baseline_and_target(coach):
    out = suggest(coach, "Improve supplier on-time delivery")
    assert out and all("from [baseline]" in s for s in out)


def test_missing_baseline_is_a_placeholder_next_to_the_users_target(coach):
    out = suggest(coach, "Grow paying workspaces to 1,800")
    assert out[0] == "Grow paying workspaces from [baseline] to 1,800"


def test_too_safe_target_becomes_a_placeholder_and_keeps_the_baseline(coach):
    out = suggest(coach, "Increase gross bookings from $4.0M to $4.1M")
    assert out == ["Increase gross bookings from $4.0M to $[target]M"]


def test_two_metrics_are_split_one_per_line(coach):
    out = suggest(coach, "Lift renewal rate from 70% to 80% and reduce support backlog from 300 to 150")
    assert out[0].splitlines() == ["Lift renewal rate from 70% to 80%", "Reduce support backlog from 300 to 150"]
    out = suggest(coach, "Grow ARR from $3M to $4M while reducing logo churn from 6% to 4%")
    assert out[0].splitlines() == ["Grow ARR from $3M to $4M", "Reduce logo churn from 6% to 4%"]


# -- properties ----------------------------------------------------------------------------

DRAFTS = [
    "Send 10 sales emails per week",
    "Publish 8 articles on the engineering blog",
    "Maintain 97% first-contact resolution",
    "Monthly active teams",
    "Run 3 supplier negotiation workshops by June",
    "Grow trial sign-ups to 900",
    "Hold 2 customer advisory board meetings",
]


def test_offline_is_deterministic_and_grounded(coach):
    reports = coach.assess(DRAFTS)
    first = offline_suggestions(reports, coach)
    second = offline_suggestions(coach.assess(DRAFTS), coach)
    assert first == second
    for report, suggestions in zip(reports, first):
        assert len(suggestions) <= 3
        for s in suggestions:
            assert s.source == "offline"
            assert invented_numbers(s.text, [report.text]) == [], s.text
            assert set(s.fixes) == {f.rule for f in report.findings if f.severity in ("error", "warning")}


def test_verification_rejects_what_the_engine_flags(coach):
    verdicts = verify(
        coach,
        ["Send 40 more emails per week", "Grow meetings to [goal]", "Track NPS weekly", "Raise NPS from [baseline] to [target]"],
        ["Send 10 emails", "x", "x", "Track NPS"],
    )
    assert [v.ok for v in verdicts] == [False, False, False, True]
    assert "task" in verdicts[0].why or "OKR-K001" in verdicts[0].why
    assert "[goal]" in verdicts[1].why
    assert verdicts[3].placeholders == ["[baseline]", "[target]"]
