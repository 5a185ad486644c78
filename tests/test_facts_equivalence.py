"""The speed-ups of fact extraction never change a result.

Fact extraction takes shortcuts that must be invisible: cheap lowercase
prechecks before slow regex searches (ASCII text only), case-sensitive twins
of IGNORECASE patterns, end-of-window reads instead of end-anchored searches,
a per-word token cache, and skipping the PhraseMatcher/Matcher when no
pattern can start. Each test here compares a shortcut with the plain way of
computing the same thing, on a few hundred statements of the authored corpus
plus variants (upper/lower case, prefixes, non-ASCII), so a shortcut that
stops being exact fails here rather than silently changing a label.
"""

from __future__ import annotations

import json
import random
import re

import pytest

import rules.nlp as nlp_module
from coach.models import Facts, Labels, resource_dir
from rules import facts as facts_module
from rules.facts import _PREFIX_RE, _prefix_end, extract_facts, extract_facts_many
from rules.labels import labels_from_facts
from rules.lexicon import load_lexicon
from rules.nlp import (
    _DEADLINE_RE,
    EndPattern,
    _glued_before,
    _word_before,
    find_deadlines,
    get_nlp,
)


def _corpus_sample(n: int = 400) -> list[str]:
    texts: list[str] = []
    for path in sorted((resource_dir("data") / "corpus").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(11)
    sample = rng.sample(texts, min(n, len(texts)))
    # variants that take other paths: case, list prefixes, a non-ASCII character (no ASCII shortcuts)
    variants = []
    for i, text in enumerate(sample[:120]):
        variants += [text.upper(), text.lower(), "KR2: " + text, "- " + text, text + " – by Q3 2026", "ſ " + text]
        if i % 3 == 0:
            variants.append(text.replace(" ", "\u00a0", 2))
    odd = ["", " ", "1", "%", "Q3", "KR1:", "by", "2026 Report", "2026 revenue", "10x", "x" * 300, "Cut churn ≤ 2%",
           "Grow ARR to €2m by Dec 31st, 2026", "Tier 2 → Tier 1 #1 rank in SOC 2", "ın half", "NPS 30→45 (ſince Q1)"]  # fmt: skip
    return sample + variants + odd


TEXTS = _corpus_sample()


@pytest.fixture(autouse=True)
def _no_facts_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every comparison here computes both sides (a cached answer would make them trivially equal)."""
    monkeypatch.setattr(facts_module, "CACHE_SIZE", 0)


def _dump(texts: list[str]) -> list[str]:
    out = []
    for text, facts in zip(texts, extract_facts_many(texts)):
        labels = labels_from_facts(text, facts)
        out.append(json.dumps([facts.model_dump(), labels.model_dump()]))
    return out


def test_ascii_shortcuts_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _dump(TEXTS)
    monkeypatch.setattr(nlp_module, "ASCII_SHORTCUTS", False)
    slow = _dump(TEXTS)
    assert fast == slow
    assert sum('"target": null' not in f for f in fast) > 100  # the sample exercises numbers, not just empty facts


def test_batch_and_single_agree_and_revalidate() -> None:
    batch = extract_facts_many(TEXTS[:150])
    for text, facts in zip(TEXTS[:150], batch):
        assert extract_facts(text) == facts
        # the facts hold exact field types: validating their dump gives an equal object
        assert Facts.model_validate(facts.model_dump()) == facts
        labels = labels_from_facts(text, facts)
        assert Labels.model_validate(labels.model_dump()) == labels


def test_deadline_scan_equals_plain_finditer() -> None:
    for text in TEXTS:
        expected = []
        for m in _DEADLINE_RE.finditer(text):
            group = "d" if m.group("d") else ("y" if m.group("y") else "p")
            expected.append((m.group(group), *m.span(group)))
        assert [(d.text, d.start, d.end) for d in find_deadlines(text)] == expected, text


def test_end_patterns_agree_with_their_regex() -> None:
    patterns = [obj for module in (facts_module, nlp_module) for obj in vars(module).values() if isinstance(obj, EndPattern)]
    assert len(patterns) >= 7
    rng = random.Random(3)
    pieces = ["to", "at", "of", "by", "from", "least", "than", "per", "over", "target", "reach", "vs.", "approx.",
              "currently", "was", "a", "the", "up", "min.", "sub-", "or", "less", "~", "=", ":", ">", "<", "/", "-", "#",
              " ", "  ", "\n", "12", "%", "data", "Cover", "TO", "Of"]  # fmt: skip
    windows = [text[max(0, i - 40) : i] for text in TEXTS[:200] for i in range(0, len(text), 7)]
    windows += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))[-40:] for _ in range(5000)]
    for pattern in patterns:
        for window in windows:
            tail = window.rstrip().lower() if window.isascii() else None
            assert bool(pattern.search(window, tail)) == bool(pattern.regex.search(window)), (pattern.regex.pattern, window)


def test_window_reads_equal_their_regex() -> None:
    prev_word = re.compile(r"([A-Za-z]+)\.?\s*#?$")
    glued = re.compile(r"[A-Za-z]-$")
    rng = random.Random(5)
    alphabet = ["a", "Z", "tier", "SOC", ".", "#", " ", "\n", "\t", "-", "1", "é", "$", ",", "\u00a0"]
    for _ in range(20000):
        window = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        match = prev_word.search(window)
        assert _word_before(window) == (match.group(1) if match else None), repr(window)
        assert _glued_before(window) == bool(glued.search(window)), repr(window)


def test_prefix_shortcut_equals_regex() -> None:
    for text in TEXTS + ["Increase x", "invest", "Objective 2: grow", "obj 1 - x", "h) item", "key result 3: x"]:
        assert _prefix_end(text) == _PREFIX_RE.match(text).end(), text


def test_lexicon_matcher_skips_only_impossible_matches() -> None:
    """The PhraseMatcher/Matcher run only where a first token occurs: the same terms as always running them."""
    extended = load_lexicon({"metric_patterns": [{"label": "metric_nouns", "pattern": [{"IS_DIGIT": True}, {"LOWER": "nines"}]}]})
    extra = ["p95 latency under 200ms", "LTV:CAC of 3", "Cut time to hire", "Reach 4 nines", "Roll out the net promoter score"]
    for lexicon in (None, extended):
        nlp = get_nlp(lexicon)
        matcher = nlp.get_pipe("okr_lexicon")
        strings = nlp.vocab.strings
        for doc in nlp.pipe(TEXTS + extra):
            expected = {(label, i, i + 1) for i, token in enumerate(doc) for key in (token.lemma, token.lower)
                        for label in matcher.singles.get(key, ())}  # fmt: skip
            expected |= {(strings[m], s, e) for m, s, e in matcher.phrases(doc)}
            expected |= {(strings[m], s, e) for m, s, e in matcher.matcher(doc)}
            assert doc._.okr_terms == sorted(expected), doc.text


def test_doc_free_tokens_and_terms_equal_the_pipeline() -> None:
    """The extractor reads tokens and lexicon terms without a Doc: the same as the registered components give."""
    extended = load_lexicon({"metric_patterns": [{"label": "metric_nouns", "pattern": [{"IS_DIGIT": True}, {"LOWER": "nines"}]}]})
    extra = ["a  b", " x", "x ", "a\tb\nc", "\u00a0a b", "can't won't", "U.S. e.g. 3:30pm ;)", "LTV / CAC", "LTV:CAC of 3", "LTV CAC", "p95 latency",
             "P99 response time", "days to close and time to market", "Reach 4 nines"]
    for lexicon in (None, extended):
        nlp = get_nlp(lexicon)
        vocab = facts_module._vocab(lexicon or load_lexicon())
        numbers = nlp.get_pipe("okr_numbers")
        for text, doc in zip(TEXTS + extra, nlp.pipe(TEXTS + extra, disable=["okr_numbers"])):
            _, quantities = numbers.read(text)
            tokens, terms = facts_module._tokens(text, quantities, vocab)
            assert terms == doc._.okr_terms, text
            assert len(tokens) == len(doc), text
            for token, spacy_token in zip(tokens, doc):
                assert token.in_quantity == any(q.start <= token.idx < q.end for q in quantities)
                assert (token.text, token.lower_, token.lemma_, token.idx, token.whitespace_, token.i) == (
                    spacy_token.text, spacy_token.lower_, spacy_token.lemma_, spacy_token.idx, spacy_token.whitespace_,
                    spacy_token.i,
                )  # fmt: skip
                assert (token.is_stop, token.is_punct, token.is_space, token.like_num, token.is_alpha) == (
                    spacy_token.is_stop, spacy_token.is_punct, spacy_token.is_space, spacy_token.like_num,
                    spacy_token.is_alpha,
                )  # fmt: skip


def test_trusted_models_equal_validated_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts, Quantity and Labels built without validation are the models validation would build."""
    fast = _dump(TEXTS)
    fast_facts = extract_facts_many(TEXTS)
    monkeypatch.setattr(nlp_module, "TRUSTED_MODELS", False)
    assert _dump(TEXTS) == fast
    assert extract_facts_many(TEXTS) == fast_facts
    with pytest.raises(TypeError):
        monkeypatch.setattr(nlp_module, "TRUSTED_MODELS", True)
        nlp_module.trusted_model(Labels, {"phrasing": "task"})


def test_cache_returns_equal_independent_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_module, "CACHE_SIZE", 8)
    texts = TEXTS[:20] * 2
    first, second = extract_facts_many(texts)[:20], extract_facts_many(texts)[20:]
    assert first == second
    assert all(a is not b and a.metrics is not b.metrics and a.quantities is not b.quantities for a, b in zip(first, second))
    first[0].metrics.append("mutated by a caller")
    assert extract_facts_many(texts[:1])[0] == second[0]
    monkeypatch.setattr(facts_module, "CACHE_SIZE", 0)
    assert extract_facts_many(texts[:20]) == second
