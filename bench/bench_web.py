"""Throughput and latency of ``POST /v1/check`` under load, and memory per worker.

Starts ``uvicorn --factory web.app:create_app`` with 2 workers on 127.0.0.1,
then drives it from a *separate process* (so the load generator does not
share the server's interpreter or cores' GIL) with a small asyncio + httpx
client: ``--concurrency`` connections each sending the same realistic draft
back to back for ``--seconds``. Reports requests/s, p50/p90/p99 latency,
errors, and the resident memory (RSS) of each worker after the run.

    .venv/bin/python bench/bench_web.py [--seconds 15] [--concurrency 8] [--workers 2] [--rules-only]

Loopback only; bounded in time and in requests (``--max-requests``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent

DRAFT = (
    "Objective: Make our support the reason customers stay\n"
    "- Answer every chat within 2 minutes\n"
    "- Cut the median time to resolve a ticket from 26 hours to 12 hours\n"
    "- Raise CSAT after a support contact from 82% to 90%\n"
    "- Keep the backlog under 150 tickets\n"
    "\n"
    "Objective: Help customers help themselves\n"
    "- Publish 30 new help-centre articles\n"
    "- Lift the share of questions solved by self-service from 18% to 30%\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def worker_pids(server_pid: int) -> list[int]:
    """uvicorn --workers N: the supervisor's children (skipping the multiprocessing tracker)."""
    pids = []
    for pid in children(server_pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"resource_tracker" not in cmdline:
            pids.append(pid)
    return pids


async def _load(url: str, body: dict, seconds: float, concurrency: int, max_requests: int) -> dict:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def user() -> None:
            nonlocal errors, sent
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                started = time.perf_counter()
                try:
                    r = await client.post("/v1/check", json=body)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def load_process(url: str, seconds: float, concurrency: int, max_requests: int, out: mp.Queue) -> None:
    """Runs in its own process: the load generator."""
    out.put(asyncio.run(_load(url, {"text": DRAFT}, seconds, concurrency, max_requests)))


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--rules-only", action="store_true", help="labels from the rules alone (no classifiers)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    env["PYTHONPATH"] = str(REPO)
    if args.rules_only:
        env["OKR_COACH_USE_CLASSIFIERS"] = "false"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180
        ready = 0
        # every worker must have loaded its Coach: ask until enough distinct answers say ok
        while time.monotonic() < deadline and ready < 3 * args.workers:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read().decode()[-2000:]}")
            try:
                ready += httpx.get(url + "/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        workers = worker_pids(server.pid)
        idle_rss = {pid: rss_kib(pid) for pid in workers}
        labels = httpx.get(url + "/readyz").json().get("labels_source")

        ctx = mp.get_context("spawn")
        queue: mp.Queue = ctx.Queue()
        if args.warmup > 0:  # first requests pay for lazy imports and caches
            warm = ctx.Process(target=load_process, args=(url, args.warmup, args.concurrency, 10_000, queue))
            warm.start()
            queue.get()
            warm.join()
        loader = ctx.Process(
            target=load_process, args=(url, args.seconds, args.concurrency, args.max_requests, queue)
        )
        loader.start()
        result = queue.get()
        loader.join()
        loaded_rss = {pid: rss_kib(pid) for pid in workers}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    lat = sorted(result["latencies"])
    n = len(lat)
    figures = {
        "endpoint": "POST /v1/check",
        "draft": {"objectives": 2, "key_results": 6, "chars": len(DRAFT)},
        "workers": args.workers,
        "labels_source": labels,
        "concurrency": args.concurrency,
        "seconds": round(result["elapsed"], 2),
        "requests": n,
        "errors": result["errors"],
        "requests_per_s": round(n / result["elapsed"], 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p90_ms": round(percentile(lat, 90) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "rss_mib_per_worker_idle": [round(v / 1024, 1) for v in idle_rss.values()],
        "rss_mib_per_worker_after": [round(v / 1024, 1) for v in loaded_rss.values()],
        "cpus": os.cpu_count(),
    }
    print(
        f"POST /v1/check  ({figures['draft']['key_results']} key results per draft, {args.workers} workers, "
        f"{args.concurrency} connections, labels: {labels}, {os.cpu_count()} CPUs)"
    )
    print(f"  requests      {n} in {figures['seconds']} s, errors {result['errors']}")
    print(f"  throughput    {figures['requests_per_s']} requests/s")
    print(
        f"  latency       p50 {figures['p50_ms']} ms   p90 {figures['p90_ms']} ms   "
        f"p99 {figures['p99_ms']} ms"
    )
    print(
        f"  RSS/worker    idle {figures['rss_mib_per_worker_idle']} MiB   "
        f"after load {figures['rss_mib_per_worker_after']} MiB"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
