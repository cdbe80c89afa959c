"""Members of a journey, and forgetting one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, delete, select, update

from bot.domain.model import Member, Role
from storage.mapping import copy_fields, member_from_row, role_sets, roles_to_str, values_of
from storage.models import AnswerRow, DeliveryRow, MemberRow, PhaseChangeRow, TouchpointRow
from storage.sql import SessionRepository, must_exist, of_journey, update_rows

# What saving a member may change besides their roles: who they are and where stay.
_SAVED = ("display_name", "language", "timezone", "away_until")


class SqlMembers(SessionRepository):
    def _row(self, workspace_id: int, member_id: int) -> MemberRow | None:
        return self.first(
            MemberRow, MemberRow.workspace_id == workspace_id, MemberRow.id == member_id
        )

    def add(self, member: Member) -> Member:
        member.id = self.insert(MemberRow(**values_of(member, roles=roles_to_str(member.roles)))).id
        return member

    def get(self, workspace_id: int, member_id: int) -> Member | None:
        row = self._row(workspace_id, member_id)
        return member_from_row(row) if row else None

    def by_user(self, workspace_id: int, journey_id: int, user: str) -> Member | None:
        row = self.first(
            MemberRow,
            *of_journey(MemberRow, workspace_id, journey_id),
            MemberRow.user == user,
        )
        return member_from_row(row) if row else None

    def list(self, workspace_id: int, journey_id: int) -> Sequence[Member]:
        rows = self.rows(
            MemberRow,
            *of_journey(MemberRow, workspace_id, journey_id),
            order_by=MemberRow.id,
        )
        return [member_from_row(r) for r in rows]

    def roles_by_id(self, workspace_id: int, journey_id: int) -> dict[int, frozenset[Role]]:
        rows = self.session.connection().execute(
            select(MemberRow.id, MemberRow.roles).where(
                *of_journey(MemberRow, workspace_id, journey_id)
            )
        )
        parse = role_sets()
        return {member_id: parse(text) for member_id, text in rows.all()}

    def save(self, member: Member) -> None:
        assert member.id is not None
        row = must_exist(self._row(member.workspace_id, member.id), member.id)
        copy_fields(row, member, *_SAVED, roles=roles_to_str(member.roles))

    def remember_dm_channels(self, workspace_id: int, channels: Mapping[str, str]) -> None:
        if not channels:
            return
        statement = (
            update(MemberRow)
            .where(MemberRow.workspace_id == workspace_id, MemberRow.user == bindparam("who"))
            .values(dm_channel=bindparam("channel"))
        )
        rows = [{"who": user, "channel": channel} for user, channel in channels.items()]
        self.session.connection().execute(statement, rows)

    def delete(self, workspace_id: int, member_id: int) -> None:
        # Answers and deliveries go with the member (ON DELETE CASCADE); delete them
        # explicitly too, so erasure does not depend on the backend honouring cascades.
        # Phase moves and touchpoints stay (ON DELETE SET NULL) without their words.
        self.erased()
        update_rows(
            self.session,
            PhaseChangeRow,
            PhaseChangeRow.workspace_id == workspace_id,
            PhaseChangeRow.actor_member_id == member_id,
            reason="",
        )
        update_rows(
            self.session,
            TouchpointRow,
            TouchpointRow.workspace_id == workspace_id,
            TouchpointRow.logged_by_member_id == member_id,
            note="",
        )
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
