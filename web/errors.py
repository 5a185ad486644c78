"""One error shape for every 4xx: ``{"error": {"code", "message", "field"}}``.

Clients of the API branch on ``code`` and show ``message``; ``field`` names the
part of the request that was wrong (a dotted path such as ``items.3.text``),
so a form can put the message next to the right box.
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

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
                 422: "invalid_input", 429: "rate_limited"}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status_code=status,
                        headers=headers)


def _field(loc: tuple | list) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    # pydantic puts union member names in the path (e.g. "str"); they mean nothing to a client
    parts = [p for p in parts if p not in ("str", "KeyResultIn", "function-after[_one_source()]")]
    return ".".join(parts) or None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request", "type": ""}
        kind = first.get("type", "")
        if kind == "json_invalid":
            return error_response(400, "invalid_json", "the request body is not valid JSON", "body")
        if kind in ("too_long",) and _field(first["loc"]) == "text":
            return error_response(413, "too_large", str(first["msg"]), "text")
        msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        return error_response(422, "invalid_input", msg, _field(first.get("loc", ())))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, exc.code, exc.message, exc.field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": {"code": "internal", "message": "internal error", "field": None}},
                            status_code=500)


class BodyLimitMiddleware:
    """Refuse bodies over ``limit`` bytes with 413, before the app reads them into memory.

    Checks Content-Length up front and counts streamed bytes for chunked bodies.
    """

    def __init__(self, app: ASGIApp, limit: int, page_limit: int | None = None) -> None:
        # Pages get more room: a form post that is refused would lose what the user typed,
        # so they are answered by the page itself with the text kept.
        self.app, self.api_limit, self.page_limit = app, limit, page_limit or limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.api_limit if scope["path"].startswith("/v1") else self.page_limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = error_response(413, "too_large", f"the request body is over {limit // 1024} KB", "body")
        if declared is not None:
            try:
                if int(declared) > limit:
                    await too_big(scope, receive, send)
                    return
            except ValueError:
                await error_response(400, "bad_request", "invalid Content-Length", "body")(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await too_big(scope, receive, send)


class _TooLarge(Exception):
    pass
