"""The facilitator's forms: each becomes the `/pioneer` command a facilitator could type in
the journey's channel, and runs through the same use case, roles and refusals."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from bot.domain.web_access import Page
from bot.webview.guard import Look, render, signed_in
from bot.webview.journey_pages import page_context, plain, seat_or_refusal

# A platform user id as chat writes it (Slack U123, a Teams GUID): nothing else is sent on.
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_-]{0,127}$")
ONE_WORD = re.compile(r"^[\w:,.-]{1,40}$")


def _word(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    return value if ONE_WORD.match(value) else ""


def command_text(action: str, form: dict[str, str]) -> tuple[Page, str] | None:
    """The page a form belongs to and the command it stands for; None for a bad form."""
    if action == "role":
        user, role = form.get("user", ""), _word(form, "role")
        sign = "-" if form.get("change") == "remove" else ""
        if not USER_ID.match(user) or not role:
            return None
        return Page.MEMBERS, f"role <@{user}> {sign}{role}"
    if action == "phase":
        target, reason = _word(form, "target"), " ".join(form.get("reason", "").split())
        if not target or form.get("confirm") != "yes":
            return None
        return Page.PHASE, f"phase {target} {reason}".strip()
    if action in ("pause", "resume"):
        return Page.SCHEDULE, action
    if action == "schedule":
        words = [_word(form, n) for n in ("ritual", "days", "time")]
        return (Page.SCHEDULE, "schedule " + " ".join(words)) if all(words) else None
    if action == "holiday":
        day, change = _word(form, "day"), form.get("change")
        if not day or change not in ("add", "remove"):
            return None
        return Page.CALENDAR, f"holiday {change} {day}"
    if action == "workdays":
        days = _word(form, "days")
        return (Page.CALENDAR, f"workdays {days}") if days else None
    return None


async def journey_action(request: web.Request, look: Look) -> web.StreamResponse:
    journey_id = int(request.match_info["journey_id"])
    form = {k: str(v) for k, v in (await request.post()).items()}
    found = command_text(request.match_info["action"], form)
    if found is None:
        return render(look, "refused.html", 400, reason=look.say("web.bad_form"))
    page, text = found
    seat = seat_or_refusal(look, journey_id, page)
    if isinstance(seat, web.Response):
        return seat
    reply = await asyncio.to_thread(look.deps.pages.command, look.viewer, seat.journey, text)
    # Read again: the page shows what the command changed (or, refused, what stands).
    look.seats = await asyncio.to_thread(look.deps.pages.seats, look.viewer)
    seat = seat_or_refusal(look, journey_id, page)
    if isinstance(seat, web.Response):
        return seat
    context = await page_context(look, seat, page)
    return render(
        look, f"{page.value}.html", seat=seat, page=page, said=plain(reply.text), **context
    )


def add_action_routes(app: web.Application) -> None:
    app.router.add_post(
        r"/web/j/{journey_id:\d+}/do/{action:role|phase|pause|resume|schedule|holiday|workdays}",
        signed_in(journey_action),
    )
