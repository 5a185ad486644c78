"""Free-form draft text -> ``Draft`` (objectives, key results, owners, progress, spans).

Real drafts arrive in every shape: labelled blocks ("Objective: ... / Key
results:", also in Spanish, French, German, Italian, Arabic, Hebrew...), Markdown
headings with bullets or key results as sub-headings, nested bullets, numbered
lists (flat "1." / "a." pastes too), one-liners, checklists, Org-mode outlines,
pipe, tab or comma tables (with or without a header, typed tracker rows),
space-aligned status columns, JSON and YAML exports. Instead of
one rigid grammar the parser

1. tries structured data (``coach.parsing.structured``),
2. builds an outline tree of the text (``coach.parsing.outline``),
3. decides *per document* which nodes are objectives: explicit labels win;
   otherwise KR labels point at their objective, and plain lists are read by
   comparing heading and nesting levels across the whole document,
4. walks the tree once, collecting key results with their decorations
   (bullets, labels, checkboxes, tags, owners, progress) stripped, so that
   ``draft.text[kr.start:kr.end] == kr.text``.

Everything is linear in the size of the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from coach.errors import InputError
from coach.models import Draft, KeyResult, Objective
from coach.parsing import tables
from coach.parsing.annotations import (
    KR,
    KRSEC,
    META,
    METRIC_SECTION,
    NONKR,
    OBJ,
    OBJSEC,
    OWNER,
    PROGRESS,
    SECTION,
    Trimmed,
    classify,
    names_in,
    parse_progress,
    trim,
)
from coach.parsing.outline import Node, build, is_titleish, preorder
from coach.parsing.structured import parse_structured

__all__ = ["parse_draft"]

_HANDLE_HEADING = re.compile(r"^[`*_ ]*(?P<name>[A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]+)?)[`*_ ]*[ \t]*\(@[\w.-]+\)\s*$")
_NORM_WS = re.compile(r"\s+")
_TITLE_NUMBER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*[.):]?|[A-Z][.)])[ \t]+")
_BR = re.compile(r"<br\s*/?>", re.I)
# Issue keys ("PLAT-211") leading the lines of a tracker copy; stripped only when several lines have one.
_TICKET = re.compile(r"[A-Z][A-Z0-9]{1,9}-\d{1,6}[ \t]+(?=\S)")
_TICKET_LINE = re.compile(
    r"(?m)^[ \t]*(?:[-*+•◦▪][ \t]+)?(?:\[[^\]\n]{1,15}\][ \t]*)?[A-Z][A-Z0-9]{1,9}-\d{1,6}[ \t]+\S"
)
_CELL_MARKER = re.compile(r"[ \t]*(?:[-*•·▪]|\d{1,3}[.)])[ \t]+")


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_usable(text: str) -> None:
    """Reject input no one could mean as a draft; say why in one line."""
    if not isinstance(text, str):
        raise InputError("The draft must be text.", field="text")
    if not text.strip():
        raise InputError("The draft is empty: paste at least one objective or key result.", field="text")
    if "\x00" in text:
        raise InputError("The draft looks like binary data (it contains NUL bytes), not text.", field="text")
    sample = text[:200_000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 20):
        raise InputError("The draft looks like binary data (mostly control characters), not text.", field="text")
    if not any(c.isalpha() for c in text):
        raise InputError(
            "The draft has no words in it (only symbols, numbers or emoji); nothing looks like an OKR.", field="text"
        )


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _KR:
    t: Trimmed
    priority: int  # 0 = labelled / in a key-results section, 1 = a plain list item
    from_table: bool = False


@dataclass(slots=True)
class _Obj:
    title: tuple[int, int] | None
    owner: str | None = None
    krs: list[_KR] = field(default_factory=list)
    pending: bool = False  # "### Objective 1" with the title on the next line
    weak_owner: tuple[int, str] | None = None  # "Grow revenue — Jane Doe": (title end without it, name)
    by_text: dict[str, _KR] = field(default_factory=dict)  # normalised text -> first key result with it


class _Extractor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.objectives: list[_Obj] = []
        self.current: _Obj | None = None
        self.pending_owner: str | None = None
        self.tickets = sum(1 for _ in zip(range(2), _TICKET_LINE.finditer(text))) >= 2

    def _untick(self, t: Trimmed) -> Trimmed:
        """Drop a leading issue key ("PLAT-211 Ship X" -> "Ship X") in a tracker copy."""
        if self.tickets:
            m = _TICKET.match(self.text, t.start, t.end)
            if m and m.end() < t.end:
                t.start = m.end()
        return t

    # -- objectives --------------------------------------------------------
    def new_objective(self, s: int, e: int, strip_colon: bool = False) -> _Obj:
        t = self._untick(trim(self.text, s, e, weak=False))
        m = _TITLE_NUMBER.match(self.text, t.start, t.end)
        if m and m.end() < t.end:  # "## 2. Grow revenue"
            t = trim(self.text, m.end(), t.end, weak=False)
        end = t.end
        if strip_colon:
            while end > t.start and self.text[end - 1] in ":：":
                end -= 1
            t = trim(self.text, t.start, end, weak=False)
        obj = _Obj(title=(t.start, t.end) if t.end > t.start else None, owner=t.owner or self.pending_owner)
        if obj.title is not None and not t.owner:
            w = trim(self.text, t.start, t.end)
            if w.weak_owner and w.weak_end is not None and w.weak_end > t.start:
                obj.weak_owner = (w.weak_end, w.weak_owner)
        obj.pending = obj.title is None
        self.objectives.append(obj)
        self.current = obj
        return obj

    def empty_objective(self) -> _Obj:
        obj = _Obj(title=None, owner=self.pending_owner)
        self.objectives.append(obj)
        self.current = obj
        return obj

    def ensure_objective(self) -> _Obj:
        return self.current if self.current is not None else self.empty_objective()

    # -- key results -------------------------------------------------------
    def add_kr(self, s: int, e: int, priority: int, node: Node | None = None, from_table: bool = False,
               owner: str | None = None, progress: float | None = None) -> _KR | None:
        t = self._untick(trim(self.text, s, e))
        if t.end <= t.start or not any(c.isalnum() for c in self.text[t.start : t.end]):
            return None
        if owner and not t.owner:
            t.owner = owner
        if progress is not None and t.progress is None:
            t.progress = progress
        if node is not None:
            self._scan_details(node, t)
        obj = self.ensure_objective()
        if obj.pending:
            obj.pending = False
        key = _norm(self.text[t.start : t.end])
        if from_table:
            # the same key result in two tables (plan and tracking) is one key result; a dict keeps this linear
            seen = obj.by_text.get(key)
            if seen is not None:
                seen.t.owner = seen.t.owner or t.owner
                seen.t.progress = seen.t.progress if seen.t.progress is not None else t.progress
                return seen
        kr = _KR(t, priority, from_table)
        obj.krs.append(kr)
        obj.by_text.setdefault(key, kr)
        return kr

    def _scan_details(self, node: Node, t: Trimmed) -> None:
        """Owner/progress written as sub-bullets of a key result ("- Owner: Jane")."""
        for child in node.children[:8]:
            lab = child.label
            if lab is None:
                continue
            if lab.kind == OWNER and not t.owner:
                value = trim(self.text, lab.start, lab.end, weak=False)
                if value.end > value.start:
                    t.owner = self.text[value.start : value.end]
            elif lab.kind == PROGRESS and t.progress is None:
                t.progress = parse_progress(self.text[lab.start : lab.end])

    # -- owners ------------------------------------------------------------
    def owner_line(self, node: Node) -> None:
        lab = node.label
        assert lab is not None
        value = trim(self.text, lab.start, lab.end, weak=False)
        name = self.text[value.start : value.end].strip() if value.end > value.start else None
        if not name:
            return
        if node.kind == "heading" or self.current is None:
            self.pending_owner = name
            self.current = None if node.kind == "heading" else self.current
        elif not self.current.owner:
            self.current.owner = name

    # -- tables ------------------------------------------------------------
    def table(self, node: Node, in_kr: bool) -> None:
        p = tables.plan(self.text, node.rows, node.header, in_kr)
        if p.kind == "ignore":
            return
        body = node.rows[p.body_start :]
        if p.kind == "scores":
            self._scores(node, p)
            return
        if p.kind == "typed":
            self._typed(node, p)
            return
        table_obj: tuple[int, int] | None = None
        for row in body:
            def cell(i: int | None) -> tuple[int, int] | None:
                if i is None or i >= len(row) or row[i][1] <= row[i][0]:
                    return None
                return row[i]

            oc, kc = cell(p.obj), cell(p.kr)
            if oc is not None:
                key = _norm(self.text[oc[0] : oc[1]])
                if table_obj is None or key != _norm(self.text[table_obj[0] : table_obj[1]]):
                    lab = classify(self.text, oc[0], oc[1])
                    s = lab.start if lab.kind == OBJ else oc[0]
                    self.new_objective(s, oc[1])
                    table_obj = oc
            if kc is None:
                continue
            if oc is None and self._section_row(row, kc):
                continue
            pieces = _cell_pieces(self.text, kc[0], kc[1])
            owner = None
            if (c := cell(p.owner)) is not None:
                ot = trim(self.text, c[0], c[1], weak=False)
                owner = self.text[ot.start : ot.end] or None
            progress = None
            if (c := cell(p.progress)) is not None:
                progress = parse_progress(self.text[c[0] : c[1]])
            for s, e in pieces:
                self.add_kr(s, e, 0 if (in_kr or p.kr is not None) else 1, from_table=True, owner=owner,
                            progress=progress if len(pieces) == 1 else None)

    def _section_row(self, row: list[tuple[int, int]], kc: tuple[int, int]) -> bool:
        """A row that names an objective inside a key-result table ("| **Objective: X** | | |")."""
        lab = classify(self.text, kc[0], kc[1])
        others_empty = all(b <= a for a, b in row if (a, b) != kc)
        bold = self.text.startswith(("**", "__"), kc[0]) and self.text.endswith(("**", "__"), kc[0], kc[1])
        if (lab.kind == OBJ and lab.start < kc[1]) or (bold and others_empty and len(row) > 1):
            self.new_objective(lab.start if lab.kind == OBJ else kc[0], kc[1])
            return True
        return False

    def _typed(self, node: Node, p: tables.TablePlan) -> None:
        """Rows typed Objective / Key Result (issue-tracker exports); other row types are not key results."""
        assert p.ref is not None and p.kr is not None
        for row in node.rows[p.body_start :]:
            if max(p.ref, p.kr) >= len(row) or row[p.kr][1] <= row[p.kr][0]:
                continue
            kind = tables.row_type(self.text, row[p.ref])
            s, e = row[p.kr]
            if kind == "obj":
                self.new_objective(s, e)
                if p.owner is not None and p.owner < len(row):
                    ot = trim(self.text, *row[p.owner], weak=False)
                    self.current.owner = self.text[ot.start : ot.end] or None  # type: ignore[union-attr]
            elif kind == "kr":
                owner = progress = None
                if p.owner is not None and p.owner < len(row):
                    ot = trim(self.text, *row[p.owner], weak=False)
                    owner = self.text[ot.start : ot.end] or None
                if p.progress is not None and p.progress < len(row):
                    progress = parse_progress(self.text[row[p.progress][0] : row[p.progress][1]])
                self.add_kr(s, e, 0, from_table=True, owner=owner, progress=progress)

    def _scores(self, node: Node, p: tables.TablePlan) -> None:
        """Score/tracking tables only fill progress of key results already listed."""
        obj = self.current
        if obj is None or not obj.krs:
            return
        head = node.rows[0]
        body = node.rows[p.body_start :]
        if p.ref is not None and p.progress is not None:  # rows: KR n | score
            for row in body:
                if max(p.ref, p.progress) >= len(row):
                    continue
                idx = _ref_index(self.text[row[p.ref][0] : row[p.ref][1]])
                val = parse_progress(self.text[row[p.progress][0] : row[p.progress][1]])
                if idx is not None and val is not None and idx < len(obj.krs) and obj.krs[idx].t.progress is None:
                    obj.krs[idx].t.progress = val
            return
        cols = {}
        for i, (a, b) in enumerate(head):
            idx = _ref_index(self.text[a:b])
            if idx is not None:
                cols[i] = idx
        for row in reversed(body):
            vals = {idx: parse_progress(self.text[row[i][0] : row[i][1]]) for i, idx in cols.items() if i < len(row)}
            if any(v is not None for v in vals.values()):
                for idx, v in vals.items():
                    if v is not None and idx < len(obj.krs) and obj.krs[idx].t.progress is None:
                        obj.krs[idx].t.progress = v
                break


def _cell_pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A table cell may hold several key results separated by <br> (common in Markdown tables)."""
    bounds = [(s, e)]
    if "<" in text[s:e]:
        bounds = []
        a = s
        for m in _BR.finditer(text, s, e):
            bounds.append((a, m.start()))
            a = m.end()
        bounds.append((a, e))
    out = []
    for a, b in bounds:
        m = _CELL_MARKER.match(text, a, b)
        if m:
            a = m.end()
        lab = classify(text, a, b)
        if lab.kind == KR:
            a = lab.start
        if text[a:b].strip():
            out.append((a, b))
    return out


