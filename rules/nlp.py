"""The spaCy pipeline of the rule engine: a blank English pipeline plus three small components.

No statistical model can be downloaded here, and a key result is one short
line, so a tagger/parser would cost far more than it earns. Instead:

* ``okr_lemmatizer`` lemmatises the *lowercase* form with the lookup table of
  spacy-lookups-data (the table is case-sensitive and most key results start
  with a capital: "Sent" -> "send" needs "sent");
* ``okr_lexicon`` runs a spaCy ``Matcher`` built from ``lexicon.yaml`` (word
  lists become lemma patterns; raw patterns are validated by spaCy) and
  stores ``(label, start_token, end_token)`` matches in ``doc._.okr_terms``;
* ``okr_numbers`` reads every number, amount, percentage, duration, score and
  deadline with regular expressions over ``doc.text`` (money and dates are
  much easier to read from characters than from spaCy's token splits) and
  stores them in ``doc._.okr_quantities`` / ``doc._.okr_deadlines``.

All three are registered with ``@Language.factory`` and a ``default_config``;
the lexicon is passed by id (``lexicon_id``) so a profile's extended
vocabulary gets its own cached pipeline.

The fact extractor (rules.facts) does not run this pipeline per statement: a
spaCy Doc and its Token objects cost more than the whole reading, so it asks
``ChunkTokenizer`` for spaCy's tokens as plain tuples and the components'
helpers (``LexiconMatcher.word_info``/``multi_word_terms``,
``NumberReader.read``) for the same answers. tests/test_facts_equivalence.py
checks that both routes agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

import spacy
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from rules.lexicon import WORD_LISTS, Lexicon, load_lexicon

# Lexicons the pipelines were built from, by fingerprint (config values must be plain strings).
_LEXICONS: dict[str, Lexicon] = {}


def _lexicon_for(lexicon_id: str) -> Lexicon:
    if lexicon_id == "default":
        return load_lexicon()
    try:
        return _LEXICONS[lexicon_id]
    except KeyError:
        raise ValueError(f"unknown lexicon id {lexicon_id!r}; build pipelines with get_nlp(lexicon)") from None


# ---------------------------------------------------------------------------
# Doc extensions
# ---------------------------------------------------------------------------

for _name in ("okr_quantities", "okr_deadlines"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

# The lexicon matches live in ``doc.user_data`` (``doc._.okr_terms`` reads them): the fact extractor reads
# them once per statement, and a ``doc._`` access builds a new Underscore object each time.
_TERMS_KEY = "okr_terms"


def lexicon_terms(doc: Doc) -> list[tuple[str, int, int]] | None:
    """``(word list, start token, end token)`` of every lexicon match, sorted (set by okr_lexicon)."""
    return doc.user_data.get(_TERMS_KEY)


if not Doc.has_extension("okr_terms"):
    Doc.set_extension("okr_terms", getter=lexicon_terms)


# ---------------------------------------------------------------------------
# Lemmatizer: lookup table on the lowercase form
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def lemma_table():
    """The English lookup lemma table of spacy-lookups-data (keyed by lowercase word)."""
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


# Lookup-table answers that are wrong for OKR text ("number" -> "numb", "data" -> "datum").
_LEMMA_OVERRIDES = {"number": "number", "numbers": "number", "data": "data", "media": "media", "less": "less",
                    "least": "least", "more": "more", "most": "most", "sales": "sale", "analytics": "analytics",
                    "news": "news", "ops": "ops", "kudos": "kudos", "stated": "state", "us": "us"}  # fmt: skip


@lru_cache(maxsize=65536)
def lemma_of(word: str) -> str:
    """Lemma of a word as the pipeline sees it: lookup table on the lowercase form, plus plural fallback.

    Jargon plurals the table lacks ("signups", "SDRs", "KPIs") lose their "s" so
    lexicon entries match them.
    """
    word = word.lower()
    lemma = _LEMMA_OVERRIDES.get(word) or lemma_table().get(word, word)
    if lemma == word and len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        lemma = word[:-1]
    return lemma


class LowercaseLemmatizer:
    """Set ``token.lemma`` from ``lemma_of`` (cached per lowercase form, so each word is looked up once)."""

    def __init__(self, nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self.cache: dict[int, int] = {}

    def lemma_id(self, lower_id: int, lower: str) -> int:
        lemma = self.cache.get(lower_id)
        if lemma is None:
            lemma = self.strings.add(lemma_of(lower))
            self.cache[lower_id] = lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        # Setting token.lemma in one pass costs half of a to_array/from_array round trip on a short statement.
        cache = self.cache
        for token in doc:
            lower = token.lower
            lemma = cache.get(lower)
            if lemma is None:
                lemma = self.lemma_id(lower, token.lower_)
            token.lemma = lemma
        return doc


@Language.factory("okr_lemmatizer", default_config={})
def make_okr_lemmatizer(nlp: Language, name: str) -> LowercaseLemmatizer:
    return LowercaseLemmatizer(nlp)


# ---------------------------------------------------------------------------
# Lexicon matcher
# ---------------------------------------------------------------------------


def _expand_in(pattern: list[dict]) -> list[list[dict]]:
    """Rewrite ``{"LEMMA": {"IN": [a, b]}}`` token specs as one pattern per value.

    Equality predicates run in the Matcher's C code; ``IN`` sets are checked in
    Python for every token, which dominated the pipeline's run time.
    """
    out: list[list[dict]] = [[]]
    for spec in pattern:
        variants: list[dict] = [{}]
        for key, value in spec.items():
            if isinstance(value, dict) and set(value) == {"IN"}:
                variants = [{**v, key: choice} for v in variants for choice in value["IN"]]
            else:
                variants = [{**v, key: value} for v in variants]
        out = [prefix + [variant] for prefix in out for variant in variants]
    return out


_PYTHON_ATTRS = ("ORTH", "LOWER", "LEMMA")


def _python_patterns(items) -> list[tuple[str, list[tuple[str, frozenset[str], bool]]]] | None:
    """Matcher patterns as ``(label, [(attribute, allowed values, optional)])``, or None if any needs spaCy.

    Plain tests are ORTH/LOWER/LEMMA equal to a string or ``IN`` a list, with
    no operator or ``"?"`` (not on the first or last token, where a Matcher's
    choice between a shorter and a longer match would matter).
    """
    out = []
    for item in items:
        specs = []
        for position, spec in enumerate(item.pattern):
            op = spec.get("OP")
            keys = set(spec) - {"OP"}
            if len(keys) != 1 or op not in (None, "?") or (op and position in (0, len(item.pattern) - 1)):
                return None
            (attr,) = keys
            value = spec[attr]
            if attr not in _PYTHON_ATTRS:
                return None
            if isinstance(value, str):
                allowed = frozenset([value])
            elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                allowed = frozenset(value["IN"])
            else:
                return None
            specs.append((attr, allowed, op == "?"))
        out.append((item.label, specs))
    return out


def _pattern_ends(specs, k: int, i: int, columns: dict[str, list[str]], n: int):
    """Every end token of a match of ``specs[k:]`` starting at token ``i`` (all paths, as the Matcher reports)."""
    if k == len(specs):
        yield i
        return
    attr, allowed, optional = specs[k]
    if i < n and columns[attr][i] in allowed:
        yield from _pattern_ends(specs, k + 1, i + 1, columns, n)
    if optional:
        yield from _pattern_ends(specs, k + 1, i, columns, n)


class LexiconMatcher:
    """Tag lexicon words and phrases (by lemma) with the name of their word list.

    Single words (most of the lexicon) are a dict lookup on the token's lemma
    and lowercase ids, read in one ``doc.to_array`` call; multi-word entries go
    through a ``PhraseMatcher`` on LEMMA and the raw ``metric_patterns`` through
    a validating ``Matcher``. (A ``Matcher`` with one big ``IN`` set per list
    was the first version: correct, but its Python-level set predicates made it
    10x slower than the rest of the pipeline.)
    """

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.strings = nlp.vocab.strings
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.singles: dict[int, tuple[str, ...]] = {}
        tokenizer = spacy.blank("en").tokenizer
        lists = {label: getattr(lexicon, label) for label in WORD_LISTS}
        lists["magnitude_words"] = sorted(lexicon.magnitude_words)
        singles: dict[int, set[str]] = {}
        # The PhraseMatcher runs only on docs holding a phrase's first lemma.
        self.phrase_first_lemmas: set[int] = set()
        # The same phrases for the Doc-free path (terms): first lemma -> (lemmas, label).
        self.phrases_by_first: dict[str, set[tuple[tuple[str, ...], str]]] = {}
        self.vocab = nlp.vocab
        for label, entries in lists.items():
            phrase_docs = []
            for entry in entries:
                words = [t.lower_ for t in tokenizer(entry)]
                if len(words) == 1:
                    # Entries are base forms: a single word matches a token whose lemma or lowercase
                    # form is that word (so "less" does not match "least", which both look up to "little").
                    for form in {words[0], lemma_of(words[0])}:
                        singles.setdefault(self.strings.add(form), set()).add(label)
                else:
                    lemmas = [lemma_of(w) for w in words]
                    phrase_docs.append(Doc(nlp.vocab, words=words, lemmas=lemmas))
                    self.phrase_first_lemmas.add(self.strings.add(lemmas[0]))
                    self.phrases_by_first.setdefault(lemmas[0], set()).add((tuple(lemmas), label))
            if phrase_docs:
                self.phrases.add(label, phrase_docs)
        self.singles = {key: tuple(sorted(labels)) for key, labels in singles.items()}
        by_label: dict[str, list[list[dict]]] = {}
        for item in lexicon.metric_patterns:
            Matcher(nlp.vocab, validate=True).add(item.label, [item.pattern])  # validate as written
            by_label.setdefault(item.label, []).extend(_expand_in(item.pattern))
        for label, patterns in by_label.items():
            self.matcher.add(label, patterns)
        self.python_patterns = _python_patterns(lexicon.metric_patterns)
        # Run the Matcher only on docs holding a possible first token (None: no cheap filter possible).
        self.first_keys: set[int] | None = set()
        for patterns in by_label.values():
            for pattern in patterns:
                first = pattern[0]
                value = first.get("LOWER", first.get("LEMMA"))
                if isinstance(value, str) and set(first) <= {"LOWER", "LEMMA", "OP"} and first.get("OP") is None:
                    self.first_keys.add(self.strings.add(value))
                else:
                    self.first_keys = None
                    break
            if self.first_keys is None:
                break
        # Per lowercase form: (word-list labels, may start a Matcher pattern, may start a phrase).
        # The lemma is a function of the lowercase form (okr_lemmatizer), so one lookup per token does it all.
        self.by_lower: dict[int, tuple[tuple[str, ...], bool, bool]] = {}

    def _lower_info(self, lower: int) -> tuple[tuple[str, ...], bool, bool]:
        lemma = self.strings.add(lemma_of(self.strings[lower]))
        labels = tuple(sorted(set(self.singles.get(lemma, ())) | set(self.singles.get(lower, ()))))
        starts_pattern = self.first_keys is not None and (lemma in self.first_keys or lower in self.first_keys)
        info = (labels, starts_pattern, lemma in self.phrase_first_lemmas)
        self.by_lower[lower] = info
        return info

    def word_info(self, lower: str) -> tuple[tuple[str, ...], bool, bool]:
        """(word-list labels, may start a Matcher pattern, may start a phrase) of a lowercase form."""
        lower_id = self.strings.add(lower)
        return self.by_lower.get(lower_id) or self._lower_info(lower_id)

    def multi_word_terms(
        self,
        words: list[str],
        spaces: list[bool],
        lowers: list[str],
        lemmas: list[str],
        starts_phrase: list[int],
        run_matcher: bool,
    ) -> set[tuple[str, int, int]]:
        """The phrase and Matcher matches ``__call__`` adds to the single words, without a spaCy Doc.

        Phrases compare lemma tuples at the tokens that may start one (what the
        PhraseMatcher on LEMMA finds, overlaps included). The raw Matcher
        patterns run only when ``run_matcher``: in Python when they are plain
        ORTH/LOWER/LEMMA tests (see ``_python_patterns``), else with the
        Matcher on a Doc built from the words.
        tests/test_facts_equivalence.py compares both with the component.
        """
        terms: set[tuple[str, int, int]] = set()
        n = len(lemmas)
        for i in starts_phrase:
            for phrase, label in self.phrases_by_first.get(lemmas[i], ()):
                end = i + len(phrase)
                if end <= n and tuple(lemmas[i:end]) == phrase:
                    terms.add((label, i, end))
        if run_matcher and self.python_patterns is not None:
            columns = {"ORTH": words, "LOWER": lowers, "LEMMA": lemmas}
            for label, specs in self.python_patterns:
                attr, allowed, _ = specs[0]
                column = columns[attr]
                for start in range(n):
                    if column[start] in allowed:  # the first token is never optional
                        for end in _pattern_ends(specs, 1, start + 1, columns, n):
                            terms.add((label, start, end))
        elif run_matcher and len(self.matcher):
            strings = self.strings
            doc = Doc(self.vocab, words=words, spaces=spaces, lemmas=lemmas)
            for match_id, start, end in self.matcher(doc):
                terms.add((strings[match_id], start, end))
        return terms

    def __call__(self, doc: Doc) -> Doc:
        strings = self.strings
        by_lower = self.by_lower
        terms: set[tuple[str, int, int]] = set()
        run_matcher = self.first_keys is None
        run_phrases = False
        for i, token in enumerate(doc):  # cheaper than doc.to_array for a short statement
            lower = token.lower
            labels, starts_pattern, starts_phrase = by_lower.get(lower) or self._lower_info(lower)
            if starts_pattern:
                run_matcher = True
            if starts_phrase:
                run_phrases = True
            for label in labels:
                terms.add((label, i, i + 1))
        if run_phrases:
            for match_id, start, end in self.phrases(doc):
                terms.add((strings[match_id], start, end))
        if run_matcher and len(self.matcher):
            for match_id, start, end in self.matcher(doc):
                terms.add((strings[match_id], start, end))
        doc.user_data[_TERMS_KEY] = sorted(terms)
        return doc


@Language.factory("okr_lexicon", default_config={"lexicon_id": "default"})
def make_okr_lexicon(nlp: Language, name: str, lexicon_id: str) -> LexiconMatcher:
    return LexiconMatcher(nlp, _lexicon_for(lexicon_id))


# ---------------------------------------------------------------------------
# Tokens without a Doc
# ---------------------------------------------------------------------------


class ChunkTokenizer:
    """spaCy's tokenization of a text as ``(text, start char, space after)`` triples, without a ``Doc``.

    spaCy's tokenizer works on each whitespace-delimited chunk on its own (it
    caches chunks by hash), and a single space after a chunk becomes the last
    token's trailing space. So for a text whose only whitespace is single
    spaces between chunks, the tokens are the concatenation of each chunk's
    tokens, which this caches per chunk string. Anything else (tabs, newlines,
    double or leading spaces) goes through the tokenizer itself. Creating a Doc
    and one ``Token`` object per token cost more than the whole tokenization;
    tests/test_facts_equivalence.py compares the two ways on the corpus.
    """

    max_chunks = 200_000

    def __init__(self, nlp: Language) -> None:
        self.tokenizer = nlp.tokenizer
        self.chunks: dict[str, tuple[tuple[str, int], ...]] = {}

    def _chunk(self, chunk: str) -> tuple[tuple[str, int], ...]:
        if len(self.chunks) >= self.max_chunks:
            self.chunks.clear()
        pieces = self.chunks[chunk] = tuple((t.text, t.idx) for t in self.tokenizer(chunk))
        return pieces

    def __call__(self, text: str) -> list[tuple[str, int, str]]:
        chunks = text.split(" ")
        if chunks != text.split():
            return [(t.text, t.idx, t.whitespace_) for t in self.tokenizer(text)]
        cache = self.chunks
        out: list[tuple[str, int, str]] = []
        start = 0
        for chunk in chunks:
            if start:  # a single space follows every chunk but the last: the chunk's last token carries it
                piece, offset, _ = out[-1]
                out[-1] = (piece, offset, " ")
            for piece, offset in cache.get(chunk) or self._chunk(chunk):
                out.append((piece, start + offset, ""))
            start += len(chunk) + 1
        return out


# ---------------------------------------------------------------------------
# Numbers and deadlines
# ---------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[89]\d|20[0-4]\d)"
_PERIOD = (
    r"(?:(?:the\s+)?(?:this|next|current|coming|following|fiscal|calendar)\s+)?"
    r"(?:quarter|year|month|week|sprint|half|cycle|semester|term|season|summer|winter|spring|fall|autumn"
    r"|fy|q[1-4]|h[12])"
)
_DATE = (
    r"\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}/\d{2,4}\b|\d{1,2}\.\d{1,2}\.\d{4}\b"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s+{_YEAR}\b)?"
    rf"|(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june|july|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    rf"|nov(?:ember)?|dec(?:ember)?)\.?\s+{_YEAR}\b"
)
_DEADLINE_RE = re.compile(
    r"(?P<d>"
    # end of quarter / end of the year / end of Q3 2026 / end of June
    rf"(?:the\s+)?\b(?:end|close|beginning|start|middle)\s+of\s+(?:the\s+)?(?:{_PERIOD}|{_MONTH}|{_YEAR})(?:\s+{_YEAR})?"
    r"|\b(?:eoq|eoy|eom|eow|eod|boy|ytd)\b"
    # Q2, Q2 2026, Q3'26, H1 2026, Q1 FY26
    rf"|\b(?:q[1-4]|h[12])\b(?:\s*(?:fy\s*)?'?(?:{_YEAR}|\d{{2}})\b)?"
    rf"|\bfy\s?'?(?:{_YEAR}|\d{{2}})\b"
    rf"|(?<![\w.,/$€£]){_DATE}"
    # this quarter, next year
    r"|\b(?:this|next|the\s+next|current|coming)\s+(?:quarter|year|month|week|sprint|half|cycle|semester|term"
    r"|fiscal\s+year)\b"
    # within the next 6 months / in 2 quarters / over the next year
    r"|\b(?:within|in|over|during)\s+(?:the\s+)?(?:next|coming|first|last)\s+(?:\d+|two|three|four|five|six|nine|twelve)?\s*"
    r"(?:days?|weeks?|months?|quarters?|years?|sprints?)\b"
    r"|\b(?:within|in)\s+(?:\d+|two|three|four|five|six|nine|twelve)\s+(?:months?|quarters?|years?|sprints?)\b"
    r")"
    # a year opening the statement: "2026 report ...", "2025: ..."
    rf"|(?:^|:\s)[^\w$€£]*(?P<y>{_YEAR})\b(?![%.,]\d|\s*(?:(?-i:[a-z])|\+|%|k\b))"
    # a bare month or year after a time preposition: "by June", "in 2026"
    rf"|(?:\b(?:by|before|until|till|through|in|during|for|of|since|from|after)\s+)"
    rf"(?P<p>(?:{_DATE})|{_MONTH}(?![a-z])|{_YEAR}\b(?![%.,]\d))",
    re.IGNORECASE,
)

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "a dozen": 12, "twice": 2, "thrice": 3, "a": 1, "an": 1,
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_CODES = {"usd": "USD", "eur": "EUR", "gbp": "GBP", "chf": "CHF", "cad": "CAD", "aud": "AUD",
                   "jpy": "JPY", "inr": "INR", "dollar": "USD", "dollars": "USD", "euro": "EUR",
                   "euros": "EUR", "pound": "GBP", "pounds": "GBP"}  # fmt: skip
_DURATION_UNITS = {
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms", "s": "s", "sec": "s", "secs": "s", "second": "s",
    "seconds": "s", "min": "min", "mins": "min", "minute": "min", "minutes": "min", "h": "h", "hr": "h",
    "hrs": "h", "hour": "h", "hours": "h", "d": "d", "day": "d", "days": "d", "business days": "d",
    "working days": "d", "wk": "w", "wks": "w", "week": "w", "weeks": "w", "month": "mo", "months": "mo",
    "mo": "mo", "mos": "mo", "year": "y", "years": "y", "yr": "y", "yrs": "y", "quarter": "q", "quarters": "q",
}  # fmt: skip
#: Seconds per duration unit, to compare "3 days" with "8 hours".
DURATION_SECONDS = {"ms": 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 2629800,
                    "q": 7889400, "y": 31557600}  # fmt: skip

_QUANTITY_RE = re.compile(
    r"(?<![\w.,/])"
    # a multiplier written before its number: "×4", "x3" (read as a relative change, like "4x")
    r"(?P<xpre>[x×]\s?(?=\d))?"
    r"(?P<cur>[$€£¥₹]|(?:usd|eur|gbp|chf|cad|aud|jpy|inr)\s?)?"
    r"(?P<sign>[+\-−](?=[$€£¥₹\d.]))?"
    r"(?P<cur2>[$€£¥₹])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?=\s?%)|\d+(?:\.\d+)?|\.\d+"  # "1,4%": a decimal comma
    r"|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|hundred|a\s+dozen|dozen|twice|thrice)\b"
    # "within a week": the article is the number of a time limit
    r"|(?<=within\s)an?(?=\s(?:business\s|working\s)?(?:day|week|month|hour|minute|quarter|year)\b))"
    r"(?:\s?(?P<mult>k|mm|mn|mio|m|bn|b)(?![a-z0-9])|\s(?P<multw>thousand|million|billion)\b)?"
    r"(?P<plus>\+)?"
    r"(?:\s?(?P<pct>%|percent(?:age\s+points?)?\b|per\s?cent\b|pct\b|pp\b|p\.p\.|basis\s+points?\b|bps\b)"
    r"|\s?(?P<pts>points?|pts)\b"
    r"|\s?(?P<dur>ms|milliseconds?|secs?|seconds?|mins?|minutes?|hrs?|hours?|business\s+days|working\s+days|days?"
    r"|wks?|weeks?|months?|mos?|years?|yrs?|quarters?|s|h|d)(?![a-z0-9])"
    r"|\s?(?P<curs>usd|eur|gbp|chf|dollars?|euros?|pounds?)\b"
    r"|(?P<times>\s?[x×](?![a-z0-9])|-fold\b|\s?times\b)"
    r"|\s?(?P<scale>/\s?\d+(?:\.\d+)?(?![\d/])|out\s+of\s+\d+(?:\.\d+)?)"
    # clock-style durations "4:25", "27:40", "1:02:30" (h:mm or m:ss), before the "3:1" ratio reading
    r"|(?P<clock>:[0-5]\d(?::[0-5]\d)?(?![\d:.]))"
    r"|(?P<ratio>:\d+(?:\.\d+)?)"
    # glued compound durations "6h40", "1h30m", "6m10s"
    r"|(?P<hms>[hm][0-5]\d(?:s|m|min)?(?![a-z0-9]))"
    # a rate written as "1 in 5" (not "3 in 2 weeks", not "5 in 2026")
    r"|(?P<inr>\s+in\s+(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:,\d{3})+|\d{1,4})(?![\d.,:/%])"
    r"(?!\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|wks?|weeks?|months?|mos?|quarters?|years?|yrs?"
    r"|sprints?)\b))"
    # glued physical units "80kg", "2GB" (a glued letter otherwise ends a number: 2FA, 5G)
    r"|(?P<phys>kg|mg|km|cm|lbs?|kcal|gb|mb|tb|ml|kwh)(?![a-z0-9])"
    r")?"
    r"(?P<plus2>\+)?",
    re.IGNORECASE,
)
#: Use the ASCII-only shortcuts (lowercase prechecks, case-sensitive twins of IGNORECASE patterns). They never
#: change a result; tests/test_facts_equivalence.py turns them off and compares.
ASCII_SHORTCUTS = True


#: Build Facts/Quantity/Labels without pydantic validation (the extractor's values are exact field types;
#: tests/test_facts_equivalence.py turns this off and compares with validated models).
TRUSTED_MODELS = True

_M = TypeVar("_M", bound=BaseModel)


def trusted_model(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls(**values)``, skipping validation when ``TRUSTED_MODELS`` is on.

    Validating a Facts record (23 fields, nested quantities) cost ~15 µs per
    statement, a tenth of the whole extraction, for values the extractor
    builds itself with the right types. This does what ``model_construct``
    does (declared field order, unset fields get their defaults, the given
    keys are the fields set) in a few dict operations.
    """
    if not TRUSTED_MODELS:
        return cls(**values)
    plan = _PLANS.get(cls) or _plan(cls)
    names, defaults, factories = plan
    if len(values) == len(names):
        data = {name: values[name] for name in names}  # KeyError on an unknown field
    else:
        if not values.keys() <= defaults.keys() | factories.keys() | set(names):
            raise TypeError(f"unknown {cls.__name__} fields: {sorted(set(values) - set(names))}")
        data = {}
        for name in names:
            if name in values:
                data[name] = values[name]
            elif name in defaults:
                data[name] = defaults[name]
            elif name in factories:
                data[name] = factories[name]()
            else:
                raise TypeError(f"{cls.__name__}.{name} is required")
    model = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(model, "__dict__", data)
    setattr_(model, "__pydantic_fields_set__", set(values))
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", None)
    return model


