"""The one door to an LLM: render a prompt, ask for JSON matching a schema, validate it.

Everything LLM-shaped in okr-coach (rewrites, example OKRs) goes through
``LLMClient.complete`` so that prompts live as Jinja2 files in ``prompts/``,
every answer is checked by pydantic before anyone uses it, and every way a
model or server can fail ends as one exception type, ``LLMError``, whose
``reason`` is a short sentence the CLI and the API can show to a user
("the LLM timed out after 20 s"). Callers catch ``LLMError`` and fall back to
the offline coach; nothing here ever breaks a check.

The client speaks the Chat Completions API through the official ``openai``
SDK because OpenAI, Azure, vLLM, Ollama and llama.cpp servers all speak it.
It talks to the configured base URL only (the SDK default when only a key is
set) and never reads proxy settings from the environment, so a draft is not
sent anywhere the operator did not name.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, TypeVar

import openai
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openai.lib._parsing import type_to_response_format_param
from pydantic import BaseModel, ValidationError

from coach.models import resource_dir
from coach.settings import Settings, get_settings

T = TypeVar("T", bound=BaseModel)

# Used when only a base URL is configured: local servers (vLLM, Ollama,
# llama.cpp) ignore the key, but the SDK refuses to start without one.
DUMMY_API_KEY = "okr-coach-no-key"

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class LLMError(RuntimeError):
    """Any reason an LLM answer cannot be used; ``reason`` is shown to users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def data_block(text: str, tag: str = "draft") -> str:
    """Wrap user text in ``<tag>`` delimiters that the text itself cannot close.

    Prompt injection works by making data look like instructions; the prompts
    tell the model that everything inside these tags is data, and this filter
    makes sure a draft cannot end the block early by typing ``</draft>``.
    """
    cleaned = re.sub(rf"</?\s*{re.escape(tag)}\b[^>]*>", "[removed tag]", text, flags=re.IGNORECASE)
    return f"<{tag}>\n{cleaned.strip()}\n</{tag}>"


@cache
def prompt_environment() -> Environment:
    """Jinja2 environment over ``prompts/``; StrictUndefined so a missing variable fails loudly in tests."""
    env = Environment(
        loader=FileSystemLoader(str(resource_dir("prompts"))),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["data_block"] = data_block
    env.filters["tojson_plain"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2)
    return env


def render_messages(prompt_name: str, context: dict[str, Any]) -> list[dict[str, str]]:
    """System message from ``system.j2`` plus the task's user message from ``<prompt_name>.j2``."""
    env = prompt_environment()
    system = env.get_template("system.j2").render(**context)
    user = env.get_template(f"{prompt_name}.j2").render(**context)
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]


def _seconds(value: float) -> str:
    return f"{value:g}"


class LLMClient:
    """A configured (or not) Chat Completions client with one method that returns validated objects."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.requests_made = 0
        self._client: openai.OpenAI | None = None

    @property
    def configured(self) -> bool:
        return self.settings.llm_configured

    def _count_request(self, request: Any) -> None:
        self.requests_made += 1

    def _openai(self) -> openai.OpenAI:
        """Build the SDK client on first use (importing the module must not need a key)."""
        if self._client is None:
            s = self.settings
            key = s.openai_api_key.get_secret_value() if s.openai_api_key else DUMMY_API_KEY
            http_client = openai.DefaultHttpxClient(
                trust_env=False, event_hooks={"request": [self._count_request]}
            )
            self._client = openai.OpenAI(
                base_url=s.openai_base_url or None,
                api_key=key,
                timeout=s.llm_timeout,
                max_retries=s.llm_retries,
                http_client=http_client,
            )
        return self._client

    def complete(self, prompt_name: str, context: dict[str, Any], schema: type[T]) -> T:
        """Ask the model for one JSON object matching ``schema``; raise ``LLMError`` when it cannot be had."""
        if not self.configured:
            raise LLMError("no LLM configured")
        messages = render_messages(prompt_name, context)
        try:
            completion = self._openai().chat.completions.create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                response_format=type_to_response_format_param(schema),  # type: ignore[arg-type]
            )
        except openai.APITimeoutError as exc:
            raise LLMError(f"the LLM timed out after {_seconds(self.settings.llm_timeout)} s") from exc
        except openai.APIStatusError as exc:
            raise LLMError(f"the LLM server answered HTTP {exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise LLMError("the LLM server could not be reached") from exc
        except openai.OpenAIError as exc:  # anything else the SDK can raise
            raise LLMError(f"the LLM call failed ({type(exc).__name__})") from exc

        if not completion.choices:
            raise LLMError("the LLM returned no answer")
        choice = completion.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise LLMError("the LLM refused")
        if choice.finish_reason == "content_filter":
            raise LLMError("the LLM refused (content filter)")
        if choice.finish_reason == "length":
            raise LLMError("the LLM answer was cut off (too long)")
        content = (message.content or "").strip()
        if not content:
            raise LLMError("the LLM returned an empty answer")
        return self._validate(content, schema)

    @staticmethod
    def _validate(content: str, schema: type[T]) -> T:
        """Validate with pydantic; tolerate a Markdown code fence, which small local models like to add."""
        fenced = _FENCE.match(content)
        if fenced:
            content = fenced.group(1)
        try:
            return schema.model_validate_json(content)
        except ValidationError as exc:
            if any(err["type"] == "json_invalid" for err in exc.errors()):
                raise LLMError("the LLM returned invalid JSON") from exc
            raise LLMError("the LLM returned JSON that does not match the expected schema") from exc