_REF = re.compile(r"(?i)^[*_` ]*(?:kr|key ?result)?[ \t]*#?[ \t]*(\d{1,3})[*_` ]*$")


def _ref_index(cell: str) -> int | None:
    m = _REF.match(cell.strip())
    return int(m.group(1)) - 1 if m else None


def _norm(s: str) -> str:
    return _NORM_WS.sub(" ", s.strip(" *_`.,;:")).casefold()


# ---------------------------------------------------------------------------
# Deciding which nodes are objectives
# ---------------------------------------------------------------------------


def _kind(node: Node) -> str | None:
    return node.label.kind if node.label is not None else None


def _live_nodes(root: Node):
    """Pre-order nodes outside non-KR sections (Vision, Notes, Tracking metrics...)."""
    todo = list(reversed(root.children))
    while todo:
        node = todo.pop()
        yield node
        if _kind(node) in (NONKR, KR) or (_kind(node) == META and node.kind != "heading"):
            continue
        todo.extend(reversed(node.children))


def _plain_items(node: Node) -> list[Node]:
    return [c for c in node.children if c.kind == "item" and _kind(c) is None]


def _is_category(node: Node, text: str) -> bool:
    if node.kind == "root":
        return False
    if _kind(node) in (SECTION, OBJSEC):
        return True
    return text[node.start : node.end].rstrip(" *_").endswith((":", "："))