_PLANS: dict[type, tuple[tuple[str, ...], dict[str, Any], dict[str, Any]]] = {}


def _plan(cls: type[BaseModel]) -> tuple[tuple[str, ...], dict[str, Any], dict[str, Any]]:
    """Field names in declaration order, plain defaults, default factories (required fields are in neither)."""
    defaults: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        elif not info.is_required():
            defaults[name] = info.default
    plan = _PLANS[cls] = (tuple(cls.model_fields), defaults, factories)
    return plan


def ascii_lower(text: str) -> str | None:
    """``text.lower()`` when the ASCII shortcuts apply to ``text``, else None."""
    return text.lower() if ASCII_SHORTCUTS and text.isascii() else None


class EndPattern:
    """A regex anchored at the end of a short window ("...\\s*$"), plus the lowercase words it can end with.

    ``re`` cannot match backwards, so ``search`` tries every start position of
    the window (5-15 µs for 40 characters and a long alternation). For ASCII
    text a match implies that the right-stripped, lowercased window ends with
    one of ``tails``; that C-level ``str.endswith`` test comes first and skips
    almost every search. (Not for other text: under IGNORECASE "ſ" matches "s".)
    """

    __slots__ = ("regex", "tails")

    def __init__(self, regex: re.Pattern[str], tails: tuple[str, ...]) -> None:
        self.regex = regex
        self.tails = tails

    def search(self, window: str, tail: str | None) -> re.Match[str] | None:
        """``tail``: ``window.rstrip().lower()`` when the text is ASCII, else None (always search)."""
        if tail is not None and not tail.endswith(self.tails):
            return None
        return self.regex.search(window)


