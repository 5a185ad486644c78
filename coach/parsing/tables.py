"""Tables (Markdown pipes, spreadsheet tab copies): which column holds what.

Why by header and content together: teams name columns freely ("KR", "Key
result", "Measure", "Target") and sometimes the "KR" column only holds labels
("**KR 1**") while the statement sits in the next column. Score and tracking
tables ("Date | KR #1 | KR #2") reference key results listed elsewhere and
must not create new ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.parsing.annotations import KR, KRSEC, OBJ, classify

_ROLE_PATTERNS = (
    ("obj", re.compile(r"(?i)^(?:objectives?|obj\.?|o|goals?|objective title)$")),
    ("kr", re.compile(r"(?i)^(?:key ?results?|krs?|kr ?(?:text|statement|description)|results?|measures?"
                      r"|measurable results?|metrics?|statements?|descriptions?|deliverables?|outcomes?"
                      r"|measures? of success|success (?:metrics?|measures?|criteria)|how (?:we|we'll) measure)$")),
    ("owner", re.compile(r"(?i)^(?:owners?|responsible|who|assignees?|dri|leads?|accountable|assigned to|person)$")),
    ("progress", re.compile(r"(?i)^(?:progress|scores?|grade|status|% ?(?:complete|done)?|complete|completion|done"
                            r"|achieved|current progress|confidence)$")),
)
_TYPE_VALUE = re.compile(
    r"(?i)^(?:objective|goal|okr|key ?results?|kr|initiative|project|task|sub-?task|epic|story|action|milestone)s?$"
)
_TYPE_OBJ = re.compile(r"(?i)^(?:objective|goal|okr)s?$")
_TYPE_KR = re.compile(r"(?i)^(?:key ?results?|kr)s?$")
_TEXT_HEADER = re.compile(r"(?i)^(?:summary|title|name|description|text|statement)$")
_KR_REF = re.compile(r"(?i)^(?:kr|key ?result)[ \t]*#?[ \t]*\d{1,3}(?:\.\d{1,3})*$|^#?\d{1,3}(?:\.\d{1,3})*\.?$")


def _cell_text(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]].strip().strip("*_`").strip()


def _header_text(text: str, span: tuple[int, int]) -> str:
    """A header cell as a name: "key_result", "Key-Result" and "KEY RESULT" all read "key result"."""
    return " ".join(re.sub(r"[_\-]+", " ", _cell_text(text, span)).split())


def header_roles(text: str, row: list[tuple[int, int]]) -> dict[str, int]:
    """Which OKR column each header cell names (first match wins per role)."""
    roles: dict[str, int] = {}
    for i, span in enumerate(row):
        h = _header_text(text, span)
        for role, rx in _ROLE_PATTERNS:
            if role not in roles and rx.match(h):
                roles[role] = i
                break
    return roles


def _looks_like_header(text: str, rows: list[list[tuple[int, int]]]) -> bool:
    """Short, number-free first-row cells over body rows with sentence-length cells."""
    first = [_cell_text(text, c) for c in rows[0] if _cell_text(text, c)]
    if not first or any(len(v.split()) > 3 or any(ch.isdigit() for ch in v) for v in first):
        return False
    return any(len(_cell_text(text, c).split()) >= 4 for r in rows[1:] for c in r)


@dataclass(slots=True)
class TablePlan:
    """What to read from each row; ``kind`` is "okr", "scores" or "ignore"."""

    kind: str
    obj: int | None = None
    kr: int | None = None
    owner: int | None = None
    progress: int | None = None
    ref: int | None = None  # a column of KR references ("KR 1") when scores are per row
    body_start: int = 1


def plan(text: str, rows: list[list[tuple[int, int]]], header: bool, in_kr_section: bool) -> TablePlan:
    """Decide the role of each column of a table."""
    if not rows:
        return TablePlan("ignore")
    head = [_cell_text(text, c) for c in rows[0]]
    roles = header_roles(text, rows[0])
    has_header = header or bool(roles) or _looks_like_header(text, rows)
    body = rows[1:] if has_header else rows
    typed = _type_column(text, body) if has_header else None
    if typed is not None:
        # "Key | Summary | Issue Type | Status": each row says whether it is an objective or a key result
        text_col = next((i for i, h in enumerate(head) if _TEXT_HEADER.match(h)), roles.get("kr"))
        if text_col is None or text_col == typed:
            text_col = _longest_col(text, body, exclude={typed, roles.get("owner"), roles.get("progress")})
        if text_col is not None:
            return TablePlan("typed", kr=text_col, owner=roles.get("owner"), progress=roles.get("progress"),
                             ref=typed, body_start=1)
    refs = sum(1 for h in head if _KR_REF.match(h) and not h.lstrip("#").replace(".", "").isdigit())
    if refs >= 2:
        return TablePlan("scores", body_start=1)
    if not has_header:
        # spreadsheet copy without a header: objective, key result, then owner/progress by content
        ncol = max(len(r) for r in rows)
        if ncol < 2 and not in_kr_section:
            return TablePlan("ignore")
        if ncol >= 2:
            return TablePlan("okr", obj=0, kr=1, body_start=0, owner=_guess_owner_col(text, rows, 2),
                             progress=_guess_progress_col(text, rows, 2))
        return TablePlan("okr", kr=0, body_start=0)
    kr = roles.get("kr")
    obj = roles.get("obj")
    if kr is not None and body:
        cells = [_cell_text(text, r[kr]) for r in body if kr < len(r)]
        if cells and all(not c or _KR_REF.match(c) or _label_only(text, r[kr]) for c, r in zip(cells, body)):
            # "KR | Target": the KR column only numbers the rows; the statement is elsewhere
            ref = kr
            kr = _longest_col(text, body, exclude={ref, obj, roles.get("owner"), roles.get("progress")})
            if roles.get("progress") is not None and (kr is None or _avg_words(text, body, kr) < 4):
                # "KR | Score | Comment": a grading table of key results listed above
                return TablePlan("scores", ref=ref, progress=roles.get("progress"), body_start=1)
            if kr is None:
                if roles.get("progress") is not None:
                    return TablePlan("scores", ref=ref, progress=roles.get("progress"), body_start=1)
                return TablePlan("ignore")
    if kr is None and obj is None:
        if not in_kr_section:
            return TablePlan("ignore")
        kr = _longest_col(text, body, exclude={roles.get("owner"), roles.get("progress")})
        if kr is None:
            return TablePlan("ignore")
    if kr is None and obj is not None and roles.get("progress") is None and len(head) >= 2:
        # "Objective | <something>": the other wordy column is the key result
        kr = _longest_col(text, body, exclude={obj, roles.get("owner")})
    return TablePlan("okr", obj=obj, kr=kr, owner=roles.get("owner"), progress=roles.get("progress"), body_start=1)


def _type_column(text: str, body: list[list[tuple[int, int]]]) -> int | None:
    """A column of row types with at least one objective row and one key-result row."""
    ncol = max((len(r) for r in body), default=0)
    for i in range(ncol):
        vals = [_cell_text(text, r[i]) for r in body if i < len(r) and _cell_text(text, r[i])]
        if (
            len(vals) >= 2
            and all(_TYPE_VALUE.match(v) for v in vals)
            and any(_TYPE_OBJ.match(v) for v in vals)
            and any(_TYPE_KR.match(v) for v in vals)
        ):
            return i
    return None


def row_type(text: str, span: tuple[int, int]) -> str:
    """"obj", "kr" or "other" for a cell of a type column."""
    v = _cell_text(text, span)
    return "obj" if _TYPE_OBJ.match(v) else "kr" if _TYPE_KR.match(v) else "other"


def _avg_words(text: str, body: list[list[tuple[int, int]]], col: int) -> float:
    vals = [_cell_text(text, r[col]) for r in body if col < len(r)]
    return sum(len(v.split()) for v in vals) / len(vals) if vals else 0.0


def _label_only(text: str, span: tuple[int, int]) -> bool:
    lab = classify(text, span[0], span[1])
    return lab.kind in (KR, KRSEC, OBJ) and lab.start >= span[1] - 2


def _longest_col(text: str, body: list[list[tuple[int, int]]], exclude: set[int | None]) -> int | None:
    best, best_len = None, 0.0
    ncol = max((len(r) for r in body), default=0)
    for i in range(ncol):
        if i in exclude:
            continue
        vals = [_cell_text(text, r[i]) for r in body if i < len(r)]
        words = [len(v.split()) for v in vals if v]
        if not words:
            continue
        avg = sum(words) / len(vals)
        if avg > best_len and avg >= 2:
            best, best_len = i, avg
    return best


def _guess_owner_col(text: str, rows: list[list[tuple[int, int]]], first: int) -> int | None:
    ncol = max(len(r) for r in rows)
    for i in range(first, ncol):
        vals = [_cell_text(text, r[i]) for r in rows if i < len(r) and _cell_text(text, r[i])]
        if vals and all(1 <= len(v.split()) <= 3 and v[0].isupper() and not any(c.isdigit() for c in v) for v in vals):
            return i
    return None


def _guess_progress_col(text: str, rows: list[list[tuple[int, int]]], first: int) -> int | None:
    from coach.parsing.annotations import parse_progress

    ncol = max(len(r) for r in rows)
    for i in range(first, ncol):
        vals = [_cell_text(text, r[i]) for r in rows if i < len(r) and _cell_text(text, r[i])]
        if vals and all(parse_progress(v) is not None for v in vals):
            return i
    return None
