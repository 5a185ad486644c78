"""How often the offline coach has a verified rewrite for a flagged key result, per flaw rule.

The offline coach is what most users see (no LLM configured) and what the LLM
falls back to, so a flagged key result with no suggestion is a dead end. This
measures it on the project's own labelled corpus (``data/corpus/*.jsonl``, not
the evaluation set): every statement the coach flags with an error or warning
is rewritten offline, each candidate goes through ``coach.verify`` (the same
check LLM suggestions pass), and a statement counts as covered when at least
one suggestion survives. Shares are given overall and per flagged rule (a
statement flagged by two rules counts under both).

    .venv/bin/python bench/offline_coverage.py [--json] [--misses RULE] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.offline import FLAGGED, offline_suggestions  # noqa: E402
from coach.pipeline import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402

RULES = ("OKR-K001", "OKR-K002", "OKR-K003", "OKR-K004", "OKR-K005", "OKR-K006", "OKR-K007", "OKR-K008", "OKR-K011")


def corpus_texts(folder: Path = ROOT / "data" / "corpus") -> list[str]:
    """Every distinct statement of the authored corpus, in file order."""
    seen: dict[str, None] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["text"], None)
    return list(seen)


def measure(coach: Coach, texts: list[str]) -> dict:
    """Coverage of the flagged statements among ``texts``: overall, per rule, and the misses."""
    reports = [r for r in coach.assess(texts) if any(f.severity in FLAGGED for f in r.findings)]
    suggestions = offline_suggestions(reports, coach)
    total, covered = Counter(), Counter()
    misses: list[dict] = []
    for report, found in zip(reports, suggestions):
        rules = sorted({f.rule for f in report.findings if f.severity in FLAGGED})
        for rule in rules + ["all"]:
            total[rule] += 1
            covered[rule] += bool(found)
        if not found:
            misses.append({"text": report.text, "rules": rules})
    per_rule = {
        rule: {"flagged": total[rule], "covered": covered[rule], "share": covered[rule] / total[rule]}
        for rule in sorted(total, key=lambda r: (r == "all", r))
    }
    return {"statements": len(texts), "flagged": total["all"], "per_rule": per_rule, "misses": misses,
            "examples": [{"text": r.text, "suggestions": [s.text for s in found]}
                         for r, found in zip(reports, suggestions)]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the measurement as JSON")
    parser.add_argument("--misses", metavar="RULE", help="list the uncovered statements of RULE (or 'all')")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N corpus statements")
    args = parser.parse_args()
    coach = Coach(Settings(openai_base_url=None, openai_api_key=None))
    texts = corpus_texts()
    if args.limit:
        texts = texts[: args.limit]
    started = time.perf_counter()
    result = measure(coach, texts)
    result["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "examples"}, indent=2))
        return
    print(f"{result['statements']} corpus statements, {result['flagged']} flagged (error or warning), "
          f"{result['seconds']} s")  # fmt: skip
    print(f"{'rule':<10} {'flagged':>8} {'covered':>8} {'share':>7}")
    for rule, row in result["per_rule"].items():
        print(f"{rule:<10} {row['flagged']:>8} {row['covered']:>8} {row['share']:>7.1%}")
    if args.misses:
        for miss in result["misses"]:
            if args.misses == "all" or args.misses in miss["rules"]:
                print(f"  MISS {','.join(miss['rules'])}: {miss['text']}")


if __name__ == "__main__":
    main()
