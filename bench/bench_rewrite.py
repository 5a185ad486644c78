"""Rewrite cost: LLM requests per draft (must be 1) and the coach's own overhead per rewrite call.

The model is the scripted local OpenAI-compatible server (tests/llm_server.py,
real uvicorn on 127.0.0.1, real openai SDK) answering instantly with
suggestions that pass verification, so no repair request is needed. The
time the server spends inside its handler is subtracted; what remains is
okr-coach's own work per call: prompt rendering, the SDK and HTTP round trip
on loopback, JSON validation, grounding, verification through the engine
(plus the offline path, timed on its own for comparison).

`suggest_rewrites` is timed on an already checked Report (the check itself is
measured by bench_core.py).

Run: .venv/bin/python bench/bench_rewrite.py [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DRAFTS = [
    """Objective: Fill the sales pipeline for the new analytics tier
- Send 10 sales emails per week
- Make 40 cold calls a day
- Grow qualified pipeline from $300k to $450k
""",
    """Objective: Customers trust our uptime
- Keep uptime at 99.9% all quarter
- Track incident count weekly
- Launch the public status page by Q2
- Cut mean time to recover from 90 minutes to 45 minutes
""",
    """Objective: Become the easiest tool to start with
- Redesign the onboarding flow
- Improve trial conversion
- Increase weekly active teams to 1,500
- Raise NPS from 31 to 32
- Write 20 help centre articles
- Churn rate
""",
]

SUGGESTION = "Grow qualified pipeline from outbound work from $[baseline] to $[target] per quarter"


def instant_answer(body: dict) -> dict:
    """A valid answer for every id the prompt asks about, built without any waiting."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    asked = [int(i) for i in re.findall(r"^- id (\d+) \(objective", user, re.MULTILINE)]
    return {"key_results": [{"id": i, "suggestions": [SUGGESTION]} for i in asked]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="rewrite calls per draft")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from llm_server import Answer, ScriptedLLMServer

    from coach.llm import LLMClient
    from coach.pipeline import Coach
    from coach.rewrite import suggest_rewrites
    from coach.settings import Settings

    server = ScriptedLLMServer().start()
    server.default = Answer(instant_answer)
    try:
        coach = Coach(Settings(openai_base_url=server.base_url, llm_retries=0, llm_timeout=10, model="bench"))
        offline_client = LLMClient(Settings(openai_base_url=None, openai_api_key=None))
        client = LLMClient(coach.settings)
        reports = [coach.check(d) for d in DRAFTS]
        for report in reports:  # warm up: connection pool, spaCy, classifier
            suggest_rewrites(report, coach, llm=client)

        requests_per_draft: list[int] = []
        overhead_ms: list[float] = []
        wall_ms: list[float] = []
        offline_ms: list[float] = []
        sources = set()
        for _ in range(args.rounds):
            for report in reports:
                before_requests, before_server = len(server.requests), server.server_seconds
                started = time.perf_counter()
                result = suggest_rewrites(report, coach, llm=client)
                elapsed = time.perf_counter() - started
                sources.add(result.source)
                requests_per_draft.append(len(server.requests) - before_requests)
                wall_ms.append(elapsed * 1000)
                overhead_ms.append((elapsed - (server.server_seconds - before_server)) * 1000)

                started = time.perf_counter()
                suggest_rewrites(report, coach, llm=offline_client)
                offline_ms.append((time.perf_counter() - started) * 1000)
    finally:
        server.stop()

    def q(values: list[float], pct: float) -> float:
        return statistics.quantiles(values, n=100)[int(pct) - 1] if len(values) >= 2 else values[0]

    figures = {
        "drafts": len(DRAFTS),
        "calls": len(wall_ms),
        "flagged_key_results_per_draft": [
            sum(1 for o in r.objectives for kr in o.key_results
                if any(f.severity in ("error", "warning") for f in kr.findings))
            for r in reports
        ],  # fmt: skip
        "requests_per_draft_max": max(requests_per_draft),
        "requests_per_draft_mean": statistics.mean(requests_per_draft),
        "sources": sorted(sources),
        "llm_overhead_ms_p50": round(q(overhead_ms, 50), 2),
        "llm_overhead_ms_p95": round(q(overhead_ms, 95), 2),
        "llm_wall_ms_p50": round(q(wall_ms, 50), 2),
        "offline_ms_p50": round(q(offline_ms, 50), 2),
        "offline_ms_p95": round(q(offline_ms, 95), 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:34} {value}")
    if figures["requests_per_draft_max"] != 1:
        sys.exit("FAIL: more than one LLM request per draft")


if __name__ == "__main__":
    main()
