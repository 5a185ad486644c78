"""The web app: JSON API under /v1, server-rendered pages, health checks.

``create_app()`` is a factory (``uvicorn --factory web.app:create_app``) so each
worker builds its own Coach once, at start-up, and every request reuses it.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from coach.pipeline import Coach
from coach.settings import Settings
from web.errors import BodyLimitMiddleware, install_error_handlers
from web.routes import api, pages
from web.schemas import Health

log = logging.getLogger("okr_coach.web")
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Pages get a strict policy: no inline script, nothing from other origins.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI ships an inline bootstrap script.
DOCS_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


def create_app(settings: Settings | None = None, coach: Coach | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "coach", None) is None:
            started = time.perf_counter()
            app.state.coach = await run_in_threadpool(Coach, settings)
            log.info("coach ready in %.2f s (labels: %s)", time.perf_counter() - started,
                     "hybrid" if app.state.coach.model else "rules")
        yield

    app = FastAPIOffline(
        title="okr-coach",
        version="0.1.0",
        summary="Explained feedback on OKR drafts, grounded rewrites and example OKRs.",
        lifespan=lifespan,
        static_url="/static-docs",
    )
    app.state.settings = settings
    app.state.coach = coach

    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", response_model=Health, tags=["health"])
    async def healthz() -> Health:
        """The process answers."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, tags=["health"],
             responses={503: {"model": Health, "description": "Still loading."}})
    async def readyz(request: Request):
        """The coach (rule engine and classifiers) is loaded and can answer."""
        from fastapi.responses import JSONResponse

        c = getattr(request.app.state, "coach", None)
        if c is None:
            return JSONResponse(Health(status="loading").model_dump(), status_code=503)
        return Health(status="ok", labels_source="hybrid" if c.model else "rules",
                      llm="configured" if settings.llm_configured else "offline")

    @app.middleware("http")
    async def headers_and_access_log(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        path = request.url.path
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", DOCS_CSP if path.startswith("/docs") else PAGE_CSP)
        # Never the body: OKR text stays out of the logs unless OKR_COACH_LOG_TEXT asks for it.
        log.info("%s %s %s %.1fms", request.method, path, response.status_code,
                 (time.perf_counter() - started) * 1000)
        return response

    if settings.cors_origin_list:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origin_list,
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "X-API-Key", "Content-Type"])
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, page_limit=4 * settings.max_body_bytes)
    return app
