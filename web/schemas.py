"""Request and response schemas of the JSON API (separate from the domain model).

Requests are validated here, at the edge, with limits a client can read in
``/openapi.json``; responses reuse the domain model so the API, the CLI and
the pages all describe a report the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.models import ClassifyItem, Level

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


class KeyResultIn(_Request):
    text: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS)
    owner: str | None = Field(default=None, max_length=200)
    progress: float | None = Field(default=None, ge=0, le=1)


class ObjectiveIn(_Request):
    title: str = Field(max_length=MAX_STATEMENT_CHARS)
    owner: str | None = Field(default=None, max_length=200)
    key_results: list[KeyResultIn | str] = Field(default_factory=list, max_length=50)


class DraftRequest(_Request):
    """A pasted draft (`text`) or a structured one (`objectives`), not both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": EXAMPLE_DRAFT},
                {"objectives": [{"title": "Delight new customers", "owner": "Ana",
                                 "key_results": ["Raise 30-day activation from 40% to 55%"]}]},
            ]
        },
    )
    text: str | None = Field(default=None, max_length=MAX_DRAFT_CHARS, description="The draft as pasted.")
    objectives: list[ObjectiveIn] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _one_source(self) -> "DraftRequest":
        if (self.text is None) == (self.objectives is None):
            raise ValueError("give either 'text' or 'objectives'")
        if self.text is not None and not self.text.strip():
            raise ValueError("'text' is empty")
        if self.objectives is not None and not self.objectives:
            raise ValueError("'objectives' is empty")
        return self


class ClassifyIn(_Request):
    model_config = ConfigDict(extra="allow")
    id: str | int
    text: str = Field(min_length=1, max_length=MAX_STATEMENT_CHARS)


class ClassifyRequest(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"items": [{"id": "a", "text": "Send 10 sales emails per week"},
                                                   {"id": "b", "text": "Cut churn from 3% to 2%"}]}]},
    )
    items: list[ClassifyIn] = Field(min_length=1, max_length=MAX_ITEMS)


class ClassifyResponse(BaseModel):
    items: list[ClassifyItem]


class ExamplesRequest(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"department": "sales", "count": 2, "level": "team", "seed": 7}]},
    )
    department: str = Field(min_length=1, max_length=60)
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
