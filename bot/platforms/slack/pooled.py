"""slack_sdk's AsyncWebClient behind a blocking face, sharing one aiohttp session.

The scheduler sends from a few threads; each call of the synchronous WebClient opens a new
HTTPS connection (urllib has no keep-alive), which costs more than the call itself on a
fan-out. Here every workspace's client shares one aiohttp session, its connection pool
bounded (`MAX_CONNECTIONS`), run by one event loop on a daemon thread; a sending thread
waits for its own call only. The methods are slack_sdk's own (`chat_postMessage`, ...),
with slack_sdk's retry handlers off: the scheduler's Sender decides about trying again.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

# Connections kept open to the Slack API by the whole process (every workspace together).
MAX_CONNECTIONS = 32


class _Loop:
    """One event loop thread and one aiohttp session for the process, made on first use."""

    _lock = threading.Lock()
    _shared: _Loop | None = None

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        thread = threading.Thread(target=self.loop.run_forever, name="pioneer-slack-http")
        thread.daemon = True  # an idle keep-alive pool must not keep the process alive
        thread.start()
        self.session: aiohttp.ClientSession = self.run(self._session())
        atexit.register(self.close)

    def close(self) -> None:
        """Close the kept-alive connections (at exit), within a second."""
        with contextlib.suppress(Exception):
            future = asyncio.run_coroutine_threadsafe(self.session.close(), self.loop)
            future.result(timeout=1)

    @staticmethod
    async def _session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS))

    @classmethod
    def shared(cls) -> _Loop:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """The coroutine's result; past `timeout` a TimeoutError (the sender's to judge)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise


class PooledWebClient:
    """`client.chat_postMessage(...)` as with WebClient, over the shared session."""

    def __init__(self, token: str, base_url: str, timeout: int = 10) -> None:
        self._loop = _Loop.shared()
        self.token = token
        self.base_url = base_url
        self.timeout = timeout
        # Made on the loop: aiohttp wants its objects created where they run.
        self.client: AsyncWebClient = self._loop.run(self._client())

    async def _client(self) -> AsyncWebClient:
        return AsyncWebClient(
            token=self.token,
            base_url=self.base_url,
            timeout=self.timeout,
            session=self._loop.session,
            retry_handlers=[],
        )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name == "client":
            raise AttributeError(name)
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            # The client's own timeout ends a call first; this one only guards the thread.
            return self._loop.run(method(*args, **kwargs), timeout=self.timeout * 3)

        return call
