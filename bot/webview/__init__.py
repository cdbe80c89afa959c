"""The web view, served by `pioneer serve` on its own port under /web (and by `pioneer web`
read-only on localhost): server-rendered pages, no JavaScript, in the viewer's language."""

from __future__ import annotations

from aiohttp import web

from bot.webview.form_actions import add_action_routes
from bot.webview.guard import DEPS, WebDeps
from bot.webview.journey_pages import add_journey_routes
from bot.webview.own_pages import add_own_routes

__all__ = ["WebDeps", "add_web_routes"]


def add_web_routes(app: web.Application, deps: WebDeps) -> None:
    app[DEPS] = deps
    add_own_routes(app)
    add_journey_routes(app)
    add_action_routes(app)
