"""Request and response schemas of the JSON API (separate from the domain model).

Requests are validated here, at the edge, with limits a client can read in
``/openapi.json``; responses reuse the domain model so the API, the CLI and
the pages all describe a report the same way.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from coach.examples import list_departments
from coach.models import (
    ClassifyItem,
    Draft,
    ExampleOKR,
    ExampleSet,
    Facts,
    Finding,
    KeyResult,
    KeyResultReport,
    KeyResultRewrite,
    Level,
    Objective,
    ObjectiveReport,
    Report,
    RewriteResult,
    Suggestion,
    Summary,
    WorkshopPair,
)

MAX_DRAFT_CHARS = 20_000
MAX_ITEMS = 1_000
MAX_STATEMENT_CHARS = 2_000

EXAMPLE_DRAFT = (
    "Objective: Make onboarding effortless for new customers\n"
    "- Send a welcome email to every new account\n"
    "- Raise 30-day activation from 40% to 55%\n"
    "- Keep CSAT at 90%\n"
)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


Statement = Annotated[str, StringConstraints(min_length=1, max_length=MAX_STATEMENT_CHARS)]


class KeyResultIn(_Request):
    text: Statement
    owner: str | None = Field(default=None, max_length=200)
    progress: float | None = Field(default=None, ge=0, le=1)


class ObjectiveIn(_Request):
    title: Statement
    owner: str | None = Field(default=None, max_length=200)
    key_results: list[KeyResultIn | Statement] = Field(default_factory=list, max_length=50)


def _draft_request_schema(schema: dict) -> None:
    """Say in the schema what the validator enforces: exactly one of `text` and `objectives`, never null."""
    schema["oneOf"] = [{"required": ["text"]}, {"required": ["objectives"]}]
    for name in ("text", "objectives"):
        schema["properties"][name].pop("default", None)
    schema["examples"] = [
        {"text": EXAMPLE_DRAFT},
        {
            "objectives": [
                {
                    "title": "Delight new customers",
                    "owner": "Ana",
                    "key_results": ["Raise 30-day activation from 40% to 55%"],
                }
            ]
        },
    ]


class DraftRequest(_Request):
    """A pasted draft (`text`) or a structured one (`objectives`), not both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_draft_request_schema)
    # Optional in Python, but null is refused: absent means "use the other one".
    text: str = Field(
        default=None,
        max_length=MAX_DRAFT_CHARS,  # type: ignore[assignment]
        description="The draft as pasted (any shape the parser knows), up to 20,000 characters.",
    )
    objectives: list[ObjectiveIn] = Field(default=None, min_length=1, max_length=50)  # type: ignore[assignment]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("'text' is empty: paste an objective and its key results")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> DraftRequest:
        if (self.text is None) == (self.objectives is None):
            raise ValueError("give either 'text' or 'objectives' (not both)")
        return self


class ClassifyIn(_Request):
    model_config = ConfigDict(extra="allow")
    id: str | int = Field(description="Echoed back (as a string) so answers can be matched to questions.")
    text: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("'text' is blank")
        return value


class ClassifyRequest(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"id": "a", "text": "Send 10 sales emails per week"},
                        {"id": "b", "text": "Cut churn from 3% to 2%"},
                    ]
                }
            ]
        },
    )
    items: list[ClassifyIn] = Field(min_length=1, max_length=MAX_ITEMS)


class ClassifyResponse(BaseModel):
    items: list[ClassifyItem]


class ExamplesRequest(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"department": "sales", "count": 2, "level": "team", "seed": 7}]},
    )
    department: str = Field(
        min_length=1,
        max_length=60,
        description="A department id from /v1/departments.",
        json_schema_extra={"enum": list_departments()},
    )
    count: int = Field(default=3, ge=1, le=10)
    level: Level = "team"
    parent: str | None = Field(default=None, max_length=300)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    workshop: bool = False


class DepartmentsResponse(BaseModel):
    departments: list[str]


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok", "loading"]
    labels_source: Literal["rules", "hybrid"] | None = None
    llm: Literal["configured", "offline"] | None = None


