"""The bot's aiohttp application served for real, as both e2e rigs (and the Teams benchmark)
run it: in an event loop of its own in a daemon thread, on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.container import Container
from bot.web import make_web_app
from tests.fakes.bot_connector import LoopThread


class ServerThread:
    """Serves the application `build` makes (in the server's own loop) until `stop()`."""

    def __init__(self, build: Callable[[], Awaitable[web.Application]]) -> None:
        self.loop = LoopThread()
        self.app: web.Application
        self.runner: web.AppRunner
        self.port = int(self.loop.run(self._start(build)))

    async def _start(self, build: Callable[[], Awaitable[web.Application]]) -> int:
        self.app = await build()
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return int(self.runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.loop.run(self.runner.cleanup())
        self.loop.stop()


def serve(container: Container, socket_mode: bool = False) -> ServerThread:
    """`pioneer serve`'s application on `container`: Slack's routes, and Teams' when
    `container.teams` is set."""
    return ServerThread(lambda: make_web_app(container, socket_mode=socket_mode))
