"""Fact extraction reads every number, unit, direction and deadline form the coach promises to read.

Statements are invented for these tests. Each case asserts values *and*
spans (``text[start:end]``), so a regression in either shows up here.
"""

from __future__ import annotations

import pytest

from rules.facts import extract_facts, extract_facts_many
from rules.lexicon import load_lexicon
from rules.nlp import get_nlp

# (statement, expected Facts fields)
CASES: list[tuple[str, dict]] = [
    # money
    ("Grow partner revenue from $10,000 to $14,000 per month",
     {"baseline": 10000, "target": 14000, "unit": "currency", "currency": "USD", "direction": "increase"}),
    ("Reach 10k paying subscribers", {"target": 10000, "unit": "count", "direction": "increase"}),
    ("Book 1.5M in annual contract value", {"target": 1_500_000}),
    ("Win EUR 2m of renewals in the DACH region", {"target": 2_000_000, "unit": "currency", "currency": "EUR"}),
    ("Raise €2m in seed funding", {"target": 2_000_000, "unit": "currency", "currency": "EUR"}),
    # baseline -> target
    ("Lift onboarding completion from 65% to 85%",
     {"baseline": 65, "target": 85, "unit": "percent", "direction": "increase", "bounded_percent": True}),
    ("Reduce monthly logo churn from 3% to 2%",
     {"baseline": 3, "target": 2, "unit": "percent", "direction": "decrease"}),
    ("NPS 30 -> 45", {"baseline": 30, "target": 45, "unit": "score", "direction": "increase", "metric": "NPS"}),
    ("Developer NPS 30→45", {"baseline": 30, "target": 45, "unit": "score", "direction": "increase"}),
    ("Grow newsletter subscribers to 9,000 (currently 6,000)",
     {"baseline": 6000, "target": 9000, "direction": "increase"}),
    # relative change and magnitude words
    ("Shorten the quote-to-cash cycle by 25%",
     {"relative_change": 0.25, "direction": "decrease", "target": None, "unit": "percent"}),
    ("Double weekly active workspaces", {"relative_change": 1.0, "magnitude_word": "Double", "direction": "increase"}),
    ("Halve the time to first reply", {"relative_change": 0.5, "direction": "decrease"}),
    ("Triple inbound demo requests", {"relative_change": 2.0, "direction": "increase"}),
    ("Grow self-serve signups 10x", {"relative_change": 9.0, "magnitude_word": "10x", "direction": "increase"}),
    ("Partner-sourced pipeline up fivefold", {"relative_change": 4.0, "magnitude_word": "fivefold"}),
    ("grow docs traffic tenfold", {"relative_change": 9.0, "magnitude_word": "tenfold"}),
    # an adverb says the change is big, not how big; a hyphenated "double-" names a thing
    ("Significantly improve onboarding NPS", {"relative_change": None, "magnitude_word": "Significantly"}),
    ("Double-entry checks on every ledger write", {"relative_change": None, "magnitude_word": None}),
    ("Double-digit growth in partner revenue", {"relative_change": 0.1, "magnitude_word": "Double-digit"}),
    ("Cut unplanned downtime by a third", {"relative_change": 1 / 3, "direction": "decrease"}),
    ("repeat purchases up by a quarter", {"relative_change": 0.25}),
    ("Cut the review backlog in half", {"relative_change": 0.5}),
    ("Meet a third of the board before March", {"relative_change": None}),
    # a number inside a name counts nothing (lexicon named_numbers)
    ("360 feedback for every team lead", {"quantities": [], "target": None}),
    ("9-box calibration for all directors", {"quantities": [], "target": None}),
    ("Day-30 retention from 20% to 25%", {"baseline": 20, "target": 25}),
    ("p95 checkout latency to 5s", {"target": 5, "unit": "duration"}),
    # comparators and thresholds
    ("Cut average ticket resolution time to under 2 hours",
     {"target": 2, "unit": "duration", "comparator": "<", "direction": "decrease"}),
    ("Payment failures < 5%", {"target": 5, "unit": "percent", "comparator": "<"}),
    ("Reach at least 95% unit test coverage", {"target": 95, "unit": "percent", "comparator": ">=", "bounded_percent": True}),
    ("Keep API availability at 99.9%", {"target": 99.9, "unit": "percent", "is_maintain": True, "direction": "maintain"}),
    # scores, ratios, durations
    ("Raise app store rating to 4.5/5", {"target": 4.5, "unit": "score"}),
    ("Bring LTV:CAC to 3:1", {"target": 3.0, "unit": "ratio"}),
    ("Cut new-hire ramp-up to 2 weeks", {"target": 2, "unit": "duration", "direction": "decrease"}),
    ("Improve p95 latency to 300ms", {"target": 300, "unit": "duration", "direction": "decrease", "metric": "p95 latency"}),
    # plain counts: tasks and outcomes
    ("Send 12 partner newsletters per quarter", {"target": 12, "unit": "count", "is_activity_verb": True, "verb_lemma": "send"}),
    ("Close 8 new enterprise deals", {"target": 8, "is_outcome_verb": True, "verb_lemma": "close"}),
    ("Hire two backend engineers", {"target": 2, "is_activity_verb": True}),
    # no numbers
    ("Improve customer happiness", {"target": None, "baseline": None, "relative_change": None, "direction": "increase"}),
    ("Track activation rate monthly", {"is_monitoring": True, "target": None}),
    ("Maintain a healthy sales pipeline", {"is_maintain": True, "direction": "maintain"}),
    # keep wording after an infinitive "to", with the owner first
    ("Every agent to keep first response under 2h", {"is_maintain": True, "verb_lemma": "keep"}),
    ("The roadmap to keep costs flat", {"is_maintain": False}),
    # a year-shaped number opening a Title Case statement counts when a plural noun follows
    ("1800 Members renewed by March", {"target": 1800, "deadline": "March"}),
    ("2026 Report published", {"target": None, "deadline": "2026"}),
    ("Launch the partner portal", {"is_milestone": True, "target": None, "is_activity_verb": True}),
    ("Eliminate unplanned downtime", {"target": 0, "direction": "decrease"}),
]


