"""The JSON API under /v1: thin handlers over coach.pipeline.Coach.

Handlers validate nothing themselves (the request schemas do) and compute
nothing themselves (the Coach does); CPU-bound work runs in the thread pool so
the event loop keeps answering health checks under load.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from coach.models import Draft, ExampleSet, KeyResult, Objective, Report, RewriteResult
from coach.pipeline import Catalogue
from web.deps import CoachDep, require_api_key
from web.schemas import (
    CLASSIFY_EXAMPLE,
    DRAFT_EXAMPLE,
    ERROR_EXAMPLE,
    EXAMPLES_EXAMPLE,
    REPORT_EXAMPLE,
    REWRITE_EXAMPLE,
    ClassifyRequest,
    ClassifyResponse,
    DepartmentsResponse,
    DraftRequest,
    ErrorResponse,
    ExamplesRequest,
    ok_example,
)


def _error(description: str) -> dict:
    return {
        "model": ErrorResponse,
        "description": description,
        "content": {"application/json": {"example": ERROR_EXAMPLE}},
    }


ERRORS = {
    400: _error("The body is not valid (UTF-8) JSON."),
    401: _error("Missing or wrong API key (only when OKR_COACH_API_KEYS is set)."),
    413: _error("Body over 256 KB, or a draft over 20,000 characters."),
    415: _error("The body is not sent as application/json."),
    422: _error("Valid JSON, but not a usable request; `field` names the offending field."),
}

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=ERRORS, tags=["v1"])


def to_draft(body: DraftRequest, coach) -> Draft:
    """A pasted draft goes through the parser; structured objectives get a text of their own."""
    if body.text is not None:
        return coach.parse(body.text)
    objectives = [
        Objective(
            title=o.title,
            owner=o.owner,
            key_results=[
                KeyResult(text=k) if isinstance(k, str) else KeyResult(**k.model_dump())
                for k in o.key_results
            ],
        )
        for o in body.objectives or []
    ]
    return coach.draft_from_objectives(objectives)


@router.post("/check", response_model=Report, summary="Score a draft", responses=ok_example(REPORT_EXAMPLE))
async def check(body: DraftRequest, coach: CoachDep) -> Report:
    """Labels and findings for every key result, objective- and draft-level findings, and a 0-100 score.

    Every `start`/`end` is a character offset into the returned `text`.
    """
    return await run_in_threadpool(lambda: coach.check(to_draft(body, coach)))


@router.post(
    "/parse",
    response_model=Draft,
    summary="Find objectives and key results",
    responses=ok_example(DRAFT_EXAMPLE),
)
async def parse(body: DraftRequest, coach: CoachDep) -> Draft:
    """The draft as the coach reads it, before any judgement."""
    return await run_in_threadpool(to_draft, body, coach)


@router.post(
    "/rewrite",
    response_model=RewriteResult,
    summary="Suggest rewrites for flagged key results",
    responses=ok_example(REWRITE_EXAMPLE),
)
async def rewrite(body: DraftRequest, coach: CoachDep) -> RewriteResult:
    """Rewrites that keep the user's numbers (placeholders where a number is missing).

    Uses the configured LLM; without one, or when it fails, the offline coach answers and `notice` says why.
    """
    from coach.rewrite import suggest_rewrites

    def run() -> RewriteResult:
        return suggest_rewrites(coach.check(to_draft(body, coach)), coach)

    return await run_in_threadpool(run)


@router.post(
    "/classify",
    response_model=ClassifyResponse,
    summary="Label statements (the classify contract)",
    responses=ok_example(CLASSIFY_EXAMPLE),
)
async def classify(body: ClassifyRequest, coach: CoachDep) -> ClassifyResponse:
    """The four labels for up to 1,000 standalone key-result statements, in input order."""
    items = [{"id": str(i.id), "text": i.text} for i in body.items]
    return ClassifyResponse(items=await run_in_threadpool(coach.classify, items))


@router.post(
    "/examples",
    response_model=ExampleSet,
    summary="Department-specific example OKRs",
    responses=ok_example(EXAMPLES_EXAMPLE),
)
async def examples(body: ExamplesRequest, coach: CoachDep) -> ExampleSet:
    """Example OKRs for a department (ids from `/v1/departments`); the same seed gives the same set."""
    from coach.examples import generate_examples

    return await run_in_threadpool(lambda: generate_examples(coach=coach, **body.model_dump()))


@router.get("/rules", response_model=Catalogue, summary="The rule catalogue")
async def rules(coach: CoachDep) -> Catalogue:
    """Every rule the engine knows, with its docs and examples (the same data `/rules` shows)."""
    return coach.engine.catalogue


@router.get("/departments", response_model=DepartmentsResponse, summary="Department ids for /v1/examples")
async def departments() -> DepartmentsResponse:
    from coach.examples import list_departments

    return DepartmentsResponse(departments=list_departments())
