"""Fact extraction: what one key-result statement says, as a ``Facts`` record.

rules.nlp tags lexicon words by lemma and reads every number and deadline
(without building a spaCy Doc, see ``_tokens``); this module decides the *roles*: which word is the
action verb, which number is the baseline and which the target, whether the
change is relative ("by 25%", "double", "10x"), which way it goes, and what
is being measured. Labels and rule findings are then simple functions of
these facts, so the same reading drives the report, the rules and the
classifier features.

Everything works from word lists and local context (a few characters around
each number) because no tagger/parser model is available; the tests in
tests/test_facts.py pin every form this must read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from typing import NamedTuple
from functools import lru_cache

from coach.models import Facts, Quantity
from rules.lexicon import Lexicon, load_lexicon, per_lexicon
from rules.nlp import (
    DURATION_SECONDS,
    ChunkTokenizer,
    Deadline,
    EndPattern,
    LexiconMatcher,
    NumberReader,
    RawQuantity,
    ascii_lower,
    get_nlp,
    lemma_of,
    lemma_table,
    trusted_model,
)

# "KR1:", "KR 1.2 -", "1.", "1)", "- [ ]", "• ", "a)" before the statement proper.
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:[-*•▪◦>+]+|\[[ xX✓]?\])\s*)*"
    r"(?:(?:kr|k\.r\.|key\s+result|o|obj|objective)\s*#?\s*\d+(?:[.\-]\d+)*\s*[:.)\-–]?\s*"
    r"|\d{1,2}(?:\.\d+)*[.)]\s+|\(?[a-h]\)\s+|\d{1,2}(?:\.\d+)*\s*[:–]\s+(?=[A-Za-z]))?",
    re.IGNORECASE,
)
_BASELINE_BEFORE_RE = re.compile(
    r"(?:\bfrom|\bcurrently(?:\s+(?:at|is|are|sits?\s+at))?|\bcurrent(?:ly)?(?:\s+(?:is|at|level|value|rate|baseline))?"
    r"|\bbaseline(?:\s+(?:is|of|at))?|\bwas|\bwere|\bvs\.?|\bversus|\bcompared\s+(?:to|with)|\bup\s+from"
    r"|\bdown\s+from|\btoday(?:\s+(?:is|at))?|\bnow(?:\s+(?:is|at))?|\bpreviously|\bstarting\s+(?:at|from)"
    r"|\blast\s+(?:year|quarter|month|period|cycle)(?:\s+(?:was|at|is))?|\bfrom\s+a\s+baseline\s+of)"
    r"\s*[:=]?\s*(?:~|about|approx\.?|approximately|around|roughly)?\s*$",
    re.IGNORECASE,
)
_BASELINE_AFTER_RE = re.compile(
    r"^[^\w(]{0,3}\(?\s*(?:today|now|currently|current|baseline|at\s+present|as\s+of\s+(?:now|today)"
    r"|last\s+(?:year|quarter|month|cycle|period)|in\s+(?:q[1-4]|(?:19|20)\d\d)\s*\))\b"
    # "9,000 (currently 6,000)", "60% (now only 35%)": the later number is the baseline
    r"(?!\s*(?:is|at|was|:|=)?\s*(?:about|around|approx\.?|roughly|only|just|like)?\s*[~$€£+-]?\d)",
    re.IGNORECASE,
)
_RELATIVE_BEFORE_RE = re.compile(
    r"\bby\s*(?:~|about|approx\.?|approximately|around|roughly|at\s+least|over|more\s+than|another|an\s+additional)?\s*$",
    re.IGNORECASE,
)
_RELATIVE_AFTER_RE = re.compile(
    r"^\s*(?:(?:year|month|quarter|week)[- ]?(?:over|on|to)[- ]?(?:year|month|quarter|week)|yoy|mom|qoq|wow"
    r"|increase|growth|rise|reduction|decrease|decline|drop|lift|uplift|improvement|more|fewer|less|higher|lower"
    r"|faster|slower|cheaper|better|gain|boost|jump|cut|up|down|year-on-year)\b",
    re.IGNORECASE,
)
_TARGET_STRONG_BEFORE_RE = re.compile(
    r"\b(?:reach(?:ing|es)?|hit(?:ting)?|achiev(?:e|ing)|attain(?:ing)?|exceed(?:ing)?|surpass(?:ing)?|target(?:\s+of)?"
    r"|goal(?:\s+of)?|get\s+to|grow\s+to|increase\s+to|reduce\s+to|raise\s+to|lower\s+to|to\s+at\s+least)"
    r"\s*(?:a|an|the)?\s*(?:total\s+of\s+)?$",
    re.IGNORECASE,
)
_TARGET_WEAK_BEFORE_RE = re.compile(r"(?:\bto|\bat|\bof|=|:|\bis|\bbe|\bare|\binto)\s*$", re.IGNORECASE)
_WINDOW_BEFORE_RE = re.compile(
    r"(?:\bper|\bevery|\beach|\ba|\ban|/|\bover|\bacross|\bfor|\bin\s+(?:the\s+)?(?:last|past|first))\s*$",
    re.IGNORECASE,
)
# What stands between a baseline and its target: "30 -> 45", "$3.2k/mo -> $5k/mo", "0.5 mg → 2 mg",
# "12 orgs → 30", "£18k → under £5k", "90 subs to 1,000", "nz$8k -> nz$24k". Groups: "unit" (what the first number
# counts: a rate "/mo", "per week" or up to three words), "link" (the arrow, "to" or a dash).
_PAIR_GAP_RE = re.compile(
    r"(?P<unit>\s*(?:/\s?[^\W\d_]+|per\s+[^\W\d_]+|(?!to\b)[^\W\d_]{1,15}(?:\s+(?!to\b)[^\W\d_]{1,15}){0,2}"
    r"(?:\s?/\s?[^\W\d_]+)?))?"
    r"\s*(?P<link>->|-->|→|⟶|=>|⇒|–>|—>|>|to|-|–|—)\s*"
    r"(?:(?:~|about|around|approx\.?|roughly|under|below|sub|over|above|at\s+least|at\s+most|less\s+than|fewer\s+than"
    r"|more\s+than|<=|>=|≤|≥|<|>|all)\s*)?"
    r"(?:[^\W\d_]{1,3}[$€£¥₹])?$",  # "nz$": letters glued to the target's currency sign
    re.IGNORECASE,
)
_OF_GAP_RE = re.compile(r"\s+(?:of|out\s+of)\s+", re.IGNORECASE)
_ARROW_LINKS = frozenset(["->", "-->", "→", "⟶", "=>", "⇒", "–>", "—>", ">"])
# After the target of "N units to M": the same unit again, or nothing that names another thing
# ("90 subs to 1,000" pairs; "send 5 emails to 200 customers" does not).
_PAIR_END_RE = re.compile(r"\s*(?:$|[),.;:(!?\-–—/]|(?:by|in|per|a|an|each|every|this|next|within|before|until|for)\b)",
                          re.IGNORECASE)
# A baseline named after the target or in a narrative: "(last year: 22)", "(2024: 152,000)", "(FY24: $900k)",
# "last year we trained 180", "(last one had 140)", "(we're at ~90)", "(now only 12)", "(Q2 we did 180)",
# "instead of 2", "compared with 7". Checked on the 60 characters before a number, like _BASELINE_BEFORE_RE.
_BASELINE_TAG_RE = re.compile(
    r"(?:\(\s*(?:(?:19|20)\d\d|fy\s?'?\d{2,4}|[qh][1-4](?:\s+(?:19|20)?\d\d)?)\s*[:=]"
    r"|\blast\s+(?:year|yr|quarter|month|week|half|semester|term|season|cohort|round|cycle|period|edition|time|one|run"
    r"|intake|event|jam|launch|release|sprint|summer|winter|spring|autumn|fall)(?:'s)?"
    r"(?:\s+(?!(?:to|by|and|but)\b)[a-z][\w']*){0,3}\s*[:=]?"
    r"|(?:^|[(,;]\s*)(?:in\s+)?(?:[qh][1-4]|fy\s?'?\d{2,4}|(?:19|20)\d\d)\s*[:=,]?\s*(?:we|they|it)\s+[a-z]+"
    r"|\b(?:we're|we\s+are|we\s+were|we've|we\s+have|we\s+had|it's|it\s+is)(?:\s+(?:at|on|only|just|currently|now|got))*"
    r"|\b(?:now|currently|today)(?:\s+(?:is|are|at|it's|we're|only|just|sits\s+at|stands\s+at))*"
    r"|\binstead\s+of|\bcompared\s+(?:to|with))"
    r"\s*(?:~|about|approx\.?|approximately|around|roughly|only|just|like|c\.)?\s*$",
    re.IGNORECASE,
)
# Every _BASELINE_TAG_RE match holds one of these (lowercase): a cheap test first (ASCII text only).
_BASELINE_TAG_KEYS = ("last", "now", "current", "today", "we", "it", "instead", "compared", ":", "=", ",", ";", "(")
# Numbers that describe the setting rather than a target: "our 3 regional offices", "for the 9 core maintainers",
# "(team of 9)"; "the 2023 series"; "a 5-day retreat".
# ("for the 50 most critical components", "in all 17 schools" are scopes people do count as targets: not these.)
_DESCRIPTOR_BEFORE_RE = re.compile(r"(?:\bour|\b(?:team|group|family|class)\s+of)\s*$", re.IGNORECASE)
_DESCRIPTOR_AFTER_RE = re.compile(r"\s*(?:[^\W\d_]|\)|$)")
_YEAR_LABEL_BEFORE_RE = re.compile(r"(?:\b(?:the|our|this|its|their|my)\s+|\(\s*)$", re.IGNORECASE)
# Keep wording without "keep": the ask is to hold a level ("as today", "same as last year", "hold flat", "no drop in").
_KEEP_CUE_RE = re.compile(
    r"\bas\s+(?:today|always|usual|now|before|it\s+(?:is|has\s+been)|in\s+previous\s+years)\b"
    r"|,\s*always\b|\balways\s*$"
    r"|\bsame\s+as\s+(?:last|this|previous|the\s+last|in)\b"
    r"|\bhold(?:s|ing)?\s+(?:[\w'-]+\s+){0,4}?(?:flat|steady|level|constant|the\s+line"
    r"|at\s+(?:[~$€£]?\d|current|last|today|its|their|the\s+same|this))"
    r"|\bno\s+(?:drop|decline|dip|fall|decrease|loss|slip)\s+in\b"
    r"|\b(?:don'?t|do\s+not|never)\s+lose\b|\bhang\s+on\s+to\b|\bat\s+all\s+times\b"
    r"|\bnever\s+(?:below|above|drops?|falls?|under|over|exceeds?)\b"
    r"|^\W*continue\s+to\b|^\W*steady\b|\bkeep\s+(?:[\w'-]+\s+){1,3}going\b|\bagain\s*$",
    re.IGNORECASE,
)
# The _KEEP_CUE_RE forms that hold a change word, negated (they count even though "drop" is a decrease word).
_NEGATED_CHANGE_RE = re.compile(
    r"\bno\s+(?:drop|decline|dip|fall|decrease|loss|slip)\s+in\b|\bnever\s+(?:below|above|drops?|falls?|under|over)\b"
    r"|\b(?:don'?t|do\s+not|never)\s+lose\b",
    re.IGNORECASE,
)
# Every _KEEP_CUE_RE match holds one of these (lowercase): a cheap test first (ASCII text only).
_KEEP_CUE_KEYS = ("as ", "always", "same", "hold", "no ", "lose", "hang", "times", "never", "continue", "steady",
                  "going", "again")  # fmt: skip
# "Keep improving X", "keep pushing NPS up": continuing an effort, not holding a level ("keep posting" holds a habit).
_EFFORT_GERUNDS = frozenset("improve push drive build make work try get grow better".split())
_EFFORT_LABELS = frozenset({"increase_words", "decrease_words", "outcome_verbs"})
_SHARE_AFTER_RE = re.compile(r"^\s*of\b", re.IGNORECASE)
#: "double-digit growth": at least 10% (r >= 0.1); "triple-digit": at least 100%.
_DIGIT_GROWTH = {"double": 0.1, "triple": 1.0}
#: A change asked as a spoken fraction: "cut by half", "in half", "up by a third", "by two thirds".
_FRACTION_RE = re.compile(
    r"\b(?:in\s+half|by\s+(?:half|50\s*%|(?:a|one)\s+(?:third|quarter|fifth)|two\s+thirds|three\s+quarters))\b",
    re.IGNORECASE,
)
#: The asked change by the match's last word ("by two thirds" -> "thirds").
_FRACTION_OF = {"half": 0.5, "50": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "thirds": 2 / 3,
                "quarters": 0.75}
_LAST_WORD_RE = re.compile(r"[a-z0-9]+(?=[\s%]*$)")
_RATIO_CONTEXT_BEFORE_RE = re.compile(r"(?:\bof|\bat|\bto|>=|≥|>|\breach|\bachieve|\bhit)\s*$", re.IGNORECASE)

# The end-anchored patterns above with the words they can end with (see EndPattern): checked per number.
_BASELINE_BEFORE = EndPattern(
    _BASELINE_BEFORE_RE,
    ("from", "currently", "at", "is", "are", "current", "level", "value", "rate", "baseline", "of", "was", "were", "vs",
     "vs.", "versus", "to", "with", "today", "now", "previously", "year", "quarter", "month", "period", "cycle", "~",
     "about", "approx", "approx.", "approximately", "around", "roughly", ":", "="),
)  # fmt: skip
_RELATIVE_BEFORE = EndPattern(
    _RELATIVE_BEFORE_RE,
    ("by", "~", "about", "approx", "approx.", "approximately", "around", "roughly", "least", "over", "than", "another",
     "additional"),
)  # fmt: skip
_TARGET_STRONG_BEFORE = EndPattern(
    _TARGET_STRONG_BEFORE_RE,
    ("reach", "reaching", "reaches", "hit", "hitting", "achieve", "achieving", "attain", "attaining", "exceed",
     "exceeding", "surpass", "surpassing", "target", "goal", "of", "to", "least", "a", "an", "the"),
)  # fmt: skip
_TARGET_WEAK_BEFORE = EndPattern(_TARGET_WEAK_BEFORE_RE, ("to", "at", "of", "=", ":", "is", "be", "are", "into"))
_WINDOW_BEFORE = EndPattern(
    _WINDOW_BEFORE_RE, ("per", "every", "each", "a", "an", "/", "over", "across", "for", "last", "past", "first")
)
_RATIO_CONTEXT_BEFORE = EndPattern(
    _RATIO_CONTEXT_BEFORE_RE, ("of", "at", "to", ">=", "≥", ">", "reach", "achieve", "hit")
)

_SKIP_LEADING = frozenset(
    "we i our my the team teams will shall must should to successfully also further continue continuously "
    "consistently let us please you they all each every a an - * • : ; ( ) [ ] ' \" help".split()
)
_NOT_VERB_WORDS = frozenset(
    "average total net mean median time number cost overall new gross first monthly weekly daily annual yearly "
    "quarterly percentage percent rate share amount level volume count traffic sales lead leads churn".split()
)
_DETERMINERS = frozenset("the a an of our their its this that these those for to with".split())
_METRIC_TAIL = frozenset(
    "rate rates score scores time times ratio count volume value size level growth index percentage share".split()
)
_COUNT_WORDS = frozenset("number amount count total volume".split())
_CLAUSE_BREAK = frozenset(["and", "&", ";", "while", "whilst", "plus", "also"])
_VERB_LABELS = ("activity_verbs", "outcome_verbs", "neutral_verbs", "maintain_words", "monitoring_words", "milestone_verbs")
_VERB_LABEL_SET = frozenset(_VERB_LABELS)
_NOUN_LABELS = frozenset({"metric_nouns", "deliverable_nouns", "score_metrics", "ratio_metrics"})
_THING_LABELS = frozenset({"metric_nouns", "deliverable_nouns"})
_BLOCKED_IN_CHUNK = _VERB_LABEL_SET | {"increase_words", "decrease_words", "magnitude_words"}
_MODIFIER_VERB_LABELS = frozenset({"activity_verbs", "milestone_verbs", "neutral_verbs"})


class _Vocab:
    """Everything the reading needs per lexicon, built once: lexicon sets, the tokenizer, per-word attributes.

    ``words`` caches, per token text, the token attributes that do not depend
    on context (lexeme flags, lowercase form, lemma) plus the word lists it
    belongs to, so a token of a statement costs one dict lookup.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        table = lemma_table()
        self.magnitude = {table.get(w, w): r for w, r in lexicon.magnitude_words.items()}
        self.magnitude.update(lexicon.magnitude_words)
        self.lower_is_better = frozenset(table.get(w, w) for w in lexicon.lower_is_better)
        self.named_numbers = _named_number_re(lexicon.named_numbers)
        self.nlp = get_nlp(lexicon)
        self.tokenize = ChunkTokenizer(self.nlp)
        self.matcher: LexiconMatcher = self.nlp.get_pipe("okr_lexicon")
        self.numbers: NumberReader = self.nlp.get_pipe("okr_numbers")
        self.words: dict[str, tuple[tuple, tuple[str, ...], bool, bool]] = {}
        self.chunks: dict[str, tuple[tuple[tuple, int, str], ...]] = {}
        self.cache: OrderedDict[str, Facts] = OrderedDict()

    def chunk(self, chunk: str) -> tuple[tuple[tuple, int, str], ...]:
        """Per token of a space-free chunk: (``word`` info, offset in the chunk, " " after the chunk's last token)."""
        if len(self.chunks) >= 200_000:
            self.chunks.clear()
        pieces = self.tokenize(chunk)
        words = self.words
        last = len(pieces) - 1
        entries = self.chunks[chunk] = tuple(
            (words.get(piece) or self.word(piece), idx, " " if j == last else "") for j, (piece, idx, _) in enumerate(pieces)
        )
        return entries

    def word(self, text: str) -> tuple[tuple, tuple[str, ...], bool, bool]:
        """(``_Tok`` fields text..is_alpha, word-list labels, may start a Matcher pattern, may start a phrase)."""
        if len(self.words) >= 200_000:
            self.words.clear()
        lexeme = self.nlp.vocab[text]
        lower = lexeme.lower_
        lemma = lemma_of(lower)
        labels, starts_pattern, starts_phrase = self.matcher.word_info(lower)
        fields = (text, lower, lemma, lexeme.is_stop, lexeme.is_punct, lexeme.is_space, lexeme.like_num, lexeme.is_alpha)
        info = self.words[text] = (fields, labels, starts_pattern, starts_phrase)
        return info


