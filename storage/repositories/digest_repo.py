"""Weekly digests, and the messages each is sent as (one per recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from bot.domain.records import JourneyDigest, StoredDigest
from storage.mapping import from_row
from storage.models import DigestRow, DigestSendRow
from storage.sql import SendQueueRepository, of_journey, update_rows


def _sources_text(sources: Sequence[int | None] | None) -> str | None:
    """Answer ids as the column keeps them; None (not known) when any is missing."""
    if sources is None or any(s is None for s in sources):
        return None
    return ",".join(str(s) for s in sources)


def _stored(row: DigestRow) -> StoredDigest:
    text = row.quoted_answers
    sources = None if text is None else tuple(int(s) for s in text.split(",") if s)
    return from_row(StoredDigest, row, payload=dict(row.payload), quote_sources=sources)


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
        return _stored(row) if row is not None else None

    def for_journey(self, workspace_id: int, journey_id: int) -> Sequence[StoredDigest]:
        rows = self.session.scalars(
            select(DigestRow)
            .where(DigestRow.workspace_id == workspace_id, DigestRow.journey_id == journey_id)
            .order_by(DigestRow.iso_week)
        )
        return [_stored(row) for row in rows]

    def quoted_through(self, iso_week: str) -> Sequence[JourneyDigest]:
        # Every workspace on purpose: the retention period is the operator's, for all.
        rows = self.session.scalars(
            select(DigestRow)
            .where(
                DigestRow.iso_week <= iso_week,
                # '' is a digest that quotes nobody; NULL one stored before sources were kept.
                or_(DigestRow.quoted_answers.is_(None), DigestRow.quoted_answers != ""),
            )
            .order_by(DigestRow.iso_week, DigestRow.id)
        )
        return [JourneyDigest(r.workspace_id, r.journey_id, _stored(r)) for r in rows]

    def redact(self, workspace_id: int, journey_id: int, digest: StoredDigest) -> None:
        update_rows(
            self.session,
            DigestRow,
            DigestRow.workspace_id == workspace_id,
            DigestRow.journey_id == journey_id,
            DigestRow.iso_week == digest.iso_week,
            payload=digest.payload,
            quoted_answers=_sources_text(digest.quote_sources),
        )
        self.erased()

    def published(self, workspace_id: int, journey_id: int) -> list[StoredDigest]:
        rows = self.rows(
            DigestRow,
            *of_journey(DigestRow, workspace_id, journey_id),
            DigestRow.sent_at.is_not(None),
            order_by=DigestRow.iso_week,
        )
        return [_stored(r) for r in rows]

    def save(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        payload: dict[str, Any],
        created_at: datetime,
        quote_sources: Sequence[int | None] = (),
    ) -> None:
        sources = _sources_text(quote_sources)
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
                            quoted_answers=sources,
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
            row.quoted_answers = sources
            self.session.flush()

    def claim_send(self, workspace_id: int, journey_id: int, iso_week: str, at: datetime) -> bool:
        return self.claim_one(
            DigestRow,
            *of_journey(DigestRow, workspace_id, journey_id),
            DigestRow.iso_week == iso_week,
            DigestRow.sent_at.is_(None),
            sent_at=at,
        )
