"""One contract, two units of work: the in-memory fake the unit tests run on, and storage's.

Every test here runs against both (`tests/fakes/memory.py` and `storage/uow.py` on the
backend under test), so a repository whose SQL changes while the fake stays behind fails
here rather than letting the unit tests pass on behaviour storage no longer has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.model import (
    Answer,
    Delivery,
    Journey,
    Language,
    Member,
    Perspective,
    Phase,
    PhaseChange,
    PromptKind,
    Role,
    Signal,
    Touchpoint,
)
from bot.domain.ports import UnitOfWorkFactory
from bot.domain.records import JourneySchedule
from bot.domain.rituals import CadenceOverride
from tests.fakes.memory import IntegrityViolation, MemoryUnitOfWorkFactory

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
REFUSED = (IntegrityViolation, IntegrityError)


@pytest.fixture(params=["memory", "sql"])
def factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    if request.param == "memory":
        return MemoryUnitOfWorkFactory()
    sql: UnitOfWorkFactory = request.getfixturevalue("uow")
    return sql


@dataclass
class Tenant:
    workspace_id: int
    journey_id: int
    members: dict[str, int]


def tenant(factory: UnitOfWorkFactory, external_id: str, users: tuple[str, ...]) -> Tenant:
    """A workspace with a journey in channel C1 and a follower for each of `users`."""
    with factory() as tx:
        workspace = tx.workspaces.get_or_create("console", external_id, "Acme")
        assert workspace.id is not None
        journey = tx.journeys.add(
            Journey(
                workspace.id,
                "Plant",
                "C1",
                Language.EN,
                "Europe/Amsterdam",
                Phase.AWARENESS,
                AT,
                AT,
            )
        )
        assert journey.id is not None
        members = {
            user: tx.members.add(Member(workspace.id, journey.id, user, roles={Role.FOLLOWER})).id
            for user in users
        }
        tx.commit()
    return Tenant(workspace.id, journey.id, {u: m for u, m in members.items() if m is not None})


def asked(t: Tenant, user: str) -> dict[str, object]:
    """What a delivery and its answer share: who was asked which prompt, in which phase."""
    return {
        "workspace_id": t.workspace_id,
        "journey_id": t.journey_id,
        "member_id": t.members[user],
        "prompt_id": "aw.tech.curiosity.1",
        "kind": PromptKind.PULSE,
        "phase": Phase.AWARENESS,
        "perspective": Perspective.TECHNOLOGY,
        "signal": Signal.CURIOSITY,
    }


def a_delivery(t: Tenant, user: str, **fields: object) -> Delivery:
    values: dict[str, object] = asked(t, user) | {
        "occurrence": f"2026-W49-{user}",
        "created_at": AT,
        "closes_at": AT + timedelta(days=3),
    }
    return Delivery(**{**values, **fields})  # type: ignore[arg-type]


def an_answer(t: Tenant, user: str, delivery_id: int, **fields: object) -> Answer:
    values: dict[str, object] = asked(t, user) | {
        "delivery_id": delivery_id,
        "roles": frozenset({Role.FOLLOWER}),
        "answered_at": AT,
        "iso_week": "2026-W49",
        "value": 2,
    }
    return Answer(**{**values, **fields})  # type: ignore[arg-type]


def add(factory: UnitOfWorkFactory, delivery: Delivery) -> int:
    with factory() as tx:
        tx.deliveries.add(delivery)
        tx.commit()
    assert delivery.id is not None
    return delivery.id


def test_only_a_commit_keeps_changes_and_callers_hold_copies(factory: UnitOfWorkFactory) -> None:
    with factory() as tx:
        dropped = tx.workspaces.get_or_create("console", "T-GONE")
    assert isinstance(dropped.id, int)
    t = tenant(factory, "T1", ("U1",))
    with factory() as tx:
        gone = tx.workspaces.get(dropped.id)  # SQLite may give its id to the next one
        assert gone is None or gone.external_id == "T1"
        again = tx.workspaces.get_or_create("console", "T1")
        assert (again.id, again.name) == (t.workspace_id, "Acme")
        tx.workspaces.get_or_create("console", "T1", "Acme BV")  # a new name is kept
        member = tx.members.get(t.workspace_id, t.members["U1"])
        assert member is not None
        member.roles.add(Role.DIRECTOR)  # changed, never saved
        tx.commit()
        tx.members.add(Member(t.workspace_id, t.journey_id, "U2"))  # after the commit: dropped
    with factory() as tx:
        workspace = tx.workspaces.get(t.workspace_id)
        assert workspace is not None and workspace.name == "Acme BV"
        assert [m.user for m in tx.members.list(t.workspace_id, t.journey_id)] == ["U1"]
        assert tx.members.roles_by_id(t.workspace_id, t.journey_id) == {
            t.members["U1"]: frozenset({Role.FOLLOWER})
        }


def test_workspaces_are_found_by_platform_id_or_name(factory: UnitOfWorkFactory) -> None:
    with factory() as tx:
        acme = tx.workspaces.get_or_create("slack", "T0ACME", "Acme BV")
        tx.workspaces.get_or_create("teams", "tenant-2", "Other BV")
        tx.commit()
    with factory() as tx:
        assert [w.id for w in tx.workspaces.find("T0ACME")] == [acme.id]
        assert [w.id for w in tx.workspaces.find(" acme bv ")] == [acme.id]
        assert tx.workspaces.find("t0acme") == []  # platform ids are exact
        assert tx.workspaces.find("Nobody") == []


def test_every_read_stays_in_its_workspace(factory: UnitOfWorkFactory) -> None:
    a = tenant(factory, "T-A", ("U1",))
    b = tenant(factory, "T-B", ("U1",))  # the same channel and user ids, another tenant
    delivery = add(factory, a_delivery(a, "U1"))
    with factory() as tx:
        mine = tx.journeys.by_channel(a.workspace_id, "C1")
        assert mine is not None and mine.id == a.journey_id
        assert tx.journeys.by_channel(a.workspace_id, "c1") is None  # ids are exact
        assert tx.journeys.get(b.workspace_id, a.journey_id) is None
        assert [j.id for j in tx.journeys.list(b.workspace_id)] == [b.journey_id]
        assert tx.journeys.workspace_of(a.journey_id) == a.workspace_id  # the operator's look-up
        assert tx.members.get(b.workspace_id, a.members["U1"]) is None
        assert tx.members.by_user(b.workspace_id, a.journey_id, "U1") is None
        assert tx.deliveries.get(b.workspace_id, delivery) is None
        assert tx.deliveries.with_context(b.workspace_id, delivery) is None
        assert list(tx.answers.contexts([(b.workspace_id, delivery)])) == []
        assert tx.rituals.schedule(b.workspace_id, a.journey_id) is None
        tx.rituals.set_paused(b.workspace_id, a.journey_id, True)  # changes no row
        with pytest.raises(LookupError):
            tx.journeys.save(replace(mine, workspace_id=b.workspace_id))
        tx.commit()
    with factory() as tx:
        schedule = tx.rituals.schedule(a.workspace_id, a.journey_id)
        assert schedule is not None and schedule.paused is False


def test_a_journey_saves_what_may_change_and_keeps_its_history_in_order(
    factory: UnitOfWorkFactory,
) -> None:
    t = tenant(factory, "T1", ("UFAC",))
    amsterdam = ZoneInfo("Europe/Amsterdam")
    with factory() as tx:
        journey = tx.journeys.get(t.workspace_id, t.journey_id)
        assert journey is not None
        journey.name, journey.channel, journey.phase = "Renamed", "C9", Phase.INTEREST
        journey.phase_since = datetime(2026, 12, 1, 10, 0, tzinfo=amsterdam)
        tx.journeys.save(journey)
        for reason, at in (("second", AT + timedelta(hours=1)), ("first", AT), ("third", AT)):
            change = PhaseChange(
                t.journey_id, t.members["UFAC"], at, Phase.AWARENESS, Phase.INTEREST, reason
            )
            assert tx.journeys.add_phase_change(change).id is not None
        tx.commit()
    with factory() as tx:
        stored = tx.journeys.get(t.workspace_id, t.journey_id)
        assert stored is not None
        assert (stored.name, stored.channel, stored.phase) == ("Renamed", "C1", Phase.INTEREST)
        assert stored.phase_since == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        assert stored.phase_since.tzinfo == UTC
        history = tx.journeys.phase_history(t.workspace_id, t.journey_id)
        assert [c.reason for c in history] == ["first", "third", "second"]  # by time, then id
        assert tx.journeys.phase_history(t.workspace_id + 1000, t.journey_id) == []
    with pytest.raises(REFUSED), factory() as tx:  # one journey per channel and workspace
        tx.journeys.add(replace(stored, id=None, name="Twin"))


def test_one_answer_per_delivery_and_the_first_stamp_stays(factory: UnitOfWorkFactory) -> None:
    t = tenant(factory, "T1", ("U1",))
    delivery = add(factory, a_delivery(t, "U1"))
    later = AT + timedelta(hours=1)
    with factory() as tx:
        assert tx.answers.contexts([]) == {} and tx.answers.upsert_many([]) == {}
        contexts = tx.answers.contexts([(t.workspace_id, delivery), (t.workspace_id, delivery)])
        assert list(contexts) == [(t.workspace_id, delivery)]
        context = contexts[(t.workspace_id, delivery)]
        assert (context.delivery.id, context.journey.id) == (delivery, t.journey_id)
        assert (context.member.user, context.answer) == ("U1", None)
        first = tx.answers.upsert_many([an_answer(t, "U1", delivery)])
        changed = an_answer(
            t,
            "U1",
            delivery,
            value=5,
            text="busy",
            answered_at=later,
            roles=frozenset({Role.DIRECTOR}),
            iso_week="2026-W50",
            phase=Phase.DESIRE,
            id=12345,  # storage gives ids; a caller's is ignored
        )
        assert tx.answers.upsert_many([changed]) == first
        tx.commit()
    with factory() as tx:
        stored = tx.answers.for_delivery(t.workspace_id, delivery)
        assert stored is not None and stored.id == first[delivery]
        assert (stored.value, stored.text, stored.answered_at) == (5, "busy", later)
        assert (stored.roles, stored.iso_week, stored.phase) == (
            frozenset({Role.FOLLOWER}),
            "2026-W49",
            Phase.AWARENESS,
        )
        again = tx.answers.contexts([(t.workspace_id, delivery)])[(t.workspace_id, delivery)]
        assert again.answer == stored
        assert tx.answers.for_journey(t.workspace_id, t.journey_id) == [stored]
        assert tx.answers.for_journey(t.workspace_id, t.journey_id, since=later) == [stored]
        assert tx.answers.for_journey(t.workspace_id, t.journey_id, since=later + DAY) == []
        assert tx.answers.for_member(t.workspace_id, t.members["U1"]) == [stored]
        assert tx.answers.for_delivery(t.workspace_id + 1000, delivery) is None


def test_forgetting_a_member_takes_their_answers_and_deliveries_only(
    factory: UnitOfWorkFactory,
) -> None:
    t = tenant(factory, "T1", ("UFAC", "U1"))
    other = tenant(factory, "T2", ("UX",))
    mine, theirs = (add(factory, a_delivery(t, u)) for u in ("U1", "UFAC"))
    with factory() as tx:
        tx.answers.upsert_many([an_answer(t, "U1", mine), an_answer(t, "UFAC", theirs)])
        change = PhaseChange(
            t.journey_id, t.members["U1"], AT, Phase.AWARENESS, Phase.INTEREST, "my reasons"
        )
        tx.journeys.add_phase_change(change)
        tx.touchpoints.add(
            Touchpoint(t.workspace_id, t.journey_id, AT.date(), "visit", t.members["U1"], AT)
        )
        tx.members.delete(other.workspace_id, t.members["UFAC"])  # not theirs to delete
        tx.members.delete(t.workspace_id, t.members["U1"])
        tx.commit()
    with factory() as tx:
        assert [a.delivery_id for a in tx.answers.for_journey(t.workspace_id, t.journey_id)] == [
            theirs
        ]
        assert tx.deliveries.get(t.workspace_id, mine) is None
        assert tx.deliveries.get(t.workspace_id, theirs) is not None
        assert [m.user for m in tx.members.list(t.workspace_id, t.journey_id)] == ["UFAC"]
        # What they did stays, no longer pointing at them and without their words.
        (move,) = tx.journeys.phase_history(t.workspace_id, t.journey_id)
        assert (move.actor_member_id, move.reason) == (0, "")
        (touchpoint,) = tx.touchpoints.list(t.workspace_id, t.journey_id)
        assert (touchpoint.logged_by_member_id, touchpoint.note) == (None, "")


def test_deliveries_are_due_when_made_unique_and_open_while_sent(
    factory: UnitOfWorkFactory,
) -> None:
    t = tenant(factory, "T1", ("U1",))
    made = a_delivery(t, "U1", occurrence="a")
    later, sooner, pending, closed = (
        add(factory, made),
        add(factory, a_delivery(t, "U1", occurrence="b", closes_at=AT + DAY, due_at=AT + DAY / 2)),
        add(factory, a_delivery(t, "U1", occurrence="c")),
        add(factory, a_delivery(t, "U1", occurrence="d", closes_at=AT)),
    )
    assert made.due_at is None  # the caller's object is not filled in
    with factory() as tx:
        for delivery_id in (later, sooner, closed):
            delivery = tx.deliveries.get(t.workspace_id, delivery_id)
            assert delivery is not None
            delivery.status, delivery.sent_at, delivery.message_ref = "sent", AT, "D1|1.0"
            tx.deliveries.save(delivery)
        tx.commit()
    with factory() as tx:
        first = tx.deliveries.get(t.workspace_id, later)
        assert first is not None and first.due_at == AT and first.message_ref == "D1|1.0"
        second = tx.deliveries.get(t.workspace_id, sooner)
        assert second is not None and second.due_at == AT + DAY / 2
        open_ = tx.deliveries.open_for_member(t.workspace_id, t.members["U1"], AT)
        assert [d.id for d in open_] == [sooner, later]  # soonest to close first
        assert pending not in [d.id for d in open_]
        found = tx.deliveries.with_context(t.workspace_id, later)
        assert found is not None and (found[1].id, found[2].user) == (t.journey_id, "U1")
    with pytest.raises(REFUSED), factory() as tx:  # nothing is sent twice
        tx.deliveries.add(a_delivery(t, "U1", occurrence="a"))


def test_cadence_changes_pausing_and_the_watermark(factory: UnitOfWorkFactory) -> None:
    t = tenant(factory, "T1", ("UFAC",))
    with factory() as tx:
        ws, jid = t.workspace_id, t.journey_id
        assert tx.rituals.schedule(ws, jid) == JourneySchedule(False, "mon-fri", [], None)
        tx.rituals.set_override(ws, jid, CadenceOverride("pulse", "tue", "10:00", 48))
        tx.rituals.set_override(ws, jid, CadenceOverride("checkin", "fri", "15:00"))
        tx.rituals.set_override(ws, jid, CadenceOverride("pulse", "wed", "09:30", 0))
        tx.rituals.set_paused(ws, jid, True)
        tx.dispatch.set_watermark(ws, jid, AT.astimezone(ZoneInfo("Europe/Amsterdam")))
        tx.touchpoints.add(Touchpoint(ws, jid, date(2026, 12, 2), "later", None, AT))
        tx.touchpoints.add(Touchpoint(ws, jid, date(2026, 11, 2), "earlier", None, AT))
        tx.commit()
    with factory() as tx:
        assert tx.rituals.overrides(ws, jid) == [
            CadenceOverride("checkin", "fri", "15:00"),
            CadenceOverride("pulse", "wed", "09:30", None),
        ]
        assert tx.rituals.overrides(ws + 1000, jid) == []
        schedule = tx.rituals.schedule(ws, jid)
        assert schedule == JourneySchedule(True, "mon-fri", [], AT)
        assert schedule is not None and schedule.dispatched_through is not None
        assert schedule.dispatched_through.tzinfo == UTC
        assert [tp.note for tp in tx.touchpoints.list(ws, jid)] == ["later", "earlier"]
        assert [tp.note for tp in tx.touchpoints.list(ws, jid, since=date(2026, 12, 1))] == [
            "later"
        ]
