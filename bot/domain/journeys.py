"""Journey lifecycle: start, roles, phase moves with history, ecosystem touchpoints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import errors
from bot.domain.digest.texts import erase_quotes
from bot.domain.model import (
    DEFAULT_ANONYMITY_THRESHOLD,
    MIN_ANONYMITY_THRESHOLD,
    Journey,
    Language,
    Member,
    Phase,
    PhaseChange,
    Role,
    Touchpoint,
    TouchpointKind,
)
from bot.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory

MAX_NAME_LENGTH = 80
MAX_REASON_LENGTH = 500
MAX_NOTE_LENGTH = 1000

# A phase as typed, in either language ("awareness" is also the Dutch name of the phase).
PHASE_WORDS: dict[str, Phase] = {p.value: p for p in Phase} | {
    "bewustwording": Phase.AWARENESS,
    "bewustzijn": Phase.AWARENESS,
    "interesse": Phase.INTEREST,
    "verlangen": Phase.DESIRE,
    "actie": Phase.ACTION,
}

# Who may do what; the refusal names these roles.
FACILITATORS = frozenset({Role.FACILITATOR})
DIGEST_READERS = frozenset({Role.FACILITATOR, Role.DIRECTOR, Role.LEARNING})


def validate_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise errors.InvalidTimezone(timezone=name) from exc
    return name


def validate_threshold(k: int) -> int:
    if k < MIN_ANONYMITY_THRESHOLD:
        raise errors.InvalidThreshold(minimum=MIN_ANONYMITY_THRESHOLD)
    return k


def require_role(
    member: Member | None, allowed: frozenset[Role], action: str, admin: bool = False
) -> Member | None:
    """The member, when their roles allow `action`. A workspace admin (`admin`, as their
    chat platform says) may act as facilitator of any journey, member or not."""
    if admin and Role.FACILITATOR in allowed:
        return member
    if member is None or not (member.roles & allowed):
        raise errors.NotAllowed(action=action, allowed=sorted(allowed))
    return member


@dataclass(frozen=True)
class PhaseTarget:
    """Where a facilitator wants to go: `next`, `back`, or a named phase."""

    direction: str | None = None  # "next" | "back"
    phase: Phase | None = None

    @classmethod
    def parse(cls, word: str) -> PhaseTarget:
        word = word.strip().lower()
        if word in ("next", "volgende", "forward", "verder"):
            return cls(direction="next")
        if word in ("back", "terug", "previous", "vorige"):
            return cls(direction="back")
        phase = PHASE_WORDS.get(word)
        if phase is not None:
            return cls(phase=phase)
        raise errors.NotFound(what=word or "?")


class JourneyService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # -- lookups -----------------------------------------------------------------------
    @staticmethod
    def _journey(uow: UnitOfWork, workspace_id: int, journey_id: int) -> Journey:
        journey = uow.journeys.get(workspace_id, journey_id)
        if journey is None:
            raise errors.NoJourney()
        return journey

    def journey_for_channel(self, workspace_id: int, channel: str) -> Journey:
        with self._uow() as uow:
            journey = uow.journeys.by_channel(workspace_id, channel)
        if journey is None:
            raise errors.NoJourney()
        return journey

    def get(self, workspace_id: int, journey_id: int) -> Journey:
        with self._uow() as uow:
            return self._journey(uow, workspace_id, journey_id)

    def members(self, workspace_id: int, journey_id: int) -> list[Member]:
        with self._uow() as uow:
            return list(uow.members.list(workspace_id, journey_id))

    def member(self, workspace_id: int, journey_id: int, user: str) -> Member | None:
        with self._uow() as uow:
            return uow.members.by_user(workspace_id, journey_id, user)

    def history(self, workspace_id: int, journey_id: int) -> list[PhaseChange]:
        with self._uow() as uow:
            return list(uow.journeys.phase_history(workspace_id, journey_id))

    # -- lifecycle ---------------------------------------------------------------------
    def start(
        self,
        workspace_id: int,
        channel: str,
        name: str,
        starter: str,
        language: Language = Language.EN,
        timezone: str = "Europe/Amsterdam",
        anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD,
        starter_name: str = "",
    ) -> Journey:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME_LENGTH:
            raise errors.InvalidName(max=MAX_NAME_LENGTH)
        validate_timezone(timezone)
        validate_threshold(anonymity_threshold)
        now = self._clock.now()
        with self._uow() as uow:
            existing = uow.journeys.by_channel(workspace_id, channel)
            if existing is not None:
                raise errors.JourneyExists(name=existing.name)
            journey = uow.journeys.add(
                Journey(
                    workspace_id=workspace_id,
                    name=name,
                    channel=channel,
                    language=Language(language),
                    timezone=timezone,
                    phase=Phase.AWARENESS,
                    phase_since=now,
                    started_at=now,
                    anonymity_threshold=anonymity_threshold,
                )
            )
            assert journey.id is not None
            uow.members.add(
                Member(
                    workspace_id=workspace_id,
                    journey_id=journey.id,
                    user=starter,
                    roles={Role.FACILITATOR},
                    display_name=starter_name,
                )
            )
            uow.commit()
        return journey

    def move_phase(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        target: PhaseTarget,
        reason: str = "",
        admin: bool = False,
    ) -> PhaseChange:
        """Move forward, back or to a named phase. Facilitators only; history is kept."""
        reason = " ".join(reason.split())[:MAX_REASON_LENGTH]
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            member = require_role(
                uow.members.by_user(workspace_id, journey_id, actor), FACILITATORS, "phase", admin
            )
            if member is None:
                # A workspace admin outside the journey: the history still says who moved
                # it, through a membership without roles (no prompts, not in any audience).
                member = uow.members.add(
                    Member(workspace_id=workspace_id, journey_id=journey_id, user=actor)
                )
            current = journey.phase
            if target.direction == "next":
                to = current.next()
                if to is None:
                    raise errors.NoNextPhase(phase=current)
            elif target.direction == "back":
                to = current.previous()
                if to is None:
                    raise errors.NoPreviousPhase(phase=current)
            else:
                assert target.phase is not None
                to = target.phase
                if to is current:
                    raise errors.AlreadyInPhase(phase=current)
            # Going back, or skipping a phase, is a decision others will want to understand.
            if (to.order < current.order or abs(to.order - current.order) > 1) and not reason:
                raise errors.ReasonRequired()
            now = self._clock.now()
            assert member.id is not None
            change = uow.journeys.add_phase_change(
                PhaseChange(
                    journey_id=journey_id,
                    actor_member_id=member.id,
                    at=now,
                    from_phase=current,
                    to_phase=to,
                    reason=reason,
                )
            )
            journey.phase = to
            journey.phase_since = now
            uow.journeys.save(journey)
            uow.commit()
        return change

    def set_language(self, workspace_id: int, journey_id: int, user: str, language: str) -> Member:
        lang = Language(language)
        with self._uow() as uow:
            member = uow.members.by_user(workspace_id, journey_id, user)
            if member is None:
                raise errors.NotFound(what=user)
            member.language = lang
            uow.members.save(member)
            uow.commit()
        return member

    # -- roles ---------------------------------------------------------------------
    def join(self, workspace_id: int, journey_id: int, user: str, display_name: str = "") -> Member:
        """Anyone may join a journey as a follower; joining twice changes nothing."""
        with self._uow() as uow:
            self._journey(uow, workspace_id, journey_id)
            member = uow.members.by_user(workspace_id, journey_id, user)
            if member is None:
                member = uow.members.add(
                    Member(
                        workspace_id=workspace_id,
                        journey_id=journey_id,
                        user=user,
                        roles={Role.FOLLOWER},
                        display_name=display_name,
                    )
                )
            elif not member.roles:
                member.roles = {Role.FOLLOWER}
                uow.members.save(member)
            uow.commit()
        return member

    def change_roles(
        self,
        workspace_id: int,
        journey_id: int,
        actor: str,
        users: Iterable[str],
        add: Iterable[Role] = (),
        remove: Iterable[Role] = (),
        admin: bool = False,
    ) -> list[Member]:
        """Give or take roles; facilitators only. A journey always keeps a facilitator."""
        add_set, remove_set = set(add), set(remove)
        changed: list[Member] = []
        with self._uow() as uow:
            self._journey(uow, workspace_id, journey_id)
            actor_member = uow.members.by_user(workspace_id, journey_id, actor)
            require_role(actor_member, FACILITATORS, "role", admin)
            for user in dict.fromkeys(users):
                member = uow.members.by_user(workspace_id, journey_id, user)
                if member is None:
                    member = uow.members.add(
                        Member(workspace_id=workspace_id, journey_id=journey_id, user=user)
                    )
                member.roles = (member.roles | add_set) - remove_set
                uow.members.save(member)
                changed.append(member)
            facilitators = [
                m for m in uow.members.list(workspace_id, journey_id) if m.has(Role.FACILITATOR)
            ]
            if not facilitators:
                raise errors.LastFacilitator()
            uow.commit()
        return changed

    def forget(self, workspace_id: int, journey_id: int, user: str) -> bool:
        """Erase a member, every answer they gave and their words wherever they were kept:
        quoted in stored digests (sent or not), in touchpoints and phase moves. Aggregates
        already published stay."""
        with self._uow() as uow:
            member = uow.members.by_user(workspace_id, journey_id, user)
            if member is None:
                return False
            others = [
                m
                for m in uow.members.list(workspace_id, journey_id)
                if m.has(Role.FACILITATOR) and m.id != member.id
            ]
            if member.has(Role.FACILITATOR) and not others:
                raise errors.LastFacilitator()
            assert member.id is not None
            mine = [a for a in uow.answers.for_member(workspace_id, member.id) if a.text]
            ids = {a.id for a in mine if a.id is not None}
            texts = [a.text for a in mine if a.text]
            for stored in uow.digests.for_journey(workspace_id, journey_id):
                redacted = erase_quotes(stored, ids, texts)
                if redacted is not None:
                    uow.digests.redact(workspace_id, journey_id, redacted)
            uow.members.delete(workspace_id, member.id)
            uow.commit()
        return True

    # -- ecosystem -----------------------------------------------------------------------
    def log_touchpoint(
        self,
        workspace_id: int,
        journey_id: int,
        user: str,
        note: str,
        happened_on: date | None = None,
        kind: TouchpointKind = TouchpointKind.OTHER,
    ) -> Touchpoint:
        note = " ".join(note.split())
        if not note or len(note) > MAX_NOTE_LENGTH:
            raise errors.InvalidText(max=MAX_NOTE_LENGTH)
        now = self._clock.now()
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            member = uow.members.by_user(workspace_id, journey_id, user)
            if member is None:
                raise errors.NotAllowed(action="ecosystem", allowed=sorted(Role))
            touchpoint = uow.touchpoints.add(
                Touchpoint(
                    workspace_id=workspace_id,
                    journey_id=journey.id or journey_id,
                    happened_on=happened_on or now.astimezone(ZoneInfo(journey.timezone)).date(),
                    note=note,
                    logged_by_member_id=member.id,
                    logged_at=now,
                    kind=kind,
                )
            )
            uow.commit()
        return touchpoint
