"""Number grounding: a suggested rewrite may only use numbers the user wrote.

An LLM asked to "make this measurable" will happily make up a baseline of 12%
and a target of 30%. Those numbers look authoritative and are fiction, so
every suggestion is checked here in code, not trusted to the prompt:

- ``numbers_in`` finds every number in a text and normalises it, so "10k",
  "10,000" and "10 thousand" are the same value, "$1.2M" is 1,200,000 and
  "25%" is 25. Spelled multipliers ("double", "triple", "twice", "halve") and
  spelled numbers two..twelve count too, and so do periods ("Q3", "H2",
  "FY25"), compared as written.
- ``invented_numbers(suggestion, sources)`` lists the numbers of a suggestion
  whose value appears in none of the sources. The caller decides the scope;
  rewrites use the key result's own text plus its objective's title (see
  docs/llm.md). Values are compared without their unit: the check is about
  made-up figures, and a unit swap is caught by the engine's verification.
- Derived numbers are invented numbers: "from 10 to 14" does not license
  "by 40%".

Placeholders ("[baseline]", "[target]") are how a suggestion says "you fill
this in"; ``fill_placeholders`` swaps them for neutral numbers so the rule
engine, which reads digits, can judge the rest of the sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

PLACEHOLDERS: tuple[str, ...] = ("[baseline]", "[target]")
_PLACEHOLDER = re.compile(r"\[[A-Za-z][A-Za-z _-]*\]")

_NUMBER = re.compile(
    r"(?<![\w.])(?P<cur>[$€£¥])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?P<dc>\d+,\d{1,2}(?=\s?%))|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<scale>thousand|million|billion|bn|k|m|b)(?![a-z]))?(?:\s?%)?",
    re.IGNORECASE,
)
_PERIOD = re.compile(r"\b(?:Q[1-4]|H[12]|FY\s?'?\d{2,4})\b", re.IGNORECASE)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
    "twice": 2, "double": 2, "doubled": 2, "doubling": 2, "triple": 3, "tripled": 3, "tripling": 3,
    "quadruple": 4, "halve": 0.5, "halved": 0.5, "halving": 0.5,
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    """One number as written; ``value`` is normalised, ``period`` is set for Q3/H2/FY25 mentions."""

    text: str
    value: float | None
    period: str | None = None
    start: int = 0
    end: int = 0

    @property
    def percent(self) -> bool:
        return self.text.endswith("%")


def numbers_in(text: str) -> list[NumberMention]:
    """Every number, spelled number, multiplier word and period in ``text``, in order of appearance."""
    found: list[tuple[int, NumberMention]] = []
    taken: list[tuple[int, int]] = []
    for m in _PERIOD.finditer(text):
        label = re.sub(r"[\s']", "", m.group(0)).lower()
        found.append((m.start(), NumberMention(m.group(0), None, label, m.start(), m.end())))
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        # "1,4%" is a decimal comma (as the rule engine reads it); "12,000" groups thousands
        num = m.group("num")
        value = float(num.replace(",", ".") if m.group("dc") else num.replace(",", ""))
        scale = m.group("scale")
        if scale:
            value *= _SCALE[scale.lower()]
        text_ = m.group(0)
        lead = len(text_) - len(text_.lstrip())
        found.append((m.start(), NumberMention(text_.strip(), value, None, m.start() + lead, m.end())))
        taken.append(m.span())
    for m in _WORD.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = float(_WORDS[m.group(0).lower()])
        found.append((m.start(), NumberMention(m.group(0), value, None, m.start(), m.end())))
    return [mention for _, mention in sorted(found, key=lambda pair: pair[0])]


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def invented_numbers(suggestion: str, sources: Iterable[str]) -> list[str]:
    """Numbers in ``suggestion`` that none of ``sources`` contains (as written, e.g. ``['30%']``)."""
    given = [n for source in sources for n in numbers_in(source)]
    values = [n.value for n in given if n.value is not None]
    periods = {n.period for n in given if n.period}
    invented = []
    for n in numbers_in(suggestion):
        if n.period is not None:
            if n.period not in periods:
                invented.append(n.text)
        elif n.value is not None and not any(_same(n.value, v) for v in values):
            invented.append(n.text)
    return invented


def grounded_numbers(sources: Iterable[str]) -> list[str]:
    """The numbers a suggestion may use, as written (shown to the LLM in the prompt)."""
    seen: dict[str, None] = {}
    for source in sources:
        for n in numbers_in(source):
            seen.setdefault(n.text, None)
    return list(seen)


def placeholders_in(text: str) -> list[str]:
    """Every ``[...]`` placeholder in the text, once each, in order."""
    return list(dict.fromkeys(m.group(0).lower() for m in _PLACEHOLDER.finditer(text)))


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders other than [baseline]/[target]: a model inventing its own blanks is not grounded either."""
    return [p for p in placeholders_in(text) if p not in PLACEHOLDERS]


