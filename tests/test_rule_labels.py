"""Rule-only labels follow the definitions of LABELS.md (statements invented for these tests)."""

from __future__ import annotations

import pytest

from coach.models import Facts
from rules.facts import extract_facts
from rules.labels import labels_from_facts, relative_change


def labels(text: str):
    return labels_from_facts(text, extract_facts(text))


PHRASING = [
    ("Send 15 prospecting emails a day", "task"),
    ("Run 3 customer webinars", "task"),
    ("Launch 4 regional campaigns", "task"),
    ("Write the incident response runbook", "task"),
    ("Hire 3 support agents", "task"),
    ("Conduct quarterly security training for all staff", "task"),
    ("Migrate billing to the new payment provider", "task"),
    ("Increase the number of blog posts from 4 to 8 a month", "task"),
    ("Close 12 mid-market deals", "outcome"),
    ("Grow expansion revenue from $40k to $60k", "outcome"),
    ("Reduce onboarding drop-off by 20%", "outcome"),
    ("Book 30 discovery meetings with target accounts", "outcome"),
    ("Retain 92% of annual customers", "outcome"),
    ("NPS of 50", "outcome"),
    ("300 developers join the community forum", "outcome"),
    # a count of people who act is a result; the same people acted on by the team is the team's work
    ("45 teens apply for the summer coding camp", "outcome"),
    ("30 parents at every open evening", "outcome"),
    ("40 tutors recruited for the reading club", "task"),
    ("Two panels run with the alumni network", "task"),
    ("Get 25 new partners to list our app", "outcome"),
]


@pytest.mark.parametrize(("text", "expected"), PHRASING)
def test_phrasing(text: str, expected: str) -> None:
    assert labels(text).phrasing == expected


MEASURABLE = [
    ("Send 10 outreach emails per week", True),  # a task can be measurable
    ("Grow trial conversions by 25%", True),  # relative target counts
    ("Double repeat purchases", True),
    ("Keep checkout errors below 0.5%", True),
    ("Improve customer satisfaction", False),  # vague direction
    ("Website traffic", False),  # bare metric
    ("Launch the partner portal by Q2", False),  # milestone + deadline
    ("Finish the data warehouse migration by March 31", False),
]


@pytest.mark.parametrize(("text", "expected"), MEASURABLE)
def test_measurable(text: str, expected: bool) -> None:
    assert labels(text).measurable is expected


KPI = [
    ("Maintain 95% customer satisfaction", True),
    ("Keep uptime at 99.9%", True),
    ("Sustain a 40% gross margin", True),
    ("Monthly recurring revenue", True),
    ("Churn rate", True),
    ("Track NPS monthly", True),
    ("Report pipeline coverage weekly", True),
    ("Build a dashboard of activation metrics", True),
    ("Increase NPS from 30 to 35", False),  # a change, even a small one
    ("Close 10 new enterprise deals", False),
    ("Write the onboarding guide", False),
]


@pytest.mark.parametrize(("text", "expected"), KPI)
def test_kpi_confusion(text: str, expected: bool) -> None:
    assert labels(text).kpi_confusion is expected


STRETCH = [
    ("Increase NPS from 40 to 42", "safe"),  # r = 0.05
    ("Grow monthly revenue from $100k to $125k", "stretch"),  # r = 0.25
    ("Reduce churn from 3% to 2%", "stretch"),  # r = 1/3
    ("Grow active teams from 200 to 800", "moonshot"),  # r = 3
    ("Increase signups by 5%", "safe"),
    ("Increase signups by 100%", "stretch"),  # r = 1.0 is still stretch
    ("Double signups", "stretch"),  # r = 1
    ("Triple signups", "moonshot"),  # r = 2
    ("Grow downloads 10x", "moonshot"),  # r = 9
    ("Halve support backlog", "stretch"),  # r = 0.5
    ("Raise uptime from 99.0% to 99.9%", "stretch"),  # gap 1.0 -> 0.1: r = 0.9
    ("Raise uptime from 99.5% to 99.95%", "stretch"),  # gap 0.5 -> 0.05: r = 0.9 (plain r would be safe)
    ("Raise test pass rate from 96% to 96.2%", "safe"),  # gap 4 -> 3.8: r = 0.05
    ("Raise uptime from 95% to 99.99%", "stretch"),  # gap 5 -> 0.01: r ~ 1.0
    ("Keep churn under 2%", "safe"),  # keep/maintain: no change asked
    ("Maintain 99.9% availability", "safe"),
    ("Close 10 new enterprise deals", "unknown"),  # no baseline, no relative change
    ("Improve customer satisfaction", "unknown"),
]


