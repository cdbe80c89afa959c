"""Journey lifecycle rules: phase moves, roles, history, touchpoints."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import FixedClock
from bot.domain import errors
from bot.domain.journeys import JourneyService, PhaseTarget
from bot.domain.model import Language, Phase, Role, Stage
from prompts.messages import say

NEXT = PhaseTarget(direction="next")
BACK = PhaseTarget(direction="back")


def start(journeys: JourneyService, workspace_id: int, channel: str = "C1") -> int:
    journey = journeys.start(workspace_id, channel, "Plant Eindhoven", starter="UFAC")
    assert journey.id is not None
    return journey.id


def test_phases_and_stages_follow_the_method() -> None:
    assert list(Phase) == [Phase.AWARENESS, Phase.INTEREST, Phase.DESIRE, Phase.ACTION]
    assert [p.stage for p in Phase] == [
        Stage.WAKING_UP,
        Stage.WAKING_UP,
        Stage.WARMING_UP,
        Stage.WARMING_UP,
    ]
    assert Phase.AWARENESS.previous() is None and Phase.ACTION.next() is None


def test_start_makes_the_starter_facilitator_and_begins_in_awareness(
    journeys: JourneyService, workspace_id: int
) -> None:
    jid = start(journeys, workspace_id)
    journey = journeys.get(workspace_id, jid)
    assert journey.phase is Phase.AWARENESS
    assert journey.language is Language.EN
    member = journeys.member(workspace_id, jid, "UFAC")
    assert member is not None and member.roles == {Role.FACILITATOR}


def test_one_journey_per_channel(journeys: JourneyService, workspace_id: int) -> None:
    start(journeys, workspace_id)
    with pytest.raises(errors.JourneyExists):
        start(journeys, workspace_id)


@pytest.mark.parametrize(
    ("name", "timezone", "k", "error"),
    [
        ("", "Europe/Amsterdam", 5, errors.InvalidName),
        ("x" * 81, "Europe/Amsterdam", 5, errors.InvalidName),
        ("Plant", "Mars/Olympus", 5, errors.InvalidTimezone),
        ("Plant", "Europe/Amsterdam", 2, errors.InvalidThreshold),
    ],
)
def test_start_refuses_bad_input(
    journeys: JourneyService,
    workspace_id: int,
    name: str,
    timezone: str,
    k: int,
    error: type[errors.DomainError],
) -> None:
    with pytest.raises(error):
        journeys.start(
            workspace_id, "C9", name, starter="U", timezone=timezone, anonymity_threshold=k
        )


def test_forward_through_every_phase_keeps_history(
    journeys: JourneyService, workspace_id: int, clock: FixedClock
) -> None:
    jid = start(journeys, workspace_id)
    for expected in (Phase.INTEREST, Phase.DESIRE, Phase.ACTION):
        clock.advance(timedelta(days=14))
        change = journeys.move_phase(workspace_id, jid, "UFAC", NEXT, "signals met")
        assert change.to_phase is expected
        assert journeys.get(workspace_id, jid).phase_since == clock.now()
    with pytest.raises(errors.NoNextPhase):
        journeys.move_phase(workspace_id, jid, "UFAC", NEXT)
    history = journeys.history(workspace_id, jid)
    assert [(c.from_phase, c.to_phase) for c in history] == [
        (Phase.AWARENESS, Phase.INTEREST),
        (Phase.INTEREST, Phase.DESIRE),
        (Phase.DESIRE, Phase.ACTION),
    ]
    facilitator = journeys.member(workspace_id, jid, "UFAC")
    assert facilitator is not None
    assert all(c.actor_member_id == facilitator.id and c.reason == "signals met" for c in history)
    assert history[0].at < history[1].at < history[2].at


def test_back_needs_a_reason_and_stops_at_awareness(
    journeys: JourneyService, workspace_id: int
) -> None:
    jid = start(journeys, workspace_id)
    with pytest.raises(errors.NoPreviousPhase):
        journeys.move_phase(workspace_id, jid, "UFAC", BACK, "why not")
    journeys.move_phase(workspace_id, jid, "UFAC", NEXT)
    with pytest.raises(errors.ReasonRequired):
        journeys.move_phase(workspace_id, jid, "UFAC", BACK)
    change = journeys.move_phase(workspace_id, jid, "UFAC", BACK, "  no picture   yet ")
    assert (change.from_phase, change.to_phase, change.reason) == (
        Phase.INTEREST,
        Phase.AWARENESS,
        "no picture yet",
    )
    assert journeys.get(workspace_id, jid).phase is Phase.AWARENESS


def test_named_phase_rules(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    with pytest.raises(errors.AlreadyInPhase):
        journeys.move_phase(workspace_id, jid, "UFAC", PhaseTarget(phase=Phase.AWARENESS))
    # One step forward by name needs no reason; skipping does.
    journeys.move_phase(workspace_id, jid, "UFAC", PhaseTarget(phase=Phase.INTEREST))
    with pytest.raises(errors.ReasonRequired):
        journeys.move_phase(workspace_id, jid, "UFAC", PhaseTarget(phase=Phase.ACTION))
    journeys.move_phase(workspace_id, jid, "UFAC", PhaseTarget(phase=Phase.ACTION), "pilot ran")
    assert journeys.get(workspace_id, jid).phase is Phase.ACTION


def test_phase_target_parsing() -> None:
    assert PhaseTarget.parse("Next") == NEXT
    assert PhaseTarget.parse("terug") == BACK
    assert PhaseTarget.parse("desire") == PhaseTarget(phase=Phase.DESIRE)
    with pytest.raises(errors.NotFound):
        PhaseTarget.parse("sideways")


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.FACILITATOR])
def test_only_facilitators_move_phases(
    journeys: JourneyService, workspace_id: int, role: Role
) -> None:
    jid = start(journeys, workspace_id)
    journeys.change_roles(workspace_id, jid, "UFAC", ["UOTHER"], add=[role])
    with pytest.raises(errors.NotAllowed) as refused:
        journeys.move_phase(workspace_id, jid, "UOTHER", NEXT)
    assert refused.value.params["allowed"] == [Role.FACILITATOR]
    assert "facilitator" in say(refused.value, "en")
    assert journeys.get(workspace_id, jid).phase is Phase.AWARENESS
    assert journeys.history(workspace_id, jid) == []


def test_strangers_cannot_move_phases(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    with pytest.raises(errors.NotAllowed):
        journeys.move_phase(workspace_id, jid, "USTRANGER", NEXT)


def test_roles_many_at_once_add_and_remove(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    journeys.change_roles(
        workspace_id, jid, "UFAC", ["U1", "U2", "U1"], add=[Role.FOLLOWER, Role.FRONTRUNNER]
    )
    journeys.change_roles(workspace_id, jid, "UFAC", ["U2"], remove=[Role.FOLLOWER])
    roles = {m.user: m.roles for m in journeys.members(workspace_id, jid)}
    assert roles["U1"] == {Role.FOLLOWER, Role.FRONTRUNNER}
    assert roles["U2"] == {Role.FRONTRUNNER}


def test_only_facilitators_assign_roles(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    journeys.join(workspace_id, jid, "U1")
    with pytest.raises(errors.NotAllowed):
        journeys.change_roles(workspace_id, jid, "U1", ["U1"], add=[Role.DIRECTOR])
    member = journeys.member(workspace_id, jid, "U1")
    assert member is not None and member.roles == {Role.FOLLOWER}


def test_a_journey_keeps_a_facilitator(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    with pytest.raises(errors.LastFacilitator):
        journeys.change_roles(workspace_id, jid, "UFAC", ["UFAC"], remove=[Role.FACILITATOR])
    with pytest.raises(errors.LastFacilitator):
        journeys.forget(workspace_id, jid, "UFAC")
    journeys.change_roles(workspace_id, jid, "UFAC", ["U2"], add=[Role.FACILITATOR])
    journeys.change_roles(workspace_id, jid, "UFAC", ["UFAC"], remove=[Role.FACILITATOR])
    member = journeys.member(workspace_id, jid, "UFAC")
    assert member is not None and Role.FACILITATOR not in member.roles


def test_join_is_idempotent(journeys: JourneyService, workspace_id: int) -> None:
    jid = start(journeys, workspace_id)
    first = journeys.join(workspace_id, jid, "U1")
    again = journeys.join(workspace_id, jid, "U1")
    assert first.id == again.id
    assert len(journeys.members(workspace_id, jid)) == 2


def test_touchpoints_are_dated_in_journey_time(
    journeys: JourneyService, workspace_id: int, clock: FixedClock, uow: object
) -> None:
    jid = start(journeys, workspace_id)
    tp = journeys.log_touchpoint(workspace_id, jid, "UFAC", "Visited the  fieldlab in Eindhoven")
    assert tp.note == "Visited the fieldlab in Eindhoven"
    assert tp.happened_on == date(2026, 11, 30)
    with pytest.raises(errors.InvalidText):
        journeys.log_touchpoint(workspace_id, jid, "UFAC", "   ")
    with pytest.raises(errors.NotAllowed):
        journeys.log_touchpoint(workspace_id, jid, "USTRANGER", "a visit")


def test_errors_speak_both_languages() -> None:
    error = errors.NotAllowed(action="phase", allowed=[Role.FACILITATOR])
    assert say(error, "en") == "Only a facilitator may do that."
    assert say(error, "nl") == "Alleen een facilitator mag dat doen."
    two = errors.NotAllowed(action="digest", allowed=[Role.DIRECTOR, Role.FACILITATOR])
    assert say(two, "nl") == "Alleen een directeur of facilitator mag dat doen."
