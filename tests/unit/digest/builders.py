"""Small builders for the pure digest: answer points, a journey, and `analyse` around them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from bot.domain.digest.analysis import DigestInput, analyse
from bot.domain.digest.view import DigestView
from bot.domain.model import Journey, Language, Perspective, Phase, Role, Signal
from bot.domain.records import AnswerPoint

WEEK = "2026-W49"
NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
# Monday 7 September 2026: the journey's first week is 2026-W37.
STARTED = datetime(2026, 9, 7, 8, tzinfo=UTC)


def journey(k: int = 5, started_at: datetime = STARTED) -> Journey:
    return Journey(
        workspace_id=1,
        name="Plant North",
        channel="C1",
        language=Language.EN,
        timezone="Europe/Amsterdam",
        phase=Phase.DESIRE,
        phase_since=datetime(2026, 11, 2, tzinfo=UTC),
        started_at=started_at,
        anonymity_threshold=k,
        id=7,
    )


def answers(
    members: range | Sequence[int],
    value: int,
    item: str,
    signal: Signal,
    perspective: Perspective,
    week: str = WEEK,
    roles: tuple[Role, ...] = (Role.FOLLOWER,),
) -> list[AnswerPoint]:
    """One answer of `value` to `item` from each member."""
    return [
        AnswerPoint(m, week, Phase.DESIRE, perspective, signal, frozenset(roles), value, item)
        for m in members
    ]


def digest(
    values: Sequence[AnswerPoint],
    *,
    phase: Phase = Phase.DESIRE,
    phase_start_week: str = "2026-W47",
    week: str = WEEK,
    k: int = 5,
    roles: Mapping[int, frozenset[Role]] | None = None,
    started_at: datetime = STARTED,
    asked_by_perspective: Mapping[tuple[str, Perspective], int] | None = None,
) -> DigestView:
    everyone = roles or {p.member_id: p.roles for p in values}
    return analyse(
        DigestInput(
            journey=journey(k, started_at),
            iso_week=week,
            phase=phase,
            phase_start_week=phase_start_week,
            values=values,
            texts=[],
            asked=set(everyone),
            roles=dict(everyone),
            cells=[],
            weeks=[],
            touchpoints=[],
            generated_at=NOW,
            asked_by_perspective=asked_by_perspective or {},
        )
    )