_vocab = per_lexicon(_Vocab)


@lru_cache(maxsize=4096)
def _looks_like_verb(word: str) -> bool:
    """Without a tagger: a word is verb-like when the lemma table maps one of its -ing forms back to it."""
    if len(word) < 3 or not word.isalpha() or word in _NOT_VERB_WORDS:
        return False
    table = lemma_table()
    forms = [word + "ing", word[:-1] + "ing" if word.endswith("e") else None, word + word[-1] + "ing"]
    return any(form and table.get(form) == word for form in forms)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


#: Facts kept per lexicon for statements seen recently (a user retypes the same draft; classify batches
#: repeat lines). 0 turns the cache off (bench/bench_facts.py measures distinct statements that way).
CACHE_SIZE = 4096


def extract_facts(text: str, lexicon: Lexicon | None = None) -> Facts:
    """Facts of one key-result statement (spans relative to ``text``)."""
    return extract_facts_many([text], lexicon)[0]


def extract_facts_many(texts: Iterable[str], lexicon: Lexicon | None = None) -> list[Facts]:
    """Facts of many statements (the fast path for classify and eval).

    No spaCy ``Doc`` is made: the reading needs only token texts, offsets and
    per-word attributes (see ``ChunkTokenizer`` and ``_Vocab.word``); the
    registered pipeline components compute the same things for ``get_nlp()``
    users. Each call returns new Facts objects, also for cached statements.
    """
    vocab = _vocab(lexicon or load_lexicon())
    cache = vocab.cache
    size = CACHE_SIZE
    out: list[Facts] = []
    for text in texts:
        if not size:
            out.append(_facts_of(text, vocab))
            continue
        facts = cache.get(text)
        if facts is None:
            facts = cache[text] = _facts_of(text, vocab)
            if len(cache) > size:
                with suppress(KeyError):  # emptied by another thread meanwhile
                    cache.popitem(last=False)
        else:
            with suppress(KeyError):  # evicted by another thread meanwhile (web requests run in a thread pool)
                cache.move_to_end(text)
        # callers own their Facts and its lists: the cached record stays as computed (Quantity items are shared)
        out.append(facts.model_copy(update={"metrics": list(facts.metrics), "quantities": list(facts.quantities)}))
    return out