def _assign_implicit(root: Node, text: str) -> None:
    """Mark objective nodes in a draft with no "Objective" labels."""
    live = list(_live_nodes(root))
    # 1. KR labels and "Key results" sections point at their objective.
    for node in live:
        if _kind(node) in (KR, KRSEC):
            host = _host_of(node, text)
            if host is not None and host.role is None:
                host.role = "obj"
    # 2. Key results written as sub-headings ("## Objective" over "### Churn below 2%"), with no lists at all.
    _assign_heading_krs(live, text)
    # 3. Plain lists: is the heading the objective (bullets are KRs) or a category (bullets are objectives)?
    leaves: list[Node] = []
    for node in [root, *live]:
        if node.kind == "item" or node.role is not None or _kind(node) in (KRSEC, NONKR, META, KR, OBJ):
            continue
        if _plain_items(node) and not _inside_role(node):
            leaves.append(node)
    if not leaves:
        return
    nesting = {id(leaf): sum(1 for it in _plain_items(leaf) if _plain_items(it)) for leaf in leaves}
    doc_nesting = any(nesting.values())
    votes: dict[int, bool] = {}
    for leaf in leaves:
        items = _plain_items(leaf)
        cat = _is_category(leaf, text) or leaf.kind == "root" or (
            leaf.kind in ("heading", "para") and is_titleish(text, leaf.start, leaf.end)
        )
        kids = [k for it in items for k in _plain_items(it)]
        # all bullets nested: objectives over KRs, unless the bullets carry the numbers and the
        # sub-bullets read like activities (then the heading is the objective and sub-bullets are details)
        all_nested = nesting[id(leaf)] == len(items) and _digit_rate(kids, text) >= _digit_rate(items, text)
        votes[id(leaf)] = doc_nesting and (cat or all_nested)
    n_b = sum(votes.values())
    n_h = len(votes) - n_b
    for leaf in leaves:
        bullets_are_objectives = n_b > n_h if n_b != n_h else votes[id(leaf)]
        if bullets_are_objectives:
            for it in _plain_items(leaf):
                it.role = "obj"
        elif leaf.kind == "root" or _kind(leaf) == OBJSEC or is_titleish(text, leaf.start, leaf.end):
            leaf.role = "obj-empty"
        else:
            leaf.role = "obj"
            if leaf.kind == "heading" and leaf.parent is not None:
                # a sibling heading with nothing under it yet is an objective without key results
                for sib in leaf.parent.children:
                    if (
                        sib.kind == "heading"
                        and sib.level == leaf.level
                        and sib.role is None
                        and _kind(sib) is None
                        and not _plain_items(sib)
                        and not any(c.kind == "heading" for c in sib.children)
                        and not _is_category(sib, text)
                        and not is_titleish(text, sib.start, sib.end)
                    ):
                        sib.role = "obj"