# The checks below run at a position with ``pattern.match(text, pos)`` rather than on a slice, so no
# substring is copied per number (a slice-based ``^`` anchor is the same as matching at ``pos``).
_ORDINAL_OR_GLUED_RE = re.compile(r"(?:st|nd|rd|th|[a-z])", re.IGNORECASE)
_COMPARATOR_RE = re.compile(
    r"(?P<c><=|>=|≤|≥|<|>|=|~|at\s+least|no\s+less\s+than|not\s+less\s+than|minimum\s+of|min\.?|a\s+minimum\s+of|more\s+than"
    r"|over|above|greater\s+than|higher\s+than|exceeding|exceed|beyond|under|below|less\s+than|fewer\s+than|lower\s+than"
    r"|at\s+most|no\s+more\s+than|not\s+more\s+than|maximum\s+of|max\.?|a\s+maximum\s+of|up\s+to|within|sub-?|or\s+less"
    r"|or\s+more|or\s+fewer|or\s+higher|or\s+better|or\s+lower)\s*$",
    re.IGNORECASE,
)
# Every comparator above ends with one of these words (lowercase).
_COMPARATOR_BEFORE = EndPattern(
    _COMPARATOR_RE,
    ("=", "<", ">", "~", "least", "than", "of", "min", "min.", "over", "above", "exceeding", "exceed", "beyond", "under",
     "below", "most", "max", "max.", "to", "within", "sub", "sub-", "less", "more", "fewer", "higher", "better", "lower"),
)  # fmt: skip
_COMPARATOR_WORDS = {
    "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "<": "<", ">": ">", "=": "=", "~": "=",
    "at least": ">=", "no less than": ">=", "not less than": ">=", "minimum of": ">=", "min": ">=",
    "min.": ">=", "a minimum of": ">=", "more than": ">", "over": ">", "above": ">", "greater than": ">",
    "higher than": ">", "exceeding": ">", "exceed": ">", "beyond": ">", "under": "<", "below": "<",
    "less than": "<", "fewer than": "<", "lower than": "<", "at most": "<=", "no more than": "<=",
    "not more than": "<=", "maximum of": "<=", "max": "<=", "max.": "<=", "a maximum of": "<=",
    "up to": "<=", "within": "<=", "sub": "<", "sub-": "<",
}  # fmt: skip
_NOT_QUANTITY_AFTER_RE = re.compile(
    r"(?:-on-|:1s\b|:1\s+(?:meeting|session|call|chat)|/7\b|x7\b|-to-one|\.(?:x|\d+)\b)", re.IGNORECASE
)
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _window_ends(window: str) -> tuple[int, ...]:
    """Where ``$`` matches in ``window``: at the end, and before a final newline."""
    n = len(window)
    return (n, n - 1) if window.endswith("\n") else (n,)


