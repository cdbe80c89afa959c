"""The web server: one aiohttp application for Slack (and, later, Teams at /api/messages).

Routes: POST /slack/events (events, slash commands and interactivity on one URL, as Bolt
expects), GET /slack/install and /slack/oauth_redirect in OAuth mode, GET /healthz,
GET /metrics, the read-only data API under /api/v1 (bot/web_api.py) and the web view
under /web (bot/webview/). With
SLACK_APP_TOKEN set, Slack arrives over Socket Mode instead, and the web server still
serves health, metrics and the API.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app.web_pages import WebPages
from bot.container import Container
from bot.health import run_checks
from bot.platforms.slack.app import build_app, slack_configured
from bot.platforms.slack.deps import SlackDeps
from bot.platforms.slack.edge import SlackEdge
from bot.platforms.slack.edge import bolt_request as bolt_request_of
from bot.platforms.slack.poll_clicks import PollClicks
from bot.telemetry import Metrics
from bot.web_api import add_api_routes
from bot.webview import WebDeps, add_web_routes

if TYPE_CHECKING:
    from bot.platforms.slack.socket_mode import SocketModeLink

logger = logging.getLogger(__name__)

CONTAINER: web.AppKey[Container] = web.AppKey("container", Container)
METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
BOLT: web.AppKey[AsyncApp] = web.AppKey("bolt", AsyncApp)
SLACK: web.AppKey[SlackDeps] = web.AppKey("slack", SlackDeps)
EDGE: web.AppKey[SlackEdge] = web.AppKey("slack_edge", SlackEdge)
POLL_CLICKS: web.AppKey[PollClicks] = web.AppKey("poll_clicks", PollClicks)
WORKER: web.AppKey[int] = web.AppKey("worker", int)
SOCKET_MODE: web.AppKey[SocketModeLink] = web.AppKey("socket_mode")
MAX_BODY = 1024 * 1024
GIL_SLICE = 0.0005  # seconds

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _timed(route: str, handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        metrics = request.app[METRICS]
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        finally:
            metrics.requests.labels(route, str(status)).inc()
            metrics.latency.labels(route).observe(time.perf_counter() - started)

    return wrapped


async def slack_events(request: web.Request) -> web.StreamResponse:
    # Checked before Bolt parses anything: Bolt would parse an unsigned body first, and log
    # a refused one whole (answers included). One line says why, never what was sent.
    checked = request.app[EDGE].check(request.headers, await request.read())
    if checked.refused:
        logger.warning("refused a Slack request from %s: %s", request.remote, checked.reason)
        return web.json_response({"error": checked.reason}, status=checked.status)
    if checked.replay:
        logger.warning("ignored a replayed Slack request from %s", request.remote)
        return web.Response(status=200)
    clicks = request.app.get(POLL_CLICKS)
    if clicks is not None and checked.body is not None and clicks.takes(checked.body):
        return web.Response(status=await clicks.handle(checked.body))
    bolt_request = bolt_request_of(checked, request.query_string, request.headers)
    return await to_aiohttp_response(await request.app[BOLT].async_dispatch(bolt_request))


async def slack_oauth(request: web.Request) -> web.StreamResponse:
    flow = request.app[BOLT].oauth_flow
    if flow is None:
        raise web.HTTPNotFound()
    bolt_request = await to_bolt_request(request)
    if request.path == flow.install_path:
        response = await flow.handle_installation(bolt_request)
    else:
        response = await flow.handle_callback(bolt_request)
    return await to_aiohttp_response(response)


async def healthz(request: web.Request) -> web.StreamResponse:
    # The database's writability and the stored tokens, each within a short time; and the
    # Socket Mode connection where there is one.
    healthy, report = await run_checks(request.app[CONTAINER].health_checks())
    body: dict[str, object] = {**report, **await socket_mode_health(request.app)}
    return web.json_response(body, status=200 if healthy else 503)


async def metrics(request: web.Request) -> web.StreamResponse:
    m = request.app[METRICS]
    return web.Response(body=m.exposition(), headers={"Content-Type": m.content_type})


def _connect_socket_mode(app: web.Application, bolt: AsyncApp, app_token: str) -> None:
    """Slack over Socket Mode, connected once the server is up and retried while it stays
    up; /healthz reports the connection (see bot/platforms/slack/socket_mode.py)."""
    from bot.platforms.slack.socket_mode import SocketModeLink

    link = SocketModeLink(bolt, app_token)
    app[SOCKET_MODE] = link

    async def connect(_: web.Application) -> None:
        await link.start()

    async def disconnect(_: web.Application) -> None:
        await link.close()

    app.on_startup.append(connect)
    app.on_cleanup.append(disconnect)


async def socket_mode_health(app: web.Application) -> dict[str, object]:
    """What /healthz adds about Slack's Socket Mode connection, when this app has one."""
    link = app.get(SOCKET_MODE)
    return await link.health() if link is not None else {}


