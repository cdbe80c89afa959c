"""What an operator lists from the command line: every journey, with the ids commands take."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from storage.models import JourneyRow, MemberRow, WorkspaceRow


@dataclass(frozen=True)
class JourneyLine:
    id: int
    platform: str
    workspace: str
    name: str
    channel: str
    phase: str
    language: str
    timezone: str
    paused: bool
    members: int


def journey_lines(engine: Engine) -> list[JourneyLine]:
    """Every journey of every workspace, oldest first."""
    members = (
        select(MemberRow.journey_id, func.count().label("n"))
        .group_by(MemberRow.journey_id)
        .subquery()
    )
    query = (
        select(JourneyRow, WorkspaceRow, func.coalesce(members.c.n, 0))
        .join(WorkspaceRow, WorkspaceRow.id == JourneyRow.workspace_id)
        .outerjoin(members, members.c.journey_id == JourneyRow.id)
        .order_by(JourneyRow.id)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [
        JourneyLine(
            id=journey.id,
            platform=workspace.platform,
            workspace=workspace.name or workspace.external_id,
            name=journey.name,
            channel=journey.channel,
            phase=journey.phase,
            language=journey.language,
            timezone=journey.timezone,
            paused=bool(journey.paused),
            members=int(count),
        )
        for journey, workspace, count in rows
    ]