def _glued_before(window: str) -> bool:
    """``re.search(r"[A-Za-z]-$", window)``, read from the end (an end-anchored search tries every start)."""
    return any(e >= 2 and window[e - 1] == "-" and window[e - 2] in _ASCII_LETTERS for e in _window_ends(window))


def _word_before(window: str) -> str | None:
    r"""Group 1 of ``re.search(r"([A-Za-z]+)\.?\s*#?$", window)``, read from the end.

    The parse from the right is unique (``#``, then spaces, then ``.``, then
    letters); of the two places ``$`` can match, the leftmost start wins, as in
    ``search``.
    """
    best: tuple[int, str] | None = None
    for j in _window_ends(window):
        if j and window[j - 1] == "#":
            j -= 1
        while j and window[j - 1].isspace():
            j -= 1
        if j and window[j - 1] == ".":
            j -= 1
        k = j
        while k and window[k - 1] in _ASCII_LETTERS:
            k -= 1
        if k < j and (best is None or k < best[0]):
            best = (k, window[k:j])
    return best[1] if best else None


# Numbers that name a thing: "0.x", "1.2.3" (versions), and the other end of a named range ("pg 13-17").
_LABEL_RANGE_GAP_RE = re.compile(r"[-–]")  # "pg 13-17" (not "week 80 → 120": a baseline after a label)
_VERSION_RANGE_GAP_RE = re.compile(r"\s*(?:-|–|to|->|→)?\s*", re.IGNORECASE)
_VERSION_TAIL_RE = re.compile(r"(?:\.(?:x|\d+)\b)+", re.IGNORECASE)
_LIST_MARKER_RE = re.compile(r"\)\s")
# "N.N" after a product-ish word in a statement about releasing it: "Release Ondine 2.0", "ferrule 1.0 shipped".
_VERSION_NUM_RE = re.compile(r"\d{1,2}\.\d{1,2}")
_RELEASE_WORDS_RE = re.compile(r"\b(?:releas|ship|launch|migrat|upgrad|support|version|deprecat|cut\s+a)", re.IGNORECASE)
_NOT_PRODUCT_WORDS = frozenset(
    "to at of from by under over below above than is are was be reach hit and or vs with about around for in on "
    "score rating nps csat grade rate ratio".split()
)
_TWICE_AS_RE = re.compile(r"\s+(?:the|as)\b", re.IGNORECASE)
# "4x a week", "3 times per month", "2x/month", "3x week", "twice every Sunday": a frequency, not a multiplier
_FREQUENCY_AFTER_RE = re.compile(
    r"\s*(?:a|an|per|every|each|/|in\s+a|a\s+single)?\s*(?:other\s+)?(?:day|week|weekday|weekend|month|quarter|year|sprint"
    r"|night|morning|evening|shift|session|semester|term|season|mon|tue|wed|thu|fri|sat|sun)",
    re.IGNORECASE,
)
_DIGITS_RE = re.compile(r"\d+")
# Glued data sizes in MB, so "100MB to 2GB" compares like with like.
# (Only data sizes: "500MB to 2GB" is common, mixed mass or length units are not, and "80kg" should read 80.)
_PHYSICAL_SCALE = {"gb": 1000.0, "tb": 1e6}


