"""What a line says about itself: its label (Objective:, KR1:, Owner:...) and its decorations.

Every function works on ``(text, start, end)`` spans of the original draft and
returns narrower spans, never new strings, so the parser can keep the promise
that ``draft.text[kr.start:kr.end] == kr.text``.

All patterns are anchored and applied to a bounded head or tail of the span
(annotations are short), which keeps the parser linear on huge or hostile input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HEAD = 240  # labels and leading decorations live in the first characters of a line
TAIL = 240  # owners, progress and tags live in the last characters


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

# Label kinds
OBJ = "obj"  # Objective: X / O1 X / **Objective:** X / ### Objective 2
OBJSEC = "objsec"  # "Objectives" (a heading over objectives)
KR = "kr"  # KR1: X / Key result: X
KRSEC = "krsec"  # "Key results:" (a section whose items are key results)
NONKR = "nonkr"  # Vision:, Notes, Tracking metrics... (nothing below is a key result)
META = "meta"  # Deadline: X, Status: X (a property, not a statement)
OWNER = "owner"  # Owner: Jane
PROGRESS = "progress"  # Progress: 40%
SECTION = "section"  # "Engineering:" or "**Final score**" (a grouping label of unknown meaning)

_BOLD = r"(?:\*\*|__|\*|_)"  # **bold**, __bold__, and Slack/Org single-character *bold* or _italic_ labels
# Label words in the languages teams commonly write OKRs in (the structure is the same everywhere).
_OBJ_WORDS = r"objective|obj\.?|goal|objetivo|objectif|obiettivo|ziel|doel|cel|الهدف|هدف|מטרה|目標|目标"
_KR_PLURAL_WORDS = (
    r"key[ \t]*results|krs|resultados[ \t]+clave|r[ée]sultats[ \t]+cl[ée]s|schl[üu]sselergebnisse|risultati[ \t]+chiave"
    r"|kernresultaten|النتائج[ \t]+الرئيسية|תוצאות[ \t]+מפתח|主要な成果|关键结果|關鍵結果"
)
_KR_SINGULAR_WORDS = (
    r"key[ \t]*result|kr|resultado[ \t]+clave|r[ée]sultat[ \t]+cl[ée]|schl[üu]sselergebnis|risultato[ \t]+chiave"
    r"|kernresultaat|النتيجة[ \t]+الرئيسية|תוצאת[ \t]+מפתח"
)
_OBJ_NAME = re.compile(
    rf"{_BOLD}?[ \t]*(?P<name>{_OBJ_WORDS})(?![\w])[ \t]*"
    rf"(?P<num>(?:#[ \t]?|-)?\d{{1,3}}(?:\.\d{{1,3}})*[a-z]?(?![\w%])|(?-i:[A-Z])(?=[ \t]*[:：.)–—-]))?",
    re.I,
)
_O_NAME = re.compile(rf"{_BOLD}?[ \t]*O(?P<num>-?\d{{1,3}}(?:\.\d{{1,3}})*)?(?![\w])")
_KR_NAME = re.compile(
    rf"{_BOLD}?[ \t]*(?P<name>(?P<plural>{_KR_PLURAL_WORDS})|{_KR_SINGULAR_WORDS})(?![a-zà-ÿ])[ \t]*"
    rf"(?P<num>(?:#[ \t]?|-)?\d{{1,3}}(?:\.\d{{1,3}})*[a-z]?(?![\w%]))?",
    re.I,
)
_PLURAL = re.compile(
    rf"{_BOLD}?[ \t]*(?P<name>objectives|goals|okrs|objetivos|objectifs|obiettivi|ziele|doelen|cele)(?![\w])", re.I
)
_AFTER = re.compile(rf"[ \t]*(?:{_BOLD}[ \t]*)?(?:(?P<sep>[:：.)|–—-])[ \t]*)?(?:(?P<close>{_BOLD})[ \t]*)?")
_GENERIC = re.compile(rf"(?P<open>{_BOLD})?[ \t]*(?P<name>[^\W\d_][^:：*_\n]{{0,48}}?)[ \t]*(?P<close>{_BOLD})?[ \t]*[:：][ \t]*{_BOLD}?[ \t]*")

_KRSEC_PREFIX = re.compile(r"(?:key ?results?|krs|success criteria|measurable results|how (?:we|we'll|we will) measure)\b")
_OBJSEC_PREFIX = re.compile(r"(?:objectives|goals)\b")
METRIC_SECTION = re.compile(r"(?i).*\b(?:metrics?|kpis?|measures?)\b.*")
NONKR_NAMES = re.compile(
    r"(?:vision|mission|purpose|values|strategy|background|context|why|rationale|notes?|comments?|remarks?"
    r"|(?:grading|tracking|status|progress|meeting|additional|other|side) notes?|tracking|tracking table|grading"
    r"|(?:success|key|health|tracking|north[ -]star|input|output|guardrail|supporting|secondary|counter) metrics?"
    r"|metrics|kpis?|measures of success|final scores?|scores?|scoring|scorecard|grades?|results? table"
    r"|risks?|risks and mitigations|dependencies|assumptions|constraints|timeline|time ?horizon|schedule|milestones?"
    r"|initiatives?|projects?|tasks?|actions?|action items|activities|next steps|open questions|questions|out of scope"
    r"|non-?goals|anti-?goals|learnings|lessons learned|retro(?:spective)?|summary|links|references|resources|appendix"
    r"|glossary|definitions|faq|updates?|status updates?|change ?log|history|about|instructions|template|how to use"
    r"|check-?ins?|reflections?|budget|stakeholders|team members|members|people|resourcing|cadence|review)",
    re.I,
)
META_NAMES = re.compile(
    r"(?:.*deadline|due(?: date)?|due by|tracked(?: by)?|tracking(?: manager| frequency| cadence| owner)?|status|priority"
    r"|confidence|active from|start(?: date)?|end(?: date)?|period|quarter|cycle|timeline|time ?frame|date|created"
    r"|(?:last )?updated|version|level|team|department|type|category|tags?|labels?|alignment|aligned (?:to|with)"
    r"|parent(?: objective)?|supports|weight|effort|baseline|current(?: value)?|start value|id|theme|horizon|year)",
    re.I,
)
OWNER_NAMES = re.compile(
    r"(?:owners?|owned by|lead|led by|responsible|accountable|dri|assignees?|assigned to|driver|point person|champion"
    r"|sponsor|who)",
    re.I,
)
PROGRESS_NAMES = re.compile(r"(?:progress|completion|% ?complete|percent complete|done|achieved|attainment)", re.I)


@dataclass(slots=True)
class Label:
    kind: str | None  # one of the kinds above, or None for plain text
    start: int  # content after the label
    end: int
    num: str | None = None
    name: str = ""


def _skip_decor(text: str, s: int, e: int) -> int:
    """Skip leading whitespace and pictographs (emoji used as bullets or status)."""
    while s < e:
        ch = text[s]
        if ch.isspace() or _is_pictograph(ch):
            s += 1
        else:
            break
    return s


def _is_pictograph(ch: str) -> bool:
    if ch in "\u200d\ufe0f\ufe0e\u20e3":
        return True
    cat = unicodedata.category(ch)
    return cat == "So" or (cat == "Sk" and ord(ch) >= 0x1F000)


def classify(text: str, s: int, e: int) -> Label:
    """Say what kind of line ``text[s:e]`` is by its leading label, and where its content starts."""
    s = _skip_decor(text, s, e)
    head_end = min(e, s + HEAD)

    def after(pos: int) -> tuple[int, str | None, bool]:
        m = _AFTER.match(text, pos, head_end)
        assert m is not None  # every part is optional
        return m.end(), m.group("sep"), m.group("close") is not None

    m = _OBJ_NAME.match(text, s, head_end) or _O_NAME.match(text, s, head_end)
    if m:
        pos, sep, close = after(m.end())
        num = m.group("num")
        is_o = m.re is _O_NAME
        empty = pos >= e or text[pos:e].strip("*_ \t") == ""
        ok = (sep == ":" or sep == "：") if is_o else (sep is not None or num is not None or empty or close)
        if is_o and num and sep not in ("|",):
            ok = True  # "O1 Grow revenue", "O1. Grow revenue"
        if ok:
            return Label(OBJ, pos, e, num, "objective")
    m = _KR_NAME.match(text, s, head_end)
    if m:
        pos, sep, close = after(m.end())
        name = m.group("name").lower().replace(" ", "").replace("\t", "")
        num = m.group("num")
        empty = pos >= e or text[pos:e].strip("*_ \t") == ""
        plural = m.group("plural") is not None
        if plural and (sep is not None or empty or close):
            return Label(KRSEC, pos, e, None, "key results")
        if not plural and (sep is not None or num is not None or empty or close):
            if name == "keyresult" and empty:
                return Label(KRSEC, pos, e, None, "key results")
            return Label(KR, pos, e, num, "key result")
    m = _PLURAL.match(text, s, head_end)
    if m:
        pos, sep, close = after(m.end())
        if pos >= e or text[pos:e].strip("*_ \t") == "" or sep in (":", "："):
            return Label(OBJSEC, pos, e, None, m.group("name").lower())
    m = _GENERIC.match(text, s, head_end)
    if m:
        name = " ".join(m.group("name").split()).lower()
        pos = m.end()
        empty = pos >= e or text[pos:e].strip("*_ \t") == ""
        bold = m.group("open") is not None
        if _KRSEC_PREFIX.match(name):  # "Key results (KRs):", "Key results for Q3:"
            return Label(KRSEC, pos, e, None, "key results")
        if _OBJSEC_PREFIX.match(name) and empty:
            return Label(OBJSEC, pos, e, None, "objectives")
        if OWNER_NAMES.fullmatch(name):
            return Label(OWNER, pos, e, None, name)
        if PROGRESS_NAMES.fullmatch(name):
            return Label(PROGRESS, pos, e, None, name)
        if NONKR_NAMES.fullmatch(name):
            return Label(NONKR, pos, e, None, name)
        if META_NAMES.fullmatch(name):
            return Label(META, pos, e, None, name)
        if empty:
            return Label(SECTION, pos, e, None, name)
        if bold and len(name.split()) <= 4:
            return Label(META, pos, e, None, name)
        return Label(None, s, e)
    # A bold-only line ("**Final score**") or a bare known section name ("Notes")
    inner_s, inner_e = s, e
    while inner_e > inner_s and text[inner_e - 1].isspace():
        inner_e -= 1
    bold_only = (
        inner_e - inner_s > 4
        and text.startswith(("**", "__"), inner_s)
        and text.endswith(("**", "__"), inner_s, inner_e)
        and text.find("**", inner_s + 2, inner_e - 2) == -1
    )
    if bold_only:
        inner_s, inner_e = inner_s + 2, inner_e - 2
    if inner_e - inner_s <= 60:
        name = " ".join(text[inner_s:inner_e].split()).strip(":").lower()
        if NONKR_NAMES.fullmatch(name):
            return Label(NONKR, e, e, None, name)
        if bold_only:
            return Label(SECTION, e, e, None, name)
    return Label(None, s, e)


# ---------------------------------------------------------------------------
# Decorations: checkboxes, tags, owners, progress, wrappers
# ---------------------------------------------------------------------------

_NUM_PROGRESS = r"(?P<p>\d{1,3}(?:\.\d+)?[ \t]*%|0?\.\d+|1\.0+|\d{1,3}[ \t]*/[ \t]*\d{1,3})"
_CHECKBOX = re.compile(r"\[(?P<c>[ xX✓✔])\][ \t]*")
_LEAD_TAGS = re.compile(r"(?:\[[A-Z?][A-Za-z0-9?/&+_-]{0,15}\][ \t]*)+")
_TRAIL_TAGS = re.compile(r"(?:[ \t]*\[[A-Z?][A-Za-z0-9?/&+_ -]{0,15}\])+$")
_TRAIL_PROGRESS = [
    re.compile(rf"[ \t]*\[[ \t]*(?:progress[ \t]*[:=]?[ \t]*)?{_NUM_PROGRESS}[ \t]*\]$", re.I),
    re.compile(
        rf"[ \t]*\([ \t]*(?:progress|done|complete|completed|completion|status|score)[ \t]*[:=]?[ \t]*{_NUM_PROGRESS}[ \t]*\)$",
        re.I,
    ),
    re.compile(rf"[ \t]*\([ \t]*{_NUM_PROGRESS}[ \t]*(?:done|complete|completed)?[ \t]*\)$", re.I),
    re.compile(
        rf"[ \t]*(?:[|—–;]|[ \t]-)[ \t]*(?:progress|status|score|completion)?[ \t]*[:=]?[ \t]*{_NUM_PROGRESS}"
        rf"(?:[ \t]*(?:done|complete|completed))?$",
        re.I,
    ),
]
# "Cut close to 5 days @marta 30%": a bare number right after an @handle is progress, not part of the statement.
_HANDLE_PROGRESS = re.compile(rf"(?<![\w.])@[\w.-]+(?P<cut>[ \t]+){_NUM_PROGRESS}$")
_KEYCAP = re.compile(r"(?:[0-9#*]\ufe0f?\u20e3|\U0001f51f)[ \t]*")  # "1️⃣ Title", "🔟 Title"
_TRAIL_OWNER = [
    re.compile(
        r"[ \t]*\([ \t]*(?:owners?|lead|dri|responsible|assignee|by)[ \t]*[:=]?[ \t]*(?P<o>[^()\n]{1,60}?)[ \t]*\)$",
        re.I,
    ),
    re.compile(
        r"[ \t]*(?:[|—–,;]|[ \t]-)[ \t]*(?:owners?|lead|dri|responsible|assignee)[ \t]*[:=][ \t]*(?P<o>[^|\n]{1,60}?)$",
        re.I,
    ),
    re.compile(r"[ \t]*\([ \t]*(?P<o>@[\w.-]+(?:[ \t]*,?[ \t]*@[\w.-]+)*)[ \t]*\)$"),
    re.compile(
        r"[ \t]*\[[ \t]*(?:owners?|lead|dri|responsible|assignee)[ \t]*[:=][ \t]*(?P<o>[^\[\]\n]{1,60}?)[ \t]*\]$", re.I
    ),
    re.compile(r"(?:[ \t]+|[ \t]*[|—–-][ \t]*)(?P<o>@[\w.-]+(?:[ \t]*,?[ \t]*@[\w.-]+)*)$"),
]
# (pattern, last characters it can end with; "*" = digit, % or a d/e of done/complete)
_TRAIL_PROGRESS_GUARDED = list(zip(_TRAIL_PROGRESS, ("]", ")", ")", "*")))
# (pattern, a substring the tail must contain)
_TRAIL_OWNER_GUARDED = list(zip(_TRAIL_OWNER, (")", ":", "@", "]", "@")))
_TRAIL_OWNER_GUARDED[1] = (_TRAIL_OWNER[1], "")  # "— owner = X" or "| Owner: X"
# Weak owners: "(Jane)", "— Jane D." are names only if the document uses them more than once.
_WEAK_OWNER = [
    re.compile(r"[ \t]*\((?P<o>[A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]*\.?)?)\)$"),
    re.compile(r"[ \t]+[-–—][ \t]+(?P<o>[A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]*\.?){0,2})$"),
]
_SHORT_TAG = re.compile(r"[ \t]+\((?!s\))[a-z]{1,3}\)$")
_INLINE_NOTE = re.compile(r"[ \t]>(?=[a-z])")
_STATUS_WORDS = {
    "done": 1.0,
    "complete": 1.0,
    "completed": 1.0,
    "achieved": 1.0,
    "shipped": 1.0,
    "blocked": None,
    "pending": None,
    "ongoing": None,
    "started": None,
    "in progress": None,
    "not started": 0.0,
    "todo": None,
    "tbd": None,
    "wip": None,
    "on track": None,
    "at risk": None,
    "off track": None,
    "missed": None,
    "delayed": None,
}
_STATUS_TAIL = re.compile(
    r"(?:[ \t]*[|—–-][ \t]*|[ \t]+)\(?(?P<w>done|complete|completed|achieved|shipped|blocked|pending|ongoing|started"
    r"|in progress|not started|todo|tbd|wip|on track|at risk|off track|missed|delayed)\)?$",
    re.I,
)
_STATUS_EMOJI = {"✅": 1.0, "✔": 1.0, "☑": 1.0, "🟢": None, "🟡": None, "🟠": None, "🔴": None, "⚠": None,
                 "❌": None, "⛔": None, "🚧": None, "⏳": None, "🔵": None, "⚪": None, "⭕": None}


_COL_GAP = re.compile(r"(?<=\S)(?: {2,}|\t+)(?=\S)")
_EXTRA_STATUS = {"to do", "behind", "on hold", "in review", "cancelled", "canceled", "closed", "open", "new",
                 "backlog", "ready", "needs attention", "on schedule", "ahead"}
_HANDLES = re.compile(r"@[\w.-]+(?:[ \t]*,?[ \t]*@[\w.-]+)*")
_NAME_CELL = re.compile(r"[A-Z][^\W\d_]+\.?(?:[ \t][A-Z][^\W\d_]*\.?){0,2}")
_DATE_CELL = re.compile(
    r"(?i)(?:due[ \t]+)?(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?|q[1-4](?:[ \t]\d{4})?"
    r"|(?:\d{1,2}[ \t])?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:[ \t]\d{1,2})?(?:,?[ \t]\d{4})?)"
)


def _aligned_columns(text: str, s: int, e: int) -> tuple[int, str | None, float | None] | None:
    """Space-aligned columns after the statement ("Ship X      On track    Ayo"): cut them, keep owner/progress.

    Why strict: only a tail made entirely of status words, progress, dates, @handles and short names is
    taken for columns, so a double space inside a sentence never cuts it.
    """
    ts = max(s, e - TAIL)
    for gap in _COL_GAP.finditer(text, ts, e):
        cells = [c for c in re.split(r" {2,}|\t+", text[gap.end() : e].strip()) if c]
        if not cells or len(cells) > 5:
            continue
        owner: str | None = None
        progress: float | None = None
        ok = True
        for cell in cells:
            low = cell.lower().strip("()[]")
            if low in _STATUS_WORDS or low in _EXTRA_STATUS:
                v = _STATUS_WORDS.get(low)
                progress = progress if progress is not None else v
            elif parse_progress(cell) is not None:
                progress = progress if progress is not None else parse_progress(cell)
            elif _HANDLES.fullmatch(cell):
                owner = owner or " ".join(cell.replace("@", " ").replace(",", " ").split())
            elif _DATE_CELL.fullmatch(cell):
                pass
            elif _NAME_CELL.fullmatch(cell) and owner is None:
                owner = cell
            else:
                ok = False
                break
        if ok:
            return gap.start(), owner, progress
    return None


def parse_progress(raw: str) -> float | None:
    """Read '70%', '0.7', '7/10', '✅' or 'done' as a 0.0-1.0 fraction (None when it is not progress)."""
    s = raw.strip().strip("*`_ ").lower()
    if not s:
        return None
    for ch, val in _STATUS_EMOJI.items():
        if s.startswith(ch):
            return val
    if s in _STATUS_WORDS:
        return _STATUS_WORDS[s]
    try:
        if s.endswith("%"):
            v = float(s[:-1].strip()) / 100.0
        elif "/" in s:
            a, b = s.split("/", 1)
            v = float(a) / float(b)
        else:
            v = float(s)
            if v > 1.0:
                v = v / 100.0 if v <= 100 else -1.0
    except (ValueError, ZeroDivisionError):
        return None
    return v if 0.0 <= v <= 1.0 else None


@dataclass(slots=True)
class Trimmed:
    start: int
    end: int
    owner: str | None = None
    progress: float | None = None
    weak_owner: str | None = None  # a "(Jane)"/"— Jane D." candidate, accepted per document
    weak_end: int | None = None  # where the text ends without the weak owner
    weak_progress: float | None = None


def _strip_ws(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == "\\" or text[e - 1] in "\u200e\u200f\u202c\u2069"):
        e -= 1
    return s, e


def _unwrap(text: str, s: int, e: int) -> tuple[int, int] | None:
    """Drop wrappers around the whole span: `code`, **bold**, __bold__, *em*, _em_, "quotes"."""
    for w in ("**", "__", "`", "*", "_"):
        n = len(w)
        if e - s > 2 * n and text.startswith(w, s) and text.endswith(w, s, e):
            if text.find(w, s + n, e - n) == -1 and not text[s + n].isspace():
                return s + n, e - n
    return None


def trim(text: str, s: int, e: int, *, weak: bool = True) -> Trimmed:
    """Strip decorations from a key-result or objective span; return the statement and the annotations.

    Why a loop: decorations stack in any order ("- [x] `Ship it (ewd)` [P0] — 80%"), and each
    step only looks at a bounded head or tail.
    """
    owner: str | None = None
    progress: float | None = None
    s, e = _strip_ws(text, s, e)
    note = _INLINE_NOTE.search(text, s, e)
    if note is not None and note.start() > s:
        e = note.start()
    cols = _aligned_columns(text, s, e)
    if cols is not None:
        e, owner, progress = cols
    for _ in range(64):
        s, e = _strip_ws(text, s, e)
        if s >= e:
            break
        changed = False
        # leading: checkbox, emoji/status, tags
        m = _KEYCAP.match(text, s, min(e, s + HEAD))
        if m and m.end() < e:
            s = m.end()
            continue
        m = _CHECKBOX.match(text, s, min(e, s + HEAD))
        if m and m.end() < e:
            if m.group("c") != " " and progress is None:
                progress = 1.0
            s = m.end()
            continue
        ch = text[s]
        if _is_pictograph(ch) or ch in "✓✔":
            val = _STATUS_EMOJI.get(ch, None)
            if val is not None and progress is None:
                progress = val
            s2 = _skip_decor(text, s, e)
            if s2 < e:
                s = s2
                continue
        m = _LEAD_TAGS.match(text, s, min(e, s + HEAD))
        if m and m.end() < e and not _CHECKBOX.fullmatch(text, s, m.end()):
            s = m.end()
            continue
        w = _unwrap(text, s, e)
        if w is not None:
            s, e = w
            continue
        # a bold marker left over from a label ("**O1. Title**" -> "Title**")
        if e - s > 2 and text.startswith(("**", "__"), e - 2) and text.find(text[e - 2 : e], s, e - 2) == -1:
            e -= 2
            continue
        if e - s > 2 and text.startswith(("**", "__"), s) and text.find(text[s : s + 2], s + 2, e) == -1:
            s += 2
            continue
        # trailing
        ts = max(s, e - TAIL)
        last = text[e - 1]
        if _is_pictograph(last) or last in "✓✔":
            k = e
            while k > s and (_is_pictograph(text[k - 1]) or text[k - 1] in "✓✔"):
                k -= 1
            glyph = text[k:e].replace("\ufe0f", "")
            if k > s:
                val = next((v for g, v in _STATUS_EMOJI.items() if g in glyph), None)
                if val is not None and progress is None:
                    progress = val
                e = k
                continue
        for rx, ends in _TRAIL_PROGRESS_GUARDED:
            if last not in ends and not (ends == "*" and (last.isdigit() or last in "%deDE")):
                continue
            m = rx.search(text, ts, e)
            if m and m.start() > s:
                val = parse_progress(m.group("p"))
                if val is not None:
                    if progress is None:
                        progress = val
                    e = m.start()
                    changed = True
                    break
        if changed:
            continue
        m = _HANDLE_PROGRESS.search(text, ts, e) if (last.isdigit() or last == "%") else None
        if m and m.start() > s:
            val = parse_progress(m.group("p"))
            if val is not None:
                if progress is None:
                    progress = val
                e = m.start("cut")
                continue
        tail_has = text[ts:e]
        for rx, need in _TRAIL_OWNER_GUARDED:
            if need not in tail_has:
                continue
            m = rx.search(text, ts, e)
            if m and m.start() > s:
                if owner is None:
                    owner = " ".join(m.group("o").replace("@", " ").replace(",", " , ").split()).replace(" ,", ",")
                e = m.start()
                changed = True
                break
        if changed:
            continue
        m = _STATUS_TAIL.search(text, ts, e) if (last.isalpha() or last == ")") else None
        if m and m.start() > s and (text[m.start()] in " \t|—–-("):
            seg = text[m.start() : e]
            if any(c in seg for c in "|—–-(") or seg.strip().lower() in ("done", "wip", "tbd"):
                val = _STATUS_WORDS.get(m.group("w").lower())
                if val is not None and progress is None:
                    progress = val
                e = m.start()
                continue
        m = _TRAIL_TAGS.search(text, ts, e) if last == "]" else None
        if m and m.start() > s:
            e = m.start()
            continue
        m = _SHORT_TAG.search(text, ts, e) if last == ")" else None
        if m and m.start() > s:
            e = m.start()
            continue
        break
    s, e = _strip_ws(text, s, e)
    out = Trimmed(s, e, owner, progress)
    if weak and s < e:
        ts = max(s, e - TAIL)
        for rx in _WEAK_OWNER:
            m = rx.search(text, ts, e)
            if m and m.start() > s:
                name = m.group("o")
                if any(c.islower() for c in name) and name.split()[0].lower() not in _STATUS_WORDS:
                    inner = trim(text, s, m.start(), weak=False)
                    if inner.end > inner.start:
                        out.weak_owner = " ".join(name.split())
                        out.weak_end = inner.end
                        out.weak_progress = inner.progress
                break
    return out


_NAME_TOKEN = re.compile(r"@?[A-Z][^\W\d_]+")


def names_in(text: str, s: int, e: int) -> str | None:
    """First person-like name in a short owner phrase ("Martin and Bedeho equally" -> Martin)."""
    seg = text[s:min(e, s + 120)].strip(" *_`")
    m = _NAME_TOKEN.search(seg)
    return m.group(0).lstrip("@") if m else None