def _leaf_heading(node: Node) -> bool:
    return node.kind == "heading" and _kind(node) is None and all(c.kind == "para" for c in node.children)


def _assign_heading_krs(live: list[Node], text: str) -> None:
    """Headings whose sub-headings hold only prose: the sub-headings are key results when they carry numbers.

    Why the number test: a heading over prose-only sub-headings could as well be a category over objectives
    with descriptions; key results are the ones that state targets.
    """
    hosts = []
    for node in live:
        if node.kind != "heading" or _kind(node) not in (None, OBJ) or node.role is not None:
            continue
        subs = [c for c in node.children if c.kind == "heading"]
        if len(subs) < 2 or len(subs) != sum(1 for c in node.children if c.kind != "para"):
            continue
        if not all(_leaf_heading(c) for c in subs):
            continue
        if _kind(node) is None and is_titleish(text, node.start, node.end):
            continue
        hosts.append((node, subs))
    subs_all = [c for _, subs in hosts for c in subs]
    if not subs_all or _digit_rate(subs_all, text) < 0.5:
        return
    for node, subs in hosts:
        if _kind(node) is None:
            node.role = "obj"
        for c in subs:
            c.role = "kr"


def _digit_rate(nodes: list[Node], text: str) -> float:
    if not nodes:
        return 0.0
    return sum(1 for n in nodes if any(c.isdigit() for c in text[n.start : min(n.end, n.start + 400)])) / len(nodes)