def _facts_of(text: str, vocab: _Vocab) -> Facts:
    deadlines, quantities = vocab.numbers.read(text)
    return _facts_from_doc(vocab, text, deadlines, quantities)


# ---------------------------------------------------------------------------
# The reading
# ---------------------------------------------------------------------------


class _Tok(NamedTuple):
    """The token attributes the reading uses, as a plain tuple (a spaCy ``Token`` is rebuilt on every access).

    The per-word part (the first eight fields) comes from ``_Vocab.words``, so
    a token costs one dict lookup and one tuple concatenation.
    """

    text: str
    lower_: str
    lemma_: str
    is_stop: bool
    is_punct: bool
    is_space: bool
    like_num: bool
    is_alpha: bool
    i: int
    idx: int
    whitespace_: str
    in_quantity: bool


_new_tok = tuple.__new__


def _tokens(text: str, quantities: list[RawQuantity], vocab: _Vocab) -> tuple[list[_Tok], list[tuple[str, int, int]]]:
    """The tokens of ``text`` and their lexicon terms (what okr_lexicon stores on a Doc), sorted."""
    # quantities are sorted and disjoint, and so are tokens: one merge pass finds the tokens inside a number
    ranges = [(q.start, q.end) for q in quantities]
    n_ranges = len(ranges)
    k = 0
    out: list[_Tok] = []
    terms: list[tuple[str, int, int]] = []
    run_matcher = vocab.matcher.first_keys is None
    phrase_starts: list[int] = []
    chunks = text.split(" ")
    if chunks == text.split():
        # the common shape (single spaces between chunks): per-chunk cached tokens (see ChunkTokenizer)
        located = []
        start = 0
        cache = vocab.chunks
        for chunk in chunks:
            located.append((start, cache.get(chunk) or vocab.chunk(chunk)))
            start += len(chunk) + 1
        last_chunk = len(chunks) - 1
    else:
        words = vocab.words
        located = [(0, tuple((words.get(piece) or vocab.word(piece), idx, space) for piece, idx, space in vocab.tokenize(text)))]
        last_chunk = -1
    i = 0
    for c, (start, entries) in enumerate(located):
        for (fields, labels, starts_pattern, starts_phrase), offset, space in entries:
            idx = start + offset
            while k < n_ranges and ranges[k][1] <= idx:
                k += 1
            if space and c == last_chunk:
                space = ""  # no space after the text's last chunk
            out.append(_new_tok(_Tok, (*fields, i, idx, space, k < n_ranges and ranges[k][0] <= idx)))
            for label in labels:
                terms.append((label, i, i + 1))
            if starts_pattern:
                run_matcher = True
            if starts_phrase:
                phrase_starts.append(i)
            i += 1
    if phrase_starts or run_matcher:
        more = vocab.matcher.multi_word_terms(
            [t.text for t in out],
            [bool(t.whitespace_) for t in out],
            [t.lower_ for t in out],
            [t.lemma_ for t in out],
            phrase_starts,
            run_matcher,
        )
        if more:
            terms = list(more.union(terms))
    terms.sort()
    return out, terms


