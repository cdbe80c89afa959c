"""Tokens of the read-only API: stored as hashes, found by hash, revoked, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement

from bot.domain.data_export import ApiToken
from storage.mapping import from_row
from storage.models import ApiTokenRow
from storage.sql import SessionRepository, update_rows


class SqlApiTokens(SessionRepository):
    def add(self, token: ApiToken) -> ApiToken:
        row = self.insert(
            ApiTokenRow(
                workspace_id=token.workspace_id,
                name=token.name,
                token_hash=token.token_hash,
                shown=token.shown,
                created_at=token.created_at,
            )
        )
        return from_row(ApiToken, row)

    def by_hash(self, token_hash: str) -> ApiToken | None:
        row = self.first(
            ApiTokenRow, ApiTokenRow.token_hash == token_hash, ApiTokenRow.revoked_at.is_(None)
        )
        return from_row(ApiToken, row) if row else None

    def list(self, workspace_id: int | None = None) -> Sequence[ApiToken]:
        where: list[ColumnElement[bool]] = []
        if workspace_id is not None:
            where.append(ApiTokenRow.workspace_id == workspace_id)
        return [
            from_row(ApiToken, r) for r in self.rows(ApiTokenRow, *where, order_by=ApiTokenRow.id)
        ]

    def revoke(self, token_id: int, at: datetime) -> ApiToken | None:
        row = self.session.get(ApiTokenRow, token_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            self.session.flush()
        return from_row(ApiToken, row)

    def used(self, token_id: int, at: datetime) -> None:
        update_rows(self.session, ApiTokenRow, ApiTokenRow.id == token_id, last_used_at=at)
