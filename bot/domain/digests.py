"""The digest service: build, store, show and send the weekly digest of a journey."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.domain import errors, nudges
from bot.domain.digest import (
    TOUCHPOINT_WEEKS,
    DigestInput,
    DigestView,
    ThemeRule,
    analyse,
    concern_writers,
    detail_weeks,
    load_themes,
    local_week,
    parse_week,
    phase_at,
    shift_week,
    trend_weeks,
    week_bounds,
    week_monday,
    weeks_between,
)
from bot.domain.journeys import DIGEST_READERS, require_role
from bot.domain.model import Journey, Member, Role
from bot.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.domain.views import DeliveryFailed

log = logging.getLogger(__name__)

# Who receives the weekly digest by direct message (METHOD.md: the board and the steward
# of the human perspective act on it).
RECIPIENTS = frozenset({Role.DIRECTOR, Role.LEARNING})


@runtime_checkable
class DigestSender(Protocol):
    """The part of a chat platform that delivers a digest (Block Kit + chart on Slack)."""

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        """Post `view` (in `view.language`) with the chart to a member's DM or a channel."""
        ...


ChartRenderer = Callable[[DigestView], bytes]


class RoutingSender:
    """A DigestSender that picks each workspace's platform (Slack, Teams) when sending."""

    def __init__(self, sender_for: Callable[[int], DigestSender]) -> None:
        self._sender_for = sender_for

    def send_digest(
        self, member_or_channel: Member | str, view: DigestView, chart_png: bytes
    ) -> str:
        workspace_id = (
            member_or_channel.workspace_id
            if isinstance(member_or_channel, Member)
            else view.workspace_id
        )
        return self._sender_for(workspace_id).send_digest(member_or_channel, view, chart_png)


class NoDigestSender(RuntimeError):
    """The service was built without a chat platform, so it cannot send."""


