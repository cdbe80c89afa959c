"""Who is looking, in which language, and the page around every view.

A signed-in person is known by the session cookie (HttpOnly, SameSite=Lax, Secure behind
HTTPS); the local read-only viewer (`pioneer web --db`) by the server it runs in. Every
POST carries a CSRF token bound to the session. Templates autoescape everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.app.web_pages import Seat, Viewer, WebPages
from bot.app.web_signin import WebSignIn
from bot.domain.model import Language
from bot.domain.web_access import Page, pages_for
from bot.domain.web_links import SESSION_LIFETIME, csrf_matches, csrf_token
from prompts.messages import number, t

if TYPE_CHECKING:
    from jinja2 import Environment

COOKIE = "pioneer_session"
HERE = Path(__file__).parent
# Pages about people are for no shared cache and no other site's frame.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'",
}


@dataclass(frozen=True)
class WebDeps:
    pages: WebPages
    signin: WebSignIn | None
    read_only: bool = False
    local: Viewer | None = None  # set: no sign-in, this viewer for everyone (localhost)


DEPS: web.AppKey[WebDeps] = web.AppKey("webview", WebDeps)


@cache
def templates() -> Environment:
    """Loaded by the first page shown: an idle bot that nobody browses keeps Jinja2 out."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass
class Look:
    """One request's viewer, their journeys, language and CSRF token."""

    viewer: Viewer
    seats: list[Seat]
    language: Language
    csrf: str
    deps: WebDeps

    def say(self, key: str, **params: Any) -> str:
        return t(key, self.language, **params)

    def seat(self, journey_id: int) -> Seat | None:
        return next((s for s in self.seats if s.journey.id == journey_id), None)


def render(look: Look, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = look.language
    html = (
        templates()
        .get_template(template)
        .render(
            say=look.say,
            number=lambda v, digits=1: number(v, lang, digits),
            lang=lang.value,
            csrf=look.csrf,
            read_only=look.deps.read_only,
            signed_in=not look.viewer.local,
            seats=look.seats,
            pages_for=lambda seat: pages_for(seat.roles),
            Page=Page,
            **context,
        )
    )
    return web.Response(
        text=html, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def bare(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A page for someone not signed in (the sign-in step, a refusal)."""
    look = Look(Viewer(None, None), [], guess_language(request), "", request.app[DEPS])
    return render(look, template, status, signed_out=True, **context)


def set_session_cookie(response: web.StreamResponse, secret: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/web",
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def guess_language(request: web.Request) -> Language:
    """Before sign-in only: the browser's first choice of Dutch or English."""
    accept = request.headers.get("Accept-Language", "").lower()
    return Language.NL if accept.startswith("nl") else Language.EN


async def look_of(request: web.Request) -> Look | None:
    """The viewer of this request, or None: not signed in (or the session ended)."""
    deps = request.app[DEPS]
    if deps.local is not None:
        viewer, secret = deps.local, ""
    else:
        secret = request.cookies.get(COOKIE, "")
        signin = deps.signin
        session = await asyncio.to_thread(signin.session, secret) if signin else None
        if session is None:
            return None
        viewer = Viewer(session.workspace_id, session.user)
    seats = await asyncio.to_thread(deps.pages.seats, viewer)
    language = await asyncio.to_thread(deps.pages.language, viewer, seats)
    return Look(viewer, seats, language, csrf_token(secret) if secret else "", deps)


Handler = Callable[[web.Request, Look], Awaitable[web.StreamResponse]]


def signed_in(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Refuse the unknown (401, with how to sign in); check CSRF and read-only on POST."""

    async def checked(request: web.Request) -> web.StreamResponse:
        look = await look_of(request)
        if look is None:
            return bare(request, "signed_out.html", status=401)
        if request.method == "POST":
            if look.deps.read_only:
                return render(look, "refused.html", 403, reason=look.say("web.read_only"))
            form = await request.post()
            secret = request.cookies.get(COOKIE, "")
            if not csrf_matches(secret, str(form.get("csrf", ""))):
                return render(look, "refused.html", 403, reason=look.say("web.csrf"))
        return await handler(request, look)

    return checked
