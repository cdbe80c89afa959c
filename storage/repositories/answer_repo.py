"""Answers: recording them (one per delivery), and the light reads the digest makes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVarTuple, cast

from sqlalchemy import (
    LABEL_STYLE_DISAMBIGUATE_ONLY,
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain.model import Answer, Perspective, Phase, PromptKind, Signal
from bot.domain.records import AnswerContext, AnswerPoint, Expiring, TextPoint, WeekCell
from storage.mapping import (
    answer_from_row,
    delivery_from_row,
    journey_from_row,
    member_from_row,
    role_sets,
    roles_to_str,
    values_of,
)
from storage.models import AnswerRow, DeliveryRow, JourneyRow, MemberRow
from storage.sql import SessionRepository, of_journey

_DELIVERIES: Table = DeliveryRow.__table__  # type: ignore[assignment]
_JOURNEYS: Table = JourneyRow.__table__  # type: ignore[assignment]
_MEMBERS: Table = MemberRow.__table__  # type: ignore[assignment]
_ANSWERS: Table = AnswerRow.__table__  # type: ignore[assignment]

Ts = TypeVarTuple("Ts")


# The two statements of every poll click, built once: building them per batch (relabelling
# some fifty columns, deriving ON CONFLICT's `excluded`) cost a third of recording a click.
def _contexts() -> tuple[Select[Any], tuple[tuple[slice, tuple[str, ...]], ...]]:
    """The delivery, journey, member and any answer of the deliveries `ids`, as one row of
    Core columns (ORM entities cost more than the query), and where each table's are."""
    tables = (_DELIVERIES, _JOURNEYS, _MEMBERS, _ANSWERS)
    columns = [c for table in tables for c in table.c]
    slices, start = [], 0
    for table in tables:
        names = tuple(c.name for c in table.c)
        slices.append((slice(start, start + len(names)), names))
        start += len(names)
    joined = (
        _DELIVERIES.join(_JOURNEYS, _JOURNEYS.c.id == _DELIVERIES.c.journey_id)
        .join(_MEMBERS, _MEMBERS.c.id == _DELIVERIES.c.member_id)
        .outerjoin(_ANSWERS, _ANSWERS.c.delivery_id == _DELIVERIES.c.id)
    )
    query = (
        select(*columns)
        .select_from(joined)
        .where(_DELIVERIES.c.id.in_(bindparam("ids", expanding=True)))
        .set_label_style(LABEL_STYLE_DISAMBIGUATE_ONLY)
    )
    return query, tuple(slices)


_CONTEXTS, _CONTEXT_SLICES = _contexts()


def _namespace(row: Sequence[Any], part: tuple[slice, tuple[str, ...]]) -> SimpleNamespace:
    where, names = part
    return SimpleNamespace(**dict(zip(names, row[where], strict=True)))


def _upsert(insert: Any) -> Any:
    """Insert answers, or replace an earlier answer to the same delivery (value, text and
    time; its roles and ISO week stay those of the first answer)."""
    stmt = insert(_ANSWERS)
    return stmt.on_conflict_do_update(
        index_elements=[_ANSWERS.c.delivery_id],
        set_={
            "value": stmt.excluded.value,
            "text": stmt.excluded.text,
            "answered_at": stmt.excluded.answered_at,
        },
    ).returning(_ANSWERS.c.delivery_id, _ANSWERS.c.id)


_UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(pg_insert)}


