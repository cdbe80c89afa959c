"""What a member sees on their home tab: journeys, roles, phase, open prompts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.commands import Context, resolve_language
from bot.app.commands.context import roles_text
from bot.app.prompt_views import PromptViews
from bot.app.readiness import readiness
from bot.domain.digest.phase_readiness import ReadinessCard
from bot.domain.model import Answer, Delivery, Journey, Language, Member, Role
from bot.domain.ports import Clock, UnitOfWorkFactory
from bot.domain.views import PromptView
from prompts.messages import t


@dataclass(frozen=True)
class HomeJourney:
    journey_id: int
    name: str
    channel: str
    phase_text: str
    roles_text: str
    weeks_in_phase: int
    facilitator: bool
    open_prompts: tuple[PromptView, ...]
    readiness: ReadinessCard | None = None  # facilitators only


@dataclass(frozen=True)
class Home:
    language: Language
    journeys: tuple[HomeJourney, ...]


def home(uow: UnitOfWorkFactory, clock: Clock, views: PromptViews, ctx: Context) -> Home:
    """The member's journeys in this workspace, with what is still open for them."""
    now = clock.now()
    items: list[tuple[Journey, Member, list[tuple[Delivery, Answer | None]]]] = []
    with uow() as tx:
        for journey in tx.journeys.list(ctx.workspace_id):
            assert journey.id is not None
            member = tx.members.by_user(ctx.workspace_id, journey.id, ctx.user)
            if member is None or member.id is None:
                continue
            open_ = [
                (d, tx.answers.for_delivery(ctx.workspace_id, d.id or 0))
                for d in tx.deliveries.open_for_member(ctx.workspace_id, member.id, now)
            ]
            items.append((journey, member, open_))
    language = (
        resolve_language(items[0][1], items[0][0], ctx)
        if items
        else resolve_language(None, None, ctx)
    )
    journeys = []
    for journey, member, open_ in items:
        assert journey.id is not None
        journeys.append(
            HomeJourney(
                journey_id=journey.id,
                name=journey.name,
                channel=journey.channel,
                phase_text=t("cmd.home.phase", language, phase=journey.phase, stage=journey.stage),
                roles_text=t("cmd.home.roles", language, roles=roles_text(member.roles, language))
                if member.roles
                else t("cmd.home.no_roles", language),
                weeks_in_phase=max(0, (now - journey.phase_since).days // 7),
                facilitator=member.has(Role.FACILITATOR),
                open_prompts=tuple(views.build(d, journey, member, a, now) for d, a in open_),
                readiness=readiness(uow, clock, ctx.workspace_id, journey.id)
                if member.has(Role.FACILITATOR)
                else None,
            )
        )
    return Home(language=language, journeys=tuple(journeys))
