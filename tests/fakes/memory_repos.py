"""The repositories of the in-memory unit of work (tests/fakes/memory.py), one per aggregate.

Each method mirrors its SQL twin in `storage/repositories/<aggregate>_repo.py`: read there
what a query filters on and how it orders, and keep the two the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain.model import (
    Answer,
    Delivery,
    Journey,
    Member,
    PhaseChange,
    Role,
    Touchpoint,
    Workspace,
)
from bot.domain.records import AnswerContext, JourneySchedule
from bot.domain.rituals import CadenceOverride

if TYPE_CHECKING:
    from tests.fakes.memory import MemoryUnitOfWork

# What saving may change, as in storage: who a member is, a journey's channel and start stay.
JOURNEY_SAVED = (
    "name",
    "language",
    "timezone",
    "phase",
    "phase_since",
    "anonymity_threshold",
    "leadership_channel",
)
MEMBER_SAVED = ("display_name", "language", "timezone", "away_until", "roles")
DELIVERY_SAVED = ("status", "attempts", "sent_at", "message_ref", "closes_at")


class IntegrityViolation(Exception):
    """What a database refuses: a second row with a unique key, a row pointing at nothing."""


class NotFaked:
    """What the fake leaves out says so, and where to test it instead."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("__"):  # copy, pickle and friends probe for these
            raise AttributeError(method)
        raise NotImplementedError(
            f"the in-memory unit of work has no {self.__dict__.get('_name')}.{method}: "
            "test it against a real database in tests/integration"
        )


class _Repository(NotFaked):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(type(self).__name__)
        self._uow = uow

    def _new_id(self, table: str) -> int:
        return self._uow.database.next_id(table)

    def _find(self, table: str, workspace_id: int, **equal: Any) -> list[Any]:
        """Copies of one workspace's rows whose fields equal `equal`, by id."""
        return [
            deepcopy(row)
            for row in self._uow.rows(table)
            if row.workspace_id == workspace_id
            and all(getattr(row, name) == value for name, value in equal.items())
        ]

    def _since(
        self, table: str, workspace_id: int, journey_id: int, field: str, since: Any
    ) -> list[Any]:
        """A journey's rows whose `field` is `since` or later (all of them without `since`)."""
        rows = self._find(table, workspace_id, journey_id=journey_id)
        return [row for row in rows if since is None or getattr(row, field) >= since]

    def _first(self, table: str, workspace_id: int, **equal: Any) -> Any:
        found = self._find(table, workspace_id, **equal)
        return found[0] if found else None

    def _refers(self, *keys: tuple[str, int | None]) -> None:
        """Foreign keys: every row pointed at must exist (None points at nothing)."""
        for table, key in keys:
            if key is not None:
                self._uow.exists(table, key)

    def _refers_in_journey(self, row: Any, *keys: tuple[str, int | None]) -> None:
        """A journey's row: its workspace and journey must exist, and what `keys` point at."""
        self._refers(("workspaces", row.workspace_id), ("journeys", row.journey_id), *keys)

    def _save(self, table: str, record: Any, names: Sequence[str]) -> None:
        """Save the fields `names` of a record; saving one never stored is a caller's error."""
        row = self._uow.tables[table].get(record.id)
        if row is None or row.workspace_id != record.workspace_id:
            raise LookupError(record.id)
        self._uow.put(table, record.id, replace(row, **{n: getattr(record, n) for n in names}))

    def _set_calendar(self, workspace_id: int, journey_id: int, **values: Any) -> None:
        """An UPDATE of a journey's calendar columns: of another workspace, it changes none."""
        journey = self._uow.tables["journeys"].get(journey_id)
        if journey is not None and journey.workspace_id == workspace_id:
            calendar = self._uow.tables["calendars"][journey_id]
            self._uow.put("calendars", journey_id, calendar._replace(**values))