def assert_facts(text: str, expected: dict) -> None:
    """Each expected field of the facts read from ``text`` (numbers to float tolerance)."""
    facts = extract_facts(text)
    for field, value in expected.items():
        actual = getattr(facts, field)
        if isinstance(value, float | int) and not isinstance(value, bool) and actual is not None:
            assert actual == pytest.approx(value), (field, facts)
        else:
            assert actual == value, (field, facts)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads_values(text: str, expected: dict) -> None:
    assert_facts(text, expected)


DEADLINES = [
    ("Ship the billing redesign by Q2", "Q2"),
    ("Cut refund time to 3 days by June 14", "June 14"),
    ("Publish the security whitepaper by end of quarter", "end of quarter"),
    ("Get SOC 2 Type I report by EOQ", "EOQ"),
    ("Open the Lisbon office in H1 2026", "H1 2026"),
    ("Become cash-flow positive by 2027", "2027"),
    ("Migrate all tenants to the new cluster before the end of the year", "the end of the year"),
    ("Reach 500 beta users within the next 6 months", "within the next 6 months"),
]


@pytest.mark.parametrize(("text", "deadline"), DEADLINES)
def test_deadlines_are_not_targets(text: str, deadline: str) -> None:
    facts = extract_facts(text)
    assert facts.deadline == deadline
    start, end = facts.deadline_span
    assert text[start:end] == deadline
    # the year / quarter / day of the deadline is never a quantity
    for q in facts.quantities:
        assert not (start <= q.start < end), q
    assert facts.target not in (2, 14, 2026, 2027, 1) or "500" in text


def test_deadline_numbers_do_not_become_target_or_baseline() -> None:
    facts = extract_facts("Increase qualified pipeline by 30% by June 14 2026")
    assert facts.relative_change == pytest.approx(0.3)
    assert facts.target is None and facts.baseline is None
    assert [q.text for q in facts.quantities] == ["30%"]


@pytest.mark.parametrize(
    "text",
    ["KR1: Hire 3 account executives", "1. Hire 3 account executives", "KR 2.1 - Hire 3 account executives",
     "- [ ] Hire 3 account executives"],
)
def test_list_markers_are_not_quantities(text: str) -> None:
    facts = extract_facts(text)
    assert [q.value for q in facts.quantities] == [3]
    assert facts.verb == "Hire"
    start, end = facts.verb_span
    assert text[start:end] == "Hire"


@pytest.mark.parametrize(
    ("text", "not_numbers"),
    [
        ("Pass the SOC 2 audit", {2}),
        ("Rank 1st in the app store category", {1}),
        ("Roll out 2FA to all staff", {2}),
        ("Hold weekly 1:1s with every report", {1}),
        ("Offer 24/7 chat support", {24, 7}),
    ],
)
def test_identifiers_and_ordinals_are_not_quantities(text: str, not_numbers: set[int]) -> None:
    values = {q.value for q in extract_facts(text).quantities}
    assert not values & not_numbers


