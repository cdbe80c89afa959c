"""What the web view's pages read and do, through the use cases chat uses.

Figures come only from published digests of weeks that are over, the very ones the
directors got and the data API serves: nothing is computed anew for the web, so a page
can never show a cut the chat digest withheld, nor one week's figures twice differently.
A form runs the same `/pioneer` command the person could type (`command`), with their own
roles, refusals and texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.app.commands import Context, Reply, execute, resolve_language
from bot.app.digest_input import is_closed
from bot.app.home import Home, home
from bot.app.journey_settings import JourneyCalendar
from bot.app.readiness import readiness
from bot.app.schedule import ScheduleView
from bot.app.services import Services
from bot.domain import errors
from bot.domain.digest.phase_readiness import ReadinessCard
from bot.domain.digest.view import DigestView
from bot.domain.journeys import DIGEST_READERS
from bot.domain.model import Journey, Language, Member, PhaseChange, Role, Touchpoint
from bot.domain.team_update import TeamUpdateView
from bot.domain.views import PromptView

# The local read-only viewer (`pioneer web --db`) reads what a facilitator and the digest's
# readers read; it changes nothing.
LOCAL_ROLES = frozenset({Role.FACILITATOR} | DIGEST_READERS)


@dataclass(frozen=True)
class Viewer:
    """Who looks: a signed-in person of a workspace, or the local read-only viewer."""

    workspace_id: int | None
    user: str | None
    platform: str = "slack"
    language: Language | None = None  # the local viewer's choice
    workspaces: tuple[int, ...] = ()  # the local viewer's: every workspace of the database

    @property
    def local(self) -> bool:
        return self.user is None


@dataclass(frozen=True)
class Seat:
    """One journey as the viewer sees it: their membership (if any) and roles."""

    journey: Journey
    member: Member | None
    roles: frozenset[Role] | None  # None: not a member

    @property
    def journey_id(self) -> int:
        assert self.journey.id is not None
        return self.journey.id


class WebPages:
    def __init__(self, services: Services) -> None:
        self.services = services

    # -- who -----------------------------------------------------------------------------
    def seats(self, viewer: Viewer) -> list[Seat]:
        found: list[Seat] = []
        with self.services.uow() as uow:
            if viewer.local:
                journeys = [j for w in viewer.workspaces for j in uow.journeys.list(w)]
                return [Seat(j, None, LOCAL_ROLES) for j in journeys if j.id is not None]
            assert viewer.workspace_id is not None and viewer.user is not None
            for journey in uow.journeys.list(viewer.workspace_id):
                assert journey.id is not None
                member = uow.members.by_user(viewer.workspace_id, journey.id, viewer.user)
                if member is not None:
                    found.append(Seat(journey, member, frozenset(member.roles)))
        return found

    def seat(self, viewer: Viewer, journey_id: int) -> Seat:
        """The viewer's seat in one journey; another workspace's is as absent as none."""
        for seat in self.seats(viewer):
            if seat.journey.id == journey_id:
                return seat
        raise errors.NoJourney()

    def language(self, viewer: Viewer, seats: Sequence[Seat] = ()) -> Language:
        if viewer.language is not None:
            return viewer.language
        seats = seats or self.seats(viewer)
        member = next((s.member for s in seats if s.member and s.member.language), None)
        journey = seats[0].journey if seats else None
        return resolve_language(member, journey, self.context(viewer, None))

    def context(self, viewer: Viewer, journey: Journey | None) -> Context:
        names = {}
        if journey is not None and journey.id is not None:
            names = {m.user: m.display_name or m.user for m in self.members(journey)}
        return Context(
            platform=viewer.platform,
            workspace_id=viewer.workspace_id or (journey.workspace_id if journey else 0),
            channel=journey.channel if journey else "",
            user=viewer.user or "",
            mention=lambda user: names.get(user, user),
            channel_mention=lambda channel: f"#{channel}",
        )

    # -- what the digest's readers read --------------------------------------------------
    def timeline(self, journey: Journey) -> list[PhaseChange]:
        assert journey.id is not None
        return self.services.journeys.history(journey.workspace_id, journey.id)

    def scorecard(self, journey: Journey) -> ReadinessCard:
        assert journey.id is not None
        s = self.services
        return readiness(s.uow, s.clock, journey.workspace_id, journey.id)

    def published(self, journey: Journey) -> list[DigestView]:
        """Published digests of weeks that are over, oldest first."""
        assert journey.id is not None
        now = self.services.clock.now()
        with self.services.uow() as uow:
            stored = uow.digests.published(journey.workspace_id, journey.id)
        views = [
            DigestView.from_dict(s.payload)
            for s in stored
            if is_closed(s.iso_week, journey.timezone, now)
        ]
        return sorted(views, key=lambda v: v.iso_week)

    def touchpoints(self, journey: Journey) -> Sequence[Touchpoint]:
        assert journey.id is not None
        with self.services.uow() as uow:
            found = uow.touchpoints.list(journey.workspace_id, journey.id)
        return sorted(found, key=lambda t: (t.happened_on, t.id or 0), reverse=True)

    # -- what every member reads ---------------------------------------------------------
    def team_update_weeks(self, journey: Journey) -> list[str]:
        """The fortnights whose team update the members were sent, newest first."""
        assert journey.id is not None
        weeks = self.services.team_updates.planned_weeks(journey.workspace_id, journey.id)
        return sorted(weeks, reverse=True)

    def team_update(self, journey: Journey, iso_week: str) -> TeamUpdateView | None:
        """The update of the fortnight ending with `iso_week`, as the members got it (None:
        no update was sent for it); read anew from the records, as a late send reads it."""
        assert journey.id is not None
        if iso_week not in self.team_update_weeks(journey):
            return None
        return self.services.team_updates.view(journey.workspace_id, journey.id, iso_week)

    # -- what a facilitator reads --------------------------------------------------------
    def members(self, journey: Journey) -> list[Member]:
        assert journey.id is not None
        return self.services.journeys.members(journey.workspace_id, journey.id)

    def schedule(self, journey: Journey) -> ScheduleView:
        assert journey.id is not None
        return self.services.schedule.show(journey.workspace_id, journey.id)

    def calendar(self, journey: Journey) -> JourneyCalendar:
        assert journey.id is not None
        return self.services.journey_settings.calendar(journey.workspace_id, journey.id)

    # -- what everyone does --------------------------------------------------------------
    def home(self, viewer: Viewer) -> Home:
        s = self.services
        return home(s.uow, s.clock, s.views, self.context(viewer, None))

    def answer(
        self, viewer: Viewer, delivery_id: int, value: int | None, text: str | None
    ) -> PromptView | None:
        """Record (or change, until the question closes) the viewer's own answer."""
        assert viewer.workspace_id is not None and viewer.user is not None
        self.services.answers.record(viewer.workspace_id, delivery_id, viewer.user, value, text)
        return self.services.views.view_for(viewer.workspace_id, delivery_id)

    def command(self, viewer: Viewer, journey: Journey | None, text: str) -> Reply:
        """Run `/pioneer <text>` as the viewer in the journey's channel, exactly as in chat."""
        return execute(self.services, self.context(viewer, journey), text)[1]