_NO_LABELS: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Reading:
    """Working state for one statement."""

    doc: list[_Tok]
    quantities: list[RawQuantity]
    text: str
    lower: str
    prefix_end: int
    labels: list[set[str] | frozenset[str]]  # per token: word lists it belongs to (shared empty set if none)
    spans: dict[str, list[tuple[int, int]]]  # label -> token spans
    ascii: bool  # ASCII text: cheap lowercase prechecks before the slower regexes are exact


# _PREFIX_RE can only match something at a space, bullet, bracket, digit, "kr"/"key result", "o"/"obj" or "a)".."h)";
# an ASCII statement starting with any other letter ("Increase", "Reduce") has no prefix.
_NO_PREFIX_START = frozenset("ijlmnpqrstuvwxyzIJLMNPQRSTUVWXYZ")


def _prefix_end(text: str) -> int:
    if text and text[0] in _NO_PREFIX_START:
        return 0
    return _PREFIX_RE.match(text).end()


def _read(text: str, quantities: list[RawQuantity], vocab: _Vocab) -> _Reading:
    prefix_end = _prefix_end(text)
    doc, terms = _tokens(text, quantities, vocab)
    labels: list[set[str] | frozenset[str]] = [_NO_LABELS] * len(doc)
    spans: dict[str, list[tuple[int, int]]] = {}
    for label, start, end in terms:
        if doc[start].idx < prefix_end:
            continue
        spans.setdefault(label, []).append((start, end))
        for i in range(start, end):
            token_labels = labels[i]
            if token_labels is _NO_LABELS:
                token_labels = labels[i] = set()
            token_labels.add(label)
    for value in spans.values():
        value.sort()
    low = ascii_lower(text)
    return _Reading(doc, quantities, text, low if low is not None else text.lower(), prefix_end, labels, spans, low is not None)


