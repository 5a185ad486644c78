"""The JSON API under /v1: thin handlers over coach.pipeline.Coach."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from coach.models import Draft, ExampleSet, KeyResult, Objective, Report, RewriteResult
from web.deps import CoachDep, require_api_key
from web.schemas import (
    ClassifyRequest,
    ClassifyResponse,
    DepartmentsResponse,
    DraftRequest,
    ErrorResponse,
    ExamplesRequest,
)

ERRORS = {
    400: {"model": ErrorResponse, "description": "Malformed request."},
    401: {"model": ErrorResponse, "description": "Missing or wrong API key (when keys are configured)."},
    413: {"model": ErrorResponse, "description": "Body over 256 KB or draft over 20,000 characters."},
    422: {"model": ErrorResponse, "description": "The request is valid JSON but not a usable draft."},
}

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=ERRORS)


def to_draft(body: DraftRequest, coach) -> Draft:
    if body.text is not None:
        return coach.parse(body.text)
    objectives = [
        Objective(
            title=o.title,
            owner=o.owner,
            key_results=[KeyResult(text=k) if isinstance(k, str) else KeyResult(**k.model_dump()) for k in o.key_results],
        )
        for o in body.objectives or []
    ]
    return coach.draft_from_objectives(objectives)


@router.post("/check", response_model=Report, summary="Score a draft")
async def check(body: DraftRequest, coach: CoachDep) -> Report:
    """Labels and findings for every key result, objective-level and draft-level findings, and a score."""
    return await run_in_threadpool(lambda: coach.check(to_draft(body, coach)))


@router.post("/parse", response_model=Draft, summary="Find objectives and key results")
async def parse(body: DraftRequest, coach: CoachDep) -> Draft:
    return await run_in_threadpool(to_draft, body, coach)


@router.post("/rewrite", response_model=RewriteResult, summary="Suggest rewrites for flagged key results")
async def rewrite(body: DraftRequest, coach: CoachDep) -> RewriteResult:
    from coach.rewrite import suggest_rewrites

    def run() -> RewriteResult:
        return suggest_rewrites(coach.check(to_draft(body, coach)), coach)

    return await run_in_threadpool(run)


@router.post("/classify", response_model=ClassifyResponse, summary="Label statements (the classify contract)")
async def classify(body: ClassifyRequest, coach: CoachDep) -> ClassifyResponse:
    items = [{"id": str(i.id), "text": i.text} for i in body.items]
    return ClassifyResponse(items=await run_in_threadpool(coach.classify, items))


@router.post("/examples", response_model=ExampleSet, summary="Department-specific example OKRs")
async def examples(body: ExamplesRequest, coach: CoachDep) -> ExampleSet:
    from coach.examples import generate_examples

    return await run_in_threadpool(lambda: generate_examples(coach=coach, **body.model_dump()))


@router.get("/rules", summary="The rule catalogue")
async def rules(coach: CoachDep) -> dict:
    return coach.engine.catalogue.model_dump(mode="json")


@router.get("/departments", response_model=DepartmentsResponse, summary="Department ids for /v1/examples")
async def departments() -> DepartmentsResponse:
    from coach.examples import list_departments

    return DepartmentsResponse(departments=list_departments())
