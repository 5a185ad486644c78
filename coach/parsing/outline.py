"""From text to an outline tree: headings, list items, paragraphs and tables with their nesting.

Why a tree: whether a line is an objective or a key result depends on what sits
above and below it (a heading with bullets, a bullet with sub-bullets, a
"Key results:" label owning the list after it). The tree records that nesting
once, in one linear pass, and the parser then reasons about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.parsing.annotations import (
    KR,
    KRSEC,
    META,
    NONKR,
    OBJ,
    OBJSEC,
    OWNER,
    PROGRESS,
    SECTION,
    Label,
    classify,
)
from coach.parsing.tables import header_roles

_ITEM = re.compile(
    r"(?:(?P<b>[-*+•▪◦‣●○■□➢➤►–→➔➜⇒]|->)(?=[ \t])"
    r"|(?P<n>\(?\d{1,3}(?:\.\d{1,3})*[.)]|\d{1,3}(?:\.\d{1,3})+)(?=[ \t])"
    r"|\(?(?P<a>[a-zA-Z])\)(?=[ \t])|(?P<a2>[a-zA-Z])\.(?=[ \t])"
    r"|(?P<d>-)(?=[^\W\d_]))"
)
_TABLE_SEP = re.compile(r"[ \t]*(?:\|[ \t]*)?:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{1,}:?[ \t]*)*(?:\|[ \t]*)?$")
_INLINE_LABEL = re.compile(
    r"(?:(?<=[\s;|,.])|(?<=[—–]))(?:KR[ \t]?#?\d{0,3}(?:\.\d{1,3})*|[Kk]ey [Rr]esults?|O\d{0,3}|[Oo]bjective(?:[ \t]\d{1,3})?)"
    r"[ \t]*(?:\*\*)?[:：]"
)
_ORG_HINT = re.compile(r"(?m)^(?:#\+[A-Za-z_]+:|\*{2,}[ \t]+[^*\s])")
_ORG_HEADING = re.compile(
    r"(?P<stars>\*+)[ \t]+(?:(?:TODO|DONE|NEXT|WAITING|HOLD|CANCELLED|CANCELED)[ \t]+)?(?:\[#[A-Ca-c]\][ \t]+)?"
)
_ORG_TAGS = re.compile(r"[ \t]+:[\w@#%:]+:[ \t]*$")
_ORG_DRAWER = re.compile(r"[ \t]*:[A-Za-z_]+:[ \t]*$")
_HTML = re.compile(r"</?[A-Za-z][^>]{0,200}>\s*$")
_TITLEISH = re.compile(
    r"(?i)\b(?:okrs?|objectives(?: and key results)?|goals|roadmap|plan)\b|^[\W_]*(?:(?:q[1-4]|h[12]|fy[ -]?\d{2,4}"
    r"|\d{1,2}q\d{2,4}|\d{4}|quarter(?:ly)?|january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[\W_]*)+$"
)


@dataclass(slots=True, eq=False)
class Node:
    kind: str  # root | heading | item | para | table
    start: int  # content span (after marker)
    end: int
    indent: int = 0
    level: int = 0  # heading level
    numdepth: int = 1  # 1 for "1.", 2 for "1.1"
    bare: bool = False  # an indented line without a marker
    label: Label | None = None
    rows: list[list[tuple[int, int]]] = field(default_factory=list)  # tables: cell spans per row
    header: bool = False  # tables: first row is a header
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    role: str | None = None  # set by the parser: "obj", "obj-empty"

    def add(self, child: Node) -> None:
        child.parent = self
        self.children.append(child)


def is_titleish(text: str, s: int, e: int) -> bool:
    """A document or period title ("Q3 OKRs", "## 2024"), never an objective itself."""
    return e - s <= 120 and _TITLEISH.search(text, s, e) is not None


def _indent(text: str, s: int, e: int) -> tuple[int, int]:
    width = 0
    i = s
    while i < e and text[i] in " \t\u00a0\u3000":
        width += 4 - (width % 4) if text[i] == "\t" else 1
        i += 1
    return width, i


def _split_cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split a pipe row into trimmed cell spans; ignores pipes escaped or inside `code`."""
    i = s
    while i < e and text[i] in " \t":
        i += 1
    if i < e and text[i] == "|":
        i += 1
    j = e
    while j > i and text[j - 1] in " \t":
        j -= 1
    if j > i and text[j - 1] == "|" and (j - 2 < i or text[j - 2] != "\\"):
        j -= 1
    cells: list[tuple[int, int]] = []
    start = i
    in_code = False
    k = i
    while k < j:
        c = text[k]
        if c == "`":
            in_code = not in_code
        elif c == "\\":
            k += 1
        elif c == "|" and not in_code:
            cells.append((start, k))
            start = k + 1
        k += 1
    cells.append((start, j))
    out = []
    for a, b in cells:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        out.append((a, b))
    return out


