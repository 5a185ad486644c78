"""The architecture's one rule, checked: imports go web -> coach -> classifiers -> rules, never back.

``coach.models`` (the domain model) is the shared kernel every layer may import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["web", "coach", "classifiers", "rules"]  # each may import only those to its right
KERNEL = {"coach.models"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", ORDER)
def test_no_import_goes_back_up(layer: str) -> None:
    forbidden = set(ORDER[: ORDER.index(layer)])
    offenders = []
    for path in (ROOT / layer).rglob("*.py"):
        for module in imports_of(path):
            top = module.split(".")[0]
            if top in forbidden and module not in KERNEL:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, "\n".join(offenders)


def test_kernel_imports_nothing_of_the_project() -> None:
    project = set(ORDER)
    assert not {m for m in imports_of(ROOT / "coach" / "models.py") if m.split(".")[0] in project}