def _verb_end(r: _Reading, i: int) -> int:
    """End token of the verb starting at ``i``: a multi-word entry ("roll out") if one starts there.

    The last such span in list order wins (as a dict built over the lists would keep it).
    """
    end = i + 1
    for label in _VERB_LABELS:
        for s, e in r.spans.get(label, ()):
            if s == i and e - s > 1:
                end = e
    return end


def _find_verb(r: _Reading, vocab: _Vocab) -> tuple[int, int] | None:
    """Token span of the action verb: the first verb-ish word, skipping "KR1:", "We will", adverbs."""
    doc = r.doc
    first_content: int | None = None
    for token in doc:
        if token.idx < r.prefix_end:
            continue
        i = token.i
        if not r.labels[i].isdisjoint(_VERB_LABEL_SET):
            return (i, _verb_end(r, i))
        low = token.lower_
        if low in _SKIP_LEADING or token.is_punct or token.is_space or (low.endswith("ly") and len(low) > 4):
            continue
        first_content = i
        break
    if first_content is not None:
        token = doc[first_content]
        noun_like = not r.labels[first_content].isdisjoint(_NOUN_LABELS)
        if not noun_like and not token.like_num and _looks_like_verb(token.lower_) and first_content + 1 < len(doc):
            return (first_content, first_content + 1)
    # Later verbs: passive/participle forms ("3 campaigns launched", "Churn reduced to 2%").
    for token in doc:
        i = token.i
        if token.idx < r.prefix_end or r.labels[i].isdisjoint(_VERB_LABEL_SET):
            continue
        # "the plan to launch" is a noun phrase, but "every agent to keep first response under 2h" keeps a level
        if i > 0 and doc[i - 1].lower_ in _DETERMINERS and not (
            doc[i - 1].lower_ == "to" and "maintain_words" in r.labels[i] and _owners_before(r, i - 1)
        ):
            continue
        if not r.labels[i].isdisjoint(_THING_LABELS):
            continue
        return (i, _verb_end(r, i))
    return None


_OWNER_WORDS = frozenset({"each", "every", "all", "everyone", "everybody"})


def _owners_before(r: _Reading, to: int) -> bool:
    """Do the few words before an infinitive "to" name who acts ("every agent to keep ...")?"""
    return any(
        "actor_nouns" in r.labels[j] or r.doc[j].lower_ in _OWNER_WORDS for j in range(max(0, to - 3), to)
    )


def _char_span(doc: list[_Tok], start: int, end: int) -> tuple[int, int]:
    last = doc[end - 1]
    return (doc[start].idx, last.idx + len(last.text))


def _token_at(doc: list[_Tok], char: int) -> int:
    for token in doc:
        if token.idx + len(token.text) > char:
            return token.i
    return len(doc) - 1


