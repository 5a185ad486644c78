"""JSON and YAML drafts: our own model and the reasonable shapes other tools export.

Why a walker instead of a schema: exports from OKR tools and config repos nest
objectives under projects, quarters or people and mix in unrelated keys. We look
for dicts that *look like* an objective (a title plus a list of key results)
anywhere in the tree and ignore the rest. Spans point at the first unused
occurrence of each string in the source, so findings can still be highlighted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from coach.models import Draft, KeyResult, Objective
from coach.parsing.annotations import parse_progress, trim


def _norm_key(k: Any) -> str:
    return re.sub(r"[\s_\-]", "", str(k)).lower()


KR_LIST_KEYS = ("keyresults", "krs", "keyresult", "kr", "results", "keyresultslist", "measures", "metrics",
                "successmetrics", "successcriteria", "measurableresults", "resultadosclave", "resultatscles")
# Exports of OKR tools that keep objectives and key results in one tree tell them apart by a type field.
TYPE_KEYS = ("type", "kind", "itemtype", "level", "category")
CHILD_KEYS = ("children", "items", "subitems", "childitems", "nodes", "subgoals")
_OBJ_TYPE = re.compile(r"(?i)^(?:objective|obj|goal|okr)s?$")
_KR_TYPE = re.compile(r"(?i)^(?:key[ _-]?results?|kr|krs|result|metric|measure)$")
OBJ_TITLE_KEYS = ("objective", "objectivetitle", "objectivename", "title", "name", "goal", "statement", "text",
                  "summary", "description")
KR_TEXT_KEYS = ("text", "keyresult", "kr", "title", "name", "metric", "statement", "result", "summary", "description",
                "value")
OWNER_KEYS = ("owner", "owners", "assignee", "assignees", "responsible", "lead", "dri", "accountable")
PROGRESS_KEYS = ("progress", "completion", "percentcomplete", "percent", "score", "grade", "done", "completed",
                 "status")
OBJ_LIST_KEYS = ("objectives", "okrs", "goals")


class _Locator:
    """Finds where each string sits in the source, in order, so duplicates get successive spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0

    def find(self, value: str) -> tuple[str, int | None, int | None]:
        """Return (text as shown, start, end); the text is the source slice when one is found."""
        candidates = [value]
        esc = json.dumps(value, ensure_ascii=False)[1:-1]
        if esc != value:
            candidates.append(esc)
        esc2 = json.dumps(value)[1:-1]
        if esc2 not in candidates:
            candidates.append(esc2)
        for cand in candidates:
            if not cand:
                continue
            i = self.text.find(cand, self.cursor)
            if i < 0:
                i = self.text.find(cand)
            if i >= 0:
                self.cursor = i + len(cand)
                return value, i, i + len(cand)
        return value, None, None


def _owner_of(d: dict[str, Any]) -> str | None:
    for k, v in d.items():
        if _norm_key(k) in OWNER_KEYS:
            if isinstance(v, str) and v.strip():
                return v.strip()
            if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                return ", ".join(x.strip() for x in v)
            if isinstance(v, dict):
                name = _first_str(v, ("name", "login", "username", "email"))
                if name:
                    return name
    return None


