"""Small builders for the pure digest: answer points, a journey, and `analyse` around them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from bot.domain.digest.analysis import DigestInput, analyse
from bot.domain.digest.nudges import NudgeContext, fire
from bot.domain.digest.scorecard import scorecard, status_of
from bot.domain.digest.view import (
    DigestView,
    FigureView,
    GroupView,
    ParticipationView,
    RoleFigure,
    ScoreStatus,
    TrendPoint,
)
from bot.domain.model import (
    PERSPECTIVES,
    Journey,
    Language,
    Perspective,
    Phase,
    Role,
    Signal,
    Touchpoint,
)
from bot.domain.records import AnswerPoint

WEEK = "2026-W49"
NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
# Monday 7 September 2026: the journey's first week is 2026-W37.
STARTED = datetime(2026, 9, 7, 8, tzinfo=UTC)


def journey(k: int = 5, started_at: datetime = STARTED, name: str = "Plant North") -> Journey:
    return Journey(
        workspace_id=1,
        name=name,
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
    touchpoints: Sequence[Touchpoint] = (),
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
            weeks=[],
            touchpoints=touchpoints,
            generated_at=NOW,
            asked_by_perspective=asked_by_perspective or {},
        )
    )


# -- digests built by hand, for the nudge rules --------------------------------------
CALM = NudgeContext(
    has_learning_professional=True, journey_weeks=10, concerns_now=0, concerns_before=0
)


def fig(mean: float, people: int = 8, last: float | None = None) -> FigureView:
    return FigureView(
        respondents=people,
        mean=mean,
        vs_last_week=None if last is None else round(mean - last, 2),
    )


def view(
    phase: Phase,
    signals: dict[Signal, FigureView] | None = None,
    perspectives: dict[Perspective, float] | None = None,
    weeks_in_phase: int = 3,
    touchpoints: int = 1,
    participation: tuple[ParticipationView, ...] = (),
    roles: dict[Signal, dict[Role, FigureView]] | None = None,
    trend: dict[Perspective, list[int | None]] | None = None,
    earlier: list[dict[Signal, ScoreStatus]] | None = None,
    asked: dict[Perspective, list[int | None]] | None = None,
) -> DigestView:
    """A week's digest; the scorecard's earlier weeks (oldest first) default to weeks just
    like this one since the phase began."""
    means = perspectives or {p: 3.5 for p in PERSPECTIVES}
    weeks = tuple(f"2026-W{w}" for w in range(42, 50))
    counts = trend or {p: [10] * 8 for p in PERSPECTIVES}
    sent = asked or {p: [None] * 8 for p in PERSPECTIVES}
    now = {s: GroupView(s.value, f) for s, f in (signals or {}).items()}
    if earlier is None:
        earlier = [{s: status_of(g.all.mean) for s, g in now.items()}] * (weeks_in_phase - 1)
    return DigestView(
        journey_id=1,
        journey_name="J",
        iso_week="2026-W49",
        language=Language.EN,
        phase=phase,
        weeks_in_phase=weeks_in_phase,
        phase_start_week="2026-W47",
        k=5,
        generated_at=datetime(2026, 12, 7, tzinfo=UTC),
        participation=participation,
        perspectives=tuple(GroupView(p.value, fig(m)) for p, m in means.items()),
        signals=tuple(
            GroupView(
                s.value,
                f,
                tuple(RoleFigure(r, rf) for r, rf in (roles or {}).get(s, {}).items()),
            )
            for s, f in (signals or {}).items()
        ),
        roles=(),
        grid=(),
        trend_weeks=weeks,
        trend=tuple(
            TrendPoint(w, p, n, 3.5 if n else None, a)
            for p in PERSPECTIVES
            for w, n, a in zip(weeks, counts[p], sent[p], strict=True)
        ),
        touchpoints=touchpoints,
        scorecard=scorecard(phase, now, earlier),
    )


def rules_of(v: DigestView, ctx: NudgeContext = CALM) -> list[str]:
    return [n.rule for n in fire(v, ctx)]
