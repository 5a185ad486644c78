"""The four labels of LABELS.md (phrasing, measurable, kpi_confusion, stretch) from facts alone.

These are the rule-only answers (``source="rules"``); the classifiers improve
on them behind the same ``Labels`` contract. Each decision is a direct
reading of the labelling guide, so a wrong label points at a wrong fact,
which is where the fix belongs. Probabilities are rough rule confidences
(a strong cue gives 0.9, a fallback guess 0.6-0.7), useful as classifier
features and for ranking, not calibrated.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coach.models import Facts, Labels
from rules.lexicon import Lexicon, load_lexicon, per_lexicon
from rules.nlp import ascii_lower, lemma_of, trusted_model

#: Relative-change levels of LABELS.md: safe < 0.10 <= stretch <= 1.0 < moonshot.
SAFE_BELOW = 0.10
MOONSHOT_ABOVE = 1.0
#: Above this baseline a percentage moving toward 100% is judged by its remaining gap.
BOUNDED_GAP_FROM = 90.0


def relative_change(facts: Facts, lexicon: Lexicon | None = None) -> float | None:
    """The r of LABELS.md: from baseline and target, else the asked relative change, else a magnitude word."""
    b, t = facts.baseline, facts.target
    if b is not None and t is not None:
        if facts.bounded_percent and facts.unit == "percent" and b > BOUNDED_GAP_FROM and b < t <= 100:
            gap_before, gap_after = 100 - b, 100 - t
            return abs(gap_before - gap_after) / gap_before
        if b == 0:
            return float("inf") if t != 0 else 0.0
        return abs(t - b) / abs(b)
    if facts.relative_change is not None:
        return facts.relative_change
    if facts.magnitude_word:
        words = (lexicon or load_lexicon()).magnitude_words
        word = facts.magnitude_word.lower()
        if word in words:
            return words[word]
        if lemma_of(word) in words:
            return words[lemma_of(word)]
    return None


def stretch_level(facts: Facts, lexicon: Lexicon | None = None) -> tuple[str, float]:
    """(level, confidence)."""
    if facts.is_maintain:
        return "safe", 0.85
    r = relative_change(facts, lexicon)
    if r is None:
        return "unknown", 0.8
    if r < SAFE_BELOW:
        return "safe", 0.8
    if r <= MOONSHOT_ABOVE:
        return "stretch", 0.8
    return "moonshot", 0.8


_WORD_RE = re.compile(r"[a-z]+")
# Recurring activity with no number to reach: "Water the office plants weekly", "Host the meetup every month".
# Also "every Sunday", "every other Thursday", "every 2nd Friday", "every 2 hours", "twice a week".
_RECURRING_RE = re.compile(
    r"\b(?:daily|weekly|biweekly|fortnightly|monthly|quarterly"
    r"|every\s+(?:single\s+|other\s+|\d+(?:st|nd|rd|th)?\s+)?(?:\w+\s+)?(?:day|week|month|quarter|year|sprint|hour)s?\b"
    r"|(?:every|each)\s+(?:other\s+|\d(?:st|nd|rd|th)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|each\s+(?:day|week|month|quarter|sprint)|(?:once|twice)\s+(?:a|per|every)\b)",
    re.IGNORECASE,
)
# "Implement X to reduce Y from 30% to 18%": the purpose clause names the outcome.
_PURPOSE_RE = re.compile(
    r"\b(?:to|and|so\s+that\s+we)\s+(?:increase|reduce|decrease|grow|improve|raise|lower|cut|boost|double|halve|lift)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _lemmas(text: str) -> frozenset[str]:
    return frozenset(lemma_of(w) for w in _WORD_RE.findall(text.lower()))


class _Words:
    """The lexicon lists the labels read, as sets, built once per lexicon (the labels run per statement)."""

    __slots__ = ("metric_words", "metric_phrases", "deliverables", "actor_words", "actor_phrases", "activities")

    def __init__(self, lexicon: Lexicon) -> None:
        self.metric_words = frozenset(lexicon.metric_nouns) | set(lexicon.score_metrics) | set(lexicon.ratio_metrics)
        self.metric_phrases = tuple(sorted(w for w in self.metric_words if " " in w))
        self.deliverables = frozenset(lexicon.deliverable_nouns)
        self.actor_words = frozenset(w for w in lexicon.actor_nouns if " " not in w)
        self.actor_phrases = tuple(w for w in lexicon.actor_nouns if " " in w)
        self.activities = frozenset(lexicon.activity_verbs)


_words = per_lexicon(_Words)


def _has_actor(text: str, words: _Words) -> bool:
    """Does ``text`` name people or organisations (single words by lemma, phrases as substrings)?"""
    if not text:
        return False
    return not words.actor_words.isdisjoint(_lemmas(text)) or any(p in text.lower() for p in words.actor_phrases)


def _has_metric_noun(facts: Facts, lexicon: Lexicon) -> bool:
    """Does the metric phrase contain a KPI word of the lexicon (not just any noun phrase)?"""
    if not facts.metric:
        return False
    metric_words = _words(lexicon).metric_words
    low = facts.metric.lower()
    words = low.replace("-", " ").split()
    if any(lemma_of(w) in metric_words or w in metric_words for w in words):
        return True
    return any(entry in low for entry in _words(lexicon).metric_phrases)


def _is_deliverable(facts: Facts, lexicon: Lexicon) -> bool:
    if not facts.metric:
        return False
    deliverables = _words(lexicon).deliverables
    return any(lemma_of(w) in deliverables for w in facts.metric.lower().split())


# Every _RECURRING_RE match holds one of these (lowercase): a cheap test first (ASCII text only: under
# IGNORECASE a dotless "ı" matches "i", which a lowercase substring test would miss).
_RECURRING_KEYS = ("daily", "weekly", "fortnightly", "monthly", "quarterly", "every", "each", "once", "twice")


def _recurring(text: str) -> bool:
    low = ascii_lower(text)
    if low is not None and not any(key in low for key in _RECURRING_KEYS):
        return False
    return _RECURRING_RE.search(text) is not None


def _habit(facts: Facts, text: str, lexicon: Lexicon) -> bool:
    """Is the kept thing an activity ("keep posting", "keep running"), not a level ("keep churn under 2%")?"""
    if facts.verb_span is None or not text:
        return False
    following = _WORD_RE.match(text.lower(), facts.verb_span[1] + 1)
    if not following or not following.group().endswith("ing"):
        return False
    # activity verbs only: "keep marking turnaround within 5 days", "sustain funding" hold a level
    return lemma_of(following.group()) in _words(lexicon).activities


_IRREGULAR_PARTICIPLES = frozenset(
    {"done", "run", "held", "made", "built", "sent", "set", "taught", "brought", "met", "put", "given", "written",
     "shown", "spent", "paid", "kept", "led", "found", "chosen"}
)


def _is_participle(verb: str | None) -> bool:
    """ "recruited", "trained", "held": the form a count of things done *to* someone takes ("40 tutors trained")."""
    if not verb:
        return False
    low = verb.lower()
    return low.endswith("ed") or low in _IRREGULAR_PARTICIPLES


def phrasing(facts: Facts, lexicon: Lexicon, text: str = "") -> tuple[str, float]:
    """task or outcome, with a confidence (the guide's test: would it be 'done' if nothing changed?)."""
    metric_noun = _has_metric_noun(facts, lexicon)
    deliverable = _is_deliverable(facts, lexicon)
    money = facts.unit == "currency" or facts.currency is not None
    words = _words(lexicon)
    actors: bool | None = None  # read only when a decision needs it

    def has_actors() -> bool:
        nonlocal actors
        if actors is None:
            actors = _has_actor(text, words)
        return actors

    first_q = facts.quantities[0].start if facts.quantities else None
    # "250 people join ...": the number comes before any verb and counts people outside the team;
    # "40 tutors recruited": the team acted on them (an activity verb as a participle)
    counted_subject = (
        first_q is not None
        and (facts.verb_span is None or facts.verb_span[0] > first_q)
        and not (facts.is_activity_verb and _is_participle(facts.verb))
        and has_actors()
    )
    has_change = facts.baseline is not None or facts.relative_change is not None
    if facts.is_outcome_verb:
        if deliverable and not metric_noun:
            return "task", 0.65  # "Increase blog posts from 20 to 50": more output, same activity
        return "outcome", 0.9
    if counted_subject and not deliverable:
        return "outcome", 0.75  # "250 people join the programme"
    if facts.is_activity_verb:
        if has_change and _PURPOSE_RE.search(text):
            return "outcome", 0.6
        return "task", 0.9
    if facts.is_maintain:
        if _habit(facts, text, lexicon):
            return "task", 0.7  # "keep posting 3 reels a week": the team's own routine
        return "outcome", 0.7
    if facts.is_monitoring:
        return "task", 0.7
    if facts.verb is not None:
        # neutral ("get", "make", "secure") or unknown verb: the object decides
        if (metric_noun or money or has_actors()) and not deliverable:
            return "outcome", 0.7
        return "task", 0.7
    # no verb: a metric with or without a number reads as a result
    if deliverable and not metric_noun:
        return "task", 0.6
    if facts.is_milestone:
        return "task", 0.6
    return "outcome", 0.7


def measurable(facts: Facts, text: str = "") -> tuple[bool, float]:
    """A quantity with a target value, or a relative target; a deadline or milestone alone is not enough.

    A stated frequency for a recurring activity ("weekly", "every day") is a
    target anyone can check, so it counts too (not for monitoring a metric).
    """
    if facts.target is not None or facts.relative_change is not None:
        return True, 0.9
    if facts.verb is not None and not facts.is_monitoring and _recurring(text):
        return True, 0.6
    return False, 0.85


def kpi_confusion(facts: Facts, lexicon: Lexicon, text: str = "") -> tuple[bool, float]:
    """Keep/maintain wording, monitoring/reporting, a bare metric, or a recurring chore with no number to reach."""
    if facts.is_maintain:
        return True, 0.9
    if facts.is_monitoring:
        return True, 0.8
    no_change = facts.direction is None and facts.target is None and facts.relative_change is None
    if no_change and facts.verb is None and _has_metric_noun(facts, lexicon):
        return True, 0.75
    if no_change and facts.verb is not None and _recurring(text):
        return True, 0.65
    return False, 0.85


def _binary(value: bool, confidence: float) -> dict[str, float]:
    p_true = confidence if value else 1 - confidence
    return {"true": round(p_true, 3), "false": round(1 - p_true, 3)}


def labels_from_facts(text: str, facts: Facts, lexicon: Lexicon | None = None) -> Labels:
    """The four labels of one key-result statement from its facts (``source="rules"``)."""
    lexicon = lexicon or load_lexicon()
    phr, p_phr = phrasing(facts, lexicon, text)
    meas, p_meas = measurable(facts, text)
    kpi, p_kpi = kpi_confusion(facts, lexicon, text)
    level, p_level = stretch_level(facts, lexicon)
    other = (1 - p_level) / 3
    probabilities = {
        "phrasing": {phr: p_phr, ("task" if phr == "outcome" else "outcome"): round(1 - p_phr, 3)},
        "measurable": _binary(meas, p_meas),
        "kpi_confusion": _binary(kpi, p_kpi),
        "stretch": {c: (p_level if c == level else round(other, 3)) for c in ("safe", "stretch", "moonshot", "unknown")},
    }
    return trusted_model(
        Labels,
        {"phrasing": phr, "measurable": meas, "kpi_confusion": kpi, "stretch": level, "probabilities": probabilities,
         "source": "rules"},
    )
