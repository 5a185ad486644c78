"""Server-rendered pages: work without JavaScript; the script only adds live feedback.

On any error the page is rendered again with the user's text in the box and
the message beside it: nothing typed is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from coach.errors import InputError
from web.deps import CoachDep, SettingsDep
from web.render import highlight, numbered_findings
from web.schemas import EXAMPLE_DRAFT

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
router = APIRouter(include_in_schema=False)

LEVELS = ("company", "team", "individual")


def _check(coach, settings, text: str):
    """(report, findings, segments, error) for the page; error is a message, never an exception."""
    if not text.strip():
        return None, [], [], "Paste a draft first: an objective and its key results."
    if len(text) > settings.max_draft_chars:
        return (
            None,
            [],
            [],
            (
                f"The draft has {len(text):,} characters; the limit is "
                f"{settings.max_draft_chars:,}. Check one team's OKRs at a time."
            ),
        )
    try:
        report = coach.check(text, rewrites=True)
    except InputError as exc:
        return None, [], [], exc.message
    findings = numbered_findings(report)
    return report, findings, highlight(report.text, findings), None


def _report_context(coach, settings, text: str) -> dict:
    # Browsers submit a textarea with CRLF line ends (HTML spec): count and show the text the user typed.
    text = text.replace("\r\n", "\n")
    report, findings, segments, error = _check(coach, settings, text)
    refs = {id(f): ref for ref, f in findings}
    # templates call anchor(f) to give each finding the id its highlighted span links to
    return {
        "report": report,
        "segments": segments,
        "error": error,
        "text": text,
        "anchor": lambda f: refs.get(id(f), ""),
    }


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def index(request: Request, sample: bool = False) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "index.html", {"text": EXAMPLE_DRAFT if sample else "", "report": None}
    )


@router.post("/", response_class=HTMLResponse)
async def index_post(
    request: Request, coach: CoachDep, settings: SettingsDep, text: Annotated[str, Form()] = ""
) -> HTMLResponse:
    ctx = await run_in_threadpool(_report_context, coach, settings, text)
    return TEMPLATES.TemplateResponse(request, "index.html", ctx, status_code=422 if ctx["error"] else 200)


@router.post("/fragments/report", response_class=HTMLResponse)
async def report_fragment(
    request: Request, coach: CoachDep, settings: SettingsDep, text: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """The report part of the page alone, for live feedback while typing."""
    ctx = await run_in_threadpool(_report_context, coach, settings, text)
    return TEMPLATES.TemplateResponse(request, "_report.html", ctx)


def _examples(coach, department, count, level, parent, seed, workshop):
    from coach.examples import generate_examples

    try:
        return generate_examples(
            department,
            count=count,
            level=level,
            parent=parent or None,
            seed=seed,
            workshop=workshop,
            coach=coach,
        ), None
    except InputError as exc:
        return None, exc.message


@router.get("/examples", response_class=HTMLResponse)
async def examples_page(
    request: Request,
    coach: CoachDep,
    department: str | None = None,
    count: Annotated[str, Query()] = "3",
    level: str = "team",
    parent: str = "",
    seed: Annotated[str, Query()] = "",
    workshop: bool = False,
) -> HTMLResponse:
    from coach.examples import list_departments

    ctx = {
        "departments": list_departments(),
        "levels": LEVELS,
        "department": department,
        "count": count,
        "level": level,
        "parent": parent,
        "seed": seed,
        "workshop": workshop,
        "result": None,
        "error": None,
    }
    if department:
        try:
            n = int(count)
            s = int(seed) if seed.strip() else None
        except ValueError:
            ctx["error"] = "Count and seed must be whole numbers."
        else:
            ctx["result"], ctx["error"] = await run_in_threadpool(
                _examples, coach, department, n, level, parent, s, workshop
            )
    return TEMPLATES.TemplateResponse(request, "examples.html", ctx, status_code=422 if ctx["error"] else 200)


@router.get("/examples.md")
async def examples_markdown(
    coach: CoachDep,
    department: str,
    count: int = 3,
    level: str = "team",
    parent: str = "",
    seed: int | None = None,
    workshop: bool = False,
) -> Response:
    """The same set as a Markdown file, for workshop handouts."""
    from coach.examples import render_markdown

    result, error = await run_in_threadpool(
        _examples, coach, department, count, level, parent, seed, workshop
    )
    if error:
        raise InputError(error, field="department")
    return Response(
        render_markdown(result),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="okr-examples-{result.department}.md"'},
    )


@router.api_route("/rules", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def rules_page(request: Request, coach: CoachDep) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "rules.html", {"catalogue": coach.engine.catalogue})