def _metric_chunks(r: _Reading, verb: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Token spans of metric phrases: a lexicon metric noun widened over its modifiers."""
    doc = r.doc
    metric_tokens = [i for s, e in r.spans.get("metric_nouns", ()) for i in range(s, e)]
    if not metric_tokens:
        return []
    taken: set[int] = set()
    chunks: list[tuple[int, int]] = []
    blocked_labels = _BLOCKED_IN_CHUNK

    def chunkable(i: int) -> bool:
        token = doc[i]
        if verb and verb[0] <= i < verb[1]:
            return False
        if token.in_quantity:
            return False
        if token.is_alpha and not token.whitespace_ and i + 1 < len(doc) and doc[i + 1].text == "-":
            return token.idx >= r.prefix_end  # "first-response time", "end-to-end latency"
        if token.like_num or token.is_punct and token.text not in "-/:" or token.is_space:
            return False
        if "metric_nouns" in r.labels[i]:
            return True
        if token.idx < r.prefix_end:
            return False
        if token.is_stop:
            return False
        if r.labels[i] & blocked_labels:
            # "95% test coverage", "our support tickets": a verb-word used as a modifier
            prev = doc[i - 1] if i else None
            as_modifier = prev is not None and (prev.like_num or prev.text == "%" or prev.lower_ in _DETERMINERS)
            if not as_modifier or r.labels[i] - _MODIFIER_VERB_LABELS:
                return False
        return token.is_alpha or token.text in "-/:"

    for i in sorted(set(metric_tokens)):
        if i in taken:
            continue
        start = i
        while start > 0 and chunkable(start - 1) and (doc[start - 1].whitespace_ or doc[start - 1].text in "-/:" or True):
            start -= 1
        while start < i and doc[start].text in "-/:":
            start += 1
        end = i + 1
        while end < len(doc) and (
            "metric_nouns" in r.labels[end]
            or doc[end].lower_ in _METRIC_TAIL
            or "deliverable_nouns" in r.labels[end]
            or (doc[end].text in "-/:" and not doc[end - 1].whitespace_ and end + 1 < len(doc) and chunkable(end + 1))
        ):
            end += 1
        while end > start + 1 and doc[end - 1].text in "-/:":
            end -= 1
        taken.update(range(start, end))
        chunks.append((start, end))
    return chunks


def _clause_index(r: _Reading) -> list[int]:
    """Clause number of every token: "Increase NPS to 50 and reduce churn to 2%" has two clauses."""
    out: list[int] = []
    clause = 0
    doc = r.doc
    for token in doc:
        low = token.lower_
        if low in _CLAUSE_BREAK or (low == "," and token.i + 1 < len(doc) and not r.labels[token.i + 1].isdisjoint(_VERB_LABEL_SET)):
            clause += 1
        elif low == "as" and token.i + 2 < len(doc) and doc[token.i + 1].lower_ == "well" and doc[token.i + 2].lower_ == "as":
            clause += 1
        out.append(clause)
    return out


def _fallback_chunk(r: _Reading, after_char: int) -> tuple[int, int] | None:
    """The noun phrase after a number or verb ("10 [sales emails] per week"), when no metric noun is known."""
    doc = r.doc
    i = 0
    while i < len(doc) and doc[i].idx < after_char:
        i += 1
    while i < len(doc) and (
        doc[i].is_stop or doc[i].is_punct or doc[i].like_num or doc[i].lower_ in _COUNT_WORDS
        or doc[i].in_quantity
    ):
        i += 1
    start = i
    while i < len(doc) and doc[i].is_alpha and not doc[i].is_stop:
        i += 1
    if i > start:
        return (start, i)
    return None


def _quantity_model(q: RawQuantity) -> Quantity:
    return trusted_model(
        Quantity, {"value": q.value, "unit": q.unit, "currency": q.currency, "text": q.text, "start": q.start, "end": q.end}
    )


def _facts_from_doc(vocab: _Vocab, text: str, deadlines: list[Deadline], quantities: list[RawQuantity]) -> Facts:
    r = _read(text, quantities, vocab)
    doc = r.doc
    text, lower = r.text, r.lower
    facts: dict = {}

    # --- verb --------------------------------------------------------------
    verb = _find_verb(r, vocab)
    verb_labels: set[str] = set()
    if verb is not None:
        s, e = _char_span(doc, *verb)
        facts["verb"] = text[s:e]
        facts["verb_lemma"] = " ".join(t.lemma_ for t in doc[verb[0] : verb[1]])
        facts["verb_span"] = (s, e)
        verb_labels = (
            set(r.labels[verb[0]]).intersection(*(r.labels[i] for i in range(verb[0] + 1, verb[1])))
            if verb[1] - verb[0] > 1
            else r.labels[verb[0]]
        )
        # a multi-word verb carries its label on every token; fall back to the head's labels
        verb_labels = verb_labels or r.labels[verb[0]]
    facts["is_activity_verb"] = "activity_verbs" in verb_labels
    facts["is_outcome_verb"] = "outcome_verbs" in verb_labels

    # --- deadline ----------------------------------------------------------
    deadlines = [d for d in deadlines if d.start >= r.prefix_end]
    if deadlines:
        facts["deadline"] = deadlines[0].text
        facts["deadline_span"] = (deadlines[0].start, deadlines[0].end)

    # --- metric ------------------------------------------------------------
    chunks = _metric_chunks(r, verb)
    clause_of = _clause_index(r) if chunks else []
    metrics: list[str] = []
    seen_clauses: set[int] = set()
    for s, e in chunks:
        if clause_of[s] in seen_clauses:
            continue
        seen_clauses.add(clause_of[s])
        cs, ce = _char_span(doc, s, e)
        phrase = text[cs:ce]
        if not any(phrase.lower() in m.lower() or m.lower() in phrase.lower() for m in metrics):
            metrics.append(phrase)
    metric_tokens: set[int] = set()
    for s, e in chunks:
        metric_tokens.update(range(s, e))

    # --- quantities and their roles ----------------------------------------
    raw = [q for q in r.quantities if q.start >= r.prefix_end and not _is_descriptor(text, q)]
    if raw and vocab.named_numbers is not None:
        named = [m.span() for m in vocab.named_numbers.finditer(lower)]
        if named:
            raw = [q for q in raw if not any(s <= q.start < e for s, e in named)]
    score_ctx = bool(r.spans.get("score_metrics"))
    ratio_ctx = bool(r.spans.get("ratio_metrics"))
    for q in raw:
        if q.unit == "count" and q.currency is None:
            if score_ctx and _near_label(r, q, "score_metrics"):
                q.unit = "score"
            elif ratio_ctx and _near_label(r, q, "ratio_metrics"):
                q.unit = "ratio"
    has_increase = bool(r.spans.get("increase_words"))
    has_decrease = bool(r.spans.get("decrease_words"))
    has_direction_word = has_increase or has_decrease or facts["is_outcome_verb"]
    bounded_word = bool(r.spans.get("bounded_metrics"))

    roles: dict[int, str] = {}
    markers: dict[int, str] = {}
    relative: float | None = None
    relative_q: RawQuantity | None = None
    magnitude_word: str | None = None
    delta: RawQuantity | None = None
    for idx, q in enumerate(raw):
        before = text[max(r.prefix_end, q.start - 40) : q.start]
        after = text[q.end : q.end + 30]
        tail = before.rstrip().lower() if r.ascii else None
        if (
            _BASELINE_BEFORE.search(before, tail)
            or _BASELINE_AFTER_RE.match(after)
            or _baseline_tag(text[max(r.prefix_end, q.start - 60) : q.start], r.ascii)
        ):
            roles[idx] = "baseline"
        elif q.times and not (
            (ratio_ctx and _near_label(r, q, "ratio_metrics")) or (_RATIO_CONTEXT_BEFORE.search(before, tail) and not has_direction_word)
        ):
            roles[idx] = "relative"
            if relative is None:
                relative, relative_q, magnitude_word = max(q.value - 1, 0.0), q, q.text
        elif _RELATIVE_BEFORE.search(before, tail) and (has_direction_word or q.unit == "percent"):
            if q.unit == "percent" and q.delta_unit is None:
                roles[idx] = "relative"
                if relative is None:
                    relative, relative_q = abs(q.value) / 100, q
            else:
                roles[idx] = "delta"
                delta = delta or q
        elif q.unit == "percent" and q.delta_unit is None and (q.signed or _RELATIVE_AFTER_RE.match(after)):
            roles[idx] = "relative"
            if relative is None:
                relative, relative_q = abs(q.value) / 100, q
        elif q.unit == "duration" and _WINDOW_BEFORE.search(before, tail) and q.comparator is None:
            roles[idx] = "window"
        elif q.comparator is not None or _TARGET_STRONG_BEFORE.search(before, tail):
            markers[idx] = "strong"
        elif _TARGET_WEAK_BEFORE.search(before, tail):
            markers[idx] = "weak"
        elif (
            q.unit == "percent"
            and q.delta_unit is None
            and has_direction_word
            and not bounded_word
            and not _SHARE_AFTER_RE.match(after)
            and _direction_before(r, q)
        ):
            roles[idx] = "relative"
            if relative is None:
                relative, relative_q = abs(q.value) / 100, q
    # arrows and "from X to Y" pairs
    for idx in range(len(raw) - 1):
        first, second = raw[idx], raw[idx + 1]
        change_asked = roles.get(idx) == "baseline" or has_direction_word
        if _is_pair(text, first, second, change_asked, idx in markers, markers.get(idx) == "strong"):
            if roles.get(idx) in (None, "baseline") and roles.get(idx + 1) in (None,):
                roles[idx] = "baseline"
                markers[idx + 1] = "pair"  # "twice ... from 1 in 5 to under 1 in 10": the pair wins over "twice"
                if idx and roles.get(idx - 1) is None and _OF_GAP_RE.fullmatch(text, raw[idx - 1].end, first.start):
                    # "3 of 6 lads → all 6", "1 of 6 → 3 of 6": the count is the baseline, the 6 its scale
                    roles[idx - 1], roles[idx] = "baseline", "scale"
    baseline_idx = next((i for i in range(len(raw)) if roles.get(i) == "baseline"), None)
    candidates = [i for i in range(len(raw)) if i not in roles]
    target_idx: int | None = None
    for wanted in ("pair", "strong"):
        target_idx = next((i for i in candidates if markers.get(i) == wanted), None)
        if target_idx is not None:
            break
    if target_idx is None and candidates:
        if baseline_idx is not None:
            after_baseline = [i for i in candidates if i > baseline_idx]
            target_idx = (after_baseline or candidates)[0]
        elif has_direction_word:
            weak = [i for i in candidates if markers.get(i) == "weak"]
            target_idx = (weak or candidates)[0]
        else:
            target_idx = candidates[0]

    if target_idx is None and baseline_idx is not None and not has_direction_word and relative is None and delta is None:
        # "contributions from 30 allies": "from" without any change asked is not a baseline
        target_idx, baseline_idx = baseline_idx, None
    baseline_q = raw[baseline_idx] if baseline_idx is not None else None
    target_q = raw[target_idx] if target_idx is not None else None
    baseline = baseline_q.value if baseline_q else None
    target = target_q.value if target_q else None

    # magnitude words: double, halve, triple, significantly...
    for s, e in r.spans.get("magnitude_words", ()):
        word_end = doc[e - 1].idx + len(doc[e - 1].text)
        word = text[doc[s].idx : word_end]
        rel = vocab.magnitude.get(doc[s].lemma_, vocab.magnitude.get(doc[s].lower_))
        if rel is None:
            continue
        if text[word_end : word_end + 1] == "-":
            # "double-digit growth" asks for at least 10%; "double-entry", "double-check" name things
            digits = _DIGIT_GROWTH.get(doc[s].lower_) if text[word_end + 1 : word_end + 6].lower() == "digit" else None
            if digits is None:
                continue
            rel, word = digits, text[doc[s].idx : word_end + 6]
        magnitude_word = magnitude_word or word
        if relative is None and not doc[s].lower_.endswith("ly"):  # a multiplier, not "significantly"
            relative = rel
        break
    # every _FRACTION_RE match holds one of the _FRACTION_OF words: a cheap test first
    if relative is None and (has_decrease or has_direction_word) and any(k in lower for k in _FRACTION_OF):
        fraction = _FRACTION_RE.search(lower)
        if fraction:
            last = _LAST_WORD_RE.search(fraction.group(0)).group(0)  # type: ignore[union-attr]
            relative, magnitude_word = _FRACTION_OF[last], magnitude_word or fraction.group(0)

    # durations: compare like with like ("from 3 days to 8 hours")
    if baseline_q and target_q and baseline_q.duration_unit and target_q.duration_unit:
        if baseline_q.duration_unit != target_q.duration_unit:
            baseline = baseline_q.value * DURATION_SECONDS[baseline_q.duration_unit] / DURATION_SECONDS[target_q.duration_unit]
    if baseline_q and target_q and baseline_q.unit == "count" and target_q.unit != "count":
        pass

    # a relative or absolute change from a known baseline gives the target
    direction = _direction(r, vocab, facts, baseline, target, target_q, relative_q, metric_tokens)
    if target is None and baseline is not None:
        if delta is not None:
            target = baseline + (delta.value if direction != "decrease" else -abs(delta.value))
        elif relative is not None:
            target = baseline * (1 + relative) if direction != "decrease" else baseline * (1 - min(relative, 1.0))

    # "Eliminate downtime", "zero critical incidents": the target is zero
    if target is None and relative is None and facts.get("verb_lemma") == "eliminate":
        target, facts["comparator"] = 0.0, "="
        direction = "decrease"

    # --- units ---------------------------------------------------------------
    unit_q = target_q or relative_q or baseline_q or delta
    if unit_q is not None:
        facts["unit"] = unit_q.unit
        facts["currency"] = (target_q or unit_q).currency or (baseline_q.currency if baseline_q else None)
        if baseline_q and target_q and target_q.unit == "count" and baseline_q.unit != "count":
            facts["unit"] = baseline_q.unit
    if target_q is not None and target_q.comparator:
        facts["comparator"] = target_q.comparator
    facts["baseline"] = baseline
    facts["target"] = target
    facts["relative_change"] = relative
    facts["magnitude_word"] = magnitude_word
    facts["direction"] = direction

    # --- metric phrase -------------------------------------------------------
    if chunks:
        first = chunks[0]
        if target_q is not None:
            # prefer the metric nearest the target number
            tgt_tok = _token_at(doc, target_q.start)
            first = min(chunks, key=lambda c: min(abs(c[0] - tgt_tok), abs(c[1] - 1 - tgt_tok)))
        cs, ce = _char_span(doc, *first)
        facts["metric"], facts["metric_span"] = text[cs:ce], (cs, ce)
    else:
        anchor = facts["verb_span"][1] if verb is not None else r.prefix_end
        chunk = _fallback_chunk(r, anchor)
        if chunk is not None:
            cs, ce = _char_span(doc, *chunk)
            facts["metric"], facts["metric_span"] = text[cs:ce], (cs, ce)
            metrics = [text[cs:ce]]
    facts["metrics"] = metrics

    facts["quantities"] = [_quantity_model(q) for q in raw]

    # --- kinds of statement --------------------------------------------------
    # keep/maintain as the action (not "keep improving", not "draft and maintain the guides")
    maintain = "maintain_words" in verb_labels and not _followed_by_effort(r, verb)
    if not maintain and not (has_increase or has_decrease) and relative is None:
        maintain = any(
            doc[s].lemma_ in ("stay", "remain") or (s and doc[s - 1].text in (":", "-", "–"))  # "Survey: maintain X"
            for s, _ in r.spans.get("maintain_words", ())
        ) or (baseline is None and _keep_cue(text, lower, r.ascii))
    if not maintain and (has_increase or has_decrease) and relative is None and baseline is None:
        # "No drop in X", "never below Y": a change word, negated
        maintain = _keep_cue(text, lower, r.ascii, _NEGATED_CHANGE_RE)
    facts["is_maintain"] = maintain
    if maintain:
        facts["direction"] = "maintain"
    # watching a number: "Track NPS", "Report pipeline weekly", "Create a KPI dashboard"
    monitoring_verb = "monitoring_words" in verb_labels or (
        bool(r.spans.get("monitoring_words")) and (bool(chunks) or bool(r.spans.get("monitoring_nouns")))
    )
    monitoring_object = bool(r.spans.get("monitoring_nouns")) and (
        verb is None or bool(verb_labels & {"activity_verbs", "neutral_verbs", "monitoring_words"})
    )
    facts["is_monitoring"] = (monitoring_verb or monitoring_object) and target is None and relative is None
    facts["is_milestone"] = (
        ("milestone_verbs" in verb_labels or (verb is None and bool(r.spans.get("milestone_verbs"))))
        and target is None
        and relative is None
    )
    facts["bounded_percent"] = bool(
        target_q is not None
        and target_q.unit == "percent"
        and target_q.delta_unit is None
        and 0 <= target_q.value <= 100
        and (bounded_word or baseline_q is not None and baseline_q.unit == "percent" or target_q.value >= 90)
    )
    return trusted_model(Facts, facts)


def _followed_by_effort(r: _Reading, verb: tuple[int, int] | None) -> bool:
    """"Keep improving X", "keep cutting costs" ask to continue an effort; "keep posting weekly" holds a habit."""
    if verb is None or verb[1] >= len(r.doc):
        return False
    token = r.doc[verb[1]]
    return token.lower_.endswith("ing") and (
        token.lemma_ in _EFFORT_GERUNDS or not _EFFORT_LABELS.isdisjoint(r.labels[verb[1]])
    )


def _baseline_tag(window: str, ascii_text: bool) -> bool:
    """Does ``window`` (the text just before a number) tag it as the current or past value?"""
    if ascii_text:
        low = window.lower()
        if not any(key in low for key in _BASELINE_TAG_KEYS):
            return False
    return _BASELINE_TAG_RE.search(window) is not None


def _keep_cue(text: str, lower: str, ascii_text: bool, pattern: re.Pattern[str] | None = None) -> bool:
    """Keep wording without a keep verb ("as always", "hold flat", "no drop in")."""
    if ascii_text and not any(key in lower for key in _KEEP_CUE_KEYS):
        return False
    return (pattern or _KEEP_CUE_RE).search(text) is not None


def _is_pair(
    text: str, first: RawQuantity, second: RawQuantity, change_asked: bool, first_marked: bool, first_strong: bool
) -> bool:
    """Are two neighbouring numbers a baseline and its target ("30 -> 45", "80kg → 85kg", "90 subs to 1,000")?

    An arrow always pairs. "to" or a dash pairs a bare number with the next one when a change is asked (else
    "2 to 3 engineers" is a range); "to" after a unit pairs when both numbers carry the same unit ("71% to 85%")
    or the target ends the phrase ("90 subs to 1,000", not "5 emails to 200 customers").
    """
    m = _PAIR_GAP_RE.match(text, first.end, second.start)
    if m is None or m.end() != second.start:
        return False
    link = m.group("link").lower()
    if link in _ARROW_LINKS:
        return link != ">" or m.group("unit") is None  # "6 new logos >$10k": a comparator, not an arrow
    same_unit = first.unit == second.unit and first.unit != "count" and (first.currency == second.currency)
    if m.group("unit") is None:
        return not first_marked and (change_asked or (link == "to" and same_unit))
    if link != "to" or first_strong:
        return False
    unit = m.group("unit").strip().lower()
    end = second.end
    return text[end : end + len(unit) + 1].strip().lower() == unit or _PAIR_END_RE.match(text, end) is not None


def _named_number_re(names: list[str]) -> re.Pattern[str] | None:
    """One pattern for the lexicon's named numbers; a space or hyphen in an entry matches either or none."""
    if not names:
        return None
    parts = [r"[\s-]?".join(re.escape(word) for word in re.split(r"[\s-]+", name))
             for name in sorted(names, key=len, reverse=True)]
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?![\w])")