def _tab_cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    cells = []
    a = s
    while True:
        k = text.find("\t", a, e)
        b = e if k < 0 else k
        x, y = a, b
        while x < y and text[x] in " \u00a0":
            x += 1
        while y > x and text[y - 1] in " \u00a0\r":
            y -= 1
        cells.append((x, y))
        if k < 0:
            break
        a = k + 1
    return cells


def _csv_cells(text: str, s: int, e: int) -> list[tuple[int, int]] | None:
    """Split a comma-separated line into cell spans (inside the quotes for quoted cells); None if malformed."""
    cells: list[tuple[int, int]] = []
    i = s
    while True:
        j = i
        while j < e and text[j] in " \t":
            j += 1
        if j < e and text[j] == '"':
            k = j + 1
            while True:
                q = text.find('"', k, e)
                if q < 0:
                    return None
                if q + 1 < e and text[q + 1] == '"':
                    k = q + 2
                    continue
                break
            cells.append((j + 1, q))
            k = q + 1
            while k < e and text[k] in " \t":
                k += 1
            if k >= e:
                return cells
            if text[k] != ",":
                return None
            i = k + 1
            continue
        k = text.find(",", j, e)
        b = e if k < 0 else k
        a = j
        while b > a and text[b - 1] in " \t":
            b -= 1
        cells.append((a, b))
        if k < 0:
            return cells
        i = k + 1


def _label_led(text: str, cells: list[tuple[int, int]]) -> bool:
    """A tab line whose first cell is only a label ("Objective 1:<TAB>Grow", "KR 1.1<TAB>Ship")."""
    if not cells or cells[0][1] <= cells[0][0]:
        return False
    a, b = cells[0]
    lab = classify(text, a, b)
    return lab.kind in (OBJ, KR) and lab.start >= b - 1


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    n = len(text)
    while pos <= n:
        k = text.find("\n", pos)
        end = n if k < 0 else k
        e = end
        if e > pos and text[e - 1] == "\r":
            e -= 1
        spans.append((pos, e))
        if k < 0:
            break
        pos = k + 1
    return spans