def _inside_role(node: Node) -> bool:
    p = node.parent
    while p is not None:
        if p.role is not None or _kind(p) in (KRSEC, OBJ):
            return True
        p = p.parent
    return False


def _host_of(node: Node, text: str) -> Node | None:
    """The objective a KR label or "Key results" section belongs to, in a draft without objective labels."""
    parent = node.parent
    if parent is None:
        return None
    if parent.kind == "item" and _kind(parent) is None:
        return parent
    if parent.kind == "heading" and _kind(parent) is None and not is_titleish(text, parent.start, parent.end):
        return parent
    siblings = parent.children
    i = siblings.index(node) - 1
    while i >= 0:
        sib = siblings[i]
        k = _kind(sib)
        if k in (KR, KRSEC, META, OWNER, PROGRESS) or sib.kind == "table":
            i -= 1
            continue
        if sib.kind in ("para", "heading", "item") and k is None and not is_titleish(text, sib.start, sib.end):
            return sib
        break
    if parent.kind in ("para",) and _kind(parent) in (None, SECTION):
        return parent
    return None


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------


def _first_level(node: Node) -> bool:
    p = node.parent
    if p is None or p.kind != "item":
        return True
    return p.role is not None or _kind(p) in (OBJ, KRSEC, SECTION, OBJSEC)


