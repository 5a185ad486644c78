"""FastAPI dependencies, as ``Annotated`` aliases the routers declare in their signatures."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from coach.settings import Settings

if TYPE_CHECKING:
    from coach.pipeline import Coach


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_coach(request: Request) -> Coach:
    coach = getattr(request.app.state, "coach", None)
    if coach is None:
        raise HTTPException(503, "the coach is still loading")
    return coach


SettingsDep = Annotated[Settings, Depends(get_settings)]
CoachDep = Annotated[Any, Depends(get_coach)]  # a coach.pipeline.Coach


# Declared as security schemes so /docs gets an "Authorize" button; both optional because keys are.
_bearer = HTTPBearer(
    auto_error=False, description="One of OKR_COACH_API_KEYS (only when keys are configured)."
)
_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="One of OKR_COACH_API_KEYS (only when keys are configured).",
)


def require_api_key(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    x_api_key: Annotated[str | None, Security(_api_key_header)] = None,
) -> None:
    """When OKR_COACH_API_KEYS is set, every /v1 call needs one of them (Bearer or X-API-Key).

    Every configured key is compared, in constant time, so the response time
    says nothing about how much of a key was right.
    """
    keys = settings.api_key_list
    if not keys:
        return
    offered = bearer.credentials.strip() if bearer is not None else (x_api_key or "")
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(offered.encode(), key.encode())
    if not ok:
        raise HTTPException(
            401,
            "a valid API key is required (Authorization: Bearer KEY or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )
