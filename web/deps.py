"""FastAPI dependencies, as ``Annotated`` aliases the routers declare in their signatures."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, HTTPException, Request

from coach.settings import Settings

if TYPE_CHECKING:
    from coach.pipeline import Coach


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_coach(request: Request) -> "Coach":
    coach = getattr(request.app.state, "coach", None)
    if coach is None:
        raise HTTPException(503, "the coach is still loading")
    return coach


SettingsDep = Annotated[Settings, Depends(get_settings)]
CoachDep = Annotated[Any, Depends(get_coach)]  # a coach.pipeline.Coach


def require_api_key(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """When OKR_COACH_API_KEYS is set, every /v1 call needs one of them (Bearer or X-API-Key).

    Every configured key is compared, in constant time, so the response time
    says nothing about how much of a key was right.
    """
    keys = settings.api_key_list
    if not keys:
        return
    offered = x_api_key or ""
    if authorization and authorization.lower().startswith("bearer "):
        offered = authorization[7:].strip()
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(offered.encode(), key.encode())
    if not ok:
        raise HTTPException(401, "a valid API key is required (Authorization: Bearer KEY or X-API-Key)",
                            headers={"WWW-Authenticate": "Bearer"})