def _no_open_paren(text: str, pos: int) -> bool:
    """Is no "(" left open before ``pos`` ("2) photos" is a list marker, "(now 7)" is not)?"""
    return text.rfind("(", 0, pos) <= text.rfind(")", 0, pos)


def _is_version(text: str, low: str | None, num: str, start: int, end: int, before: str, m: re.Match[str]) -> bool:
    """A bare "2.0" right after a name in a statement about a release ("Release Ondine 2.0 with ...")."""
    if end != m.end("num") or not _VERSION_NUM_RE.fullmatch(num):
        return False
    prev_word = _word_before(before)
    if not prev_word or prev_word.lower() in _NOT_PRODUCT_WORDS or not before.endswith(" "):
        return False
    return _RELEASE_WORDS_RE.search(low if low is not None else text) is not None


_ONE_AS_WORD_RE = re.compile(r"\s*(?:of|-|on|another|place|way|stop|page|pager)\b", re.IGNORECASE)
_VERSION_AFTER_RE = re.compile(r"\s*(?:version|release)\b", re.IGNORECASE)
_ARROW_BEFORE_RE = re.compile(r"(?:-|=|–)>\s*$")
_OR_TAIL_RE = re.compile(r"\s*(or\s+(?:less|fewer|lower|more|higher|better|above|below))\b", re.IGNORECASE)
_NOT_SCALE_DIGIT_RE = re.compile(r"[^\d.]")
_RANGE_GAP_RE = re.compile(r"\s*(?:-|–|to|->|→|and)\s*")
_MULTIPLIER_TAIL_RE = re.compile(r"(k|m|bn|b|million|billion|thousand)\s*$", re.IGNORECASE)
_HAS_MULTIPLIER_RE = re.compile(r"[kmb]", re.IGNORECASE)