class MemoryWorkspaces(_Repository):
    def get_or_create(self, platform: str, external_id: str, name: str = "") -> Workspace:
        for row in self._uow.rows("workspaces"):
            if (row.platform, row.external_id) == (platform, external_id):
                if name and row.name != name:
                    row = replace(row, name=name)
                    self._uow.put("workspaces", row.id, row)
                return deepcopy(row)
        workspace = Workspace(platform, external_id, name, id=self._new_id("workspaces"))
        self._uow.put("workspaces", workspace.id, workspace)
        return workspace

    def get(self, workspace_id: int) -> Workspace | None:
        return self._uow.get("workspaces", workspace_id)

    def find(self, ref: str) -> list[Workspace]:
        wanted = ref.strip()
        return [
            deepcopy(row)
            for row in self._uow.rows("workspaces")
            if row.external_id == wanted or row.name.lower() == wanted.lower()
        ]


class MemoryJourneys(_Repository):
    def add(self, journey: Journey) -> Journey:
        self._refers(("workspaces", journey.workspace_id))
        self._uow.unique("journeys", journey, "workspace_id", "channel")
        journey.id = self._new_id("journeys")
        self._uow.put("journeys", journey.id, journey)
        self._uow.put("calendars", journey.id, JourneySchedule(False, "mon-fri", [], None))
        return journey

    def get(self, workspace_id: int, journey_id: int) -> Journey | None:
        return self._first("journeys", workspace_id, id=journey_id)

    def workspace_of(self, journey_id: int) -> int | None:
        row = self._uow.tables["journeys"].get(journey_id)
        return None if row is None else row.workspace_id

    def by_channel(self, workspace_id: int, channel: str) -> Journey | None:
        return self._first("journeys", workspace_id, channel=channel)

    def list(self, workspace_id: int) -> Sequence[Journey]:
        return self._find("journeys", workspace_id)

    def save(self, journey: Journey) -> None:
        self._save("journeys", journey, JOURNEY_SAVED)

    def add_phase_change(self, change: PhaseChange) -> PhaseChange:
        journey = self._uow.tables["journeys"].get(change.journey_id)
        assert journey is not None
        self._refers(("members", change.actor_member_id))
        change = replace(change, id=self._new_id("phase_changes"))
        self._uow.put("phase_changes", change.id, (journey.workspace_id, change))
        return deepcopy(self._uow.tables["phase_changes"][change.id][1])

    def phase_history(self, workspace_id: int, journey_id: int) -> Sequence[PhaseChange]:
        changes = [
            deepcopy(change)
            for owner, change in self._uow.rows("phase_changes")
            if owner == workspace_id and change.journey_id == journey_id
        ]
        return sorted(changes, key=lambda c: (c.at, c.id))


class MemoryMembers(_Repository):
    def add(self, member: Member) -> Member:
        self._refers_in_journey(member)
        self._uow.unique("members", member, "journey_id", "user")
        member.id = self._new_id("members")
        self._uow.put("members", member.id, member)
        return member

    def get(self, workspace_id: int, member_id: int) -> Member | None:
        return self._first("members", workspace_id, id=member_id)

    def by_user(self, workspace_id: int, journey_id: int, user: str) -> Member | None:
        found = self._first("members", workspace_id, journey_id=journey_id, user=user)
        return found

    def list(self, workspace_id: int, journey_id: int) -> Sequence[Member]:
        return self._find("members", workspace_id, journey_id=journey_id)

    def roles_by_id(self, workspace_id: int, journey_id: int) -> dict[int, frozenset[Role]]:
        members = self.list(workspace_id, journey_id)
        return {m.id: frozenset(m.roles) for m in members if m.id is not None}

    def save(self, member: Member) -> None:
        self._save("members", member, MEMBER_SAVED)

    def remember_dm_channels(self, workspace_id: int, channels: Mapping[str, str]) -> None:
        for member in self._uow.rows("members"):
            if member.workspace_id == workspace_id and member.user in channels:
                changed = replace(member, dm_channel=channels[member.user])
                self._uow.put("members", member.id, changed)

    def delete(self, workspace_id: int, member_id: int) -> None:
        """As storage: their answers and deliveries go too (explicitly, and by cascade);
        phase moves and touchpoints they made stay, without their words, no longer
        pointing at them."""
        tables = self._uow.tables
        row = tables["members"].get(member_id)
        gone = row is not None and row.workspace_id == workspace_id

        def doomed(r: Any) -> bool:
            return bool(r.member_id == member_id and (gone or r.workspace_id == workspace_id))

        deliveries = {k for k, d in tables["deliveries"].items() if doomed(d)}
        for key in [
            k for k, a in tables["answers"].items() if doomed(a) or a.delivery_id in deliveries
        ]:
            del tables["answers"][key]
        for key in deliveries:
            del tables["deliveries"][key]
        if not gone:
            return
        del tables["members"][member_id]
        # ON DELETE SET NULL; storage reads a phase move without its actor as actor 0.
        for key, (owner, change) in list(tables["phase_changes"].items()):
            if change.actor_member_id == member_id:
                unlinked = replace(change, actor_member_id=0, reason="")
                self._uow.put("phase_changes", key, (owner, unlinked))
        for key, tp in list(tables["touchpoints"].items()):
            if tp.logged_by_member_id == member_id:
                self._uow.put("touchpoints", key, replace(tp, logged_by_member_id=None, note=""))


