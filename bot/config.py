"""One Settings object, read from the environment and a `.env` file, passed in where needed."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.model import (
    DEFAULT_ANONYMITY_THRESHOLD,
    DEFAULT_RETENTION_MONTHS,
    MAX_RETENTION_MONTHS,
    MIN_ANONYMITY_THRESHOLD,
    MIN_RETENTION_MONTHS,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///pioneer.db")
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    teams_app_id: str | None = None
    teams_app_secret: str | None = None
    teams_tenant_id: str | None = None
    pioneer_encryption_key: str | None = None
    port: int = 3000
    pioneer_prompts_dir: Path | None = Field(
        default=None, description="An organisation's own prompt folder (adds or overrides)."
    )
    pioneer_anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD
    pioneer_default_language: str = "en"
    pioneer_default_timezone: str = "Europe/Amsterdam"
    log_level: str = "INFO"
    # Sending (the scheduler's one pacing and retry policy, for every platform). Slack allows
    # several hundred chat.postMessage per minute per workspace; 4 a second stays under it.
    pioneer_send_rate: float = Field(default=4.0, gt=0)
    pioneer_send_attempts: int = Field(default=5, ge=1)
    pioneer_send_backoff: float = Field(default=0.5, ge=0)
    pioneer_send_max_backoff: float = Field(default=30.0, ge=0)
    # Answers and check-in texts older than this are purged daily (`pioneer purge`).
    pioneer_retention_months: int = Field(
        default=DEFAULT_RETENTION_MONTHS, ge=MIN_RETENTION_MONTHS, le=MAX_RETENTION_MONTHS
    )

    @field_validator("pioneer_anonymity_threshold")
    @classmethod
    def _threshold_floor(cls, value: int) -> int:
        if value < MIN_ANONYMITY_THRESHOLD:
            raise ValueError(f"must be at least {MIN_ANONYMITY_THRESHOLD}")
        return value

    @field_validator("pioneer_default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError("must be 'nl' or 'en'")
        return value
