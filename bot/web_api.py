"""The read-only data API on the web server: published digests and their figures, per workspace.

    GET /api/v1/journeys                              the workspace's journeys
    GET /api/v1/journeys/{id}/digests                 weeks with a published digest
    GET /api/v1/journeys/{id}/digests/{iso_week}      one week's figures (JSON)
    GET /api/v1/journeys/{id}/figures.csv             week x perspective/signal x group

Every request carries `Authorization: Bearer <token>` (`pioneer api-token create`); the
token names the workspace, and a journey of another workspace is as absent as one that
never was (404). Database reads run on a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app.data_api import DataApi
from bot.domain.data_export import CSV_COLUMNS
from bot.domain.digest.weeks import InvalidWeek
from bot.domain.errors import NoJourney, NotFound

logger = logging.getLogger(__name__)
DATA_API: web.AppKey[DataApi] = web.AppKey("data_api", DataApi)
PREFIX = "/api/v1"
# Figures of people are not for shared caches, nor for a browser's history.
HEADERS = {"Cache-Control": "no-store"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Wrap = Callable[[str, Handler], Handler]


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response(
        {"error": code, "message": message}, status=status, headers={**HEADERS, **headers}
    )


def _json(body: Any) -> web.Response:
    return web.json_response(body, headers=HEADERS)


def _bearer(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authenticated(handler: Callable[[web.Request, int], Awaitable[web.Response]]) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        api = request.app[DATA_API]
        workspace_id = await asyncio.to_thread(api.authenticate, _bearer(request))
        if workspace_id is None:
            # Who knocked, never with what: a token in a log is a token given away.
            logger.info("refused an API request for %s from %s", request.path, request.remote)
            return _error(
                401,
                "unauthorized",
                "Send `Authorization: Bearer <token>` with a token from "
                "`pioneer api-token create`.",
                **{"WWW-Authenticate": 'Bearer realm="pioneer"'},
            )
        try:
            return await handler(request, workspace_id)
        except NoJourney:
            return _error(404, "not_found", "No such journey.")
        except InvalidWeek as exc:
            return _error(
                400,
                "invalid_week",
                f"{exc.params.get('week')!r} is not an ISO week; use e.g. 2026-W49.",
            )
        except NotFound as exc:
            return _error(404, "not_found", f"No published {exc.params.get('what', 'item')}.")

    return checked


def _journey_id(request: web.Request) -> int:
    return int(request.match_info["journey_id"])


async def journeys(request: web.Request, workspace_id: int) -> web.Response:
    found = await asyncio.to_thread(request.app[DATA_API].journeys, workspace_id)
    return _json(
        {
            "journeys": [
                {
                    "id": j.id,
                    "name": j.name,
                    "phase": j.phase,
                    "phase_since": j.phase_since.isoformat(),
                    "weeks_in_phase": j.weeks_in_phase,
                    "started_at": j.started_at.isoformat(),
                    "k": j.k,
                }
                for j in found
            ]
        }
    )


async def digests(request: web.Request, workspace_id: int) -> web.Response:
    journey_id = _journey_id(request)
    weeks = await asyncio.to_thread(request.app[DATA_API].digest_weeks, workspace_id, journey_id)
    return _json({"journey_id": journey_id, "digests": weeks})


async def digest(request: web.Request, workspace_id: int) -> web.Response:
    api = request.app[DATA_API]
    week = request.match_info["iso_week"]
    document = await asyncio.to_thread(api.digest, workspace_id, _journey_id(request), week)
    return _json(document)


async def figures_csv(request: web.Request, workspace_id: int) -> web.Response:
    journey_id = _journey_id(request)
    rows = await asyncio.to_thread(request.app[DATA_API].figures, workspace_id, journey_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="journey-{journey_id}-figures.csv"',
        },
    )


def add_api_routes(app: web.Application, api: DataApi, wrap: Wrap) -> None:
    """The API's routes; `wrap` adds the server's request metrics to each."""
    app[DATA_API] = api
    journey = PREFIX + r"/journeys/{journey_id:\d+}"
    routes: list[tuple[str, str, Callable[[web.Request, int], Awaitable[web.Response]]]] = [
        (PREFIX + "/journeys", "api_journeys", journeys),
        (journey + "/digests", "api_digests", digests),
        (journey + "/digests/{iso_week}", "api_digest", digest),
        (journey + "/figures.csv", "api_figures", figures_csv),
    ]
    for path, name, handler in routes:
        app.router.add_get(path, wrap(name, _authenticated(handler)))
