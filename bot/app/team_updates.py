"""You said, we did: record what leadership did, and send every member the fortnight's update.

Sending follows the digest's outbox: when the fortnight's ritual falls due, one message per
member is planned in one transaction (planning again plans nothing new), then each is
claimed, sent and marked on its own; what a crash, a rate limit or a time-out left unsent
goes out on a later scheduler pass. The update itself is read, not stored: the weeks it
reports are over, their digests are stored and the actions of those weeks are recorded, so
a message sent late says the same as one sent on time.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.app.digests import MAX_SEND_ATTEMPTS, SEND_LEASE, retry_after
from bot.app.free_text import refuse_unsafe_characters
from bot.domain import errors
from bot.domain.digest.texts import quote_text
from bot.domain.digest.view import DigestView
from bot.domain.digest.weeks import local_week, shift_week, week_bounds
from bot.domain.errors import DeliveryFailed, Unreachable
from bot.domain.journeys import require_role
from bot.domain.model import Journey, Language, Member
from bot.domain.ports import Clock, DigestSender, UnitOfWorkFactory
from bot.domain.records import DigestSend
from bot.domain.team_update import (
    ACTION_LENGTH,
    DOERS,
    FORTNIGHT,
    LeadershipAction,
    TeamUpdateView,
    new_action,
    team_update,
)
from prompts.messages import t

log = logging.getLogger(__name__)


def recorded_text(action: LeadershipAction, language: Language) -> str:
    """What the person who recorded `action` is told: it, as the team will read it."""
    text = quote_text(action.text, ACTION_LENGTH)
    if action.signal:
        signal = t(f"signal.{action.signal}", language)
        return t("cmd.did.recorded.about", language, text=text, signal=signal)
    return t("cmd.did.recorded", language, text=text)


def fortnight(iso_week: str) -> list[str]:
    """The weeks a team update ending with `iso_week` reports, oldest first."""
    return [shift_week(iso_week, -back) for back in range(FORTNIGHT - 1, -1, -1)]


class TeamUpdateService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, sender: DigestSender | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.sender = sender

    # -- what leadership did ------------------------------------------------------------------
    def record(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        text: str,
        rule: str = "",
        signal: str = "",
        admin: bool = False,  # a workspace admin, who may act as facilitator
    ) -> LeadershipAction:
        """A director or facilitator records what was done (about the nudge `rule`)."""
        refuse_unsafe_characters(text)
        with self._uow() as uow:
            if uow.journeys.get(workspace_id, journey_id) is None:
                raise errors.NoJourney()
            member = require_role(
                uow.members.by_user(workspace_id, journey_id, actor), DOERS, "did", admin
            )
            who = member.id if member is not None else None
            action = new_action(
                workspace_id, journey_id, who, text, self._clock.now(), rule, signal
            )
            saved = uow.team_updates.add_action(action)
            uow.commit()
        return saved

    # -- the update ----------------------------------------------------------------------------
    def view(self, workspace_id: int, journey_id: int, iso_week: str) -> TeamUpdateView:
        """The update for the fortnight ending with `iso_week`, in the journey's language."""
        with self._uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            if journey is None:
                raise errors.NoJourney()
            weeks = fortnight(iso_week)
            digests = []
            for week in weeks:
                stored = uow.digests.get(workspace_id, journey_id, week)
                if stored is not None:
                    digests.append(DigestView.from_dict(stored.payload))
            start = week_bounds(weeks[0], journey.timezone)[0]
            end = week_bounds(weeks[-1], journey.timezone)[1]
            actions = uow.team_updates.actions(workspace_id, journey_id, start, end)
        return team_update(journey, iso_week, digests, actions)

    def planned_weeks(self, workspace_id: int, journey_id: int) -> list[str]:
        """The fortnights (by their last week) whose update went, or is going, to the members,
        oldest first: the ones a member may read back."""
        with self._uow() as uow:
            return list(uow.team_updates.planned_weeks(workspace_id, journey_id))

    def send_fortnightly(
        self, workspace_id: int, journey_id: int, now: datetime, due_at: datetime | None = None
    ) -> bool:
        """Plan the fortnight's update for every member, then send what is planned.

        The fortnight is the two weeks before the one `due_at` falls in (default `now`), so
        an update sent late after downtime still reports its own weeks. Sent even when
        nobody recorded anything: the update then says so.
        """
        if self.sender is None:
            return False
        with self._uow() as uow:
            journey = uow.journeys.get(workspace_id, journey_id)
            if journey is None:
                raise errors.NoJourney()
            week = shift_week(local_week(due_at or now, journey.timezone), -1)
            if week_bounds(week, journey.timezone)[1] <= journey.started_at:
                return False  # the journey had not started yet: nothing to tell
            recipients: list[tuple[str, int | None]] = [
                (f"member:{m.id}", m.id)
                for m in uow.members.list(workspace_id, journey_id)
                if m.id is not None
            ]
            uow.team_updates.plan_sends(workspace_id, journey_id, week, recipients)
            uow.commit()
        return self.send_pending(now, journey_id=journey_id) > 0

    def send_pending(self, now: datetime, journey_id: int | None = None) -> int:
        """Send planned updates not sent yet (as DigestService.send_pending); how many went."""
        if self.sender is None:
            return 0
        stale_before = now - SEND_LEASE
        with self._uow() as uow:
            due = [
                send
                for send in uow.team_updates.due_sends(stale_before, journey_id)
                if send.claimed_at is None or send.claimed_at + retry_after(send.attempts) <= now
            ]
        sent = 0
        prepared: dict[tuple[int, str], tuple[TeamUpdateView, Journey, dict[int, Member]]] = {}
        for send in due:
            with self._uow() as uow:
                claimed = uow.team_updates.claim_recipient(send.id, now, stale_before)
                uow.commit()
            if not claimed:
                continue  # another sender has it
            key = (send.journey_id, send.iso_week)
            if key not in prepared:
                prepared[key] = self._prepare(send)
            status, error = self._send_one(send, *prepared[key])
            with self._uow() as uow:
                if status == "pending" and send.attempts + 1 >= MAX_SEND_ATTEMPTS:
                    status = "failed"
                uow.team_updates.finish_send(send.id, status, now, error)
                uow.commit()
            sent += status == "sent"
        return sent

    def _prepare(self, send: DigestSend) -> tuple[TeamUpdateView, Journey, dict[int, Member]]:
        view = self.view(send.workspace_id, send.journey_id, send.iso_week)
        with self._uow() as uow:
            journey = uow.journeys.get(send.workspace_id, send.journey_id)
            members = {
                m.id: m
                for m in uow.members.list(send.workspace_id, send.journey_id)
                if m.id is not None
            }
        assert journey is not None
        return view, journey, members

    def _send_one(
        self, send: DigestSend, view: TeamUpdateView, journey: Journey, members: dict[int, Member]
    ) -> tuple[str, str | None]:
        assert self.sender is not None
        member = members.get(send.member_id or 0)
        if member is None:
            return "failed", "no longer a member"
        view = replace(view, language=member.language or journey.language)
        try:
            self.sender.send_team_update(member, view)
        except Unreachable as exc:
            log.warning("team update %s not delivered to %s: %s", send.iso_week, member.id, exc)
            return "failed", type(exc).__name__
        except DeliveryFailed as exc:
            log.warning(
                "team update %s to %s failed (attempt %d), will retry: %s",
                send.iso_week,
                member.id,
                send.attempts + 1,
                type(exc).__name__,
            )
            return "pending", f"{type(exc).__name__}: {exc}"
        return "sent", None
