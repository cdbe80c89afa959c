"""One Settings object, read from the environment and a `.env` file, passed in where needed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.model import (
    DEFAULT_ANONYMITY_THRESHOLD,
    DEFAULT_RETENTION_MONTHS,
    MAX_RETENTION_MONTHS,
    MIN_ANONYMITY_THRESHOLD,
    MIN_RETENTION_MONTHS,
)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The databases Pioneer is tested on; another SQLAlchemy backend would fail later and darker.
BACKENDS = ("sqlite", "postgresql", "postgres")


class Settings(BaseSettings):
    """Every field is also an environment variable of the same name in capitals; a setting
    that cannot work is refused when it is read, with the variable's name (never its value)."""

    # An empty value (`SLACK_APP_TOKEN=` in a .env file) means "not set", not "set to nothing".
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

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
    port: int = Field(default=3000, ge=1, le=65535)
    pioneer_prompts_dir: Path | None = Field(
        default=None, description="An organisation's own prompt folder (adds or overrides)."
    )
    pioneer_anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD
    pioneer_default_language: str = "en"
    pioneer_default_timezone: str = "Europe/Amsterdam"
    log_level: str = "INFO"
    # `json`: one JSON object a line, for log shippers; `text`: for people.
    log_format: Literal["text", "json"] = "text"
    # Sending (the scheduler's one pacing and retry policy, for every platform). Slack allows
    # several hundred chat.postMessage per minute per workspace; 4 a second stays under it.
    pioneer_send_rate: float = Field(default=4.0, gt=0)
    pioneer_send_attempts: int = Field(default=5, ge=1)
    pioneer_send_backoff: float = Field(default=0.5, ge=0)
    pioneer_send_max_backoff: float = Field(default=30.0, ge=0)
    # Messages in flight at once per pass (each waits its paced turn; one HTTP pool).
    pioneer_send_concurrency: int = Field(default=8, ge=1, le=32)
    # Seconds a replica holds a workspace's sending without renewing it (PostgreSQL).
    pioneer_send_lease: float = Field(default=60.0, ge=1, le=3600)
    # Answers and check-in texts older than this are purged daily (`pioneer purge`).
    pioneer_retention_months: int = Field(
        default=DEFAULT_RETENTION_MONTHS, ge=MIN_RETENTION_MONTHS, le=MAX_RETENTION_MONTHS
    )
    # Posted to (JSON, signed with the secret) when a weekly digest is published.
    pioneer_webhook_url: str | None = None
    pioneer_webhook_secret: str | None = None
    # Where people reach `pioneer serve` (the web view's sign-in links point there).
    pioneer_public_url: str | None = None

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

    @field_validator("pioneer_default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "not a known time zone; use an IANA name such as Europe/Amsterdam"
            ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("pioneer_prompts_dir")
    @classmethod
    def _prompts_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError("no such folder")
        return value

    @field_validator("pioneer_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("not an http(s) address; e.g. https://pioneer.example.org")
        return value.strip().rstrip("/")

    @field_validator("pioneer_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL; e.g. https://dashboards.example.org/pioneer")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL; e.g. postgresql://user:password@host/pioneer "
                "or sqlite:///pioneer.db"
            ) from None
        if backend not in BACKENDS:
            raise ValueError("Pioneer runs on PostgreSQL (postgresql://…) or SQLite (sqlite:///…)")
        return value
