"""Print a fixed sample of flagged corpus statements with their offline suggestions, for a human to read.

Coverage (``bench/offline_coverage.py``) says whether a flagged key result gets
a verified rewrite; it cannot say whether the rewrite reads like something a
coach would write. This script picks a deterministic sample (spread over
departments and flaw rules, from the authored corpus, never the evaluation
set) and prints each statement with its suggestions, so wording can be judged.

    .venv/bin/python bench/offline_review.py [--size 150] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.offline import FLAGGED, offline_suggestions  # noqa: E402
from coach.pipeline import Coach  # noqa: E402
from coach.settings import Settings  # noqa: E402


def corpus_rows(folder: Path = ROOT / "data" / "corpus") -> list[dict]:
    """Distinct statements of the authored corpus with their department, in file order."""
    seen: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                seen.setdefault(row["text"], row)
    return list(seen.values())


def sample(coach: Coach, size: int, seed: int) -> list:
    """Round-robin over (department, first flagged rule) buckets, shuffled with a fixed seed."""
    rows = corpus_rows()
    reports = coach.assess([r["text"] for r in rows])
    buckets: dict[tuple[str, str], list] = defaultdict(list)
    for row, report in zip(rows, reports):
        rules = sorted({f.rule for f in report.findings if f.severity in FLAGGED})
        if rules:
            buckets[(row.get("department", "?"), rules[0])].append(report)
    rng = random.Random(seed)
    keys = sorted(buckets)
    for key in keys:
        rng.shuffle(buckets[key])
    picked: list = []
    while len(picked) < size and any(buckets.values()):
        for key in keys:
            if buckets[key] and len(picked) < size:
                picked.append(buckets[key].pop())
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    coach = Coach(Settings(openai_base_url=None, openai_api_key=None))
    reports = sample(coach, args.size, args.seed)
    results = offline_suggestions(reports, coach)
    for n, (report, found) in enumerate(zip(reports, results), 1):
        rules = ",".join(sorted({f.rule for f in report.findings if f.severity in FLAGGED}))
        print(f"{n:>3}. [{rules}] {report.text}")
        for s in found:
            print("      -> " + s.text.replace("\n", "\n         "))
        if not found:
            print("      -> (none)")


if __name__ == "__main__":
    main()
