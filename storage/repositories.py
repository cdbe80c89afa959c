"""Repositories implementing the domain's ports; they take and return domain objects.

Every query is filtered by workspace: no call can reach another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import SimpleNamespace, TracebackType
from typing import Any, NamedTuple
from typing import cast as cast_type

from sqlalchemy import Float, Integer, Select, Table, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

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
    Workspace,
)
from bot.domain.ports import (
    AnswerContext,
    AnswerPoint,
    DigestSend,
    JourneySchedule,
    PhaseCell,
    StoredDigest,
    TextPoint,
    WeekCell,
)
from bot.domain.rituals import CadenceOverride
from storage.models import (
    AnswerRow,
    DeliveryRow,
    DigestRow,
    DigestSendRow,
    JourneyRow,
    MemberRow,
    PhaseChangeRow,
    RitualRow,
    TouchpointRow,
    WorkspaceRow,
)


def roles_to_str(roles: set[Role] | frozenset[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def roles_from_str(text: str) -> set[Role]:
    return {Role(r) for r in text.split(",") if r}


# -- row <-> domain ------------------------------------------------------------------------
def _workspace(row: WorkspaceRow) -> Workspace:
    return Workspace(platform=row.platform, external_id=row.external_id, name=row.name, id=row.id)


def _journey(row: JourneyRow) -> Journey:
    return Journey(
        workspace_id=row.workspace_id,
        name=row.name,
        channel=row.channel,
        language=Language(row.language),
        timezone=row.timezone,
        phase=Phase(row.phase),
        phase_since=row.phase_since,
        started_at=row.started_at,
        anonymity_threshold=row.anonymity_threshold,
        id=row.id,
    )


def _member(row: MemberRow) -> Member:
    return Member(
        workspace_id=row.workspace_id,
        journey_id=row.journey_id,
        user=row.user,
        roles=roles_from_str(row.roles),
        display_name=row.display_name,
        language=Language(row.language) if row.language else None,
        timezone=row.timezone,
        away_until=row.away_until,
        id=row.id,
    )


def _phase_change(row: PhaseChangeRow) -> PhaseChange:
    return PhaseChange(
        journey_id=row.journey_id,
        actor_member_id=row.actor_member_id or 0,
        at=row.at,
        from_phase=Phase(row.from_phase),
        to_phase=Phase(row.to_phase),
        reason=row.reason,
        id=row.id,
    )


def delivery_from_row(row: DeliveryRow) -> Delivery:
    return Delivery(
        workspace_id=row.workspace_id,
        journey_id=row.journey_id,
        member_id=row.member_id,
        prompt_id=row.prompt_id,
        kind=PromptKind(row.kind),
        phase=Phase(row.phase),
        perspective=Perspective(row.perspective),
        signal=Signal(row.signal),
        occurrence=row.occurrence,
        created_at=row.created_at,
        closes_at=row.closes_at,
        ritual_key=row.ritual_key,
        due_at=row.due_at,
        ritual_id=row.ritual_id,
        status=row.status,
        attempts=row.attempts,
        sent_at=row.sent_at,
        message_ref=row.message_ref,
        id=row.id,
    )


def answer_from_row(row: AnswerRow) -> Answer:
    return Answer(
        workspace_id=row.workspace_id,
        journey_id=row.journey_id,
        delivery_id=row.delivery_id,
        member_id=row.member_id,
        prompt_id=row.prompt_id,
        kind=PromptKind(row.kind),
        phase=Phase(row.phase),
        perspective=Perspective(row.perspective),
        signal=Signal(row.signal),
        roles=frozenset(roles_from_str(row.roles)),
        answered_at=row.answered_at,
        iso_week=row.iso_week,
        value=row.value,
        text=row.text,
        id=row.id,
    )


def _touchpoint(row: TouchpointRow) -> Touchpoint:
    return Touchpoint(
        workspace_id=row.workspace_id,
        journey_id=row.journey_id,
        happened_on=row.happened_on,
        note=row.note,
        logged_by_member_id=row.logged_by_member_id,
        logged_at=row.logged_at,
        id=row.id,
    )


# -- repositories --------------------------------------------------------------------------
_DELIVERIES: Table = DeliveryRow.__table__  # type: ignore[assignment]
_JOURNEYS: Table = JourneyRow.__table__  # type: ignore[assignment]
_MEMBERS: Table = MemberRow.__table__  # type: ignore[assignment]
_ANSWERS: Table = AnswerRow.__table__  # type: ignore[assignment]


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class SqlWorkspaces(_Repo):
    def get_or_create(self, platform: str, external_id: str, name: str = "") -> Workspace:
        row = self.session.scalar(
            select(WorkspaceRow).where(
                WorkspaceRow.platform == platform, WorkspaceRow.external_id == external_id
            )
        )
        if row is None:
            row = WorkspaceRow(
                platform=platform, external_id=external_id, name=name, created_at=datetime.now(UTC)
            )
            self.session.add(row)
            self.session.flush()
        elif name and row.name != name:
            row.name = name
        return _workspace(row)

    def get(self, workspace_id: int) -> Workspace | None:
        row = self.session.get(WorkspaceRow, workspace_id)
        return _workspace(row) if row else None


class SqlJourneys(_Repo):
    def _row(self, workspace_id: int, journey_id: int) -> JourneyRow | None:
        return self.session.scalar(
            select(JourneyRow).where(
                JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id
            )
        )

    def add(self, journey: Journey) -> Journey:
        row = JourneyRow(
            workspace_id=journey.workspace_id,
            name=journey.name,
            channel=journey.channel,
            language=journey.language.value,
            timezone=journey.timezone,
            phase=journey.phase.value,
            phase_since=journey.phase_since,
            started_at=journey.started_at,
            anonymity_threshold=journey.anonymity_threshold,
            paused=False,
            working_days="mon-fri",
            holidays=[],
        )
        self.session.add(row)
        self.session.flush()
        journey.id = row.id
        return journey

    def get(self, workspace_id: int, journey_id: int) -> Journey | None:
        row = self._row(workspace_id, journey_id)
        return _journey(row) if row else None

    def by_channel(self, workspace_id: int, channel: str) -> Journey | None:
        row = self.session.scalar(
            select(JourneyRow).where(
                JourneyRow.workspace_id == workspace_id, JourneyRow.channel == channel
            )
        )
        return _journey(row) if row else None

    def list(self, workspace_id: int) -> Sequence[Journey]:
        rows = self.session.scalars(
            select(JourneyRow)
            .where(JourneyRow.workspace_id == workspace_id)
            .order_by(JourneyRow.id)
        )
        return [_journey(r) for r in rows]

    def save(self, journey: Journey) -> None:
        assert journey.id is not None
        row = self._row(journey.workspace_id, journey.id)
        if row is None:
            raise LookupError(journey.id)
        row.name = journey.name
        row.language = journey.language.value
        row.timezone = journey.timezone
        row.phase = journey.phase.value
        row.phase_since = journey.phase_since
        row.anonymity_threshold = journey.anonymity_threshold

    def add_phase_change(self, change: PhaseChange) -> PhaseChange:
        journey = self.session.get(JourneyRow, change.journey_id)
        assert journey is not None
        row = PhaseChangeRow(
            workspace_id=journey.workspace_id,
            journey_id=change.journey_id,
            actor_member_id=change.actor_member_id,
            at=change.at,
            from_phase=change.from_phase.value,
            to_phase=change.to_phase.value,
            reason=change.reason,
        )
        self.session.add(row)
        self.session.flush()
        return _phase_change(row)

    def phase_history(self, workspace_id: int, journey_id: int) -> Sequence[PhaseChange]:
        rows = self.session.scalars(
            select(PhaseChangeRow)
            .where(
                PhaseChangeRow.workspace_id == workspace_id,
                PhaseChangeRow.journey_id == journey_id,
            )
            .order_by(PhaseChangeRow.at, PhaseChangeRow.id)
        )
        return [_phase_change(r) for r in rows]


class SqlMembers(_Repo):
    def _row(self, workspace_id: int, member_id: int) -> MemberRow | None:
        return self.session.scalar(
            select(MemberRow).where(
                MemberRow.workspace_id == workspace_id, MemberRow.id == member_id
            )
        )

    def add(self, member: Member) -> Member:
        row = MemberRow(
            workspace_id=member.workspace_id,
            journey_id=member.journey_id,
            user=member.user,
            display_name=member.display_name,
            roles=roles_to_str(member.roles),
            language=member.language.value if member.language else None,
            timezone=member.timezone,
            away_until=member.away_until,
        )
        self.session.add(row)
        self.session.flush()
        member.id = row.id
        return member

    def get(self, workspace_id: int, member_id: int) -> Member | None:
        row = self._row(workspace_id, member_id)
        return _member(row) if row else None

    def by_user(self, workspace_id: int, journey_id: int, user: str) -> Member | None:
        row = self.session.scalar(
            select(MemberRow).where(
                MemberRow.workspace_id == workspace_id,
                MemberRow.journey_id == journey_id,
                MemberRow.user == user,
            )
        )
        return _member(row) if row else None

    def list(self, workspace_id: int, journey_id: int) -> Sequence[Member]:
        rows = self.session.scalars(
            select(MemberRow)
            .where(MemberRow.workspace_id == workspace_id, MemberRow.journey_id == journey_id)
            .order_by(MemberRow.id)
        )
        return [_member(r) for r in rows]

    def roles_by_id(self, workspace_id: int, journey_id: int) -> dict[int, frozenset[Role]]:
        rows = self.session.connection().execute(
            select(MemberRow.id, MemberRow.roles).where(
                MemberRow.workspace_id == workspace_id, MemberRow.journey_id == journey_id
            )
        )
        parsed: dict[str, frozenset[Role]] = {}
        out: dict[int, frozenset[Role]] = {}
        for member_id, text in rows.all():
            roles = parsed.get(text)
            if roles is None:
                roles = parsed[text] = frozenset(roles_from_str(text))
            out[member_id] = roles
        return out

    def save(self, member: Member) -> None:
        assert member.id is not None
        row = self._row(member.workspace_id, member.id)
        if row is None:
            raise LookupError(member.id)
        row.roles = roles_to_str(member.roles)
        row.display_name = member.display_name
        row.language = member.language.value if member.language else None
        row.timezone = member.timezone
        row.away_until = member.away_until

    def delete(self, workspace_id: int, member_id: int) -> None:
        # Answers and deliveries go with the member (ON DELETE CASCADE); delete them
        # explicitly too, so erasure does not depend on the backend honouring cascades.
        self.session.execute(
            delete(AnswerRow).where(
                AnswerRow.workspace_id == workspace_id, AnswerRow.member_id == member_id
            )
        )
        self.session.execute(
            delete(DeliveryRow).where(
                DeliveryRow.workspace_id == workspace_id, DeliveryRow.member_id == member_id
            )
        )
        self.session.execute(
            delete(MemberRow).where(
                MemberRow.workspace_id == workspace_id, MemberRow.id == member_id
            )
        )


class SqlDeliveries(_Repo):
    def add(self, delivery: Delivery) -> Delivery:
        row = DeliveryRow(
            workspace_id=delivery.workspace_id,
            journey_id=delivery.journey_id,
            ritual_id=delivery.ritual_id,
            ritual_key=delivery.ritual_key,
            occurrence=delivery.occurrence,
            member_id=delivery.member_id,
            prompt_id=delivery.prompt_id,
            kind=delivery.kind.value,
            phase=delivery.phase.value,
            perspective=delivery.perspective.value,
            signal=delivery.signal.value,
            created_at=delivery.created_at,
            due_at=delivery.due_at or delivery.created_at,
            closes_at=delivery.closes_at,
            status=delivery.status,
            attempts=delivery.attempts,
            sent_at=delivery.sent_at,
            message_ref=delivery.message_ref,
        )
        self.session.add(row)
        self.session.flush()
        delivery.id = row.id
        return delivery

    def _row(self, workspace_id: int, delivery_id: int) -> DeliveryRow | None:
        return self.session.scalar(
            select(DeliveryRow).where(
                DeliveryRow.workspace_id == workspace_id, DeliveryRow.id == delivery_id
            )
        )

    def get(self, workspace_id: int, delivery_id: int) -> Delivery | None:
        row = self._row(workspace_id, delivery_id)
        return delivery_from_row(row) if row else None

    def asked_members(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> set[int]:
        rows = self.session.connection().execute(
            select(DeliveryRow.member_id)
            .where(
                DeliveryRow.workspace_id == workspace_id,
                DeliveryRow.journey_id == journey_id,
                DeliveryRow.due_at >= start,
                DeliveryRow.due_at < end,
                or_(DeliveryRow.sent_at.is_not(None), DeliveryRow.status == "sent"),
            )
            .distinct()
        )
        return {r[0] for r in rows}

    def asked_by_perspective(
        self, workspace_id: int, journey_id: int, start: datetime, end: datetime
    ) -> dict[Perspective, int]:
        rows = self.session.connection().execute(
            select(DeliveryRow.perspective, func.count(DeliveryRow.member_id.distinct()))
            .where(
                DeliveryRow.workspace_id == workspace_id,
                DeliveryRow.journey_id == journey_id,
                DeliveryRow.kind == PromptKind.PULSE.value,
                DeliveryRow.due_at >= start,
                DeliveryRow.due_at < end,
                or_(DeliveryRow.sent_at.is_not(None), DeliveryRow.status == "sent"),
            )
            .group_by(DeliveryRow.perspective)
        )
        return {Perspective(p): n for p, n in rows}

    def open_for_member(
        self, workspace_id: int, member_id: int, now: datetime
    ) -> Sequence[Delivery]:
        """Deliveries sent to a member that still take (or change) an answer."""
        rows = self.session.scalars(
            select(DeliveryRow)
            .where(
                DeliveryRow.workspace_id == workspace_id,
                DeliveryRow.member_id == member_id,
                DeliveryRow.status == "sent",
                DeliveryRow.closes_at > now,
            )
            .order_by(DeliveryRow.closes_at)
        )
        return [delivery_from_row(r) for r in rows]

    def with_context(
        self, workspace_id: int, delivery_id: int
    ) -> tuple[Delivery, Journey, Member] | None:
        """A delivery with its journey and member in one query (a prompt's view needs all)."""
        row = self.session.execute(
            select(DeliveryRow, JourneyRow, MemberRow)
            .join(JourneyRow, JourneyRow.id == DeliveryRow.journey_id)
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .where(DeliveryRow.workspace_id == workspace_id, DeliveryRow.id == delivery_id)
        ).first()
        if row is None:
            return None
        return delivery_from_row(row[0]), _journey(row[1]), _member(row[2])

    def save(self, delivery: Delivery) -> None:
        assert delivery.id is not None
        row = self._row(delivery.workspace_id, delivery.id)
        if row is None:
            raise LookupError(delivery.id)
        row.status = delivery.status
        row.attempts = delivery.attempts
        row.sent_at = delivery.sent_at
        row.message_ref = delivery.message_ref
        row.closes_at = delivery.closes_at


class SqlAnswers(_Repo):
    def for_delivery(self, workspace_id: int, delivery_id: int) -> Answer | None:
        row = self.session.scalar(
            select(AnswerRow).where(
                AnswerRow.workspace_id == workspace_id, AnswerRow.delivery_id == delivery_id
            )
        )
        return answer_from_row(row) if row else None

    def contexts(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], AnswerContext]:
        """(workspace, delivery) -> the delivery, its journey and member and any answer.

        One query for a whole batch of clicks; a delivery of another workspace is not found.
        """
        wanted = set(keys)
        if not wanted:
            return {}
        # Core, not ORM entities: this runs for every poll click, and four entities a row
        # cost more than the query itself. Rows come back as plain namespaces per table.
        tables = {"d": _DELIVERIES, "j": _JOURNEYS, "m": _MEMBERS, "a": _ANSWERS}
        columns = [c.label(f"{p}_{c.name}") for p, table in tables.items() for c in table.c]
        joined = (
            _DELIVERIES.join(_JOURNEYS, _JOURNEYS.c.id == _DELIVERIES.c.journey_id)
            .join(_MEMBERS, _MEMBERS.c.id == _DELIVERIES.c.member_id)
            .outerjoin(_ANSWERS, _ANSWERS.c.delivery_id == _DELIVERIES.c.id)
        )
        rows = self.session.execute(
            select(*columns)
            .select_from(joined)
            .where(_DELIVERIES.c.id.in_(sorted({d for _, d in wanted})))
        ).mappings()
        found: dict[tuple[int, int], AnswerContext] = {}
        for row in rows:
            parts: dict[str, dict[str, Any]] = {p: {} for p in tables}
            for key, value in row.items():
                parts[key[0]][key[2:]] = value
            key = (parts["d"]["workspace_id"], parts["d"]["id"])
            if key not in wanted:
                continue
            delivery, journey, member = (SimpleNamespace(**parts[p]) for p in "djm")
            answer = SimpleNamespace(**parts["a"]) if parts["a"]["id"] is not None else None
            found[key] = AnswerContext(
                delivery_from_row(cast_type(Any, delivery)),
                _journey(cast_type(Any, journey)),
                _member(cast_type(Any, member)),
                answer_from_row(cast_type(Any, answer)) if answer is not None else None,
            )
        return found

    def upsert_many(self, answers: Sequence[Answer]) -> dict[int, int]:
        """Insert or replace answers, one per delivery, in one statement.

        A replaced answer keeps the roles and ISO week of the first answer; only its value,
        text and time change. Concurrent writers (other workers) meet in ON CONFLICT.
        """
        if not answers:
            return {}
        values = [
            {
                "workspace_id": a.workspace_id,
                "journey_id": a.journey_id,
                "delivery_id": a.delivery_id,
                "member_id": a.member_id,
                "prompt_id": a.prompt_id,
                "kind": a.kind.value,
                "phase": a.phase.value,
                "perspective": a.perspective.value,
                "signal": a.signal.value,
                "roles": roles_to_str(a.roles),
                "iso_week": a.iso_week,
                "value": a.value,
                "text": a.text,
                "answered_at": a.answered_at,
            }
            for a in answers
        ]
        stmt: Any = _insert(self.session)(_ANSWERS)  # Core: no ORM bulk-insert machinery
        stmt = stmt.on_conflict_do_update(
            index_elements=[_ANSWERS.c.delivery_id],
            set_={
                "value": stmt.excluded.value,
                "text": stmt.excluded.text,
                "answered_at": stmt.excluded.answered_at,
            },
        ).returning(_ANSWERS.c.delivery_id, _ANSWERS.c.id)
        return {row.delivery_id: row.id for row in self.session.execute(stmt, values)}

    def for_journey(
        self, workspace_id: int, journey_id: int, since: datetime | None = None
    ) -> Sequence[Answer]:
        query = select(AnswerRow).where(
            AnswerRow.workspace_id == workspace_id, AnswerRow.journey_id == journey_id
        )
        if since is not None:
            query = query.where(AnswerRow.answered_at >= since)
        return [answer_from_row(r) for r in self.session.scalars(query.order_by(AnswerRow.id))]

    def for_member(self, workspace_id: int, member_id: int) -> Sequence[Answer]:
        rows = self.session.scalars(
            select(AnswerRow)
            .where(AnswerRow.workspace_id == workspace_id, AnswerRow.member_id == member_id)
            .order_by(AnswerRow.answered_at)
        )
        return [answer_from_row(r) for r in rows]

    # -- light reads for the digest (no ORM objects: tens of thousands of rows) ----------
    def values_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[AnswerPoint]:
        if not weeks:
            return []
        rows = self.session.connection().execute(
            select(
                AnswerRow.member_id,
                AnswerRow.iso_week,
                AnswerRow.phase,
                AnswerRow.perspective,
                AnswerRow.signal,
                AnswerRow.roles,
                AnswerRow.value,
            ).where(
                AnswerRow.workspace_id == workspace_id,
                AnswerRow.journey_id == journey_id,
                AnswerRow.iso_week.in_(sorted(set(weeks))),
                AnswerRow.value.is_not(None),
            )
        )
        # Few distinct strings repeat across many rows: convert each once.
        phases = {p.value: p for p in Phase}
        perspectives = {p.value: p for p in Perspective}
        signals = {s.value: s for s in Signal}
        roles: dict[str, frozenset[Role]] = {}
        out: list[AnswerPoint] = []
        for member_id, week, phase, perspective, signal, role_text, value in rows.all():
            role_set = roles.get(role_text)
            if role_set is None:
                role_set = roles[role_text] = frozenset(roles_from_str(role_text))
            out.append(
                AnswerPoint(
                    member_id,
                    week,
                    phases[phase],
                    perspectives[perspective],
                    signals[signal],
                    role_set,
                    int(value or 0),  # never 0: the query keeps non-null values only
                )
            )
        return out

    def texts_for_weeks(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[TextPoint]:
        if not weeks:
            return []
        rows = self.session.connection().execute(
            select(
                AnswerRow.member_id,
                AnswerRow.iso_week,
                AnswerRow.perspective,
                AnswerRow.signal,
                AnswerRow.kind,
                AnswerRow.text,
            )
            .where(
                AnswerRow.workspace_id == workspace_id,
                AnswerRow.journey_id == journey_id,
                AnswerRow.iso_week.in_(sorted(set(weeks))),
                AnswerRow.text.is_not(None),
            )
            .order_by(AnswerRow.id)
        )
        return [
            TextPoint(m, w, Perspective(p), Signal(s), PromptKind(k), t)
            for m, w, p, s, k, t in rows.all()
            if t
        ]

    def phase_perspective_means(
        self, workspace_id: int, journey_id: int, up_to_week: str
    ) -> Sequence[PhaseCell]:
        rows = _person_means(
            AnswerRow.phase,
            AnswerRow.workspace_id == workspace_id,
            AnswerRow.journey_id == journey_id,
            # `2026-W09` < `2026-W10`: ISO week strings sort as the weeks do.
            AnswerRow.iso_week <= up_to_week,
        )
        return [
            PhaseCell(Phase(phase), Perspective(perspective), n, mean)
            for phase, perspective, n, mean in self.session.connection().execute(rows).all()
        ]

    def week_perspective_means(
        self, workspace_id: int, journey_id: int, weeks: Sequence[str]
    ) -> Sequence[WeekCell]:
        if not weeks:
            return []
        rows = _person_means(
            AnswerRow.iso_week,
            AnswerRow.workspace_id == workspace_id,
            AnswerRow.journey_id == journey_id,
            AnswerRow.iso_week.in_(sorted(set(weeks))),
        )
        return [
            WeekCell(str(week), Perspective(perspective), n, mean)
            for week, perspective, n, mean in self.session.connection().execute(rows).all()
        ]


def _person_means(key: Any, *where: Any) -> Select[Any]:
    """(key, perspective, people, mean of per-person means) of the pulse values matching
    `where`: each person weighs the same, however often they answered."""
    per_person = (
        select(
            key.label("key"),
            AnswerRow.perspective,
            AnswerRow.member_id,
            func.avg(cast(AnswerRow.value, Float)).label("person_mean"),
        )
        .where(*where, AnswerRow.value.is_not(None))
        .group_by(key, AnswerRow.perspective, AnswerRow.member_id)
        .subquery()
    )
    return select(
        per_person.c.key,
        per_person.c.perspective,
        cast(func.count(), Integer),
        cast(func.avg(per_person.c.person_mean), Float),
    ).group_by(per_person.c.key, per_person.c.perspective)


class SqlTouchpoints(_Repo):
    def add(self, touchpoint: Touchpoint) -> Touchpoint:
        row = TouchpointRow(
            workspace_id=touchpoint.workspace_id,
            journey_id=touchpoint.journey_id,
            happened_on=touchpoint.happened_on,
            note=touchpoint.note,
            logged_by_member_id=touchpoint.logged_by_member_id,
            logged_at=touchpoint.logged_at,
        )
        self.session.add(row)
        self.session.flush()
        touchpoint.id = row.id
        return touchpoint

    def list(
        self, workspace_id: int, journey_id: int, since: date | None = None
    ) -> Sequence[Touchpoint]:
        query = select(TouchpointRow).where(
            TouchpointRow.workspace_id == workspace_id, TouchpointRow.journey_id == journey_id
        )
        if since is not None:
            query = query.where(TouchpointRow.happened_on >= since)
        return [_touchpoint(r) for r in self.session.scalars(query.order_by(TouchpointRow.id))]


class SqlDigests(_Repo):
    def _row(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestRow | None:
        return self.session.scalar(
            select(DigestRow).where(
                DigestRow.workspace_id == workspace_id,
                DigestRow.journey_id == journey_id,
                DigestRow.iso_week == iso_week,
            )
        )

    def get(self, workspace_id: int, journey_id: int, iso_week: str) -> StoredDigest | None:
        row = self._row(workspace_id, journey_id, iso_week)
        if row is None:
            return None
        return StoredDigest(row.iso_week, row.created_at, row.sent_at, dict(row.payload))

    def save(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        payload: dict[str, Any],
        created_at: datetime,
    ) -> None:
        row = self._row(workspace_id, journey_id, iso_week)
        if row is None:
            try:
                with self.session.begin_nested():
                    self.session.add(
                        DigestRow(
                            workspace_id=workspace_id,
                            journey_id=journey_id,
                            iso_week=iso_week,
                            created_at=created_at,
                            payload=payload,
                        )
                    )
                return
            except IntegrityError:
                # Built at the same moment elsewhere (two triggers): update that one.
                row = self._row(workspace_id, journey_id, iso_week)
                assert row is not None
        if row.sent_at is None:
            row.payload = payload
            row.created_at = created_at
            self.session.flush()

    def claim_send(self, workspace_id: int, journey_id: int, iso_week: str, at: datetime) -> bool:
        result = self.session.execute(
            update(DigestRow)
            .where(
                DigestRow.workspace_id == workspace_id,
                DigestRow.journey_id == journey_id,
                DigestRow.iso_week == iso_week,
                DigestRow.sent_at.is_(None),
            )
            .values(sent_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def plan_sends(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        recipients: Sequence[tuple[str, int | None]],
    ) -> None:
        if not recipients:
            return
        stmt = _insert(self.session)(DigestSendRow).on_conflict_do_nothing(
            index_elements=["journey_id", "iso_week", "recipient"]
        )
        self.session.execute(
            stmt,
            [
                {
                    "workspace_id": workspace_id,
                    "journey_id": journey_id,
                    "iso_week": iso_week,
                    "recipient": recipient,
                    "member_id": member_id,
                    "status": "pending",
                    "attempts": 0,
                }
                for recipient, member_id in recipients
            ],
        )

    def due_sends(self, stale_before: datetime, journey_id: int | None = None) -> list[DigestSend]:
        query = (
            select(DigestSendRow)
            .where(
                or_(
                    DigestSendRow.status == "pending",
                    (DigestSendRow.status == "sending") & (DigestSendRow.claimed_at < stale_before),
                )
            )
            .order_by(DigestSendRow.id)
        )
        if journey_id is not None:
            query = query.where(DigestSendRow.journey_id == journey_id)
        return [
            DigestSend(
                r.id,
                r.workspace_id,
                r.journey_id,
                r.iso_week,
                r.recipient,
                r.member_id,
                r.attempts,
                r.claimed_at,
            )
            for r in self.session.scalars(query)
        ]

    def claim_recipient(self, send_id: int, at: datetime, stale_before: datetime) -> bool:
        result = self.session.execute(
            update(DigestSendRow)
            .where(
                DigestSendRow.id == send_id,
                or_(
                    DigestSendRow.status == "pending",
                    (DigestSendRow.status == "sending") & (DigestSendRow.claimed_at < stale_before),
                ),
            )
            .values(status="sending", claimed_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def finish_send(
        self, send_id: int, status: str, at: datetime, error: str | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error[:200] if error else None}
        if status == "sent":
            values["sent_at"] = at
        else:
            values["attempts"] = DigestSendRow.attempts + 1
        self.session.execute(
            update(DigestSendRow)
            .where(DigestSendRow.id == send_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


class SqlRituals(_Repo):
    """A journey's cadence changes (rituals rows) and calendar (paused, working days...)."""

    def overrides(self, workspace_id: int, journey_id: int) -> Sequence[CadenceOverride]:
        rows = self.session.scalars(
            select(RitualRow)
            .where(RitualRow.workspace_id == workspace_id, RitualRow.journey_id == journey_id)
            .order_by(RitualRow.key)
        )
        return [_override(r) for r in rows]

    def set_override(self, workspace_id: int, journey_id: int, change: CadenceOverride) -> None:
        row = self.session.scalar(
            select(RitualRow).where(
                RitualRow.workspace_id == workspace_id,
                RitualRow.journey_id == journey_id,
                RitualRow.key == change.key,
            )
        )
        if row is None:
            row = RitualRow(
                workspace_id=workspace_id, journey_id=journey_id, key=change.key, kind="", config={}
            )
            self.session.add(row)
        row.days = change.days
        row.local_time = change.local_time
        row.open_hours = change.open_hours or 0
        row.active = change.active
        self.session.flush()

    def schedule(self, workspace_id: int, journey_id: int) -> JourneySchedule | None:
        row = self.session.execute(
            select(
                JourneyRow.paused,
                JourneyRow.working_days,
                JourneyRow.holidays,
                JourneyRow.dispatched_through,
            ).where(JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id)
        ).first()
        if row is None:
            return None
        return JourneySchedule(bool(row[0]), row[1] or "mon-fri", list(row[2] or []), row[3])

    def set_paused(self, workspace_id: int, journey_id: int, paused: bool) -> None:
        self.session.execute(
            update(JourneyRow)
            .where(JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id)
            .values(paused=paused)
            .execution_options(synchronize_session=False)
        )


def _override(row: RitualRow) -> CadenceOverride:
    return CadenceOverride(
        key=row.key,
        days=row.days,
        local_time=row.local_time,
        open_hours=row.open_hours or None,
        active=row.active,
    )


class JourneyCursor(NamedTuple):
    id: int
    workspace_id: int
    phase: Phase
    timezone: str
    started_at: datetime
    paused: bool
    working_days: str
    holidays: tuple[str, ...]
    dispatched_through: datetime | None

    @property
    def schedule(self) -> JourneySchedule:
        return JourneySchedule(
            self.paused, self.working_days, list(self.holidays), self.dispatched_through
        )


class SqlDispatch(_Repo):
    """What the scheduler needs, in few light queries.

    The journey and zone scans read every workspace on purpose: the dispatcher serves all
    tenants; everything it then writes is addressed by workspace and row id.
    """

    def journeys(self) -> list[tuple[Journey, JourneySchedule]]:
        out = []
        for row in self.session.scalars(select(JourneyRow).order_by(JourneyRow.id)):
            out.append(
                (
                    _journey(row),
                    JourneySchedule(
                        bool(row.paused),
                        row.working_days or "mon-fri",
                        list(row.holidays or []),
                        row.dispatched_through,
                    ),
                )
            )
        return out

    def cursors(self) -> list[JourneyCursor]:
        """Every journey's scheduling state in one light query (no ORM objects)."""
        rows = self.session.connection().execute(
            select(
                JourneyRow.id,
                JourneyRow.workspace_id,
                JourneyRow.phase,
                JourneyRow.timezone,
                JourneyRow.started_at,
                JourneyRow.paused,
                JourneyRow.working_days,
                JourneyRow.holidays,
                JourneyRow.dispatched_through,
            ).order_by(JourneyRow.id)
        )
        phases = {p.value: p for p in Phase}
        return [
            JourneyCursor(
                id=r[0],
                workspace_id=r[1],
                phase=phases[r[2]],
                timezone=r[3],
                started_at=r[4],
                paused=bool(r[5]),
                working_days=r[6] or "mon-fri",
                holidays=tuple(r[7] or ()),
                dispatched_through=r[8],
            )
            for r in rows
        ]

    def zones(self) -> dict[int, set[str | None]]:
        """Each journey's distinct member time zones (None: the journey's own)."""
        out: dict[int, set[str | None]] = {}
        rows = self.session.connection().execute(
            select(MemberRow.journey_id, MemberRow.timezone).distinct()
        )
        for journey_id, tz in rows:
            out.setdefault(journey_id, set()).add(tz)
        return out

    def all_overrides(self) -> dict[int, list[CadenceOverride]]:
        out: dict[int, list[CadenceOverride]] = {}
        for row in self.session.scalars(select(RitualRow)):
            out.setdefault(row.journey_id, []).append(_override(row))
        return out

    def record(self, deliveries: Sequence[tuple[Delivery, datetime | None]]) -> int:
        """Insert deliveries that do not exist yet (unique per ritual, occurrence, member)."""
        if not deliveries:
            return 0
        values = [
            {
                "workspace_id": d.workspace_id,
                "journey_id": d.journey_id,
                "ritual_key": d.ritual_key,
                "occurrence": d.occurrence,
                "member_id": d.member_id,
                "prompt_id": d.prompt_id,
                "kind": d.kind.value,
                "phase": d.phase.value,
                "perspective": d.perspective.value,
                "signal": d.signal.value,
                "created_at": d.created_at,
                "due_at": d.due_at or d.created_at,
                "closes_at": d.closes_at,
                "status": d.status,
                "attempts": 0,
                "remind_at": remind_at,
            }
            for d, remind_at in deliveries
        ]
        stmt = _insert(self.session)(DeliveryRow).on_conflict_do_nothing(
            index_elements=["journey_id", "ritual_key", "occurrence", "member_id"]
        )
        inserted = 0
        for start in range(0, len(values), 500):
            result = self.session.execute(stmt, values[start : start + 500])
            inserted += max(int(getattr(result, "rowcount", 0) or 0), 0)
        return inserted

    def keys_of(
        self, workspace_id: int, journey_id: int, ritual_key: str, occurrence: str
    ) -> list[int]:
        """Ids of deliveries recorded for one occurrence of a ritual."""
        return list(
            self.session.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.workspace_id == workspace_id,
                    DeliveryRow.journey_id == journey_id,
                    DeliveryRow.ritual_key == ritual_key,
                    DeliveryRow.occurrence == occurrence,
                )
            )
        )

    def set_watermark(self, workspace_id: int, journey_id: int, at: datetime) -> None:
        self.session.execute(
            update(JourneyRow)
            .where(JourneyRow.workspace_id == workspace_id, JourneyRow.id == journey_id)
            .values(dispatched_through=at)
            .execution_options(synchronize_session=False)
        )

    def expire(self, now: datetime) -> int:
        """Pending deliveries whose poll closed can no longer be sent: record them missed."""
        result = self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.status == "pending", DeliveryRow.closes_at <= now)
            .values(status="missed")
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def pending(
        self, now: datetime, limit: int, after_id: int = 0, ids: Sequence[int] | None = None
    ) -> list[tuple[Delivery, Member, Journey]]:
        query = (
            select(DeliveryRow, MemberRow, JourneyRow)
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .join(JourneyRow, JourneyRow.id == DeliveryRow.journey_id)
            .where(
                DeliveryRow.status == "pending",
                DeliveryRow.due_at <= now,
                DeliveryRow.closes_at > now,
                DeliveryRow.id > after_id,
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(DeliveryRow.id.in_(list(ids)))
        return [
            (delivery_from_row(d), _member(m), _journey(j))
            for d, m, j in self.session.execute(query).all()
        ]

    def claim(self, delivery_ids: Sequence[int]) -> int:
        """Count an attempt on each before it is sent (the dispatch lock makes us the only
        sender); a crash then leaves attempts > 0 on a delivery that may have gone out."""
        if not delivery_ids:
            return 0
        result = self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(list(delivery_ids)), DeliveryRow.status == "pending")
            .values(attempts=DeliveryRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def mark(
        self,
        delivery_id: int,
        status: str,
        at: datetime | None = None,
        ref: str | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error[:500] if error else None}
        if status == "sent":
            values |= {"sent_at": at, "message_ref": ref}
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def due_reminders(self, now: datetime, limit: int) -> list[tuple[Delivery, Member, Journey]]:
        """Sent, unanswered, open deliveries whose one reminder is due."""
        answered = select(AnswerRow.id).where(AnswerRow.delivery_id == DeliveryRow.id).exists()
        query = (
            select(DeliveryRow, MemberRow, JourneyRow)
            .join(MemberRow, MemberRow.id == DeliveryRow.member_id)
            .join(JourneyRow, JourneyRow.id == DeliveryRow.journey_id)
            .where(
                DeliveryRow.status == "sent",
                DeliveryRow.remind_at <= now,
                # Sent late (after downtime) past its reminder time: no reminder on its heels.
                DeliveryRow.sent_at < DeliveryRow.remind_at,
                DeliveryRow.reminded_at.is_(None),
                DeliveryRow.closes_at > now,
                ~answered,
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        return [
            (delivery_from_row(d), _member(m), _journey(j))
            for d, m, j in self.session.execute(query).all()
        ]

    def claim_reminder(self, delivery_id: int, at: datetime) -> bool:
        result = self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.reminded_at.is_(None))
            .values(reminded_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def release_reminder(self, delivery_id: int, at: datetime) -> None:
        """Give back a reminder claimed at `at` that could not be sent."""
        self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.reminded_at == at)
            .values(reminded_at=None)
            .execution_options(synchronize_session=False)
        )


class SqlUnitOfWork:
    """One session, one transaction; implements the domain's UnitOfWork port."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        self.workspaces = SqlWorkspaces(self.session)
        self.journeys = SqlJourneys(self.session)
        self.members = SqlMembers(self.session)
        self.deliveries = SqlDeliveries(self.session)
        self.answers = SqlAnswers(self.session)
        self.touchpoints = SqlTouchpoints(self.session)
        self.digests = SqlDigests(self.session)
        self.rituals = SqlRituals(self.session)
        self.dispatch = SqlDispatch(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()


class SqlUnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)
