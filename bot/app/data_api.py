"""Getting data out: the read-only API's questions, and its tokens, per workspace.

Every answer comes from published digests only: those claimed for sending once their week
had ended (DigestRepository.published). A week in progress is never computed here, since
its figures, read again after one more answer, could show what that one person said.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.data_export import (
    SHOWN_CHARS,
    ApiToken,
    FigureRow,
    digest_document,
    figure_rows,
    new_token,
    token_hash,
    token_matches,
)
from bot.domain.digest.view import DigestView
from bot.domain.digest.weeks import parse_week, week_bounds
from bot.domain.errors import NoJourney, NotFound
from bot.domain.model import Journey, Workspace
from bot.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)
# `last_used_at` is for an admin's list, not an audit log: one write per token a minute.
USED_RESOLUTION = timedelta(minutes=1)


class NoSuchWorkspace(LookupError):
    """No workspace (or more than one) goes by the team id or name an operator gave."""


@dataclass(frozen=True)
class JourneySummary:
    id: int
    name: str
    phase: str
    phase_since: datetime
    weeks_in_phase: int
    started_at: datetime
    k: int


class DataApi:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # -- tokens ---------------------------------------------------------------------------
    def workspace(self, ref: str) -> Workspace:
        with self._uow() as uow:
            found = list(uow.workspaces.find(ref))
        if len(found) != 1:
            raise NoSuchWorkspace(
                f"no workspace {ref!r}" if not found else f"{len(found)} workspaces match {ref!r}"
            )
        return found[0]

    def create_token(self, workspace_id: int, name: str = "") -> tuple[ApiToken, str]:
        """A new token for the workspace; the token itself is returned here and never again."""
        token = new_token()
        with self._uow() as uow:
            stored = uow.api_tokens.add(
                ApiToken(
                    workspace_id=workspace_id,
                    name=name,
                    token_hash=token_hash(token),
                    shown=token[:SHOWN_CHARS],
                    created_at=self._clock.now(),
                )
            )
            uow.commit()
        return stored, token

    def tokens(self, workspace_id: int | None = None) -> Sequence[ApiToken]:
        with self._uow() as uow:
            return uow.api_tokens.list(workspace_id)

    def revoke(self, token_id: int) -> ApiToken:
        with self._uow() as uow:
            token = uow.api_tokens.revoke(token_id, self._clock.now())
            uow.commit()
        if token is None:
            raise NotFound(what=f"token {token_id}")
        return token

    def authenticate(self, presented: str) -> int | None:
        """The workspace whose active token this is, or None."""
        if not presented:
            return None
        with self._uow() as uow:
            token = uow.api_tokens.by_hash(token_hash(presented))
        if token is None or token.id is None or not token_matches(presented, token.token_hash):
            return None
        now = self._clock.now()
        if token.last_used_at is None or now - token.last_used_at >= USED_RESOLUTION:
            try:
                with self._uow() as uow:
                    uow.api_tokens.used(token.id, now)
                    uow.commit()
            except Exception:  # a database busy writing must not refuse a read
                log.warning("API token %d: could not note its use", token.id, exc_info=True)
        return token.workspace_id

    # -- what the API reads ---------------------------------------------------------------
    @staticmethod
    def _journey(uow: UnitOfWork, workspace_id: int, journey_id: int) -> Journey:
        # Another workspace's journey is "not found", the same as one that does not exist.
        journey = uow.journeys.get(workspace_id, journey_id)
        if journey is None:
            raise NoJourney()
        return journey

    def journeys(self, workspace_id: int) -> list[JourneySummary]:
        now = self._clock.now()
        with self._uow() as uow:
            journeys = uow.journeys.list(workspace_id)
        return [
            JourneySummary(
                id=j.id,
                name=j.name,
                phase=j.phase.value,
                phase_since=j.phase_since,
                weeks_in_phase=max(0, (now - j.phase_since).days // 7),
                started_at=j.started_at,
                k=j.anonymity_threshold,
            )
            for j in journeys
            if j.id is not None
        ]

    def _published(self, workspace_id: int, journey_id: int) -> list[DigestView]:
        now = self._clock.now()
        with self._uow() as uow:
            journey = self._journey(uow, workspace_id, journey_id)
            stored = uow.digests.published(workspace_id, journey_id)
        # A published digest reports a week that has ended; this holds even if one did not.
        return [
            DigestView.from_dict(s.payload)
            for s in stored
            if week_bounds(s.iso_week, journey.timezone)[1] <= now
        ]

    def digest_weeks(self, workspace_id: int, journey_id: int) -> list[dict[str, Any]]:
        return [
            {
                "iso_week": v.iso_week,
                "phase": v.phase.value,
                "generated_at": v.generated_at.isoformat(),
            }
            for v in self._published(workspace_id, journey_id)
        ]

    def digest(self, workspace_id: int, journey_id: int, iso_week: str) -> dict[str, Any]:
        """A published week's figures; NotFound for a week without one. Raises InvalidWeek."""
        week = parse_week(iso_week)
        for view in self._published(workspace_id, journey_id):
            if view.iso_week == week:
                return digest_document(view)
        raise NotFound(what=f"digest {week}")

    def figures(self, workspace_id: int, journey_id: int) -> list[FigureRow]:
        """Every published week's figures, week by week (the rows of figures.csv)."""
        return [
            row for view in self._published(workspace_id, journey_id) for row in figure_rows(view)
        ]