def _is_descriptor(text: str, q: RawQuantity) -> bool:
    """A number that sets the scene, not a target: "our 3 offices", "(team of 9)", "the 2023 series".

    ("a 5-day retreat" and "a 15-minute conversation" look alike but only the second is a target: left alone.)
    """
    if q.unit != "count" or q.currency or q.comparator or q.times or q.signed:
        return False
    before = text[max(0, q.start - 20) : q.start]
    if _DESCRIPTOR_BEFORE_RE.search(before) and _DESCRIPTOR_AFTER_RE.match(text, q.end):
        return True
    # "the 2024 annual report", "(2024: 152,000)"
    return 1990 <= q.value <= 2049 and q.value.is_integer() and _YEAR_LABEL_BEFORE_RE.search(before) is not None


def _near_label(r: _Reading, q: RawQuantity, label: str, window: int = 4) -> bool:
    """Is a word of ``label`` within ``window`` tokens of the quantity ("NPS of 45", "4.5 CSAT")?"""
    doc = r.doc
    start = _token_at(doc, q.start)
    end = _token_at(doc, max(q.end - 1, q.start))
    return any(s - window <= end and e + window > start for s, e in r.spans.get(label, ()))


def _direction_before(r: _Reading, q: RawQuantity) -> bool:
    """Is there an increase/decrease word before this number (so a bare "20%" is the size of the change)?"""
    tok = _token_at(r.doc, q.start)
    return any(s < tok for label in ("increase_words", "decrease_words") for s, _ in r.spans.get(label, ()))


