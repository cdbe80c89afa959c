"""Signing in and out, the list of one's journeys, and one's own page (answers, language,
away, forget me)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.app.web_signin import SIGNIN_PATH
from bot.domain import errors
from bot.webview.guard import (
    COOKIE,
    DEPS,
    HEADERS,
    HERE,
    Look,
    bare,
    look_of,
    render,
    set_session_cookie,
    signed_in,
)
from bot.webview.text_blocks import plain
from prompts.messages import say


async def home_page(request: web.Request, look: Look) -> web.StreamResponse:
    return render(look, "home.html")


async def signin_page(request: web.Request) -> web.StreamResponse:
    # Following the link only shows a button: a link checker or a chat's preview that
    # fetches the address must not use the link up.
    return bare(request, "signin.html", secret=request.match_info["secret"])


async def signin(request: web.Request) -> web.StreamResponse:
    deps = request.app[DEPS]
    form = await request.post()
    signin = deps.signin
    signed = await asyncio.to_thread(signin.redeem, str(form.get("secret", ""))) if signin else None
    if signed is None:
        return bare(request, "link_refused.html", status=403)
    response = web.Response(status=303, headers={**HEADERS, "Location": "/web/"})
    assert signin is not None
    set_session_cookie(response, signed.secret, signin.secure)
    return response


async def signout(request: web.Request, look: Look) -> web.StreamResponse:
    signin = look.deps.signin
    if signin is not None:
        await asyncio.to_thread(signin.sign_out, request.cookies.get(COOKIE, ""))
    response = bare(request, "signed_out.html", goodbye=True)
    response.del_cookie(COOKIE, path="/web")
    return response


async def me_page(request: web.Request, look: Look, said: str = "") -> web.StreamResponse:
    if look.viewer.local:
        return render(look, "refused.html", 404, reason=look.say("web.local_me"))
    home = await asyncio.to_thread(look.deps.pages.home, look.viewer)
    away = next((s.member.away_until for s in look.seats if s.member), None)
    return render(look, "me.html", home=home, away=away, said=said, page="me")


async def answer(request: web.Request, look: Look) -> web.StreamResponse:
    form = await request.post()
    said = look.say("web.me.saved")
    try:
        delivery_id = int(str(form.get("delivery", "")))
        raw = str(form.get("value", "")).strip()
        value = int(raw) if raw else None
        text = str(form.get("text", "")).strip() or None
        if value is None and text is None:
            raise ValueError("nothing to record")
        await asyncio.to_thread(look.deps.pages.answer, look.viewer, delivery_id, value, text)
    except ValueError:
        said = look.say("web.me.bad_answer")
    except errors.DomainError as error:
        said = say(error, look.language)
    return await me_page(request, look, said)


async def own_command(request: web.Request, look: Look) -> web.StreamResponse:
    """Language, away and forget-me: the person's own commands, run as in chat."""
    form = await request.post()
    what = request.match_info["what"]
    if what == "language":
        text = f"language {form.get('language', '')}"
    elif what == "away":
        until = str(form.get("until", "")).strip()
        text = f"away until {until}" if until else "away off"
    elif what == "forget" and form.get("confirm") == "yes":
        text = "forget-me yes"
    else:
        return await me_page(request, look, look.say("web.me.confirm_first"))
    journey = look.seats[0].journey if look.seats else None
    reply = await asyncio.to_thread(look.deps.pages.command, look.viewer, journey, text)
    if what == "forget":
        # Forgotten: the session goes too, so this browser keeps nothing of them.
        if look.deps.signin is not None:
            await asyncio.to_thread(look.deps.signin.sign_out, request.cookies.get(COOKIE, ""))
        title = look.say("web.me.forget")
        response = render(look, "refused.html", reason=plain(reply.text), title=title)
        response.del_cookie(COOKIE, path="/web")
        return response
    # The language may have changed: read the person again.
    look = await look_of(request) or look
    return await me_page(request, look, plain(reply.text))


async def stylesheet(_: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        HERE / "static" / "site.css", headers={"Cache-Control": "public, max-age=3600"}
    )


async def to_home(_: web.Request) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": "/web/"})


def add_own_routes(app: web.Application) -> None:
    app.router.add_get("/web/", signed_in(home_page))
    app.router.add_get("/web", to_home)
    app.router.add_get(SIGNIN_PATH + "{secret}", signin_page)
    app.router.add_post("/web/signin", signin)
    app.router.add_post("/web/signout", signed_in(signout))
    app.router.add_get("/web/me", signed_in(me_page))
    app.router.add_post("/web/me/answer", signed_in(answer))
    app.router.add_post("/web/me/{what:language|away|forget}", signed_in(own_command))
    app.router.add_get("/web/static/site.css", stylesheet)