@dataclass(slots=True)
class RawQuantity:
    """A number found in the text, before the fact extractor decides its role."""

    value: float
    unit: str | None  # percent, currency, count, duration, score, ratio
    currency: str | None
    start: int
    end: int
    text: str
    comparator: str | None = None
    times: bool = False  # "10x", "3-fold"
    signed: str | None = None  # "+" / "-"
    delta_unit: str | None = None  # "pp" / "points": an absolute change rather than a level
    duration_unit: str | None = None  # ms, s, min, h, d, w, mo, q, y
    scale: float | None = None  # 4.5/5 -> 5


@dataclass(slots=True)
class Deadline:
    text: str
    start: int
    end: int


def _to_float(num: str) -> float:
    key = " ".join(num.lower().split())
    if key in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[key])
    if "," in num and _DECIMAL_COMMA_RE.fullmatch(num):
        return float(num.replace(",", "."))  # "1,4%"
    return float(num.replace(",", ""))


_DECIMAL_COMMA_RE = re.compile(r"\d+,\d{1,2}")


# Where a deadline can start: trying the full pattern only there is ~5x faster than finditer.
_DEADLINE_START_PATTERN = (
    r"\b(?:the|end|close|beginning|start|middle|eo[qymwd]|boy|ytd|q[1-4]|h[12]|fy|this|next|current|coming|within|in"
    r"|over|during|by|before|until|till|through|for|of|since|from|after|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov"
    r"|dec)|\b\d|^|:\s"
)
_DEADLINE_START_RE = re.compile(_DEADLINE_START_PATTERN, re.IGNORECASE)
# Every deadline match contains one of these (a month, period word, year or date shape), so a statement
# without any (most of them) skips the search. Read from the pattern above, alternative by alternative.
_DEADLINE_KEY_PATTERN = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|quarter|year|month|week|sprint|half|cycle|semester|term"
    r"|season|summer|winter|spring|fall|autumn|fy|q[1-4]|h[12]|eo[qymwd]|boy|ytd|day"
    r"|\d{4}-\d\d-\d\d|\d/\d|\d\.\d{1,2}\.\d{4}|19[89]\d|20[0-4]\d"
)
_DEADLINE_KEY_RE = re.compile(_DEADLINE_KEY_PATTERN, re.IGNORECASE)
# Case-sensitive twins for ASCII text already lowercased: IGNORECASE matching costs about 2x, and for ASCII
# text "lowercase, then match lowercase literals" is the same test (not for Unicode: "ſ" matches "s").
_DEADLINE_START_LOWER_RE = re.compile(_DEADLINE_START_PATTERN)
_DEADLINE_KEY_LOWER_RE = re.compile(_DEADLINE_KEY_PATTERN)
_QUANTITY_LOWER_RE = re.compile(_QUANTITY_RE.pattern)
# find_quantities unpacks m.groups() in this order.
_QUANTITY_GROUPS = ("xpre", "cur", "sign", "cur2", "num", "mult", "multw", "plus", "pct", "pts", "dur", "curs", "times",
                    "scale", "clock", "ratio", "hms", "inr", "phys", "plus2")  # fmt: skip
if tuple(_QUANTITY_RE.groupindex) != _QUANTITY_GROUPS or _QUANTITY_RE.groups != len(_QUANTITY_GROUPS):
    raise RuntimeError("_QUANTITY_RE groups changed: update _QUANTITY_GROUPS and find_quantities")
_DIGIT_RE = re.compile(r"[0-9]")
_NUMBER_WORD_KEY_RE = re.compile(
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|hundred|dozen|twice|thrice|within\sa"
)