def test_quantity_spans_and_normalised_values() -> None:
    text = "Grow ARR from $1.2M to €2m while keeping churn under 5% and NPS above 40"
    facts = extract_facts(text)
    by_text = {q.text: q for q in facts.quantities}
    assert set(by_text) == {"$1.2M", "€2m", "5%", "40"}
    for q in facts.quantities:
        assert text[q.start : q.end] == q.text
    assert by_text["$1.2M"].value == pytest.approx(1_200_000)
    assert by_text["€2m"].currency == "EUR"
    assert by_text["5%"].unit == "percent"


def test_verb_and_metric_spans() -> None:
    text = "KR3: Reduce average first-response time by 40%"
    facts = extract_facts(text)
    assert facts.verb == "Reduce" and facts.verb_lemma == "reduce"
    assert text[slice(*facts.verb_span)] == "Reduce"
    assert facts.metric == "average first-response time"
    assert text[slice(*facts.metric_span)] == facts.metric


def test_inflected_verbs_are_lemmatised_from_lowercase() -> None:
    facts = extract_facts("Hosted 4 customer roundtables")
    assert facts.verb == "Hosted" and facts.verb_lemma == "host" and facts.is_activity_verb


def test_two_metrics_in_one_key_result() -> None:
    facts = extract_facts("Increase NPS to 50 and reduce churn to 2%")
    assert facts.metrics == ["NPS", "churn"]
    single = extract_facts("Grow revenue from enterprise customers by 20%")
    assert len(single.metrics) == 1


def test_bounded_percent_only_for_levels() -> None:
    assert extract_facts("Raise uptime from 99.0% to 99.9%").bounded_percent
    assert not extract_facts("Grow revenue by 95%").bounded_percent


def test_mixed_duration_units_are_compared_like_for_like() -> None:
    facts = extract_facts("Cut deploy time from 2 hours to 30 minutes")
    assert facts.target == 30
    assert facts.baseline == pytest.approx(120)
    assert facts.direction == "decrease"


def test_many_matches_one_by_one() -> None:
    texts = [text for text, _ in CASES]
    assert extract_facts_many(texts) == [extract_facts(t) for t in texts]


def test_profile_vocabulary_extends_the_lexicon() -> None:
    text = "Groom the backlog of 40 stories"
    assert not extract_facts(text).is_activity_verb
    lexicon = load_lexicon({"activity_verbs": ["groom"], "metric_nouns": ["story points"]})
    facts = extract_facts(text, lexicon=lexicon)
    assert facts.is_activity_verb and facts.verb_lemma == "groom"
    assert "story points" in lexicon.metric_nouns
    # a different vocabulary gets its own pipeline; the default one is untouched
    assert get_nlp(lexicon) is not get_nlp()
    assert not extract_facts(text).is_activity_verb


def test_bad_profile_vocabulary_is_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        load_lexicon({"activty_verbs": ["groom"]})
    with pytest.raises(ValidationError):
        load_lexicon({"activity_verbs": [""]})


def test_empty_and_odd_input_does_not_crash() -> None:
    for text in ["", "   ", "🚀🚀🚀", "مرحبا بالعالم", "%%%", "$", "x" * 5000]:
        facts = extract_facts(text)
        assert facts.target is None


