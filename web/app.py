"""The web app: JSON API under /v1, server-rendered pages, health checks.

``create_app()`` is a factory (``uvicorn --factory web.app:create_app``) so each
worker builds its own Coach once, at start-up, and every request reuses it.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from coach.settings import Settings
from web.errors import BodyLimitMiddleware, SecurityHeadersMiddleware, install_error_handlers
from web.routes import api, pages
from web.schemas import Health

if TYPE_CHECKING:  # the pipeline is imported when the app starts, not when this module is
    from coach.pipeline import Coach

log = logging.getLogger("okr_coach.web")
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Pages get a strict policy: no inline script, nothing from other origins.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI (served from this app, offline) ships an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class _NoQueryInAccessLog(logging.Filter):
    """Drop query strings from uvicorn's access log: /examples?parent=... carries the user's words."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def _quiet_access_log(settings: Settings) -> None:
    access = logging.getLogger("uvicorn.access")
    if not settings.log_text and not any(isinstance(f, _NoQueryInAccessLog) for f in access.filters):
        access.addFilter(_NoQueryInAccessLog())


def create_app(settings: Settings | None = None, coach: Coach | None = None) -> FastAPI:
    """Build the app; ``coach`` lets a caller share an already-built Coach (tests, embedding)."""
    settings = settings or Settings()
    _quiet_access_log(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "coach", None) is None:
            from coach.pipeline import Coach

            started = time.perf_counter()
            app.state.coach = await run_in_threadpool(Coach, settings)
            log.info(
                "coach ready in %.2f s (labels: %s)",
                time.perf_counter() - started,
                "hybrid" if app.state.coach.model else "rules",
            )
        yield

    app = FastAPIOffline(
        title="okr-coach",
        version="0.1.0",
        summary="Explained feedback on OKR drafts, grounded rewrites and example OKRs.",
        description=(
            'Every 4xx answer has one shape: `{"error": {"code", "message", "field"}}`. '
            "When `OKR_COACH_API_KEYS` is set, `/v1` needs `Authorization: Bearer KEY` or `X-API-Key: KEY`."
        ),
        lifespan=lifespan,
        static_url="/static-docs",
        redoc_url=None,
        # A body without Content-Type is read as JSON (curl-friendly); other types get a 415.
        strict_content_type=False,
    )
    app.state.settings = settings
    app.state.coach = coach

    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", response_model=Health, tags=["health"])
    async def healthz() -> Health:
        """The process answers (liveness)."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        response_model=Health,
        tags=["health"],
        responses={503: {"model": Health, "description": "Still loading."}},
    )
    async def readyz(request: Request):
        """The coach (rule engine and classifiers) is loaded and can answer (readiness)."""
        c = getattr(request.app.state, "coach", None)
        if c is None:
            return JSONResponse(Health(status="loading").model_dump(), status_code=503)
        return Health(
            status="ok",
            labels_source="hybrid" if c.model else "rules",
            llm="configured" if settings.llm_configured else "offline",
        )

    # add_middleware wraps: the last added runs first. CORS outermost so even a 413 carries its headers.
    app.add_middleware(SecurityHeadersMiddleware, page_csp=PAGE_CSP, docs_csp=DOCS_CSP)
    app.add_middleware(
        BodyLimitMiddleware, limit=settings.max_body_bytes, page_limit=4 * settings.max_body_bytes
    )
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
            max_age=600,
        )
    return app