def build(text: str) -> Node:
    """Build the outline tree of a Markdown-ish or plain-text draft in one pass."""
    spans = _line_spans(text)
    n = len(spans)
    # Pre-pass: tab-separated blocks (spreadsheet copies) and pipe tables with a separator row.
    tsv = [False] * n
    i = 0
    while i < n:
        s, e = spans[i]
        cells = _tab_cells(text, s, e) if "\t" in text[s:e] else []
        if sum(1 for a, b in cells if b > a) >= 2:
            j = i + 1
            while j < n:
                s2, e2 = spans[j]
                if "\t" not in text[s2:e2] or not text[s2:e2].strip():
                    break
                j += 1
            led = sum(1 for k in range(i, j) if _label_led(text, _tab_cells(text, *spans[k])))
            if j - i >= 2 and not (led >= 2 and 2 * led >= j - i):
                for k in range(i, j):
                    tsv[k] = True
                i = j
                continue
            if j - i >= 2:  # label-led lines: read as text, the tab is only a separator
                i = j
                continue
        i += 1
    # Comma-separated blocks: a header naming OKR columns, or every cell quoted; the same cell count throughout.
    csv_rows: dict[int, list[tuple[int, int]]] = {}
    i = 0
    while i < n:
        s, e = spans[i]
        cells = _csv_cells(text, s, e) if (not tsv[i] and "," in text[s:e]) else None
        if cells is None or len(cells) < 2:
            i += 1
            continue
        rows = [cells]
        j = i + 1
        while j < n:
            s2, e2 = spans[j]
            c2 = _csv_cells(text, s2, e2) if "," in text[s2:e2] and not tsv[j] else None
            if c2 is None or len(c2) != len(cells):
                break
            rows.append(c2)
            j += 1
        quoted = all(text[a - 1 : a] == '"' for r in rows for a, b in r if b >= a and a > 0)
        if len(rows) >= 2 and (quoted or len(header_roles(text, cells)) >= 2):
            for k, r in enumerate(rows):
                csv_rows[i + k] = r
                tsv[i + k] = True
        i = max(j, i + 1)
    sep = [False] * n
    for k in range(n):
        s, e = spans[k]
        if "-" in text[s:e] and _TABLE_SEP.match(text, s, e) and ("|" in text[s:e]) and k > 0:
            sep[k] = True

    root = Node("root", 0, len(text), indent=-1)
    stack: list[Node] = [root]
    table: Node | None = None
    table_outer = True  # the current pipe table writes outer pipes ("| a | b |")
    prev_kind = "blank"
    prev_node: Node | None = None
    # Org-mode: "* Heading" lines at column 0 are headings (Org lists use "-" and "+"); drawers are metadata.
    org = _ORG_HINT.search(text) is not None
    in_drawer = False
    # The marker family ("number", "letter", "bullet") that opened the list at each indentation: a flat paste
    # of a nested Google Docs list ("1." then "a." at the same indentation) keeps its nesting this way.
    outer_family: dict[int, str] = {}

    def container_for(indent: int, numdepth: int) -> Node:
        """Pop to the node a list item at ``indent`` hangs from."""
        while len(stack) > 1:
            top = stack[-1]
            if top.kind == "item" and (top.indent, top.numdepth) >= (indent, numdepth):
                stack.pop()
            elif top.kind == "para" and top.indent > indent:
                stack.pop()
            else:
                break
        return stack[-1]

    def open_heading(hs: int, he: int, level: int) -> Node:
        """Close deeper sections, hang a heading node where it belongs and make it the current section."""
        while len(stack) > 1 and not (stack[-1].kind == "heading" and stack[-1].level < level):
            stack.pop()
        node = Node("heading", hs, he, level=level, label=classify(text, hs, he))
        stack[-1].add(node)
        stack.append(node)
        outer_family.clear()
        return node

    for ln in range(n):
        s, e = spans[ln]
        if tsv[ln]:
            cells = csv_rows[ln] if ln in csv_rows else _tab_cells(text, s, e)
            if table is None or prev_kind != "tsv":
                while len(stack) > 1 and stack[-1].kind in ("item", "para") and not _introduces(stack[-1]):
                    stack.pop()
                # a spreadsheet copy may or may not start with a header row: tables.plan decides
                table = Node("table", s, e, header=False)
                stack[-1].add(table)
            table.rows.append(cells)
            table.end = e
            prev_kind = "tsv"
            continue
        width, cs = _indent(text, s, e)
        if cs >= e:
            prev_kind = "blank"
            continue
        ch = text[cs]
        if org:
            if in_drawer or _ORG_DRAWER.fullmatch(text, s, e):
                in_drawer = text[cs:e].strip().upper() != ":END:"
                continue
            if text.startswith("#+", cs):
                prev_kind = "blank"
                continue
            m = _ORG_HEADING.match(text, s, e) if width == 0 and ch == "*" else None
            if m and m.end() < e:
                level = min(len(m.group("stars")), 6)
                hs, he = m.end(), e
                t = _ORG_TAGS.search(text, hs, he)
                if t and t.start() > hs:
                    he = t.start()
                while he > hs and text[he - 1] in " \t":
                    he -= 1
                prev_kind, prev_node = "heading", open_heading(hs, he, level)
                continue
        # pipe tables
        if (
            ch == "|"
            or sep[ln]
            or (ln + 1 < n and sep[ln + 1] and "|" in text[cs:e])
            or (prev_kind == "table" and table is not None and table.header and "|" in text[cs:e])
        ):  # the last case: rows of a pipe table written without outer pipes
            if sep[ln]:
                if table is not None and prev_kind == "table" and len(table.rows) == 1:
                    table.header = True
                prev_kind = "table"
                continue
            if table is None or prev_kind != "table":
                cont = container_for(width, 1)
                table = Node("table", cs, e, indent=width)
                cont.add(table)
                table_outer = ch == "|"
            row = _split_cells(text, cs, e)
            if ch == "|" and not table_outer:
                row.insert(0, (cs, cs))  # no outer pipes: a leading pipe means an empty first cell
            table.rows.append(row)
            table.end = e
            prev_kind = "table"
            continue
        table = None
        # code fences, rules, quotes, html
        if text.startswith(("```", "~~~"), cs):
            prev_kind = "blank"
            continue
        if ch == ">":
            prev_kind = "quote"
            continue
        if ch == "<" and _HTML.match(text, cs, e):
            prev_kind = "blank"
            continue
        body = text[cs:e].replace(" ", "")
        if len(body) >= 3 and (set(body) <= {"-"} or set(body) <= {"="} or set(body) <= {"*"} or set(body) <= {"_"}):
            # setext underline turns the paragraph above into a heading
            if prev_kind == "para" and prev_node is not None and prev_node.kind == "para" and body[0] in "=-":
                prev_node.kind = "heading"
                prev_node.level = 1 if body[0] == "=" else 2
                _rehome_heading(stack, prev_node)
            prev_kind = "blank"
            continue
        # headings
        if ch == "#" and width <= 3:
            k = cs
            while k < e and text[k] == "#":
                k += 1
            level = k - cs
            if level <= 6 and (k >= e or text[k] in " \t"):
                hs, he = k, e
                while he > hs and text[he - 1] in " \t":
                    he -= 1
                j = he
                while j > hs and text[j - 1] == "#":
                    j -= 1
                if j < he and (j == hs or text[j - 1] in " \t"):
                    he = j
                while hs < he and text[hs] in " \t":
                    hs += 1
                while he > hs and text[he - 1] in " \t":
                    he -= 1
                prev_kind, prev_node = "heading", open_heading(hs, he, level)
                continue
        # list items
        m = _ITEM.match(text, cs, e)
        if m and m.end() < e:
            numdepth = m.group("n").strip("().").count(".") + 1 if m.group("n") else 1
            family = "number" if m.group("n") else "letter" if (m.group("a") or m.group("a2")) else "bullet"
            outer = outer_family.setdefault(width, family)
            if outer != family and (outer, family) in _INNER_FAMILIES:
                numdepth += 1
            k = m.end()
            while k < e and text[k] in " \t":
                k += 1
            if k < e:
                cont = container_for(width, numdepth)
                node = Node("item", k, e, indent=width, numdepth=numdepth, label=classify(text, k, e))
                cont.add(node)
                _split_inline(text, node, cont)
                stack.append(node)
                prev_kind, prev_node = "item", node
                continue
        # plain lines: lazy continuation, indented detail, or paragraph
        if (
            prev_kind in ("item", "para")
            and prev_node is not None
            and (ch.islower() or (ch.isdigit() and prev_node.kind == "para" and width == prev_node.indent))
            and text[prev_node.end - 1] not in ".:;!?)"
            and width >= (prev_node.indent if prev_node.kind == "para" else 0)
            and not prev_node.children
        ):
            prev_node.end = e
            while prev_node.end > prev_node.start and text[prev_node.end - 1] in " \t":
                prev_node.end -= 1
            prev_node.label = classify(text, prev_node.start, prev_node.end)
            continue
        top = stack[-1]
        krsec = top if top.kind == "para" else top.parent if (top.kind == "item" and top.bare) else None
        if (
            krsec is not None
            and krsec.kind == "para"
            and krsec.label is not None
            and krsec.label.kind == KRSEC
            and prev_kind in ("para", "item")
        ):
            # "Key results:" followed directly by marker-less lines (emoji or nothing as bullets)
            lab = classify(text, cs, e)
            if lab.kind in (None, KR):
                while stack[-1] is not krsec:
                    stack.pop()
                node = Node("item", cs, e, indent=krsec.indent + 1, bare=True, label=lab)
                krsec.add(node)
                stack.append(node)
                prev_kind, prev_node = "item", node
                continue
        if top.kind in ("item", "para") and top is not root and (
            width > top.indent or (top.kind == "item" and top.bare and width == top.indent > 0)
        ):
            # an indented line under an item/paragraph: a detail, or a marker-less list
            cont = container_for(width, 1)
            node = Node("item", cs, e, indent=width, bare=True, label=classify(text, cs, e))
            cont.add(node)
            stack.append(node)
            prev_kind, prev_node = "item", node
            continue
        lab = classify(text, cs, e)
        if (
            lab.kind in (OWNER, META, PROGRESS)
            and prev_kind == "para"
            and top.kind == "para"
            and top is prev_node
            and top.indent == width
        ):
            # "GROW REVENUE / Owner: Kemal / Status: on track / - KR": properties of the line above,
            # which keeps owning the list that follows
            node = Node("para", cs, e, indent=width, label=lab)
            top.add(node)
            prev_kind, prev_node = "para", top
            continue
        while len(stack) > 1 and stack[-1].kind in ("item", "para"):
            stack.pop()
        node = Node("para", cs, e, indent=width, label=lab)
        outer_family.clear()
        stack[-1].add(node)
        _split_inline(text, node, stack[-1])
        if _introduces(node) or (
            (node.label is None or node.label.kind is None) and _root_level(stack[-1], text)
        ):
            stack.append(node)
        prev_kind, prev_node = "para", node
    return root


