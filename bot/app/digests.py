"""The digest service: build, store, show and send the weekly digest of a journey."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import errors
from bot.domain.digest import nudges
from bot.domain.digest.analysis import (
    TOUCHPOINT_WEEKS,
    DigestInput,
    analyse,
    concern_writers,
    detail_weeks,
    first_week,
    phase_at,
    trend_weeks,
)
from bot.domain.digest.texts import ThemeRule
from bot.domain.digest.view import DigestView
from bot.domain.digest.weeks import (
    local_week,
    parse_week,
    shift_week,
    week_bounds,
    week_monday,
    weeks_between,
)
from bot.domain.errors import DeliveryFailed, Unreachable
from bot.domain.journeys import DIGEST_READERS, require_role
from bot.domain.model import PERSPECTIVES, Journey, Member, Perspective, Role
from bot.domain.ports import Clock, DigestSender, UnitOfWork, UnitOfWorkFactory
from bot.domain.records import DigestSend
from bot.domain.team_update import TeamUpdateView

log = logging.getLogger(__name__)

# Who receives the weekly digest by direct message (docs/method.md: the board and the steward
# of the human perspective act on it).
RECIPIENTS = frozenset({Role.DIRECTOR, Role.LEARNING})
# A digest message claimed longer ago than this was lost with its sender: send it again.
SEND_LEASE = timedelta(minutes=10)
MAX_SEND_ATTEMPTS = 12


def retry_after(attempts: int) -> timedelta:
    """How long a digest message that failed `attempts` times waits before the next try."""
    return min(timedelta(minutes=2**attempts), timedelta(hours=1)) if attempts else timedelta()


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

    def send_team_update(self, member: Member, view: TeamUpdateView) -> str:
        return self._sender_for(member.workspace_id).send_team_update(member, view)


class NoDigestSender(RuntimeError):
    """The service was built without a chat platform, so it cannot send."""


class DigestService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        sender: DigestSender | None = None,
        chart: ChartRenderer | None = None,
        *,
        theme_rules: Sequence[ThemeRule],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.sender = sender
        self._chart = chart
        self._themes = tuple(theme_rules)

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
                workspace_id, journey_id, detail_weeks(iso_week, phase_start_week, at.phase)
            )
            weeks = trend_weeks(iso_week, first_week(journey))
            week_cells = uow.answers.week_perspective_means(workspace_id, journey_id, weeks)
            last_week = shift_week(iso_week, -1)
            texts = uow.answers.texts_for_weeks(workspace_id, journey_id, [iso_week, last_week])
            asked = uow.deliveries.asked_members(workspace_id, journey_id, start, end)
            asked_by_perspective: dict[tuple[str, Perspective], int] = {}
            for week in weeks[-nudges.QUIET_WINDOW_WEEKS :]:
                counts = uow.deliveries.asked_by_perspective(
                    workspace_id, journey_id, *week_bounds(week, zone)
                )
                # Zero where nobody was asked: a perspective not asked is not a quiet one.
                asked_by_perspective.update({(week, p): counts.get(p, 0) for p in PERSPECTIVES})
            roles = uow.members.roles_by_id(workspace_id, journey_id)
            cells = uow.answers.phase_perspective_means(workspace_id, journey_id, iso_week)
            # What the digests of the weeks just before advised: advice open for weeks folds.
            shown_before = []
            for back in range(1, nudges.FOLD_AFTER + 1):
                week = shift_week(iso_week, -back)
                stored = uow.digests.get(workspace_id, journey_id, week)
                before = DigestView.from_dict(stored.payload).nudges if stored else ()
                shown_before.append((week, before))
            first_day = week_monday(iso_week) - timedelta(weeks=TOUCHPOINT_WEEKS - 1)
            last_day = week_monday(iso_week) + timedelta(days=6)
            touchpoints = [
                tp
                for tp in uow.touchpoints.list(workspace_id, journey_id, since=first_day)
                if tp.happened_on <= last_day
            ]
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
        chosen = nudges.select(nudges.fire(view, context))
        return replace(view, nudges=nudges.fold(chosen, shown_before))

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
        due_at: datetime | None = None,
    ) -> bool:
        """Send last week's digest to every director and learning professional, once.

        The week reported is the one before `due_at` (when the digest ritual fell due;
        default `now`), so a digest sent late after downtime still reports its own week.

        Returns True for the one call that claims it; a second trigger for the same journey
        and week (a retry, a second replica) returns False and sends nothing. Claiming plans
        one message per recipient in the same transaction; each is then sent and marked on
        its own, and what a crash, a rate limit or a time-out left unsent goes out on a
        later `send_pending` (every scheduler pass calls it). So nobody loses a week's
        digest; only a crash between a send and its mark can send one message twice.
        """
        if self.sender is None:
            raise NoDigestSender("no chat platform to send the digest with")
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            week = self.week_to_send(journey, due_at or now)
            stored = uow.digests.get(workspace_id, journey_id, week)
        if week_bounds(week, journey.timezone)[1] <= journey.started_at:
            return False  # the journey had not started that week: nothing to report
        if stored is not None and stored.sent_at is not None:
            return False
        self.build(workspace_id, journey_id, week)
        with self._uow() as uow:
            claimed = uow.digests.claim_send(workspace_id, journey_id, week, now)
            if claimed:
                recipients: list[tuple[str, int | None]] = [
                    (f"member:{m.id}", m.id)
                    for m in uow.members.list(workspace_id, journey_id)
                    if m.roles & RECIPIENTS
                ]
                if leadership_channel:
                    recipients.append((f"channel:{leadership_channel}", None))
                uow.digests.plan_sends(workspace_id, journey_id, week, recipients)
            uow.commit()
        if not claimed:
            return False
        self.send_pending(now, journey_id=journey_id)
        return True

    def send_pending(self, now: datetime, journey_id: int | None = None) -> int:
        """Send planned digest messages that have not gone out yet; returns how many went.

        A message claimed by a sender that has not finished within SEND_LEASE (it
        crashed) is taken again. A temporary failure leaves it pending, tried again after
        `retry_after(attempts)` (2, 4, 8 … minutes, at most an hour: Slack down for hours
        still loses nothing), up to MAX_SEND_ATTEMPTS; someone unreachable is marked failed
        at once.
        """
        if self.sender is None:
            return 0
        stale_before = now - SEND_LEASE
        with self._uow() as uow:
            due = [
                send
                for send in uow.digests.due_sends(stale_before, journey_id)
                if send.claimed_at is None or send.claimed_at + retry_after(send.attempts) <= now
            ]
        sent = 0
        # What one (journey, week) needs, read once however many recipients it has.
        prepared: dict[tuple[int, str], tuple[DigestView, bytes, Journey, dict[int, Member]]] = {}
        for send in due:
            with self._uow() as uow:
                claimed = uow.digests.claim_recipient(send.id, now, stale_before)
                uow.commit()
            if not claimed:
                continue  # another sender has it
            key = (send.journey_id, send.iso_week)
            if key not in prepared:
                prepared[key] = self._prepare(send)
            view, chart, journey, members = prepared[key]
            status, error = self._send_one(send, view, chart, journey, members)
            with self._uow() as uow:
                if status == "pending" and send.attempts + 1 >= MAX_SEND_ATTEMPTS:
                    status = "failed"
                uow.digests.finish_send(send.id, status, now, error)
                uow.commit()
            sent += status == "sent"
        return sent

    def _prepare(self, send: DigestSend) -> tuple[DigestView, bytes, Journey, dict[int, Member]]:
        """The stored digest of `send`'s week, its chart, the journey and its members."""
        with self._uow() as uow:
            journey = self._journey(uow, send.workspace_id, send.journey_id)
            stored = uow.digests.get(send.workspace_id, send.journey_id, send.iso_week)
            members = {
                m.id: m
                for m in uow.members.list(send.workspace_id, send.journey_id)
                if m.id is not None
            }
        view = (
            DigestView.from_dict(stored.payload)
            if stored is not None
            else self.compute(send.workspace_id, send.journey_id, send.iso_week)
        )
        chart = self._chart(view) if self._chart else b""
        return view, chart, journey, members

    def _send_one(
        self,
        send: DigestSend,
        view: DigestView,
        chart: bytes,
        journey: Journey,
        members: dict[int, Member],
    ) -> tuple[str, str | None]:
        """Send one planned message: ("sent" | "pending" | "failed", error)."""
        assert self.sender is not None
        target: Member | str
        if send.member_id is not None:
            member = members.get(send.member_id)
            if member is None:
                return "failed", "no longer a member"
            if not member.roles & RECIPIENTS:
                return "failed", "no longer a director or learning professional"
            target = member
            view = replace(view, language=member.language or journey.language)
        else:
            target = send.recipient.partition(":")[2]
        try:
            self.sender.send_digest(target, view, chart)
        except Unreachable as exc:
            log.warning("digest %s not delivered to %s: %s", send.iso_week, send.recipient, exc)
            return "failed", type(exc).__name__
        except DeliveryFailed as exc:
            log.warning(
                "digest %s to %s failed (attempt %d), will retry: %s",
                send.iso_week,
                send.recipient,
                send.attempts + 1,
                type(exc).__name__,
            )
            return "pending", f"{type(exc).__name__}: {exc}"
        return "sent", None
