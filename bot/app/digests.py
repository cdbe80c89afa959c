"""The digest service: build, store, show and send the weekly digest of a journey."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app.digest_input import gather, is_closed
from bot.domain import errors
from bot.domain.digest import nudges
from bot.domain.digest.analysis import DigestInput, analyse, figures_of
from bot.domain.digest.published import WeekFigures, concern_writers
from bot.domain.digest.texts import ThemeRule, pick_quotes, quote_seed
from bot.domain.digest.view import DigestView, Headcount, HumanSide
from bot.domain.digest.weeks import (
    WeekNotOver,
    local_week,
    parse_week,
    shift_week,
    week_bounds,
    weeks_between,
)
from bot.domain.errors import DeliveryFailed, Unreachable
from bot.domain.journeys import DIGEST_READERS, require_role
from bot.domain.model import Journey, Member, Role
from bot.domain.ports import (
    Clock,
    DigestPublished,
    DigestSender,
    UnitOfWork,
    UnitOfWorkFactory,
)
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


def _concerns(figures: WeekFigures, data: DigestInput, iso_week: str) -> int:
    """People who wrote a concern in a week: as published, else from the texts read."""
    if figures.concerns is not None:
        return figures.concerns
    return concern_writers(data.texts, iso_week)


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
        on_published: DigestPublished | None = None,
    ) -> None:
        self._uow = uow
        self._on_published = on_published
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
        """The digest for a week as the answers say now; the digest itself is not stored
        (the figures of closed weeks are: fixed the first time they are computed)."""
        return self._compute(workspace_id, journey_id, iso_week, preview)[0]

    def _compute(
        self, workspace_id: int, journey_id: int, iso_week: str, preview: bool = False
    ) -> tuple[DigestView, tuple[int | None, ...]]:
        """The digest, and the answers its quotes came from (kept for erasure)."""
        iso_week = parse_week(iso_week)
        data = gather(
            self._uow, self._clock.now(), workspace_id, journey_id, iso_week, self._themes, preview
        )
        view = analyse(data)
        journey, last_week = data.journey, shift_week(iso_week, -1)
        first_week = local_week(journey.started_at, journey.timezone)
        figures = figures_of(data)
        context = nudges.NudgeContext(
            has_learning_professional=any(Role.LEARNING in r for r in data.roles.values()),
            journey_weeks=weeks_between(first_week, iso_week) + 1,
            concerns_now=_concerns(figures[iso_week], data, iso_week),
            concerns_before=_concerns(figures[last_week], data, last_week),
        )
        week_texts = [t for t in data.texts if t.iso_week == iso_week]
        seed = quote_seed(view.journey_id, iso_week)
        sources = tuple(t.answer_id for t in pick_quotes(view.k, week_texts, seed))
        chosen = nudges.select(nudges.fire(view, context))
        human = HumanSide(
            Headcount.of(context.concerns_now, view.k),
            Headcount.of(figures[iso_week].no_next_step, view.k),
        )
        folded = nudges.fold(chosen, data.shown_before)
        return replace(view, nudges=folded, human=human), sources

    # -- the public operations ---------------------------------------------------------------
    def build(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView:
        """Compute the week's digest and store it. A digest sent, or stored after its week
        ended, is final: building it again returns it as stored, so what readers saw once is
        what they see again (bot/domain/digest/published.py says why)."""
        iso_week = parse_week(iso_week)
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            stored = uow.digests.get(workspace_id, journey_id, iso_week)
        if stored is not None and (
            stored.sent_at is not None
            or stored.created_at >= week_bounds(iso_week, journey.timezone)[1]
        ):
            return DigestView.from_dict(stored.payload)
        view, sources = self._compute(workspace_id, journey_id, iso_week)
        with self._uow() as uow:
            uow.digests.save(
                workspace_id, journey_id, view.iso_week, view.to_dict(), view.generated_at, sources
            )
            uow.commit()
        return view

    def get_stored(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView | None:
        with self._uow() as uow:
            self._journey(uow, workspace_id, journey_id)
            stored = uow.digests.get(workspace_id, journey_id, parse_week(iso_week))
        return DigestView.from_dict(stored.payload) if stored else None

    def show(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestView:
        """A week's digest as stored, else built and stored now; once the week has ended
        (before, its figures would change under a reader's eyes)."""
        iso_week = parse_week(iso_week)
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
        ends = week_bounds(iso_week, journey.timezone)[1]
        if not is_closed(iso_week, journey.timezone, self._clock.now()):
            day = ends.astimezone(ZoneInfo(journey.timezone)).date()
            raise WeekNotOver(week=iso_week, day=day.isoformat())
        return self.get_stored(workspace_id, journey_id, iso_week) or self.build(
            workspace_id, journey_id, iso_week
        )

    def preview(self, workspace_id: int, journey_id: int, actor: str | None = None) -> DigestView:
        """The latest digest: that of the last week that has ended, as it is (or will be)
        sent, stored from now on. The week in progress is shown to nobody: shown twice while
        people answer, two of its figures would reveal the answers that came in between.
        With `actor`, readers only."""
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            if actor is not None:
                require_role(
                    uow.members.by_user(workspace_id, journey_id, actor), DIGEST_READERS, "digest"
                )
        this_week = local_week(self._clock.now(), journey.timezone)
        week = shift_week(this_week, -1)
        if week_bounds(week, journey.timezone)[1] <= journey.started_at:
            week = this_week  # the journey's first week: nothing has ended yet
        return replace(self.show(workspace_id, journey_id, week), preview=True)

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
        and week (a retry, a second replica) returns False and sends nothing; the one claim
        also tells `on_published` (the webhook), once. Claiming plans
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
                # The leaders' channel a facilitator chose (`/pioneer digest channel`).
                channel = leadership_channel or journey.leadership_channel
                if channel:
                    recipients.append((f"channel:{channel}", None))
                uow.digests.plan_sends(workspace_id, journey_id, week, recipients)
            published = uow.digests.get(workspace_id, journey_id, week) if claimed else None
            uow.commit()
        if not claimed:
            return False
        if self._on_published is not None and published is not None:
            self._tell_published(workspace_id, DigestView.from_dict(published.payload))
        self.send_pending(now, journey_id=journey_id)
        return True

    def _tell_published(self, workspace_id: int, view: DigestView) -> None:
        """Hand the published digest on (the webhook); its failure is never the digest's."""
        assert self._on_published is not None
        try:
            self._on_published(workspace_id, view)
        except Exception:
            log.exception(
                "digest %s of journey %d: on_published failed", view.iso_week, view.journey_id
            )

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
            view = replace(
                view,
                language=member.language or journey.language,
                for_steward=Role.LEARNING in member.roles,
            )
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
