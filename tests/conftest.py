"""Shared fixtures: a real uvicorn server running the app factory on 127.0.0.1.

The web tests talk to the app the way users and API clients do: over HTTP to
a separate uvicorn process (``web.app:create_app`` as a factory, exactly what
``okr-coach serve`` runs), so middleware, startup, settings from the
environment and the real socket are all part of what is tested.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A uvicorn process serving the app; ``url`` is its base URL, ``log`` its stdout+stderr."""

    url: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kwargs.pop("timeout", 30.0), **kwargs)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    env: dict[str, str] | None = None,
    *,
    workers: int = 1,
    log_level: str = "info",
    ready_timeout: float = 90.0,
    command: list[str] | None = None,
) -> LiveServer:
    """Start ``uvicorn --factory web.app:create_app`` and wait until /readyz says ok.

    The environment is the test process's minus every OKR_COACH_/OPENAI_
    variable, plus ``env``: each server's settings are exactly what the test
    asked for. ``command`` replaces the uvicorn command line (``{port}`` is
    filled in), e.g. to start the app through ``okr-coach serve``.
    """
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), clean.get("PYTHONPATH")]))
    clean.update(env or {})
    log = Path(tempfile.mkstemp(prefix="okr-coach-server-", suffix=".log")[1])
    cmd = [
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
        str(workers),
        "--log-level",
        log_level,
    ]
    if command is not None:
        cmd = [part.replace("{port}", str(port)) for part in command]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=REPO, env=clean, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log, dict(env or {}))
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()[-3000:]}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {ready_timeout:.0f} s:\n{server.log_text()[-3000:]}")


@pytest.fixture(scope="session")
def server_factory() -> Iterator[Callable[..., LiveServer]]:
    """Start extra servers with their own settings (API keys, CORS...); all stopped at the end."""
    started: list[LiveServer] = []

    def make(env: dict[str, str] | None = None, **kwargs) -> LiveServer:
        server = start_server(env, **kwargs)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(server_factory) -> LiveServer:
    """The default app (no API keys, no CORS, no LLM), shared by every test that only reads."""
    return server_factory()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep what a person may want to look at afterwards (screenshots); gitignored."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
