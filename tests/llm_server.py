"""A local OpenAI-compatible server whose answers each test scripts.

The LLM tests drive the real ``openai`` SDK over real HTTP, so what they
prove (one request per draft, retries on 429, fallback on 500/timeouts,
invalid JSON, refusals) holds for a real server too. The app is FastAPI served
by real uvicorn on 127.0.0.1, on a port the OS picks, in a thread of the test
process so that a test can script answers as plain Python (a JSON object, or a
function of the request body that builds one).

Script a test by pushing behaviours; each request consumes the next one, and
when the queue is empty ``default`` answers (``None`` means HTTP 500 with a
message, so an unscripted request is visible):

    server.push(Answer({"key_results": [...]}))
    server.push(Status(429), Answer(...))
    server.push(Sleep(2.0, Answer(...)))   # slower than the client's timeout
    server.push(Raw("not json {"), Refusal())
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Body = dict[str, Any]


@dataclass
class Answer:
    """A successful completion whose content is ``json.dumps(payload)``; payload may be a function of the request."""

    payload: Any | Callable[[Body], Any]


@dataclass
class Raw:
    """A successful completion with exactly this content string (e.g. broken JSON)."""

    content: str


@dataclass
class Refusal:
    message: str = "I can't help with that."


@dataclass
class Status:
    """An HTTP error; 429 sends ``retry-after-ms`` so the SDK's retry is quick."""

    code: int
    retry_after_ms: int = 20


@dataclass
class Sleep:
    """Wait, then behave like ``then`` (the client has usually given up by then)."""

    seconds: float
    then: Any = field(default_factory=lambda: Raw("{}"))


def completion(content: str | None, model: str, refusal: str | None = None) -> Body:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class ScriptedLLMServer:
    """The server plus its script, the requests it saw and the time it spent answering."""

    def __init__(self) -> None:
        self.queue: deque[Any] = deque()
        self.default: Any = None
        self.requests: list[Body] = []
        self.auth_headers: list[str | None] = []  # Authorization header of each request
        self.server_seconds = 0.0  # time spent inside the handler (benchmarks subtract it)
        self.app = self._build_app()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- scripting -----------------------------------------------------------

    def push(self, *behaviours: Any) -> None:
        self.queue.extend(behaviours)

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()
        self.auth_headers.clear()
        self.default = None
        self.server_seconds = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- the app -------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> JSONResponse:
            started = time.perf_counter()
            body = await request.json()
            self.requests.append(body)
            self.auth_headers.append(request.headers.get("authorization"))
            behaviour = self.queue.popleft() if self.queue else self.default
            try:
                return await self._respond(behaviour, body)
            finally:
                self.server_seconds += time.perf_counter() - started

        return app

    async def _respond(self, behaviour: Any, body: Body) -> JSONResponse:
        model = body.get("model", "test-model")
        if isinstance(behaviour, Sleep):
            await asyncio.sleep(behaviour.seconds)
            return await self._respond(behaviour.then, body)
        if isinstance(behaviour, Answer):
            payload = behaviour.payload(body) if callable(behaviour.payload) else behaviour.payload
            return JSONResponse(completion(json.dumps(payload), model))
        if isinstance(behaviour, Raw):
            return JSONResponse(completion(behaviour.content, model))
        if isinstance(behaviour, Refusal):
            return JSONResponse(completion(None, model, refusal=behaviour.message))
        if isinstance(behaviour, Status):
            headers = {"retry-after-ms": str(behaviour.retry_after_ms)}
            error = {"error": {"message": f"scripted HTTP {behaviour.code}", "type": "test", "code": None}}
            return JSONResponse(error, status_code=behaviour.code, headers=headers)
        error = {"error": {"message": "no scripted answer left", "type": "test", "code": None}}
        return JSONResponse(error, status_code=500)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> ScriptedLLMServer:
        """Serve on a socket bound before uvicorn starts, so there is no port race."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the scripted LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def user_message(self, n: int = -1) -> str:
        """The user prompt of the n-th request (what the model was asked)."""
        return next(m["content"] for m in self.requests[n]["messages"] if m["role"] == "user")