@pytest.mark.parametrize(("text", "expected"), STRETCH)
def test_stretch(text: str, expected: str) -> None:
    assert labels(text).stretch == expected


def test_bounded_gap_rule_is_exact() -> None:
    facts = extract_facts("Raise uptime from 99.0% to 99.9%")
    assert relative_change(facts) == pytest.approx(0.9)
    # the same numbers, not a bounded rate, use the plain ratio
    plain = Facts(baseline=99.0, target=99.9, unit="count")
    assert relative_change(plain) == pytest.approx(0.9 / 99.0)
    # below 90% the gap rule does not apply
    assert relative_change(extract_facts("Raise completion from 80% to 90%")) == pytest.approx(0.125)


def test_labels_are_rules_with_probabilities() -> None:
    result = labels("Grow expansion revenue from $40k to $60k")
    assert result.source == "rules"
    for name, classes in result.probabilities.items():
        assert sum(classes.values()) == pytest.approx(1.0, abs=0.01), name
    assert result.probabilities["phrasing"]["outcome"] > 0.5
    assert result.probabilities["measurable"]["true"] > 0.5
    assert result.probabilities["stretch"]["stretch"] > 0.5


def test_recurring_activity_is_measurable_kpi_confusion() -> None:
    result = labels("Host the community call every month")
    assert result.phrasing == "task"
    assert result.kpi_confusion is True
    assert result.measurable is True


# Frequencies written as weekdays or counts per period make a recurring activity measurable; watching a
# metric on a schedule stays a monitoring item (not measurable), as the data card says.
FREQUENCY_FORMS = [
    ("Water the greenhouse every Saturday", True),
    ("Phone grandad every other Wednesday", True),
    ("Team retro every 3rd Thursday, facilitator rotates", False),  # no verb: a bare calendar item
    ("Restock the shelves every 4 hours", True),
    ("Practise scales twice a week", True),
    ("Track shop conversion every Friday", False),
    ("Monitor response times every Monday", False),
]


@pytest.mark.parametrize(("text", "expected"), FREQUENCY_FORMS)
def test_frequency_forms_are_measurable(text: str, expected: bool) -> None:
    assert labels(text).measurable is expected


def test_kept_habit_is_a_safe_task_and_kept_level_an_outcome() -> None:
    habit = labels("keep writing a diary entry twice a week")
    assert (habit.phrasing, habit.kpi_confusion, habit.stretch) == ("task", True, "safe")
    level = labels("Refund requests under 2%, as always")
    assert (level.phrasing, level.kpi_confusion, level.stretch) == ("outcome", True, "safe")


@pytest.mark.parametrize(
    ("text", "stretch"),
    [
        ("Guided walks: 3/month -> 12/month", "moonshot"),  # r = 3
        ("Cake orders 40 → 50 a week", "stretch"),  # r = 0.25
        ("5k time 26:00 → 25:00", "safe"),  # r = 0.04
        ("Raise £30,000 at the gala (last year £24k)", "stretch"),  # r = 0.25
        ("Return visitors x4 (now ~200 a month)", "moonshot"),  # r = 3
        ("Cycle to work 4x a week", "unknown"),  # a frequency, not a multiplier
    ],
)
def test_stretch_from_field_forms(text: str, stretch: str) -> None:
    assert labels(text).stretch == stretch