class SqlAnswers(SessionRepository):
    def for_delivery(self, workspace_id: int, delivery_id: int) -> Answer | None:
        row = self.first(
            AnswerRow, AnswerRow.workspace_id == workspace_id, AnswerRow.delivery_id == delivery_id
        )
        return answer_from_row(row) if row else None

    def contexts(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], AnswerContext]:
        """(workspace, delivery) -> the delivery, its journey and member and any answer.

        One query for a whole batch of clicks; a delivery of another workspace is not found.
        """
        wanted = set(keys)
        if not wanted:
            return {}
        rows = self.session.execute(_CONTEXTS, {"ids": sorted({d for _, d in wanted})})
        found: dict[tuple[int, int], AnswerContext] = {}
        delivery_slice, journey_slice, member_slice, answer_slice = _CONTEXT_SLICES
        for row in rows:
            delivery = _namespace(row, delivery_slice)
            key = (delivery.workspace_id, delivery.id)
            if key not in wanted:
                continue
            answer = _namespace(row, answer_slice)
            found[key] = AnswerContext(
                delivery_from_row(cast(Any, delivery)),
                journey_from_row(cast(Any, _namespace(row, journey_slice))),
                member_from_row(cast(Any, _namespace(row, member_slice))),
                answer_from_row(cast(Any, answer)) if answer.id is not None else None,
            )
        return found

    def upsert_many(self, answers: Sequence[Answer]) -> dict[int, int]:
        """Insert or replace answers, one per delivery, in one statement.

        A replaced answer keeps the roles and ISO week of the first answer; only its value,
        text and time change. Concurrent writers (other workers) meet in ON CONFLICT.
        """
        if not answers:
            return {}
        values = [values_of(a, roles=roles_to_str(a.roles)) for a in answers]
        stmt = _UPSERTS[self.session.get_bind().dialect.name]
        return {row.delivery_id: row.id for row in self.session.execute(stmt, values)}

    def for_journey(
        self, workspace_id: int, journey_id: int, since: datetime | None = None
    ) -> Sequence[Answer]:
        where = [*of_journey(AnswerRow, workspace_id, journey_id)]
        if since is not None:
            where.append(AnswerRow.answered_at >= since)
        return [answer_from_row(r) for r in self.rows(AnswerRow, *where, order_by=AnswerRow.id)]

    def for_member(self, workspace_id: int, member_id: int) -> Sequence[Answer]:
        rows = self.rows(
            AnswerRow,
            AnswerRow.workspace_id == workspace_id,
            AnswerRow.member_id == member_id,
            order_by=AnswerRow.answered_at,
        )
        return [answer_from_row(r) for r in rows]

    def older_than(self, before: datetime, purge: bool = False) -> Sequence[Expiring]:
        # Every workspace on purpose: the retention period is the operator's, for all.
        rows = self.session.execute(
            select(AnswerRow.kind, func.count(), func.min(AnswerRow.answered_at))
            .where(AnswerRow.answered_at < before)
            .group_by(AnswerRow.kind)
            .order_by(AnswerRow.kind)
        )
        found = [Expiring(kind, n, oldest) for kind, n, oldest in rows.all()]
        if purge and found:
            self.session.execute(delete(AnswerRow).where(AnswerRow.answered_at < before))
            self.erased()
        return found

    # -- light reads for the digest (no ORM objects: tens of thousands of rows) ----------
    def values_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[AnswerPoint]:
        rows = self._given_in_weeks(
            workspace_id,
            journey_id,
            weeks,
            select(
                AnswerRow.member_id,
                AnswerRow.iso_week,
                AnswerRow.phase,
                AnswerRow.perspective,
                AnswerRow.signal,
                AnswerRow.roles,
                AnswerRow.value,
                AnswerRow.prompt_id,
            ),
            AnswerRow.value,
        )
        # Few distinct strings repeat across many rows: convert each once.
        phases = {p.value: p for p in Phase}
        perspectives = {p.value: p for p in Perspective}
        signals = {s.value: s for s in Signal}
        roles = role_sets()
        return [
            AnswerPoint(
                member_id,
                week,
                phases[phase],
                perspectives[perspective],
                signals[signal],
                roles(role_text),
                int(value or 0),  # never 0: the query keeps non-null values only
                prompt_id,
            )
            for member_id, week, phase, perspective, signal, role_text, value, prompt_id in rows
        ]

    def texts_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[TextPoint]:
        rows = self._given_in_weeks(
            workspace_id,
            journey_id,
            weeks,
            select(
                AnswerRow.member_id,
                AnswerRow.iso_week,
                AnswerRow.perspective,
                AnswerRow.signal,
                AnswerRow.kind,
                AnswerRow.text,
                AnswerRow.id,
            ).order_by(AnswerRow.id),
            AnswerRow.text,
        )
        return [
            TextPoint(m, w, Perspective(p), Signal(s), PromptKind(k), t, answer_id)
            for m, w, p, s, k, t, answer_id in rows
            if t
        ]

    def _given_in_weeks(
        self,
        workspace_id: int,
        journey_id: int,
        weeks: Sequence[str],
        query: Select[*Ts],
        given: Any,
    ) -> Sequence[Row[*Ts]]:
        """`query`'s rows among a journey's answers of `weeks` whose column `given` is set."""
        if not weeks:
            return []
        where = (*_in_weeks(workspace_id, journey_id, weeks), given.is_not(None))
        return self.session.connection().execute(query.where(*where)).all()

    def week_perspective_means(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[WeekCell]:
        if not weeks:
            return []
        rows = _person_means(
            AnswerRow.iso_week,
            *_in_weeks(workspace_id, journey_id, weeks),
        )
        return [
            WeekCell(str(week), Perspective(perspective), n, mean)
            for week, perspective, n, mean in self.session.connection().execute(rows).all()
        ]


def _in_weeks(
    workspace_id: int, journey_id: int, weeks: Sequence[str]
) -> tuple[ColumnElement[bool], ...]:
    """A journey's answers of the ISO weeks `weeks`."""
    return (
        *of_journey(AnswerRow, workspace_id, journey_id),
        AnswerRow.iso_week.in_(sorted(set(weeks))),
    )


def _person_means(key: Any, *where: Any) -> Select[Any]:
    """(key, perspective, people, mean of per-person means) of the pulse values matching
    `where`: each person weighs the same, however often they answered."""
    per_person = (
        select(
            key.label("key"),
            AnswerRow.perspective,
            AnswerRow.member_id,
            func.avg(sql_cast(AnswerRow.value, Float)).label("person_mean"),
        )
        .where(*where, AnswerRow.value.is_not(None))
        .group_by(key, AnswerRow.perspective, AnswerRow.member_id)
        .subquery()
    )
    return select(
        per_person.c.key,
        per_person.c.perspective,
        sql_cast(func.count(), Integer),
        sql_cast(func.avg(per_person.c.person_mean), Float),
    ).group_by(per_person.c.key, per_person.c.perspective)