class MemoryDeliveries(_Repository):
    def add(self, delivery: Delivery) -> Delivery:
        self._refers_in_journey(delivery, ("members", delivery.member_id))
        self._uow.unique(
            "deliveries", delivery, "journey_id", "ritual_key", "occurrence", "member_id"
        )
        delivery.id = self._new_id("deliveries")
        # Storage fills in the due time (the caller's object keeps its None, as there).
        row = replace(delivery, due_at=delivery.due_at or delivery.created_at)
        self._uow.put("deliveries", delivery.id, row)
        return delivery

    def get(self, workspace_id: int, delivery_id: int) -> Delivery | None:
        return self._first("deliveries", workspace_id, id=delivery_id)

    def save(self, delivery: Delivery) -> None:
        self._save("deliveries", delivery, DELIVERY_SAVED)

    def open_for_member(
        self, workspace_id: int, member_id: int, now: datetime
    ) -> Sequence[Delivery]:
        sent = self._find("deliveries", workspace_id, member_id=member_id, status="sent")
        return sorted((d for d in sent if d.closes_at > now), key=lambda d: d.closes_at)

    def with_context(
        self, workspace_id: int, delivery_id: int
    ) -> tuple[Delivery, Journey, Member] | None:
        """Joined on ids alone, as in storage: only the delivery is matched to the workspace."""
        delivery = self.get(workspace_id, delivery_id)
        if delivery is None:
            return None
        journey = self._uow.get("journeys", delivery.journey_id)
        member = self._uow.get("members", delivery.member_id)
        return None if journey is None or member is None else (delivery, journey, member)