def _deadline_matches(text: str, low: str | None = None):
    """``_DEADLINE_RE`` matches left to right, as ``finditer`` would give them.

    ``low`` is ``text.lower()`` when ``text`` is ASCII: the cheap key and start
    scans then run case-sensitively; the full pattern always runs on ``text``
    (it tells "2026 Report" from "2026 revenue" by case).
    """
    if low is not None:
        if not _DEADLINE_KEY_LOWER_RE.search(low):
            return
        starts = _DEADLINE_START_LOWER_RE.finditer(low)
    else:
        if not _DEADLINE_KEY_RE.search(text):
            return
        starts = _DEADLINE_START_RE.finditer(text)
    last_end = 0
    match = _DEADLINE_RE.match
    for start in starts:
        pos = start.start()
        if pos < last_end:
            continue
        m = match(text, pos)
        if m:
            last_end = m.end()
            yield m


def find_deadlines(text: str, low: str | None = None) -> list[Deadline]:
    """Every deadline or timeframe expression, left to right, without its preposition.

    ``low``: ``text.lower()`` if the caller has it and ``text`` is ASCII (a speed-up only).
    """
    if low is None:
        low = ascii_lower(text)
    out: list[Deadline] = []
    for m in _deadline_matches(text, low):
        group = "d" if m.group("d") else ("y" if m.group("y") else "p")
        start, end = m.span(group)
        if group == "p" and _is_change_from_year_like_number(text, m.start(), end):
            continue  # "from 2000 to 3000 users": a baseline that happens to look like a year
        if group == "y" and _counts_people_or_things(text, end):
            continue  # "2000 Users signed up": a count in Title Case, not the year 2000
        out.append(Deadline(text[start:end], start, end))
    return out


# Plural nouns a year-shaped number at the start of a statement counts rather than dates ("2000 Users").
_COUNTED_NOUNS = frozenset(
    "users customers clients members people subscribers downloads installs signups sign-ups leads visitors "
    "students employees accounts orders units stars contributors partners donors volunteers attendees followers "
    "readers listeners viewers buyers sellers merchants developers teams companies schools patients tickets "
    "reviews deals".split()
)
_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z][\w-]*)")


def _counts_people_or_things(text: str, end: int) -> bool:
    """Is the year-shaped number at ``end`` followed by a plural noun it counts ("2000 Users", "1999 Orders")?"""
    following = _NEXT_WORD_RE.match(text, end)
    return bool(following) and following.group(1).lower() in _COUNTED_NOUNS


_FROM_WORD_RE = re.compile(r"\s*from\s", re.IGNORECASE)
_CHANGE_TO_NUMBER_RE = re.compile(r"\s*(?:to|->|→|–|—|-)\s*[$€£]?\s*(\d[\d,.]*)", re.IGNORECASE)
_YEAR_ONLY_RE = re.compile(_YEAR)


def _is_change_from_year_like_number(text: str, match_start: int, end: int) -> bool:
    """A year-shaped number after "from" followed by "to <a number that is not a year>" is a baseline."""
    if not _FROM_WORD_RE.match(text, match_start):
        return False
    following = _CHANGE_TO_NUMBER_RE.match(text, end)
    return bool(following) and not _YEAR_ONLY_RE.fullmatch(following.group(1).rstrip(".,"))