def _walk(root: Node, ex: _Extractor) -> None:
    text = ex.text
    todo: list[tuple[Node, str]] = [(c, "none") for c in reversed(root.children)]
    while todo:
        node, ctx = todo.pop()
        kind = _kind(node)

        def descend(new_ctx: str) -> None:
            todo.extend((c, new_ctx) for c in reversed(node.children))

        if node.kind == "table":
            if ctx != "weak":
                ex.table(node, ctx == "kr")
            continue
        if kind == NONKR and node.label is not None and METRIC_SECTION.fullmatch(node.label.name):
            # "Success metrics": key results only for an objective that has no other list
            descend("weak")
            continue
        if kind == META and node.kind == "heading":
            # "## Team: Web" groups what follows; a metadata line ("Deadline: May") holds nothing
            descend(ctx)
            continue
        if kind == NONKR or kind == META:
            continue
        if node.role == "kr":  # a key result written as a heading; prose under it is commentary
            ex.add_kr(node.start, node.end, 0, node)
            continue
        if kind == OBJ or node.role == "obj":
            lab = node.label
            if kind == OBJ and lab is not None:
                ex.new_objective(lab.start, node.end)
            else:
                ex.new_objective(node.start, node.end, strip_colon=True)
            descend("obj")
            continue
        if node.role == "obj-empty":
            ex.empty_objective()
            descend("obj")
            continue
        if kind == KRSEC:
            lab = node.label
            assert lab is not None
            obj = ex.ensure_objective()
            if lab.end > lab.start and lab.start < node.end:
                if node.children and not obj.owner:
                    obj.owner = names_in(text, lab.start, node.end)
                elif not node.children:
                    # "Key results: A; B" on one line
                    for s, e in _split_semicolons(text, lab.start, node.end):
                        ex.add_kr(s, e, 0)
            descend("kr")
            continue
        if kind == KR:
            lab = node.label
            assert lab is not None
            ex.add_kr(lab.start, node.end, 0, node)
            continue
        if kind == OWNER:
            ex.owner_line(node)
            continue
        if kind == PROGRESS:
            continue
        cur = ex.current
        if (
            cur is not None
            and cur.pending
            and node.kind in ("para", "item")
            and ctx != "kr"
            and (kind is None or (kind == SECTION and node.label is not None and node.label.start >= node.end))
        ):
            t = trim(text, node.start, node.end, weak=False)
            if t.end > t.start:
                cur.title = (t.start, t.end)
                cur.pending = False
                cur.owner = cur.owner or t.owner
                descend(ctx)
                continue
        if kind in (SECTION, OBJSEC):
            descend(ctx)
            continue
        # plain nodes
        if node.kind == "item":
            if _first_level(node) and (ctx != "weak" or ex.current is not None):
                ex.add_kr(node.start, node.end, {"kr": 0, "weak": 2}.get(ctx, 1), node)
            continue
        if node.kind == "heading":
            m = _HANDLE_HEADING.match(text, node.start, node.end)
            if m:
                ex.pending_owner = m.group("name")
                ex.current = None
        descend(ctx)