# Forms people write outside the textbook shapes (statements invented for these tests).
FIELD_FORMS: list[tuple[str, dict]] = [
    # arrows and "to" between numbers that carry a unit or a rate
    ("Consulting income $4.1k/mo -> $6k/mo", {"baseline": 4100, "target": 6000, "unit": "currency", "direction": "increase"}),
    ("Podcast guests: 2/month → 6/month", {"baseline": 2, "target": 6, "direction": "increase"}),
    ("Deadlift 100kg -> 120kg", {"baseline": 100, "target": 120}),
    ("Attachment limit from 50MB to 1GB", {"baseline": 50, "target": 1000, "direction": "increase"}),
    ("Dose 1.5 ml → 4 ml", {"baseline": 1.5, "target": 4}),
    ("Overdue invoices: €40k → under €10k", {"baseline": 40000, "target": 10000, "comparator": "<"}),
    ("Mailing list ~300 readers -> 1200", {"baseline": 300, "target": 1200}),
    ("Discord server 150 members to 600", {"baseline": 150, "target": 600}),
    ("Send 5 invitations to 200 alumni", {"target": 5, "baseline": None}),  # "to" names who, not a target
    ("close 6 new logos >$20k each", {"baseline": None, "comparator": ">"}),  # ">" here is a comparator
    ("paintings per month 2 -> 4", {"baseline": 2, "target": 4}),
    ("conversion on checkout 2,5% -> 3%", {"baseline": 2.5, "target": 3, "unit": "percent"}),
    ("Average basket £9.50 to £10", {"baseline": 9.5, "target": 10, "unit": "currency"}),
    # rates "1 in N", clock times and glued durations
    ("Bring failed builds from 1 in 4 to under 1 in 20", {"baseline": 0.25, "target": 0.05, "unit": "ratio"}),
    ("Half-marathon 2:05 -> sub 1:55", {"baseline": 2 + 5 / 60, "target": 1 + 55 / 60, "unit": "duration"}),
    ("Test suite 8m30s → 6m", {"baseline": 8.5, "unit": "duration"}),
    ("Sleep 7h30 on weeknights (now 6h15)", {"baseline": 6.25, "target": 7.5, "direction": "increase"}),
    # "N of M -> all M": the count is the baseline
    ("Certified forklift drivers: 2 of 8 -> all 8", {"baseline": 2, "target": 8}),
    # baselines named after the target
    ("Raise $120k from alumni (last year $90k)", {"baseline": 90000, "target": 120000}),
    ("Museum visits 40,000 (2023: 31,000)", {"baseline": 31000, "target": 40000}),
    ("Win $2M in grants (FY23: $1.2M)", {"baseline": 1_200_000, "target": 2_000_000}),
    ("Mentor 50 students (last year we mentored 35)", {"baseline": 35, "target": 50}),
    ("300 entries to the photo contest (last one had 210)", {"baseline": 210, "target": 300}),
    ("Get the repo to 500 stars (we're at ~320)", {"baseline": 320, "target": 500}),
    ("Renewal rate 80% (currently around 64%)", {"baseline": 64, "target": 80}),
    ("Book rehearsals 4 weeks ahead instead of 1", {"baseline": 1, "target": 4}),
    ("Sign 40 stockists (in Q1 we signed 15)", {"baseline": 15, "target": 40}),
    # multipliers before or after the number, but not frequencies
    ("Donations ×3 (currently £500/mo)", {"relative_change": 2.0, "baseline": 500, "target": 1500}),
    ("trial signups x5", {"relative_change": 4.0}),
    ("Swim 3x a week", {"relative_change": None, "target": 3}),
    ("Publish 2 times per month", {"relative_change": None, "target": 2}),
    ("Reply to every review within a day", {"target": 1, "unit": "duration"}),
    ("Hold the open day twice (May and October)", {"target": 2, "relative_change": None}),
    # keep wording without "keep"
    ("Refunds processed within 2 days, as today", {"is_maintain": True}),
    ("No lost shipments, as always", {"is_maintain": True}),
    ("Complaints under 10 a month, same as last year", {"is_maintain": True}),
    ("Hold headcount flat through the year", {"is_maintain": True}),
    ("Hold donations at £20k a month", {"is_maintain": True}),
    ("No drop in volunteer hours over the holidays", {"is_maintain": True}),
    ("Continue to run the Saturday repair café", {"is_maintain": True}),
    ("Keep the book club going through summer", {"is_maintain": True}),
    ("keep recording a weekly video", {"is_maintain": True}),
    ("Keep lowering the defect rate by 10%", {"is_maintain": False}),
    ("Continue to grow repeat orders", {"is_maintain": False}),
    ("Hold weekly design critiques", {"is_maintain": False}),
    # numbers that name things, not targets
    ("Write the upgrade notes from 2.x to 3.0", {"target": None, "baseline": None}),
    ("Release Lumen 3.0 with offline mode", {"target": None}),
    ("test against node 18-22", {"target": None}),
    ("Replace the printers in our 4 branch offices", {"target": None}),
    ("Print the 2025 impact report", {"target": None}),
]


@pytest.mark.parametrize(("text", "expected"), FIELD_FORMS, ids=[c[0][:40] for c in FIELD_FORMS])
def test_reads_field_forms(text: str, expected: dict) -> None:
    assert_facts(text, expected)
