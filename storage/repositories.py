"""Repositories implementing the domain's ports; they take and return domain objects.

Every query is filtered by workspace: no call can reach another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import TracebackType

from sqlalchemy import delete, select
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
from storage.models import (
    AnswerRow,
    DeliveryRow,
    JourneyRow,
    MemberRow,
    PhaseChangeRow,
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

    def upsert(self, answer: Answer) -> Answer:
        row = self.session.scalar(
            select(AnswerRow)
            .where(
                AnswerRow.workspace_id == answer.workspace_id,
                AnswerRow.delivery_id == answer.delivery_id,
            )
            .with_for_update()
        )
        if row is None:
            row = AnswerRow(
                workspace_id=answer.workspace_id,
                journey_id=answer.journey_id,
                delivery_id=answer.delivery_id,
                member_id=answer.member_id,
                prompt_id=answer.prompt_id,
                kind=answer.kind.value,
                phase=answer.phase.value,
                perspective=answer.perspective.value,
                signal=answer.signal.value,
                roles=roles_to_str(answer.roles),
                iso_week=answer.iso_week,
            )
            self.session.add(row)
        row.value = answer.value
        row.text = answer.text
        row.answered_at = answer.answered_at
        self.session.flush()
        return answer_from_row(row)

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
