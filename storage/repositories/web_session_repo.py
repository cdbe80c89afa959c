"""The web view's sign-in links and sessions, found by the hash of their secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from bot.domain.web_links import WebLink, WebSession
from storage.mapping import from_row
from storage.models import WebLinkRow, WebSessionRow
from storage.sql import SessionRepository, update_rows


class SqlWebSessions(SessionRepository):
    def add(self, item: WebLink | WebSession) -> None:
        row = WebLinkRow() if isinstance(item, WebLink) else WebSessionRow()
        row.workspace_id, row.user, row.token_hash = item.workspace_id, item.user, item.token_hash
        row.created_at, row.expires_at = item.created_at, item.expires_at
        self.insert(row)

    def use_link(self, token_hash: str, at: datetime) -> WebLink | None:
        # One guarded UPDATE: of two browsers following one link at once, one gets in.
        claimed = update_rows(
            self.session,
            WebLinkRow,
            WebLinkRow.token_hash == token_hash,
            WebLinkRow.used_at.is_(None),
            WebLinkRow.expires_at > at,
            used_at=at,
        )
        if claimed != 1:
            return None
        row = self.first(WebLinkRow, WebLinkRow.token_hash == token_hash)
        return from_row(WebLink, row) if row else None

    def find_session(self, token_hash: str, at: datetime) -> WebSession | None:
        row = self.first(
            WebSessionRow, WebSessionRow.token_hash == token_hash, WebSessionRow.expires_at > at
        )
        return from_row(WebSession, row) if row else None

    def end_session(self, token_hash: str) -> None:
        self.session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))
