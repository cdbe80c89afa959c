"""Stored digests in the in-memory unit of work: what erasure reads and redacts.

Mirrors `storage/repositories/digest_repo.py` for storing, reading and redacting; sending
(claims, planned messages) is not faked and is tested on a real database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.records import StoredDigest
from tests.fakes.memory_repos import _Repository


def _sources(sources: Sequence[int | None] | None) -> tuple[int, ...] | None:
    """As storage keeps them: not known (None) when any is missing."""
    if sources is None or any(s is None for s in sources):
        return None
    return tuple(s for s in sources if s is not None)


class MemoryDigests(_Repository):
    def _mine(self, workspace_id: int, journey_id: int) -> list[tuple[tuple[int, str], Any]]:
        """Copies of a journey's stored digests, by week."""
        return [
            (key, self._uow.get("digests", key)[1])
            for key, (owner, _) in sorted(self._uow.tables["digests"].items())
            if owner == workspace_id and key[0] == journey_id
        ]

    def get(self, workspace_id: int, journey_id: int, iso_week: str) -> StoredDigest | None:
        for (_, week), stored in self._mine(workspace_id, journey_id):
            if week == iso_week:
                return StoredDigest(*stored)
        return None

    def save(
        self,
        workspace_id: int,
        journey_id: int,
        iso_week: str,
        payload: dict[str, Any],
        created_at: datetime,
        quote_sources: Sequence[int | None] = (),
    ) -> None:
        self._refers(("workspaces", workspace_id), ("journeys", journey_id))
        before = self.get(workspace_id, journey_id, iso_week)
        if before is not None and before.sent_at is not None:
            return  # a sent digest is a record
        stored = StoredDigest(iso_week, created_at, None, payload, _sources(quote_sources))
        self._uow.put("digests", (journey_id, iso_week), (workspace_id, stored))

    def for_journey(self, workspace_id: int, journey_id: int) -> Sequence[StoredDigest]:
        return [StoredDigest(*stored) for _, stored in self._mine(workspace_id, journey_id)]

    def redact(self, workspace_id: int, journey_id: int, digest: StoredDigest) -> None:
        before = self.get(workspace_id, journey_id, digest.iso_week)
        if before is not None:
            after = before._replace(payload=digest.payload, quote_sources=digest.quote_sources)
            self._uow.put("digests", (journey_id, digest.iso_week), (workspace_id, after))

    def claim_send(self, workspace_id: int, journey_id: int, iso_week: str, at: datetime) -> bool:
        """Mark the digest sent (a test's way to make one a record); True for one caller."""
        before = self.get(workspace_id, journey_id, iso_week)
        if before is None or before.sent_at is not None:
            return False
        after = before._replace(sent_at=at)
        self._uow.put("digests", (journey_id, iso_week), (workspace_id, after))
        return True
