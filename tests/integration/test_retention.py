"""Retention: answers and check-in texts older than PIONEER_RETENTION_MONTHS go, with the
quotes of their weeks' digests; the digests' figures stay. `pioneer purge --dry-run` says
what would go, `pioneer purge` erases it, and the scheduler does it once a day."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app.retention import Retention, months_before
from bot.clock import FixedClock
from bot.config import Settings
from bot.container import start_scheduler_with_container
from bot.domain.answers import AnswerService
from bot.domain.digest.weeks import week_of
from bot.domain.journeys import JourneyService
from bot.domain.model import PromptKind, Signal
from bot.scheduling.scheduler import PURGE_JOB_ID
from storage.uow import SqlUnitOfWorkFactory
from tests import seed

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
OLD = datetime(2024, 6, 4, 10, 0, tzinfo=UTC)  # 30 months before NOW
RECENT = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)  # 18 months before NOW
OLD_WORDS = "Aardvarks in the warehouse keep me up at night"
RECENT_WORDS = "Bumblebees in the canteen are fine by me"


def answered(
    uow: SqlUnitOfWorkFactory, workspace_id: int, journey_id: int, at: datetime, n: int
) -> dict[str, int]:
    """At `at`, five people answer a pulse (the first with a comment) and a check-in."""
    clock = FixedClock(at)
    answers = AnswerService(uow, clock)
    ids: dict[str, int] = {}
    for i in range(5):
        user = f"U{n}{i}"
        JourneyService(uow, clock).join(workspace_id, journey_id, user)
        for kind, value, text in (
            (PromptKind.PULSE, 3, RECENT_WORDS if at == RECENT else OLD_WORDS if i == 0 else None),
            (PromptKind.CHECKIN, None, f"{'old' if at == OLD else 'new'} check-in {i}"),
        ):
            with uow() as tx:
                member = tx.members.by_user(workspace_id, journey_id, user)
                assert member is not None and member.id is not None
                delivery = tx.deliveries.add(
                    seed.a_delivery(
                        at,
                        workspace_id=workspace_id,
                        journey_id=journey_id,
                        member_id=member.id,
                        prompt_id=f"p-{kind.value}",
                        kind=kind,
                        signal=Signal.BALANCE,
                        occurrence=f"{at:%G-W%V}-{kind}",
                        status="sent",
                        sent_at=at,
                    )
                )
                tx.commit()
            assert delivery.id is not None
            answer = answers.record(workspace_id, delivery.id, user, value=value, text=text)
            ids[f"{user}.{kind.value}"] = answer.id or 0
    return ids


def a_digest(week: str, words: str) -> dict[str, object]:
    return {
        "iso_week": week,
        "perspectives": [{"key": "human", "all": {"respondents": 5, "mean": 3.0}}],
        "quotes": [{"perspective": "human", "text": words}],
    }


@pytest.fixture
def journey(uow: SqlUnitOfWorkFactory, workspace_id: int) -> int:
    started = JourneyService(uow, FixedClock(OLD - timedelta(days=1))).start(
        workspace_id, "C1", "Plant", starter="UFAC"
    )
    assert started.id is not None
    return started.id


@dataclass
class Aged:
    """A journey with answers 30 and 18 months old, and each week's stored digest quoting
    one of them."""

    uow: SqlUnitOfWorkFactory
    workspace_id: int
    journey: int

    def kinds(self) -> dict[str, int]:
        """How many answers of each kind the journey still has."""
        with self.uow() as tx:
            found = tx.answers.for_journey(self.workspace_id, self.journey)
        return {k.value: sum(a.kind is k for a in found) for k in PromptKind}


@pytest.fixture
def aged(uow: SqlUnitOfWorkFactory, workspace_id: int, journey: int) -> Aged:
    old = answered(uow, workspace_id, journey, OLD, 1)
    recent = answered(uow, workspace_id, journey, RECENT, 2)
    with uow() as tx:
        for at, words, source in (
            (OLD, OLD_WORDS, old["U10.pulse"]),
            (RECENT, RECENT_WORDS, recent["U20.pulse"]),
        ):
            week = week_of(at.date())
            payload = a_digest(week, words)
            tx.digests.save(workspace_id, journey, week, payload, at + timedelta(days=6), (source,))
            tx.digests.claim_send(workspace_id, journey, week, at + timedelta(days=6))
        tx.commit()
    return Aged(uow, workspace_id, journey)


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(NOW, 24) == datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 2, 28, tzinfo=UTC), 24) == datetime(2024, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize("months", ["2", "0", "-24", "two years", "1201"])
def test_a_retention_that_cannot_work_is_refused(
    months: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIONEER_RETENTION_MONTHS", months)
    with pytest.raises(ValueError, match="pioneer_retention_months"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_default_is_two_years(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIONEER_RETENTION_MONTHS", raising=False)
    assert Settings(_env_file=None).pioneer_retention_months == 24  # type: ignore[call-arg]
    monkeypatch.setenv("PIONEER_RETENTION_MONTHS", "36")
    assert Settings(_env_file=None).pioneer_retention_months == 36  # type: ignore[call-arg]


def test_a_purge_takes_old_answers_and_quotes_and_keeps_the_rest(
    uow: SqlUnitOfWorkFactory, workspace_id: int, journey: int, aged: Aged, database_url: str
) -> None:
    retention = Retention(uow, FixedClock(NOW), 24)
    dry = retention.purge(dry_run=True)
    assert [(e.kind, e.number, e.oldest and e.oldest.date()) for e in dry.expiring] == [
        ("pulse", 5, OLD.date()),
        ("checkin", 5, OLD.date()),
        ("quote", 1, date(2024, 6, 3)),  # the Monday of the week it quoted
    ]
    assert aged.kinds() == {"pulse": 10, "checkin": 10}  # nothing yet

    done = retention.purge()
    assert [(e.kind, e.number) for e in done.expiring] == [
        ("pulse", 5),
        ("checkin", 5),
        ("quote", 1),
    ]
    assert aged.kinds() == {"pulse": 5, "checkin": 5}
    with uow() as tx:
        old = tx.digests.get(workspace_id, journey, week_of(OLD.date()))
        recent = tx.digests.get(workspace_id, journey, week_of(RECENT.date()))
    assert old is not None and recent is not None
    assert old.payload["quotes"] == [] and old.sent_at is not None
    assert old.payload["perspectives"] == a_digest("", "")["perspectives"]  # figures stay
    assert recent.payload["quotes"][0]["text"] == RECENT_WORDS
    again = retention.purge()
    assert [e.number for e in again.expiring] == [0, 0, 0]  # the daily run: nothing new
    if database_url.startswith("sqlite"):
        path = Path(str(make_url(database_url).database))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert OLD_WORDS.encode() not in raw and b"old check-in" not in raw
        assert RECENT_WORDS.encode() in raw


def pioneer(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        check=False,
    )


def test_pioneer_purge_says_what_would_go_then_erases_it(aged: Aged, database_url: str) -> None:
    dry = pioneer("purge", "--dry-run", database_url=database_url)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0].startswith("Retention 24 months: this would go, everything from before 20")
    assert lines[1:] == [
        "- poll answers (with their comments): 5 (oldest from 2024-06-04)",
        "- check-ins: 5 (oldest from 2024-06-04)",
        "- quotes in stored weekly digests: 1 (oldest from 2024-06-03)",
    ]
    assert aged.kinds() == {"pulse": 10, "checkin": 10}
    # A longer period keeps them all.
    longer = pioneer("purge", database_url=database_url, PIONEER_RETENTION_MONTHS="36")
    assert longer.stdout.splitlines()[1:] == [
        "- poll answers (with their comments): none",
        "- check-ins: none",
        "- quotes in stored weekly digests: none",
    ]
    done = pioneer("purge", database_url=database_url)
    assert done.returncode == 0 and done.stdout.startswith("Retention 24 months: erased")
    assert aged.kinds() == {"pulse": 5, "checkin": 5}
    refused = pioneer("purge", database_url=database_url, PIONEER_RETENTION_MONTHS="1")
    assert refused.returncode != 0 and "PIONEER_RETENTION_MONTHS" in refused.stderr


def test_the_scheduler_purges_once_a_day(aged: Aged, database_url: str) -> None:
    started = datetime.now(UTC)
    handle = start_scheduler_with_container(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        job = handle.scheduler.get_job(PURGE_JOB_ID)
        assert job is not None and job.trigger.interval == timedelta(days=1)
        assert job.next_run_time >= started + timedelta(minutes=4)  # not in the start-up rush
        assert aged.kinds() == {"pulse": 10, "checkin": 10}
        handle.scheduler.modify_job(PURGE_JOB_ID, next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 10
        while aged.kinds() != {"pulse": 5, "checkin": 5}:
            assert time.monotonic() < deadline, "the purge job did not run"
            time.sleep(0.1)
    finally:
        handle.stop()