# Neutral stand-ins for verification. Two placeholders become 40 -> 55 (or 55 -> 40): a 37.5% change,
# a "stretch" in LABELS.md terms, so filling neither hides nor creates a stretch finding. One placeholder
# next to a number the user gave becomes a stretch step from that number (x1.3, or x0.7 for a decrease;
# for a percentage above 50 that rises, half of the remaining gap to 100).
FILL_LOW, FILL_HIGH = 40.0, 55.0
_PLACEHOLDER_AT = re.compile(r"\[(baseline|target)\]", re.IGNORECASE)
_CURRENCY = "$€£¥"


def _format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _step(value: float, percent: bool, decrease: bool, forward: bool) -> float:
    """A stretch-sized move from a given number: to a target (``forward``) or back to a baseline."""
    if decrease == forward:  # a smaller number
        return value * 0.7
    if percent and forward and 50 <= value < 100:
        return value + (100 - value) / 2
    return min(value * 1.3, 100.0) if percent and value < 100 else value * 1.3


def fill_placeholders(text: str, *, decrease: bool = False) -> str:
    """Replace [baseline]/[target] with neutral numbers so the rule engine can read the sentence.

    The engine reads digits; a placeholder is a promise that the user will
    supply one. When the user gave one side (``from $1.00M to $[target]M``)
    the filled side is a stretch-sized step from it, in the same currency,
    scale and percent form, so the filled sentence is judged like a sensible
    completion of the user's own numbers.
    """
    marks = list(_PLACEHOLDER_AT.finditer(text))
    if not marks:
        return text
    kinds = {m.group(1).lower() for m in marks}
    numbers = [n for n in numbers_in(text) if n.value is not None]
    out: list[str] = []
    pos = 0
    for m in marks:
        kind = m.group(1).lower()
        anchor: NumberMention | None = None
        if len(kinds) == 1 and numbers:
            before = [n for n in numbers if n.end <= m.start()]
            after = [n for n in numbers if n.start >= m.end()]
            anchor = (before[-1] if before else after[0]) if kind == "target" else (after[0] if after else before[-1])
        if anchor is None:
            low_high = (FILL_HIGH, FILL_LOW) if decrease else (FILL_LOW, FILL_HIGH)
            value = low_high[0] if kind == "baseline" else low_high[1]
            replacement = _format(value)
        else:
            assert anchor.value is not None
            value = _step(anchor.value, anchor.percent, decrease, forward=(kind == "target"))
            # The whole rest of the text, so "[target] min" or "[target] by Q2" is not read as a scale letter.
            scale = re.match(r"\s?(k|m|bn|b)(?![a-z])", text[m.end() :], re.IGNORECASE)
            if scale:
                value /= _SCALE[scale.group(1).lower()]
            replacement = _format(value)
            preceding = text[: m.start()].rstrip()
            if anchor.text[0] in _CURRENCY and not (preceding and preceding[-1] in _CURRENCY):
                replacement = anchor.text[0] + replacement
            if anchor.percent and not text[m.end() :].lstrip().startswith("%"):
                replacement += "%"
        out.append(text[pos : m.start()] + replacement)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)