def find_quantities(
    text: str, deadlines: list[Deadline], identifier_words: frozenset[str], low: str | None = None
) -> list[RawQuantity]:
    """Every number that counts or measures something (not deadlines, ids, ordinals or list markers).

    ``low``: ``text.lower()`` if the caller has it and ``text`` is ASCII (a speed-up only).
    """
    if low is None:
        low = ascii_lower(text)
    if low is not None:
        # no digit and no number word: nothing to read (most of the regex work is skipped)
        if not _DIGIT_RE.search(low) and not _NUMBER_WORD_KEY_RE.search(low):
            return []
        matches = _QUANTITY_LOWER_RE.finditer(low)  # same spans and groups (lowercased) as _QUANTITY_RE on text
    else:
        matches = _QUANTITY_RE.finditer(text)
    blocked = [(d.start, d.end) for d in deadlines]
    out: list[RawQuantity] = []
    label_end = -1  # end of the last number skipped as a name ("pg 13", "0.x"), for its range partner
    label_is_version = False
    for m in matches:
        start, end = m.span()
        num_start, num_end = m.span("num")
        if blocked and any(s <= num_start < e for s, e in blocked):
            continue
        # one call for every group, in pattern order
        (xpre, cur, sign, cur2, num, mult, multw, plus, pct, pts, dur, curs, times, scale, clock, ratio, hms, inr, phys,
         plus2) = m.groups()  # fmt: skip
        if pct is None and dur is None and _ORDINAL_OR_GLUED_RE.match(text, end):
            continue  # 1st, 2FA, 3D, 5G
        if _NOT_QUANTITY_AFTER_RE.match(text, num_end):
            version = _VERSION_TAIL_RE.match(text, num_end)
            if version:
                label_end, label_is_version = version.end(), True
            continue  # 1:1s, 24/7, one-on-one, 0.x, 1.2.3
        before = text[max(0, start - 24) : start]
        if _glued_before(before):
            continue  # COVID-19, GPT-4
        if (
            label_end >= 0
            and not (pct or cur or cur2 or curs or dur)
            and (_VERSION_RANGE_GAP_RE if label_is_version else _LABEL_RANGE_GAP_RE).fullmatch(text, label_end, start)
        ):
            label_end = end
            continue  # the other end of "pg 13-17", "0.x to 1.0": also a name, not an amount
        if not (pct or cur or cur2 or curs):
            prev_word = _word_before(before)
            if prev_word and prev_word.lower() in identifier_words:
                label_end, label_is_version = end, False
                continue  # SOC 2, Tier 1, Phase 2 (but "last year £62k" is an amount)
        if before.endswith(("#", "#\n")):
            continue  # #1 in the category: a rank, not an amount
        if num.lower() == "one" and not inr and _ONE_AS_WORD_RE.match(text, num_end):
            continue
        if "." in num and _VERSION_AFTER_RE.match(text, end):
            continue  # "the 1.0 version"
        if _LIST_MARKER_RE.match(text, num_end) and (start == 0 or text[start - 1].isspace()) and _no_open_paren(text, start):
            continue  # "1) new menu 2) new photos": list markers inside the text
        if _is_version(text, low, num, start, end, before, m):
            label_end, label_is_version = end, True
            continue  # "Ondine 2.0 shipped": a release name
        value = _to_float(num)
        mult = mult or multw
        if mult:
            value *= _MULTIPLIERS[mult.lower()]
        currency = None
        symbol = cur or cur2
        if symbol:
            symbol = symbol.strip().lower()
            currency = _CURRENCY_SYMBOLS.get(symbol) or _CURRENCY_CODES.get(symbol)
        if curs:
            currency = _CURRENCY_CODES[curs.lower()]
        q = RawQuantity(value=value, unit="count", currency=currency, start=start, end=end, text=text[start:end])
        if xpre:
            q.times, q.unit = True, "ratio"
        if sign:
            q.signed = "-" if sign in "-−" else "+"
            if q.signed == "-":
                q.value = -q.value
        if plus or plus2:
            q.comparator = ">="
        if currency:
            q.unit = "currency"
        if pct:
            q.unit = "percent"
            pct = pct.lower()
            if pct.startswith(("pp", "p.p", "percentage")):
                q.delta_unit = "pp"
            elif pct.startswith(("basis", "bps")):
                q.delta_unit = "pp"
                q.value /= 100
        elif pts:
            q.unit = "score"
            q.delta_unit = "points"
        elif dur:
            q.unit = "duration"
            q.duration_unit = _DURATION_UNITS[" ".join(dur.lower().split())]
        elif times or num.lower() == "twice" and _TWICE_AS_RE.match(text, num_end):
            if _FREQUENCY_AFTER_RE.match(text, end):
                pass  # "run 4x a week", "3 times per month": how often, a count
            else:
                q.times = True
                q.unit = "ratio"
        elif clock or hms:
            # "4:25" (h:mm or m:ss) and "6h40" / "6m10s": one number in the larger unit
            q.unit = "duration"
            parts = [int(p) for p in _DIGITS_RE.findall((clock or hms)[1:])]
            q.value = value + sum(p / 60 ** (k + 1) for k, p in enumerate(parts))
            q.duration_unit = {"h": "h", "m": "min"}.get(hms[0].lower()) if hms else None
        elif inr:
            denominator = _to_float(inr.split()[-1])
            if 0 <= value < denominator:
                q.unit = "ratio"  # "1 in 5" -> 0.2
                q.value = value / denominator
            else:  # "10 in 5 markets" is not a rate: keep the first number only
                q.end = num_end
        elif phys:
            q.value *= _PHYSICAL_SCALE.get(phys.lower(), 1.0)
        elif scale:
            q.unit = "score"
            q.scale = float(_NOT_SCALE_DIGIT_RE.sub("", scale))
        elif ratio:
            q.unit = "ratio"
            denominator = float(ratio[1:])
            q.value = value / denominator if denominator else value
        if q.comparator is None:
            comparator = _COMPARATOR_BEFORE.search(before, before.rstrip().lower() if low is not None else None)
            if comparator and _ARROW_BEFORE_RE.search(before):
                comparator = None  # "30 -> 45": an arrow, not ">"
            if comparator:
                word = " ".join(comparator.group("c").lower().split())
                if not word.startswith("or "):
                    q.comparator = _COMPARATOR_WORDS.get(word)
        tail = _OR_TAIL_RE.match(text, end)
        if tail:
            q.comparator = "<=" if tail.group(1).lower().split()[1] in {"less", "fewer", "lower", "below"} else ">="
        q.text = text[start : q.end].rstrip()
        q.end = start + len(q.text)
        out.append(q)
    if len(out) > 1:
        _share_units(text, out)
    return out


def _share_units(text: str, quantities: list[RawQuantity]) -> None:
    """In "65-85%", "10 to 15%", "from 2 to 4 hours" the unit written once applies to both numbers."""
    for first, second in zip(quantities, quantities[1:]):
        if first.unit == "count" and second.unit != "count" and _RANGE_GAP_RE.fullmatch(text, first.end, second.start):
            first.unit = second.unit
            first.duration_unit = second.duration_unit
            first.currency = first.currency or second.currency
            mult = _MULTIPLIER_TAIL_RE.search(second.text)
            if mult and first.value < 1000 and second.value >= 1000 and not _HAS_MULTIPLIER_RE.search(first.text):
                first.value *= _MULTIPLIERS[mult.group(1).lower()]


def read_numbers(text: str, identifier_words: frozenset[str]) -> tuple[list[Deadline], list[RawQuantity]]:
    """Deadlines and quantities of ``text`` (the quantities skip numbers inside a deadline)."""
    low = ascii_lower(text)
    deadlines = find_deadlines(text, low)
    return deadlines, find_quantities(text, deadlines, identifier_words, low)


class NumberReader:
    """Store quantities and deadlines found in ``doc.text`` on the Doc.

    The fact extractor, which has the original text at hand, calls ``read``
    directly: ``doc.text`` rebuilds the string token by token in Python, which
    cost more than reading the numbers.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.identifier_words = frozenset(lexicon.identifier_words)

    def read(self, text: str) -> tuple[list[Deadline], list[RawQuantity]]:
        return read_numbers(text, self.identifier_words)

    def __call__(self, doc: Doc) -> Doc:
        doc._.okr_deadlines, doc._.okr_quantities = self.read(doc.text)
        return doc


@Language.factory("okr_numbers", default_config={"lexicon_id": "default"})
def make_okr_numbers(nlp: Language, name: str, lexicon_id: str) -> NumberReader:
    return NumberReader(_lexicon_for(lexicon_id))


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------

_PIPELINES: dict[str, Language] = {}


def get_nlp(lexicon: Lexicon | None = None) -> Language:
    """The cached pipeline for ``lexicon`` (the bundled one by default).

    One pipeline per distinct vocabulary: building the Matcher takes tens of
    milliseconds, running it on a statement takes microseconds.
    """
    lexicon_id = "default" if lexicon is None or lexicon.fingerprint == load_lexicon().fingerprint else lexicon.fingerprint
    nlp = _PIPELINES.get(lexicon_id)
    if nlp is None:
        if lexicon is not None and lexicon_id != "default":
            _LEXICONS[lexicon_id] = lexicon
        nlp = spacy.blank("en")
        nlp.add_pipe("okr_lemmatizer")
        nlp.add_pipe("okr_lexicon", config={"lexicon_id": lexicon_id})
        nlp.add_pipe("okr_numbers", config={"lexicon_id": lexicon_id})
        _PIPELINES[lexicon_id] = nlp
    return nlp
