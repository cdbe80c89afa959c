"""Storage: migrations create the schema, agree with the models, and keep tenants apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from bot.domain.journeys import JourneyService
from storage.db import make_engine
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base
from storage.uow import SqlUnitOfWorkFactory
from tests.conftest import backend


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_every_table_is_scoped_to_a_workspace(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    for table in Base.metadata.sorted_tables:
        if table.name != "workspaces":
            assert "workspace_id" in table.columns, table.name


def test_migrating_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_send_leases_migrate_down_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        downgrade(database_url, "0013_dm_channels")
        assert "send_leases" not in inspect(engine).get_table_names()
        upgrade(database_url)
        assert "send_leases" in inspect(engine).get_table_names()
        assert current_revision(database_url) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_datetimes_come_back_aware_utc(journeys: JourneyService, workspace_id: int) -> None:
    journey = journeys.start(workspace_id, "C1", "Plant", starter="U1")
    assert journey.id is not None
    stored = journeys.get(workspace_id, journey.id)
    assert stored.started_at.tzinfo is not None
    assert stored.started_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_no_query_crosses_tenants(uow: SqlUnitOfWorkFactory, journeys: JourneyService) -> None:
    with uow() as tx:
        acme = tx.workspaces.get_or_create("slack", "T-ACME")
        other = tx.workspaces.get_or_create("teams", "tenant-other")
        tx.commit()
    assert acme.id is not None and other.id is not None
    mine = journeys.start(acme.id, "C1", "Acme plant", starter="U1")
    assert mine.id is not None
    # The same channel id in another tenant is another journey.
    theirs = journeys.start(other.id, "C1", "Other plant", starter="U1")
    assert theirs.id != mine.id
    with uow() as tx:
        assert tx.journeys.get(other.id, mine.id) is None
        assert tx.members.by_user(other.id, mine.id, "U1") is None
        assert [j.name for j in tx.journeys.list(acme.id)] == ["Acme plant"]
        member = tx.members.by_user(acme.id, mine.id, "U1")
        assert member is not None and member.id is not None
        assert tx.members.get(other.id, member.id) is None


def test_naive_datetimes_are_refused(uow: SqlUnitOfWorkFactory, workspace_id: int) -> None:
    from bot.domain.model import Journey, Language, Phase

    with uow() as tx, pytest.raises(Exception, match="naive"):
        tx.journeys.add(
            Journey(
                workspace_id=workspace_id,
                name="x",
                channel="C",
                language=Language.EN,
                timezone="UTC",
                phase=Phase.AWARENESS,
                phase_since=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
                started_at=datetime(2026, 1, 1),  # noqa: DTZ001
            )
        )
