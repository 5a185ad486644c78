"""Core speed on this machine: `check` latency and `classify` throughput.

Reports:
- p50/p99 of an in-process `Coach.check` on a 1-objective, 4-key-result draft;
- `Coach.classify` throughput on 10,000 statements (rules only, and with the
  classifiers when their artifact is present);
- the classifier artifact's load time (skops, trusted types checked);
- bare spaCy tokenizer throughput on the same text, and the ratio
  (target: full check within 5x of bare tokenization, >= 3,000 statements/s
  with rules only; >= 2,000/s with the classifiers on one core).

Statements are the authored corpus (data/corpus), repeated to 10,000; the
headline throughputs run with the per-text facts cache off (every statement
read from scratch), `classify_hybrid_cached_per_s` with it on, over as many
distinct statements as the cache holds (a draft re-checked while typing).
Run: .venv/bin/python bench/bench_core.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DRAFT = """Objective: Make our trial a place people want to stay
KR1: Raise trial-to-paid conversion from 9% to 13% (Owner: Dana)
KR2: Send a welcome email to every new trial user
KR3: Keep weekly active teams above 1,200
KR4: Cut time to first report from 3 days to 1 day
"""


def statements(n: int) -> list[str]:
    from coach.models import resource_dir

    texts = []
    for path in sorted((resource_dir("data") / "corpus").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    if not texts:
        texts = [line.split(": ", 1)[-1] for line in DRAFT.splitlines()[1:]]
    return (texts * (n // len(texts) + 1))[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()

    import spacy

    from coach.pipeline import Coach
    from coach.settings import Settings

    results: dict[str, object] = {"cpu_count": os.cpu_count()}
    # Cold start in a fresh process: imports, spaCy pipeline, catalogue and the classifier artifact.
    import subprocess

    cold = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); from coach.pipeline import Coach; "
         "Coach(); print(time.perf_counter() - t)"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    results["cold_start_s"] = round(float(cold.stdout.strip()), 3)
    # The classifier artifact alone: skops load with the trusted-type check (best of 3, modules imported).
    from classifiers.model import LabelModel

    load_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        LabelModel.load()
        load_times.append(time.perf_counter() - t0)
    results["model_load_s"] = round(min(load_times), 3)
    t0 = time.perf_counter()
    coach = Coach(Settings(use_classifiers=True))
    results["coach_start_s"] = round(time.perf_counter() - t0, 3)
    results["classifiers_loaded"] = coach.model is not None

    for _ in range(20):
        coach.check(DRAFT)
    lat = []
    for _ in range(500):
        s = time.perf_counter()
        coach.check(DRAFT)
        lat.append((time.perf_counter() - s) * 1000)
    lat.sort()
    results["check_p50_ms"] = round(statistics.median(lat), 3)
    results["check_p99_ms"] = round(lat[int(len(lat) * 0.99) - 1], 3)

    texts = statements(args.n)

    def best_of_3(run) -> float:
        """Statements per second, best of three runs after a warm-up (the machine may be shared)."""
        run(texts[:200])
        best = 0.0
        for _ in range(3):
            s = time.perf_counter()
            run(texts)
            best = max(best, len(texts) / (time.perf_counter() - s))
        return best

    blank = spacy.blank("en")
    tok = best_of_3(lambda ts: sum(1 for _ in blank.tokenizer.pipe(ts, batch_size=1000)))
    results["tokenizer_per_s"] = round(tok)

    def throughput(c: Coach) -> float:
        return best_of_3(lambda ts: c.classify([{"id": str(i), "text": t} for i, t in enumerate(ts)]))

    import rules.facts as facts_module

    rules_only = Coach(Settings(use_classifiers=False))
    # Headline figures read every statement from scratch (the per-text facts cache off), so
    # repeats in the 10,000 do not flatter them; the cached figure is reported beside them.
    cache_size, facts_module.CACHE_SIZE = facts_module.CACHE_SIZE, 0
    r = throughput(rules_only)
    results["classify_rules_per_s"] = round(r)
    results["rules_slowdown_vs_tokenizer"] = round(tok / r, 2)
    if coach.model is not None:
        h = throughput(coach)
        results["classify_hybrid_per_s"] = round(h)
        results["hybrid_slowdown_vs_tokenizer"] = round(tok / h, 2)
    facts_module.CACHE_SIZE = cache_size
    results["distinct_statements"] = len(set(texts))
    if coach.model is not None:
        # The cache helps when the same statements come back (a user re-checking a draft as they type):
        # the same 10,000 calls drawn from as many distinct statements as the cache holds.
        texts = (texts[: facts_module.CACHE_SIZE] * (args.n // facts_module.CACHE_SIZE + 1))[: args.n]
        results["classify_hybrid_cached_per_s"] = round(throughput(coach))
        results["cached_distinct_statements"] = len(set(texts))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for k, v in results.items():
            print(f"{k:32} {v}")


if __name__ == "__main__":
    main()
