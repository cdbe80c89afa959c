"""A journey's pages: every member's team updates, the digest readers' (timeline,
scorecard, trends, digests, ecosystem) and the facilitator's desk (members, schedule,
calendar, phase, export)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from aiohttp import web

from bot.app.team_updates import fortnight
from bot.app.web_pages import Seat
from bot.domain.digest.texts import quote_text
from bot.domain.model import PERSPECTIVES, ROLES, Phase, Role
from bot.domain.web_access import Page, allowed_roles, may_open
from bot.rendering.markdown import perspective_name, render_markdown, signal_name
from bot.rendering.readiness_text import readiness_text
from bot.rendering.update_text import render_team_update_markdown
from bot.webview.guard import HEADERS, Look, render, signed_in
from bot.webview.svg_trend import Series, legend, trend_svg
from bot.webview.text_blocks import blocks, plain


def seat_or_refusal(look: Look, journey_id: int, page: Page) -> Seat | web.Response:
    seat = look.seat(journey_id)
    if seat is None:
        # Another workspace's journey, or one the person is not in: as absent as none.
        return render(look, "refused.html", 404, reason=look.say("web.no_journey"))
    if not may_open(page, seat.roles):
        allowed = allowed_roles(page)
        roles = ", ".join(look.say(f"role.{r.value}") for r in ROLES if r in allowed)
        return render(look, "refused.html", 403, reason=look.say("web.not_allowed", roles=roles))
    return seat


async def page_context(look: Look, seat: Seat, page: Page) -> dict[str, Any]:
    pages = look.deps.pages
    journey = seat.journey
    lang = look.language
    if page is Page.TIMELINE:
        return {"history": await asyncio.to_thread(pages.timeline, journey)}
    if page is Page.SCORECARD:
        card = await asyncio.to_thread(pages.scorecard, journey)
        return {"card": card, "blocks": blocks(readiness_text(card, lang))}
    if page in (Page.TRENDS, Page.DIGESTS):
        views = await asyncio.to_thread(pages.published, journey)
        if page is Page.DIGESTS:
            return {"weeks": [v.iso_week for v in reversed(views)]}
        return {"charts": _charts(look, views)}
    if page is Page.UPDATES:
        weeks = await asyncio.to_thread(pages.team_update_weeks, journey)
        return {"fortnights": [(fortnight(w)[0], w) for w in weeks]}
    if page is Page.ECOSYSTEM:
        found = await asyncio.to_thread(pages.touchpoints, journey)
        # A note as the digest shows it: mentions dropped (they name someone), shortened.
        return {"touchpoints": [(tp, plain(quote_text(tp.note))) for tp in found]}
    if page is Page.MEMBERS:
        return {"members": await asyncio.to_thread(pages.members, journey), "roles": ROLES}
    if page is Page.SCHEDULE:
        return {"schedule": await asyncio.to_thread(pages.schedule, journey)}
    if page is Page.CALENDAR:
        return {"calendar": await asyncio.to_thread(pages.calendar, journey)}
    if page is Page.PHASE:
        return {"phases": list(Phase)}
    return {}


def _charts(look: Look, views: list[Any]) -> list[dict[str, Any]]:
    """One chart of the perspectives and one of the signals, from the published figures."""
    lang = look.language
    weeks = [v.iso_week for v in views]
    perspectives = [
        Series(perspective_name(p.value, lang), [v.perspective(p).all.mean for v in views])
        for p in PERSPECTIVES
    ]
    # Signals in the order they were first measured: each phase's come together, a few
    # to a chart, so no two lines share a colour.
    keys: list[str] = []
    for v in views:
        keys += [g.key for g in v.signals if g.key not in keys]
    signals = []
    for key in keys:
        means = []
        for v in views:
            group = next((g for g in v.signals if g.key == key), None)
            means.append(group.all.mean if group is not None else None)
        signals.append(Series(signal_name(key, lang), means))
    charts = [("web.trends.perspectives", perspectives)]
    charts += [("web.trends.signals", signals[i : i + 4]) for i in range(0, len(signals), 4)]
    no_data = look.say("web.trends.withheld")
    return [
        {
            "title": look.say(title),
            "svg": trend_svg(weeks, series, no_data),
            "legend": legend(series),
            "weeks": weeks,
            "series": series,
        }
        for title, series in charts
    ]


async def journey_page(request: web.Request, look: Look) -> web.StreamResponse:
    journey_id = int(request.match_info["journey_id"])
    try:
        page = Page(request.match_info["page"])
    except ValueError:
        raise web.HTTPNotFound() from None
    found = seat_or_refusal(look, journey_id, page)
    if isinstance(found, web.Response):
        return found
    if page is Page.EXPORT:
        return await _export(look, found)
    context = await page_context(look, found, page)
    return render(look, f"{page.value}.html", seat=found, page=page, **context)


async def digest_page(request: web.Request, look: Look) -> web.StreamResponse:
    found = seat_or_refusal(look, int(request.match_info["journey_id"]), Page.DIGESTS)
    if isinstance(found, web.Response):
        return found
    week = request.match_info["iso_week"]
    views = await asyncio.to_thread(look.deps.pages.published, found.journey)
    view = next((v for v in views if v.iso_week == week), None)
    if view is None:
        return render(look, "refused.html", 404, reason=look.say("web.no_digest"))
    if found.roles and Role.LEARNING in found.roles:
        view = replace(view, for_steward=True)  # their own week first, as on Monday
    shown = blocks(render_markdown(view, look.language))
    return render(look, "digest.html", seat=found, page=Page.DIGESTS, week=week, blocks=shown)


async def update_page(request: web.Request, look: Look) -> web.StreamResponse:
    found = seat_or_refusal(look, int(request.match_info["journey_id"]), Page.UPDATES)
    if isinstance(found, web.Response):
        return found
    week = request.match_info["iso_week"]
    view = await asyncio.to_thread(look.deps.pages.team_update, found.journey, week)
    if view is None:
        return render(look, "refused.html", 404, reason=look.say("web.no_update"))
    # As chat words it for the viewer: in their language, the command as their platform
    # types it. Aggregates over k only; the actions in it are escaped, the template escapes.
    markdown = render_team_update_markdown(view, look.language, look.viewer.platform)
    shown = blocks(markdown)
    first = fortnight(week)[0]
    return render(
        look, "update.html", seat=found, page=Page.UPDATES, first=first, week=week, blocks=shown
    )


async def _export(look: Look, seat: Seat) -> web.StreamResponse:
    if look.deps.read_only:
        return render(look, "refused.html", 403, reason=look.say("web.read_only"))
    reply = await asyncio.to_thread(look.deps.pages.command, look.viewer, seat.journey, "export")
    if reply.file is None:  # read-only viewer, or a refusal said in words
        return render(look, "refused.html", 403, reason=plain(reply.text))
    return web.Response(
        body=reply.file.content,
        content_type="text/csv",
        charset="utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{reply.file.filename}"',
        },
    )


def add_journey_routes(app: web.Application) -> None:
    base = r"/web/j/{journey_id:\d+}"
    app.router.add_get(base + "/{page}", signed_in(journey_page))
    app.router.add_get(base + r"/digests/{iso_week:\d{4}-W\d{2}}", signed_in(digest_page))
    app.router.add_get(base + r"/updates/{iso_week:\d{4}-W\d{2}}", signed_in(update_page))