class DigestService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        sender: DigestSender | None = None,
        chart: ChartRenderer | None = None,
        theme_rules: Sequence[ThemeRule] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.sender = sender
        self._chart = chart
        self._themes = tuple(theme_rules) if theme_rules is not None else load_themes()

    # -- computing ---------------------------------------------------------------------
    @staticmethod
    def _journey(uow: UnitOfWork, workspace_id: int, journey_id: int) -> Journey:
        journey = uow.journeys.get(workspace_id, journey_id)
        if journey is None:
            raise errors.NoJourney()
        return journey

    def compute(
        self, workspace_id: int, journey_id: int, iso_week: str, preview: bool = False
    ) -> DigestView:
        """The digest for a week as the answers say now; nothing is stored."""
        iso_week = parse_week(iso_week)
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            zone = journey.timezone
            start, end = week_bounds(iso_week, zone)
            at = phase_at(journey, uow.journeys.phase_history(workspace_id, journey_id), end)
            phase_start_week = min(local_week(at.since, zone), iso_week)
            values = uow.answers.values_for_weeks(
                workspace_id, journey_id, detail_weeks(iso_week, phase_start_week)
            )
            week_cells = uow.answers.week_perspective_means(
                workspace_id, journey_id, trend_weeks(iso_week)
            )
            last_week = shift_week(iso_week, -1)
            texts = uow.answers.texts_for_weeks(workspace_id, journey_id, [iso_week, last_week])
            asked = uow.deliveries.asked_members(workspace_id, journey_id, start, end)
            asked_by_perspective = {
                (week, perspective): n
                for week in trend_weeks(iso_week)[-nudges.QUIET_WINDOW_WEEKS :]
                for perspective, n in uow.deliveries.asked_by_perspective(
                    workspace_id, journey_id, *week_bounds(week, zone)
                ).items()
            }
            roles = uow.members.roles_by_id(workspace_id, journey_id)
            cells = uow.answers.phase_perspective_means(workspace_id, journey_id, iso_week)
            first_day = week_monday(iso_week) - timedelta(weeks=TOUCHPOINT_WEEKS - 1)
            last_day = week_monday(iso_week) + timedelta(days=6)
            touchpoints = sum(
                1
                for tp in uow.touchpoints.list(workspace_id, journey_id, since=first_day)
                if tp.happened_on <= last_day
            )
        view = analyse(
            DigestInput(
                journey=journey,
                iso_week=iso_week,
                phase=at.phase,
                phase_start_week=phase_start_week,
                values=values,
                texts=texts,
                asked=asked,
                asked_by_perspective=asked_by_perspective,
                roles=roles,
                cells=cells,
                weeks=week_cells,
                touchpoints=touchpoints,
                generated_at=self._clock.now(),
                theme_rules=self._themes,
                preview=preview,
            )
        )
        context = nudges.NudgeContext(
            has_learning_professional=any(Role.LEARNING in r for r in roles.values()),
            journey_weeks=weeks_between(local_week(journey.started_at, zone), iso_week) + 1,
            concerns_now=concern_writers(texts, iso_week),
            concerns_before=concern_writers(texts, last_week),
        )
        return replace(view, nudges=nudges.select(nudges.fire(view, context)))

    # -- the public operations ---------------------------------------------------------------
    def build(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView:
        """Compute the week's digest and store it (a digest already sent stays as it was)."""
        view = self.compute(workspace_id, journey_id, iso_week)
        with self._uow() as uow:
            uow.digests.save(
                workspace_id, journey_id, view.iso_week, view.to_dict(), view.generated_at
            )
            uow.commit()
        return view

    def get_stored(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView | None:
        with self._uow() as uow:
            self._journey(uow, workspace_id, journey_id)
            stored = uow.digests.get(workspace_id, journey_id, parse_week(iso_week))
        return DigestView.from_dict(stored.payload) if stored else None

    def show(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView:
        """A stored digest as it was stored, else build (and store) it now."""
        return self.get_stored(workspace_id, journey_id, iso_week) or self.build(
            workspace_id, journey_id, iso_week
        )

    def preview(self, workspace_id: int, journey_id: int, actor: str | None = None) -> DigestView:
        """The coming digest: this week so far, not stored. With `actor`, readers only."""
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            if actor is not None:
                require_role(
                    uow.members.by_user(workspace_id, journey_id, actor), DIGEST_READERS, "digest"
                )
        week = local_week(self._clock.now(), journey.timezone)
        return self.compute(workspace_id, journey_id, week, preview=True)

    def week_to_send(self, journey: Journey, now: datetime) -> str:
        """A digest sent on a Monday reports the week that just ended."""
        return shift_week(local_week(now, journey.timezone), -1)

    def send_weekly(
        self,
        workspace_id: int,
        journey_id: int,
        now: datetime,
        leadership_channel: str | None = None,
    ) -> bool:
        """Send last week's digest to every director and learning professional, once.

        Returns True for the one call that sends it; a second trigger for the same journey
        and week (a retry, a second replica) returns False and sends nothing. A crash after
        the claim loses that week's digest rather than sending it twice; it stays stored
        and `pioneer digest` shows it.
        """
        if self.sender is None:
            raise NoDigestSender("no chat platform to send the digest with")
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            week = self.week_to_send(journey, now)
            stored = uow.digests.get(workspace_id, journey_id, week)
        if week_bounds(week, journey.timezone)[1] <= journey.started_at:
            return False  # the journey had not started that week: nothing to report
        if stored is not None and stored.sent_at is not None:
            return False
        view = self.build(workspace_id, journey_id, week)
        with self._uow() as uow:
            claimed = uow.digests.claim_send(workspace_id, journey_id, week, now)
            members = list(uow.members.list(workspace_id, journey_id))
            uow.commit()
        if not claimed:
            return False
        chart = self._chart(view) if self._chart else b""
        for member in members:
            if not member.roles & RECIPIENTS:
                continue
            personal = replace(view, language=member.language or journey.language)
            try:
                self.sender.send_digest(member, personal, chart)
            except DeliveryFailed as exc:
                log.warning(
                    "digest %s of journey %s not delivered to member %s: %s",
                    week,
                    journey_id,
                    member.id,
                    type(exc).__name__,
                )
        if leadership_channel:
            try:
                self.sender.send_digest(leadership_channel, view, chart)
            except DeliveryFailed as exc:
                log.warning("digest %s not posted to the leadership channel: %s", week, exc)
        return True
