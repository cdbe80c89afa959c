"""First contact: what Pioneer says when it is added to a channel or team, and to a person
added to a journey: what it asks, how often, and what stays anonymous.

How often is read from the journey's own ritual plan (its phase, its cadence changes), so a
welcome never promises a rhythm the scheduler does not keep.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.app.commands.context import escape, roles_text
from bot.app.services import Services
from bot.domain.model import Journey, Language, Phase, Role
from bot.domain.rituals import CadenceOverride, asked_per_week
from prompts.messages import t

# Whom the channel's welcome describes: what a team member is asked.
TEAM_MEMBER = frozenset({Role.FOLLOWER})


def _asked(services: Services, journey: Journey | None, roles: Iterable[Role]) -> tuple[int, int]:
    phase = journey.phase if journey is not None else Phase.AWARENESS
    overrides: tuple[CadenceOverride, ...] = ()
    if journey is not None and journey.id is not None:
        with services.uow() as uow:
            overrides = tuple(uow.rituals.overrides(journey.workspace_id, journey.id))
    return asked_per_week(services.schedule.plan.for_phase(phase, overrides), roles)


def what_pioneer_asks(
    services: Services, journey: Journey | None, roles: Iterable[Role], language: Language
) -> list[str]:
    """How often a person with `roles` is asked, who reads what, and what stays anonymous."""
    pulses, checkins = _asked(services, journey, roles)
    k = (
        journey.anonymity_threshold
        if journey is not None
        else services.defaults.anonymity_threshold
    )
    return [
        t(
            "welcome.asks",
            language,
            pulses=t("welcome.pulses", language, count=pulses),
            checkins=t("welcome.checkins", language, count=checkins),
        ),
        t("welcome.readers", language),
        t("welcome.anonymous", language, k=k),
    ]


def channel_welcome(
    services: Services, workspace_id: int, channel: str, language: Language | None = None
) -> tuple[str, Language]:
    """What Pioneer says when it is added to `channel`: in the journey's language if one runs
    there, else `language` (the platform's locale), else the default."""
    with services.uow() as uow:
        journey = uow.journeys.by_channel(workspace_id, channel)
    lang = journey.language if journey else language or services.defaults.language
    first = (
        t("welcome.channel.journey", lang, name=escape(journey.name))
        if journey
        else t("welcome.channel", lang)
    )
    lines = [first, *what_pioneer_asks(services, journey, TEAM_MEMBER, lang)]
    lines.append(t("welcome.next.journey" if journey else "welcome.next", lang))
    return "\n\n".join(lines), lang


def member_welcome(
    services: Services, journey: Journey, roles: Iterable[Role], language: Language
) -> str:
    """What a person added to `journey` reads: their roles, and what Pioneer will ask."""
    roles = frozenset(roles)
    first = t(
        "welcome.member", language, name=escape(journey.name), roles=roles_text(roles, language)
    )
    return "\n\n".join([first, *what_pioneer_asks(services, journey, roles, language)])
