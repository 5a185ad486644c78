"""The one settings class: every knob a user can turn, read from the environment.

One class (not one per layer) so the CLI, the web app and the LLM layer agree
on names, defaults and validation, and `okr-coach serve --help` and the README
can document them in one place.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OKR_COACH_", extra="ignore", populate_by_name=True)

    # LLM (optional). With neither a base URL nor a key, the offline coach answers.
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "OKR_COACH_OPENAI_BASE_URL")
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "OKR_COACH_OPENAI_API_KEY")
    )
    model: str = Field(default="gpt-4o-mini", description="Chat model name (OKR_COACH_MODEL).")
    llm_timeout: float = Field(default=20.0, gt=0, le=600, description="Seconds per LLM request.")
    llm_retries: int = Field(default=1, ge=0, le=5, description="Retries on 429/5xx/timeouts.")

    # Rule engine
    profile: Path | None = Field(default=None, description="YAML profile (OKR_COACH_PROFILE).")
    use_classifiers: bool = Field(default=True, description="Use the trained classifiers when present.")

    # Web
    api_keys: str = Field(default="", description="Comma-separated API keys; empty means open.")
    cors_origins: str = Field(default="", description="Comma-separated allowed CORS origins.")
    log_text: bool = Field(default=False, description="Log OKR text (off by default).")
    max_body_bytes: int = 256 * 1024
    max_draft_chars: int = 20_000
    max_items: int = 1_000

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@cache
def get_settings() -> Settings:
    return Settings()