class MemoryAnswers(_Repository):
    def for_delivery(self, workspace_id: int, delivery_id: int) -> Answer | None:
        return self._first("answers", workspace_id, delivery_id=delivery_id)

    def _of_delivery(self, delivery_id: int) -> Answer | None:
        """The one answer of a delivery, whichever workspace (delivery ids are unique)."""
        return next((a for a in self._uow.rows("answers") if a.delivery_id == delivery_id), None)

    def contexts(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], AnswerContext]:
        """(workspace, delivery) -> what an answer is checked against; a delivery of another
        workspace, or one whose journey or member is gone, is not found."""
        found: dict[tuple[int, int], AnswerContext] = {}
        for workspace_id, delivery_id in set(keys):
            joined = MemoryDeliveries(self._uow).with_context(workspace_id, delivery_id)
            if joined is not None:
                found[(workspace_id, delivery_id)] = AnswerContext(
                    *joined, deepcopy(self._of_delivery(delivery_id))
                )
        return found

    def upsert_many(self, answers: Sequence[Answer]) -> dict[int, int]:
        """One answer per delivery: a later one replaces only value, text and time; the first
        answer's id, roles, week and the rest stay (ON CONFLICT DO UPDATE in storage)."""
        ids: dict[int, int] = {}
        for answer in answers:
            row = self._of_delivery(answer.delivery_id)
            if row is None:
                self._refers_in_journey(
                    answer,
                    ("deliveries", answer.delivery_id),
                    ("members", answer.member_id),
                )
                row = replace(answer, id=self._new_id("answers"))
            else:
                row = replace(
                    row, value=answer.value, text=answer.text, answered_at=answer.answered_at
                )
            self._uow.put("answers", row.id, row)
            assert row.id is not None
            ids[answer.delivery_id] = row.id
        return ids

    def for_journey(
        self, workspace_id: int, journey_id: int, since: datetime | None = None
    ) -> Sequence[Answer]:
        return self._since("answers", workspace_id, journey_id, "answered_at", since)

    def for_member(self, workspace_id: int, member_id: int) -> Sequence[Answer]:
        answers = self._find("answers", workspace_id, member_id=member_id)
        return sorted(answers, key=lambda a: a.answered_at)


class MemoryTouchpoints(_Repository):
    def add(self, touchpoint: Touchpoint) -> Touchpoint:
        self._refers_in_journey(touchpoint, ("members", touchpoint.logged_by_member_id))
        touchpoint.id = self._new_id("touchpoints")
        self._uow.put("touchpoints", touchpoint.id, touchpoint)
        return touchpoint

    def list(
        self, workspace_id: int, journey_id: int, since: date | None = None
    ) -> Sequence[Touchpoint]:
        return self._since("touchpoints", workspace_id, journey_id, "happened_on", since)


class MemoryRituals(_Repository):
    def overrides(self, workspace_id: int, journey_id: int) -> Sequence[CadenceOverride]:
        return [  # keyed (journey, ritual key): in key order, as storage orders them
            deepcopy(change)
            for (journey, _), (owner, change) in sorted(self._uow.tables["rituals"].items())
            if journey == journey_id and owner == workspace_id
        ]

    def set_override(self, workspace_id: int, journey_id: int, change: CadenceOverride) -> None:
        self._refers(("workspaces", workspace_id), ("journeys", journey_id))
        key = (journey_id, change.key)
        existing = self._uow.tables["rituals"].get(key)
        if existing is not None and existing[0] != workspace_id:
            raise IntegrityViolation(f"rituals: journey {journey_id} has {change.key!r}")
        # Storage keeps "no window of its own" as 0 and reads it back as None.
        self._uow.put(
            "rituals", key, (workspace_id, replace(change, open_hours=change.open_hours or None))
        )

    def schedule(self, workspace_id: int, journey_id: int) -> JourneySchedule | None:
        journey = self._uow.tables["journeys"].get(journey_id)
        if journey is None or journey.workspace_id != workspace_id:
            return None
        return self._uow.get("calendars", journey_id)

    def set_paused(self, workspace_id: int, journey_id: int, paused: bool) -> None:
        self._set_calendar(workspace_id, journey_id, paused=paused)

    def set_working_days(self, workspace_id: int, journey_id: int, days: str) -> None:
        self._set_calendar(workspace_id, journey_id, working_days=days)

    def set_holidays(self, workspace_id: int, journey_id: int, days: Sequence[str]) -> None:
        self._set_calendar(workspace_id, journey_id, holidays=sorted(set(days)))


class MemoryDispatch(_Repository):
    """Only what a use case calls (resuming moves the watermark); the scans are storage's."""

    def set_watermark(self, workspace_id: int, journey_id: int, at: datetime) -> None:
        self._set_calendar(workspace_id, journey_id, dispatched_through=at)

    def set_watermarks(self, journeys: Sequence[tuple[int, int]], at: datetime) -> None:
        for workspace_id, journey_id in journeys:
            self.set_watermark(workspace_id, journey_id, at)