def _first_str(d: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    by_key = {_norm_key(k): v for k, v in d.items()}
    for key in keys:
        v = by_key.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return None


def _progress_of(d: dict[str, Any]) -> float | None:
    by_key = {_norm_key(k): v for k, v in d.items()}
    for key in PROGRESS_KEYS:
        if key not in by_key:
            continue
        v = by_key[key]
        if isinstance(v, bool):
            if key in ("done", "completed"):
                return 1.0 if v else None
            continue
        if isinstance(v, (int, float)):
            f = float(v)
            if 0.0 <= f <= 1.0:
                return f
            if 1.0 < f <= 100.0:
                return f / 100.0
            continue
        if isinstance(v, str):
            p = parse_progress(v)
            if p is not None:
                return p
    return None


def _type_of(d: dict[str, Any]) -> str | None:
    """"objective", "kr", "other" for items of a typed tree; None when the dict has no type field."""
    for k, v in d.items():
        if _norm_key(k) in TYPE_KEYS and isinstance(v, str):
            if _OBJ_TYPE.match(v.strip()):
                return "objective"
            if _KR_TYPE.match(v.strip()):
                return "kr"
            return "other"
    return None


def _is_objective(d: dict[str, Any]) -> bool:
    keys = {_norm_key(k): v for k, v in d.items()}
    if _type_of(d) == "objective":
        return True
    if any(k in keys and isinstance(keys[k], (list, dict)) for k in KR_LIST_KEYS):
        return True
    return isinstance(keys.get("objective"), str) or isinstance(keys.get("goal"), str)


class _Walker:
    def __init__(self, text: str) -> None:
        self.loc = _Locator(text)
        self.text = text
        self.objectives: list[Objective] = []

    def _key_result(self, item: Any, owner: str | None) -> KeyResult | None:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str):
            value = item.strip()
            if not value:
                return None
            shown, s, e = self.loc.find(value)
            if s is not None and shown == self.text[s:e]:
                t = trim(self.text, s, e, weak=False)
                return KeyResult(text=self.text[t.start : t.end], start=t.start, end=t.end, owner=t.owner,
                                 progress=t.progress)
            return KeyResult(text=shown, start=s, end=e)
        if isinstance(item, dict):
            if _type_of(item) in ("objective", "other"):
                return None  # an initiative, task or sub-objective in a typed tree
            value = _first_str(item, KR_TEXT_KEYS)
            if value is None:
                if len(item) == 1:  # {"Increase ARR to 2M": {...}} or {"KR1": "text"}
                    (k, v), = item.items()
                    if isinstance(v, str) and re.fullmatch(r"(?i)kr\s*#?\d+(\.\d+)*", str(k).strip()):
                        return self._key_result(v, owner)
                return None
            shown, s, e = self.loc.find(value.strip())
            return KeyResult(text=shown, start=s, end=e, owner=_owner_of(item) or owner, progress=_progress_of(item))
        return None

    def _objective(self, d: dict[str, Any], owner: str | None, title_hint: str | None = None) -> None:
        title = _first_str(d, OBJ_TITLE_KEYS) or title_hint or ""
        own = _owner_of(d) or owner
        nested = next((v for k, v in d.items() if _norm_key(k) in ("objective", "goal") and isinstance(v, dict)), None)
        if not title and nested is not None:  # {"objective": {"title": ..., "owner": ...}, "keyResults": [...]}
            title = _first_str(nested, OBJ_TITLE_KEYS) or ""
            own = _owner_of(nested) or own
        start = end = None
        by_key = {_norm_key(k): v for k, v in d.items()}
        single_kr = next((by_key[k] for k in KR_LIST_KEYS if isinstance(by_key.get(k), str)), None)
        prev = self.objectives[-1] if self.objectives else None
        if title:
            title = title.strip()
            if single_kr is not None and prev is not None and prev.title == title:
                # one row per key result ({"objective", "key_result", "owner"}): rows of one objective join
                kr = self._key_result(single_kr, None)
                if kr is not None:
                    kr.owner = kr.owner or _owner_of(d)
                    kr.progress = kr.progress if kr.progress is not None else _progress_of(d)
                    prev.key_results.append(kr)
                if prev.owner != own:
                    prev.owner = None
                return
            _, start, end = self.loc.find(title)
        obj = Objective(title=title, start=start, end=end, owner=own)
        self.objectives.append(obj)
        if single_kr is not None:
            kr = self._key_result(single_kr, None)
            if kr is not None:
                kr.owner = kr.owner or _owner_of(d)
                kr.progress = kr.progress if kr.progress is not None else _progress_of(d)
                obj.key_results.append(kr)
            return
        keys = KR_LIST_KEYS + CHILD_KEYS if _type_of(d) == "objective" else KR_LIST_KEYS
        for key in keys:
            items = by_key.get(key)
            if items is None:
                continue
            if isinstance(items, dict):
                items = [{"text": k, **v} if isinstance(v, dict) else v if isinstance(v, str) else k
                         for k, v in items.items()]
            if isinstance(items, str):
                items = [items]
            for item in items if isinstance(items, list) else []:
                kr = self._key_result(item, None)
                if kr is not None:
                    obj.key_results.append(kr)
            break

    def walk(self, node: Any, owner: str | None = None, depth: int = 0) -> None:
        if depth > 60:
            return
        if isinstance(node, dict):
            if _is_objective(node):
                self._objective(node, owner)
                return
            owner = _owner_of(node) or owner
            for k, v in node.items():
                if _norm_key(k) in OBJ_LIST_KEYS and isinstance(v, dict):
                    # {"objectives": {"Grow revenue": ["kr", ...]}}
                    for title, body in v.items():
                        if isinstance(body, list):
                            self._objective({"key_results": body}, owner, str(title))
                        elif isinstance(body, dict):
                            self._objective(body, owner, str(title))
                    continue
                if _norm_key(k) in OBJ_LIST_KEYS and isinstance(v, list) and all(isinstance(x, str) for x in v):
                    for title in v:
                        self._objective({}, owner, title)
                    continue
                if isinstance(v, (dict, list)):
                    self.walk(v, owner, depth + 1)
        elif isinstance(node, list):
            if node and all(isinstance(x, str) for x in node) and depth == 0:
                self._objective({"key_results": node}, owner, "")
                return
            for v in node:
                self.walk(v, owner, depth + 1)


def from_data(text: str, data: Any) -> Draft | None:
    """Objectives found in parsed JSON/YAML ``data``; None when the data holds no OKR at all."""
    w = _Walker(text)
    w.walk(data)
    if not w.objectives or not any(o.title or o.key_results for o in w.objectives):
        return None
    return Draft(text=text, objectives=w.objectives)


_YAML_KEY_LINE = re.compile(r"^[ \t]+(?:-[ \t]+)?[\w\"'][\w \"'-]{0,60}:(?:[ \t]|$)", re.M)
_YAML_FIRST = re.compile(r"^(?:-[ \t]+)?[\w\"'][\w \"'-]{0,60}:(?:[ \t]|$)")


def looks_like_yaml(text: str) -> bool:
    """Only real YAML (a document marker or nested mappings), not flat "Objective: ..." prose."""
    stripped = text.lstrip()
    if stripped.startswith(("---", "%YAML")):
        return True
    first = next((ln for ln in stripped.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    return bool(_YAML_FIRST.match(first)) and _YAML_KEY_LINE.search(text) is not None


def parse_structured(text: str) -> tuple[Draft | None, bool]:
    """Try JSON, then YAML. Returns (draft or None, whether the text was structured data at all)."""
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        else:
            return from_data(text, data), True
    if looks_like_yaml(text):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            return None, False
        if isinstance(data, (dict, list)):
            draft = from_data(text, data)
            if draft is not None:
                return draft, True
    return None, False
