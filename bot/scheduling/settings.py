"""Sending settings, from the environment (and `.env`) like the rest of Settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SendingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Slack allows several hundred chat.postMessage per minute per workspace; 4/s stays under.
    pioneer_send_rate: float = Field(default=4.0, gt=0)
    pioneer_send_attempts: int = Field(default=5, ge=1)
    pioneer_send_backoff: float = Field(default=0.5, ge=0)
    pioneer_send_max_backoff: float = Field(default=30.0, ge=0)
