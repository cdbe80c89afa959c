"""Rows <-> domain objects, written once.

Columns carry the names of the domain fields they store, so `from_row` copies those and
each mapper converts only what differs (enums, role lists, nullable defaults); `values_of`
is the way back. A row may be an ORM object or any object with the same attributes (the
answer contexts read plain Core rows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

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
    TouchpointKind,
    Workspace,
)
from bot.domain.records import JourneySchedule
from bot.domain.rituals import CadenceOverride
from storage.models import (
    AnswerRow,
    DeliveryRow,
    JourneyRow,
    MemberRow,
    PhaseChangeRow,
    RitualRow,
    TouchpointRow,
    WorkspaceRow,
)

T = TypeVar("T")

_FIELDS: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass or NamedTuple, in order (looked up once per class)."""
    names = _FIELDS.get(cls)
    if names is None:
        if dataclasses.is_dataclass(cls):
            names = tuple(f.name for f in dataclasses.fields(cls))
        else:
            names = tuple(cls._fields)  # type: ignore[attr-defined]
        _FIELDS[cls] = names
    return names


def from_row(cls: type[T], row: object, **converted: Any) -> T:
    """A `cls` from the row's same-named attributes; `converted` gives the ones that differ."""
    values = {name: getattr(row, name) for name in field_names(cls) if name not in converted}
    values.update(converted)
    return cls(**values)


def values_of(
    obj: object, *names: str, skip: Collection[str] = ("id",), **converted: Any
) -> dict[str, Any]:
    """Column values of a domain object: the fields `names` (default: all but `skip`), enums
    as their values; `converted` replaces or adds values."""
    chosen = names or tuple(n for n in field_names(type(obj)) if n not in skip)
    values = {n: _plain(getattr(obj, n)) for n in chosen if n not in converted}
    values.update(converted)
    return values


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def copy_fields(row: object, obj: object, *names: str, **converted: Any) -> None:
    """Save the fields `names` of a domain object into its row, as `values_of` gives them."""
    for name, value in values_of(obj, *names, **converted).items():
        setattr(row, name, value)


# -- roles ---------------------------------------------------------------------------------
def roles_to_str(roles: Collection[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def roles_from_str(text: str) -> set[Role]:
    return {Role(r) for r in text.split(",") if r}


def role_sets() -> Callable[[str], frozenset[Role]]:
    """A parser for roles texts that converts each distinct text once: a few texts repeat
    over many rows."""
    parsed: dict[str, frozenset[Role]] = {}

    def parse(text: str) -> frozenset[Role]:
        roles = parsed.get(text)
        if roles is None:
            roles = parsed[text] = frozenset(roles_from_str(text))
        return roles

    return parse


# -- rows -> domain ------------------------------------------------------------------------
def workspace_from_row(row: WorkspaceRow) -> Workspace:
    return from_row(Workspace, row)


def journey_from_row(row: JourneyRow) -> Journey:
    return from_row(Journey, row, language=Language(row.language), phase=Phase(row.phase))


def member_from_row(row: MemberRow) -> Member:
    return from_row(
        Member,
        row,
        roles=roles_from_str(row.roles),
        language=Language(row.language) if row.language else None,
    )


def phase_change_from_row(row: PhaseChangeRow) -> PhaseChange:
    return from_row(
        PhaseChange,
        row,
        actor_member_id=row.actor_member_id or 0,
        from_phase=Phase(row.from_phase),
        to_phase=Phase(row.to_phase),
    )


def _prompt_fields(row: DeliveryRow | AnswerRow) -> dict[str, Any]:
    """What a delivery and its answer both carry of the prompt they are about."""
    return {
        "kind": PromptKind(row.kind),
        "phase": Phase(row.phase),
        "perspective": Perspective(row.perspective),
        "signal": Signal(row.signal),
    }


def delivery_from_row(row: DeliveryRow) -> Delivery:
    return from_row(Delivery, row, **_prompt_fields(row))


def answer_from_row(row: AnswerRow) -> Answer:
    return from_row(Answer, row, roles=frozenset(roles_from_str(row.roles)), **_prompt_fields(row))


def touchpoint_from_row(row: TouchpointRow) -> Touchpoint:
    return from_row(Touchpoint, row, kind=TouchpointKind(row.kind))


def override_from_row(row: RitualRow) -> CadenceOverride:
    return from_row(CadenceOverride, row, open_hours=row.open_hours or None)


def schedule_of(
    paused: bool | None,
    working_days: str | None,
    holidays: Sequence[str] | None,
    through: datetime | None,
) -> JourneySchedule:
    """A journey's calendar columns as the scheduler reads them (defaults for old rows)."""
    return JourneySchedule(bool(paused), working_days or "mon-fri", list(holidays or []), through)