def _direction(
    r: _Reading,
    vocab: _Vocab,
    facts: dict,
    baseline: float | None,
    target: float | None,
    target_q: RawQuantity | None,
    relative_q: RawQuantity | None,
    metric_tokens: set[int],
) -> str | None:
    """Which way the statement asks the number to move."""
    if baseline is not None and target is not None and baseline != target:
        return "increase" if target > baseline else "decrease"
    if relative_q is not None and relative_q.signed:
        return "decrease" if relative_q.signed == "-" else "increase"
    inc = r.spans.get("increase_words", [])
    dec = r.spans.get("decrease_words", [])
    if inc or dec:
        first_inc = inc[0][0] if inc else 10**6
        first_dec = dec[0][0] if dec else 10**6
        return "increase" if first_inc < first_dec else "decrease"
    lemma = facts.get("verb_lemma")
    if lemma in {"improve", "optimize", "optimise", "better", "boost"} or facts.get("is_outcome_verb"):
        lower_better = any(r.doc[i].lemma_ in vocab.lower_is_better for i in metric_tokens)
        if lemma in {"improve", "optimize", "optimise"}:
            return "decrease" if lower_better else "increase"
    if target_q is not None and target_q.comparator in ("<", "<="):
        return "decrease"
    if target_q is not None and target_q.comparator in (">", ">="):
        return "increase"
    if lemma in {"achieve", "reach", "hit", "attain", "exceed", "surpass", "gain", "acquire", "win", "close",
                 "generate", "earn", "attract", "convert", "drive"}:  # fmt: skip
        return "increase"
    return None
