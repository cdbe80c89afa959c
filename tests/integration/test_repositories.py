"""The repositories added when SQL left the platforms, the CLI and the scheduler, and the
one row <-> domain mapping they all share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from bot.domain.journeys import JourneyService
from bot.domain.model import Phase, Signal
from bot.domain.records import PlatformInstallation
from storage.mapping import delivery_from_row, values_of
from storage.models import DeliveryRow
from storage.uow import SqlUnitOfWorkFactory
from tests import seed

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_delivery_maps_to_its_columns_and_back() -> None:
    delivery = seed.a_delivery(
        AT,
        journey_id=2,
        member_id=3,
        prompt_id="p-1",
        phase=Phase.DESIRE,
        signal=Signal.SPARK,
        closes_at=AT + timedelta(days=1),
        id=9,
    )
    values = values_of(delivery)
    columns = {c.key for c in inspect(DeliveryRow).columns}
    assert "id" not in values and set(values) <= columns
    assert values["kind"] == "pulse" and values["phase"] == "desire"
    assert delivery_from_row(DeliveryRow(**values, id=9)) == delivery


def test_an_operator_finds_a_journeys_workspace(
    uow: SqlUnitOfWorkFactory, journeys: JourneyService, workspace_id: int
) -> None:
    journey = journeys.start(workspace_id, "C1", "Plant", starter="U1")
    assert journey.id is not None
    with uow() as tx:
        assert tx.journeys.workspace_of(journey.id) == workspace_id
        assert tx.journeys.workspace_of(journey.id + 1000) is None


def test_a_reinstall_replaces_the_installation_and_keeps_the_secrets_sealed(
    uow: SqlUnitOfWorkFactory, workspace_id: int
) -> None:
    first = PlatformInstallation(
        "E1:T1", workspace_id, {"team_id": "T1", "enterprise_id": "E1"}, "sealed-1", AT
    )
    again = first._replace(data={"team_id": "T1", "bot_id": "B2"}, sealed="sealed-2")
    with uow() as tx:
        tx.installations.save(first)
        tx.installations.save(again)
        tx.commit()
    with uow() as tx:
        assert tx.installations.find("E1:T1") == again
        assert tx.installations.find(":T1") is None
        tx.installations.delete(["E1:T1", ":T1"])
        tx.commit()
    with uow() as tx:
        assert tx.installations.find("E1:T1") is None


def test_a_conversation_stays_with_the_workspace_that_stored_it(
    uow: SqlUnitOfWorkFactory, workspace_id: int
) -> None:
    with uow() as tx:
        other = tx.workspaces.get_or_create("teams", "tenant-other")
        assert other.id is not None
        assert tx.conversations.save("k1", workspace_id, "https://a/", {"n": 1}, AT)
        assert tx.conversations.save("k2", workspace_id, "https://b/", {"n": 2}, AT + timedelta(1))
        tx.commit()
    with uow() as tx:
        assert not tx.conversations.save("k1", other.id, "https://evil/", {"n": 3}, AT)
        assert tx.conversations.read(["k1", "k2", "k3"]) == {"k1": {"n": 1}, "k2": {"n": 2}}
        assert tx.conversations.workspace_of("k1") == workspace_id
        assert tx.conversations.latest_service_url(workspace_id) == "https://b/"
        assert tx.conversations.latest_service_url(other.id) is None
        tx.conversations.delete(["k1"])
        assert tx.conversations.workspace_of("k1") is None


def test_people_are_reachable_until_marked_otherwise(
    uow: SqlUnitOfWorkFactory, workspace_id: int
) -> None:
    with uow() as tx:
        tx.people.seen(workspace_id, "aad-1", "29:1", "Ann", None, AT)
        tx.people.set_personal_conversation(workspace_id, "aad-1", "a:1", AT)
        tx.people.mark_unreachable(workspace_id, "aad-1", AT + timedelta(1))
        gone = tx.people.get(workspace_id, "aad-1")
        assert gone is not None and gone.personal_conversation_id is None
        assert gone.unreachable_since == AT + timedelta(1)
        tx.people.seen(workspace_id, "aad-1", None, "", "a:2", AT + timedelta(2))
        back = tx.people.by_platform_id(workspace_id, "29:1")
        assert back is not None and back.external_id == "aad-1" and back.name == "Ann"
        assert back.personal_conversation_id == "a:2" and back.unreachable_since is None
        assert tx.people.names(workspace_id) == {"aad-1": "Ann"}


def test_a_weeks_figures_are_kept_as_first_published(
    uow: SqlUnitOfWorkFactory, journeys: JourneyService, workspace_id: int
) -> None:
    journey = journeys.start(workspace_id, "C1", "Plant", starter="U1")
    other = journeys.start(workspace_id, "C2", "Other", starter="U1")
    assert journey.id is not None and other.id is not None
    first = {"2026-W48": {"cells": {"human": [6, 3.0]}}, "2026-W49": {"cells": {}}}
    with uow() as tx:
        tx.week_figures.add(workspace_id, journey.id, first, AT)
        tx.commit()
    with uow() as tx:  # a second process computed them too, later: the first stay
        tx.week_figures.add(
            workspace_id, journey.id, {"2026-W49": {"cells": {"human": [5, 1.0]}}}, AT
        )
        tx.week_figures.add(workspace_id, other.id, {"2026-W49": {"cells": {"x": [1, 1.0]}}}, AT)
        tx.commit()
    with uow() as tx:
        assert tx.week_figures.up_to(workspace_id, journey.id, "2026-W49") == first
        assert tx.week_figures.up_to(workspace_id, journey.id, "2026-W48") == {
            "2026-W48": first["2026-W48"]
        }
        assert tx.week_figures.up_to(workspace_id + 1000, journey.id, "2026-W49") == {}
