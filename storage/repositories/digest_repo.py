"""Weekly digests, and the messages each is sent as (one per recipient)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.domain.records import StoredDigest
from storage.mapping import from_row
from storage.models import DigestRow, DigestSendRow
from storage.sql import SendQueueRepository, of_journey


class SqlDigests(SendQueueRepository):
    send_row = DigestSendRow

    def _row(self, workspace_id: int, journey_id: int, iso_week: str) -> DigestRow | None:
        return self.first(
            DigestRow,
            *of_journey(DigestRow, workspace_id, journey_id),
            DigestRow.iso_week == iso_week,
        )

    def get(self, workspace_id: int, journey_id: int, iso_week: str) -> StoredDigest | None:
        row = self._row(workspace_id, journey_id, iso_week)
        if row is None:
            return None
        return from_row(StoredDigest, row, payload=dict(row.payload))

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
        return self.claim_one(
            DigestRow,
            *of_journey(DigestRow, workspace_id, journey_id),
            DigestRow.iso_week == iso_week,
            DigestRow.sent_at.is_(None),
            sent_at=at,
        )