# ---------------------------------------------------------------------------
# Response examples for /openapi.json, built from the domain model so they
# cannot drift from the schema (a wrong field fails at import).
# ---------------------------------------------------------------------------

_KR_TEXT = "Send a welcome email to every new account"
_KR_START = EXAMPLE_DRAFT.index(_KR_TEXT)
_TASK = Finding(
    rule="OKR-K001",
    severity="error",
    message="Phrased as a task: 'Send' names work, not a result.",
    start=_KR_START,
    end=_KR_START + 4,
    suggestion="Name the change the work should cause, e.g. a rate moving from a baseline to a target.",
)
_SUGGESTION = Suggestion(
    text="Raise first-week activation of new accounts from [baseline]% to [target]%",
    source="offline",
    placeholders=["[baseline]", "[target]"],
    fixes=["OKR-K001"],
)
_KR_REPORT = KeyResultReport(
    text=_KR_TEXT,
    start=_KR_START,
    end=_KR_START + len(_KR_TEXT),
    phrasing="task",
    measurable=False,
    kpi_confusion=False,
    stretch="unknown",
    probabilities={"phrasing": {"task": 0.93, "outcome": 0.07}},
    facts=Facts(verb="Send", verb_lemma="send", verb_span=(0, 4), is_activity_verb=True),
    findings=[_TASK],
)
_OBJ_TITLE = "Make onboarding effortless for new customers"
_OBJ_START = EXAMPLE_DRAFT.index(_OBJ_TITLE)

REPORT_EXAMPLE = Report(
    text=EXAMPLE_DRAFT,
    objectives=[
        ObjectiveReport(
            title=_OBJ_TITLE, start=_OBJ_START, end=_OBJ_START + len(_OBJ_TITLE), key_results=[_KR_REPORT]
        )
    ],
    score=88,
    summary=Summary(objectives=1, key_results=1, errors=1),
    labels_source="hybrid",
).model_dump(mode="json")
DRAFT_EXAMPLE = Draft(
    text=EXAMPLE_DRAFT,
    objectives=[
        Objective(
            title=_OBJ_TITLE,
            start=_OBJ_START,
            end=_OBJ_START + len(_OBJ_TITLE),
            key_results=[KeyResult(text=_KR_TEXT, start=_KR_START, end=_KR_START + len(_KR_TEXT))],
        )
    ],
).model_dump(mode="json")
REWRITE_EXAMPLE = RewriteResult(
    source="offline",
    notice="No LLM is configured: suggestions come from the offline coach.",
    key_results=[
        KeyResultRewrite(
            text=_KR_TEXT,
            start=_KR_START,
            end=_KR_START + len(_KR_TEXT),
            findings=[_TASK],
            suggestions=[_SUGGESTION],
        )
    ],
).model_dump(mode="json")
CLASSIFY_EXAMPLE = ClassifyResponse(
    items=[
        ClassifyItem(id="a", phrasing="task", measurable=True, kpi_confusion=False, stretch="unknown"),
        ClassifyItem(id="b", phrasing="outcome", measurable=True, kpi_confusion=False, stretch="stretch"),
    ]
).model_dump(mode="json")
EXAMPLES_EXAMPLE = ExampleSet(
    department="sales",
    level="team",
    seed=7,
    okrs=[
        ExampleOKR(
            objective="Win more of the deals we already work",
            key_results=["Raise the qualified-to-won rate from 18% to 24% by the end of Q3"],
        )
    ],
    workshop=[
        WorkshopPair(
            flawed="Call 40 prospects a week",
            fixed="Raise meetings booked from 12 to 18 a month",
            rule="OKR-K001",
            label="phrasing",
            why="Calls are work; meetings booked is the result.",
        )
    ],
).model_dump(mode="json")
ERROR_EXAMPLE = ErrorResponse(
    error=ErrorBody(
        code="invalid_input", message="String should have at least 1 character", field="items.3.text"
    )
).model_dump(mode="json")


def ok_example(example: dict) -> dict:
    """``responses=`` entry that shows an example 200 body in /docs."""
    return {200: {"content": {"application/json": {"example": example}}}}