def _add_slack(
    app: web.Application,
    container: Container,
    m: Metrics,
    session: ClientSession,
    socket_mode: bool,
) -> None:
    bolt, deps, clicks = build_app(container.settings, container.services, m, session=session)
    app[BOLT] = bolt
    app[SLACK] = deps
    if clicks is not None:
        app[POLL_CLICKS] = clicks

    async def finish_deps(_: web.Application) -> None:
        await deps.finish()  # messages still being updated after their acks

    async def close_deps(_: web.Application) -> None:
        deps.close()

    app.on_shutdown.append(finish_deps)
    app.on_cleanup.append(close_deps)
    if socket_mode:
        _connect_socket_mode(app, bolt, container.settings.slack_app_token or "")
        return
    app[EDGE] = SlackEdge(container.settings.slack_signing_secret or "")
    app.router.add_post("/slack/events", _timed("slack_events", slack_events))
    if bolt.oauth_flow is not None:
        app.router.add_get("/slack/install", _timed("slack_install", slack_oauth))
        app.router.add_get("/slack/oauth_redirect", _timed("slack_oauth", slack_oauth))


async def make_web_app(
    container: Container,
    metrics_: Metrics | None = None,
    socket_mode: bool | None = None,
    worker: int = 0,
) -> web.Application:
    """Build the application inside the running loop (aiohttp sessions must be made there).

    `worker` is this process's index under `--workers N`; process-wide duties that must run
    once (the scheduler) belong to worker 0.
    """
    settings = container.settings
    socket_mode = bool(settings.slack_app_token) if socket_mode is None else socket_mode
    m = metrics_ or Metrics()
    app = web.Application(client_max_size=MAX_BODY)
    app[CONTAINER] = container
    app[METRICS] = m
    app[WORKER] = worker
    # One shared HTTP session for every Web API call: a new one per call halves throughput.
    session = ClientSession()
    if slack_configured(settings):
        _add_slack(app, container, m, session, socket_mode)
    teams = container.teams
    if teams is not None:
        from bot.platforms.teams.routes import add_teams_routes

        add_teams_routes(app, teams)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    add_api_routes(app, container.data_api, _timed)
    add_web_routes(app, WebDeps(pages=WebPages(container.services), signin=container.services.web))

    async def close_session(_: web.Application) -> None:
        await session.close()

    app.on_cleanup.append(close_session)
    return app


def _worker_metrics(container: Container) -> Metrics:
    """This worker's instruments; with several workers, also the database's delivery figures
    (the scheduler's process, which reports them otherwise, serves no /metrics then)."""
    from bot.scheduling.collector import DeliveriesCollector
    from bot.telemetry import shared_dir

    m = Metrics()
    if shared_dir() is not None:
        m.registry.register(DeliveriesCollector(container.uow))
    return m


def run_worker(host: str, port: int, worker: int = 0, reuse_port: bool = False) -> None:
    """One serving process until SIGTERM/SIGINT (aiohttp's run_app shuts down gracefully).

    A worker started by `--workers N` is a new interpreter: it sets up its own logging."""
    from bot.config import Settings
    from bot.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    # The database's worker thread, back from SQL, waits for the event loop to let go of the
    # GIL; by default the loop keeps it up to 5 ms, which at one click at a time was most
    # of a click's latency. A shorter slice hands it over sooner.
    sys.setswitchinterval(GIL_SLICE)
    container = Container(settings)
    logger.info("worker %d serving on %s:%d", worker, host, port)
    try:
        web.run_app(
            make_web_app(container, _worker_metrics(container), worker=worker),
            host=host,
            port=port,
            reuse_port=reuse_port,
            print=None,
            access_log=None,
        )
    finally:
        container.close()


def run(host: str, port: int, workers: int = 1) -> int:
    """Serve with `workers` processes sharing the port (SO_REUSEPORT); returns an exit code.

    One Python process is bound to one core by the GIL; on an N-core machine N workers
    serve about N times as many clicks. Each worker has its own caches and connections.
    """
    if workers <= 1:
        run_worker(host, port)
        return 0
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=run_worker, args=(host, port, n, True), name=f"pioneer-{n}")
        for n in range(workers)
    ]
    stopped_by: list[int] = []

    def stop(signum: int, _: object) -> None:
        stopped_by.append(signum)
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    # A worker still starting when we passed the stop on dies of it before it can shut down
    # gracefully; that is the stop asked for, not a failure.
    codes = [p.exitcode or 0 for p in processes]
    return max((abs(c) for c in codes if -c not in stopped_by), default=0)
