"""Slack over Socket Mode, connected in the background so the web server never waits for it.

`pioneer serve` answers /healthz and /metrics from the start; the connection to Slack is made
(and, when Slack or the network is away, retried every few seconds by slack_sdk) beside it,
and /healthz says how it stands. slack_sdk logs each failed attempt with a traceback and then
tries the same WebSocket URL again, though those URLs expire; this link keeps one line per
failure (and the reason for /healthz), and asks for a fresh URL before each new attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

logger = logging.getLogger("pioneer.slack.socket_mode")
RETRY_SECONDS = 5.0


class _Attempts(logging.Filter):
    """Sees slack_sdk's "Failed to connect" records: keeps their reason, drops the traceback."""

    def __init__(self, link: SocketModeLink) -> None:
        super().__init__()
        self.link = link

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and "Failed to connect" in record.getMessage():
            error = record.exc_info[1]
            self.link.failed(f"{type(error).__name__}: {error}" if error else "unknown")
            record.exc_info = None
            record.exc_text = None
        return True


class SocketModeLink:
    """One Socket Mode connection of this process, and what /healthz says about it."""

    def __init__(self, bolt: AsyncApp, app_token: str, retry_seconds: float = RETRY_SECONDS):
        self._attempts = _Attempts(self)
        logger.addFilter(self._attempts)
        self.handler = AsyncSocketModeHandler(
            bolt, app_token, logger=logger, ping_interval=retry_seconds
        )
        self.attempts_failed = 0
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None

    def failed(self, reason: str) -> None:
        self.attempts_failed += 1
        # Slack Web API errors can be long; the first line says what happened.
        self.last_error = reason.splitlines()[0][:300] if reason else reason
        self.handler.client.wss_uri = None  # the next attempt asks Slack for a fresh URL

    async def start(self) -> None:
        """Begin connecting, without waiting for it."""

        async def connect() -> None:
            await self.handler.connect_async()
            logger.info("connected to Slack over Socket Mode")

        self._task = asyncio.create_task(connect(), name="slack-socket-mode")

    async def connected(self) -> bool:
        return bool(await self.handler.client.is_connected())

    async def health(self) -> dict[str, Any]:
        if await self.connected():
            return {"socket_mode": "connected"}
        state: dict[str, Any] = {"status": "degraded", "socket_mode": "connecting"}
        if self.last_error:
            state |= {
                "socket_mode_error": self.last_error,
                "socket_mode_failures": self.attempts_failed,
            }
        return state

    async def close(self) -> None:
        logger.removeFilter(self._attempts)
        await self.handler.close_async()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