# (outer, inner) marker families that nest when pasted at the same indentation
_INNER_FAMILIES = {("number", "letter"), ("letter", "number"), ("number", "bullet")}


def _split_inline(text: str, node: Node, parent: Node) -> None:
    """One-liners ("O: Grow revenue KR: ... KR: ...") become one node per label, all siblings."""
    lab = node.label
    if lab is None or lab.kind not in (OBJ, KR, KRSEC):
        return
    cuts = [m.start() for m in _INLINE_LABEL.finditer(text, lab.start, node.end) if m.start() > lab.start]
    if not cuts:
        return
    end = node.end
    bounds = [node.start, *cuts, end]
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        while b > a and (text[b - 1].isspace() or text[b - 1] in ";|,—–-"):
            b -= 1
        if i == 0:
            node.end = b
            node.label = classify(text, a, b)
        else:
            parent.add(Node("para", a, b, indent=node.indent, label=classify(text, a, b)))


def _introduces(node: Node) -> bool:
    """A paragraph owns the list below it when it is a label ("Key results:", "Engineering:", "O1: X")."""
    return node.kind == "para" and node.label is not None and node.label.kind in (OBJ, KRSEC, NONKR, SECTION, OBJSEC)


def _root_level(container: Node, text: str) -> bool:
    """Outside regular headings a plain paragraph introduces the list under it ("Grow revenue" + bullets)."""
    if container.kind == "root":
        return True
    if container.kind == "heading":
        lab = container.label
        if lab is not None and lab.kind in (SECTION, NONKR):
            return True
        if text[container.start : container.end].rstrip().endswith(":"):
            return True
        return is_titleish(text, container.start, container.end)
    return False


def _rehome_heading(stack: list[Node], node: Node) -> None:
    """A setext heading was lexed as a paragraph; move it to its heading position in the tree."""
    parent = node.parent
    if parent is not None and node in parent.children:
        parent.children.remove(node)
    while stack and stack[-1] is not node and stack[-1].kind in ("item", "para"):
        stack.pop()
    if stack and stack[-1] is node:
        stack.pop()
    while len(stack) > 1 and not (stack[-1].kind == "heading" and stack[-1].level < node.level):
        stack.pop()
    for child in list(node.children):
        node.children.remove(child)
        stack[-1].add(child)
    stack[-1].add(node)
    stack.append(node)


def preorder(root: Node):
    """Iterative pre-order walk (deeply nested input must not hit the recursion limit)."""
    todo = list(reversed(root.children))
    while todo:
        node = todo.pop()
        yield node
        todo.extend(reversed(node.children))