def _split_semicolons(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    a = s
    for k in range(s, e + 1):
        if k == e or text[k] == ";":
            if k > a:
                out.append((a, k))
            a = k + 1
    return out


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def parse_draft(text: str) -> Draft:
    """Parse a pasted draft in any common shape into objectives and key results with spans."""
    _check_usable(text)
    draft, was_structured = parse_structured(text)
    if draft is not None:
        return draft
    if was_structured:
        raise InputError("The JSON has no objectives or key results (expected e.g. {\"objectives\": [...]}).",
                         field="text")
    root = build(text)
    explicit = any(_kind(n) == OBJ for n in _live_nodes(root))
    if not explicit:
        _assign_implicit(root, text)
    else:
        _assign_heading_krs(list(_live_nodes(root)), text)
    ex = _Extractor(text)
    _walk(root, ex)
    objectives = _finish(ex)
    if not objectives:
        objectives = _fallback(root, text)
    if not objectives:
        objectives = _fallback(root, text, everything=True)
    if not objectives:
        raise InputError("No objectives or key results found in the draft.", field="text")
    return Draft(text=text, objectives=objectives)


def _finish(ex: _Extractor) -> list[Objective]:
    text = ex.text
    all_krs = [kr for obj in ex.objectives for kr in obj.krs]
    weak = sum(1 for kr in all_krs if kr.t.weak_owner)
    strong = any(kr.t.owner for kr in all_krs) or any(obj.owner for obj in ex.objectives)
    accept_weak = weak >= 2 or (weak == 1 and (len(all_krs) == 1 or strong))
    # "Objective — Jane Doe" lines: names after a dash are owners when most titles carry one and they read
    # like full names (or the key results use the same convention), not "Grow revenue - Europe".
    titled = [o for o in ex.objectives if o.title is not None]
    weak_titles = [o for o in titled if o.weak_owner is not None]
    accept_title_owner = len(weak_titles) >= 2 and 2 * len(weak_titles) >= len(titled) and (
        accept_weak or all(" " in o.weak_owner[1] for o in weak_titles if o.weak_owner)
    )
    out: list[Objective] = []
    for obj in ex.objectives:
        best = min((kr.priority for kr in obj.krs), default=1)
        krs: list[KeyResult] = []
        for kr in obj.krs:
            if kr.priority != best:
                continue
            t = kr.t
            s, e, owner, progress = t.start, t.end, t.owner, t.progress
            if accept_weak and t.weak_owner and t.weak_end is not None and not owner:
                e, owner = t.weak_end, t.weak_owner
                progress = progress if progress is not None else t.weak_progress
            krs.append(KeyResult(text=text[s:e], start=s, end=e, owner=owner, progress=progress))
        if obj.title is None and not krs:
            continue
        if obj.title is None:
            out.append(Objective(title="", owner=obj.owner, key_results=krs))
        else:
            s, e = obj.title
            owner = obj.owner
            if accept_title_owner and obj.weak_owner is not None:
                e = obj.weak_owner[0]
                owner = owner or obj.weak_owner[1]
            out.append(Objective(title=text[s:e], start=s, end=e, owner=owner, key_results=krs))
    return out


def _fallback(root: Node, text: str, everything: bool = False) -> list[Objective]:
    """No structure found: every statement line is a key result (under any plain heading).

    With ``everything`` even lines under notes-like sections count: a draft the user pasted
    is never answered with nothing when it has statements in it.
    """
    ex = _Extractor(text)
    for node in preorder(root) if everything else _live_nodes(root):
        kind = _kind(node)
        if kind in (NONKR, META, OWNER, PROGRESS, SECTION, OBJSEC, KRSEC) and not everything:
            continue
        if everything and node.kind == "heading":
            continue
        if node.kind == "heading":
            if not is_titleish(text, node.start, node.end):
                ex.new_objective(node.start, node.end, strip_colon=True)
            continue
        if node.kind in ("para", "item"):
            ex.add_kr(node.start, node.end, 1)
    return _finish(ex)
