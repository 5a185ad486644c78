"""One error shape for every 4xx: ``{"error": {"code", "message", "field"}}``.

Clients of the API branch on ``code`` and show ``message``; ``field`` names the
part of the request that was wrong (a dotted path such as ``items.3.text``,
or ``body`` when the body as a whole is unusable), so a form can put the
message next to the right box.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.errors import InputError

log = logging.getLogger("okr_coach.web")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "not_ready",
}
# pydantic puts union members and validator names in error locations; they mean nothing to a client
_LOC_NOISE = ("body", "query", "path", "header", "str", "int", "KeyResultIn")


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": field}}, status_code=status, headers=headers
    )


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in _LOC_NOISE and not str(p).startswith("function-")]
    return ".".join(parts) or "body"


def _is_json(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
        kind, loc = first.get("type", ""), tuple(first.get("loc", ()))
        if kind == "json_invalid":
            return error_response(400, "invalid_json", "the request body is not valid JSON", "body")
        if (
            loc[:1] == ("body",)
            and request.method == "POST"
            and request.url.path.startswith("/v1")
            and not _is_json(request)
        ):
            return error_response(
                415,
                "unsupported_media_type",
                "send the body as JSON with 'Content-Type: application/json'",
                "body",
            )
        field = _field(loc)
        if kind == "string_too_long" and field == "text":
            return error_response(
                413, "too_large", f"the draft is over the limit: {first['msg'].lower()}", "text"
            )
        msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        return error_response(422, "invalid_input", msg, field)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, exc.code, exc.message, exc.field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, RecursionError)):
            # FastAPI's "error parsing the body": undecodable bytes or JSON nested too deep
            return error_response(400, "invalid_json", "the request body is not valid UTF-8 JSON", "body")
        code = _STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, never the user's fault; the log names the route, not the request body.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal", "internal error")


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, before the app reads them into memory.

    A declared Content-Length is checked up front; a body without one
    (chunked) is read here, at most ``limit`` bytes, and replayed to the app,
    so the app never sees a body it would have to refuse half-way.
    """

    def __init__(self, app: ASGIApp, limit: int, page_limit: int | None = None) -> None:
        # Pages get more room: a refused form post would lose what the user typed,
        # so the page itself answers over-long drafts with the text kept.
        self.app, self.api_limit, self.page_limit = app, limit, page_limit or limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.api_limit if scope["path"].startswith("/v1") else self.page_limit

        async def too_big() -> None:
            await error_response(413, "too_large", f"the request body is over {limit // 1024} KB", "body")(
                scope, receive, send
            )

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await error_response(400, "bad_request", "invalid Content-Length", "body")(
                    scope, receive, send
                )
            elif size > limit:
                await too_big()
            else:
                await self.app(scope, receive, send)
            return

        # No length declared: buffer up to the limit, then replay.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            received += len(message.get("body", b""))
            if received > limit:
                await too_big()
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    """Security headers on every response; a Content-Security-Policy on HTML.

    Plain ASGI (not ``BaseHTTPMiddleware``) so it costs next to nothing per request.
    """

    def __init__(self, app: ASGIApp, page_csp: str, docs_csp: str) -> None:
        self.app, self.page_csp, self.docs_csp = app, page_csp, docs_csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (self.docs_csp if scope["path"].startswith("/docs") else self.page_csp).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                ctype = dict(headers).get(b"content-type", b"")
                if ctype.startswith(b"text/html"):
                    extra.append((b"content-security-policy", csp))
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
