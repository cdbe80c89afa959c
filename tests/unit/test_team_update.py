"""The team update's content, pure: only figures over k people, never what anyone wrote, and
every other week, the same weeks for every journey and every process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.calendar import Cadence, Calendar
from bot.domain.digest.view import (
    DigestView,
    FigureView,
    GroupView,
    QuoteView,
    Scorecard,
    ScoreRow,
    ThemeView,
)
from bot.domain.model import Journey, Language, Perspective, Phase, Signal, Text
from bot.domain.rituals import Ritual, RitualKind, asked_per_week, occurrences
from bot.domain.team_update import LeadershipAction, team_update

K = 5
SECRET = "I fear for my job at the press line"


def digest(week: str, people: int) -> DigestView:
    """A stored digest whose every group has `people` respondents, with a quote in it."""
    figure = FigureView(respondents=people, mean=3.2)
    return DigestView(
        journey_id=1,
        journey_name="Plant <Noord>",
        iso_week=week,
        language=Language.EN,
        phase=Phase.DESIRE,
        weeks_in_phase=2,
        phase_start_week="2026-W45",
        k=K - 2,  # stored under an older, lower threshold: the update checks again
        generated_at=datetime(2026, 11, 23, tzinfo=UTC),
        participation=(),
        perspectives=(GroupView("human", figure), GroupView("business", FigureView())),
        signals=(),
        roles=(),
        grid=(),
        trend_weeks=(),
        trend=(),
        touchpoints=0,
        themes=(ThemeView(Perspective.HUMAN, "job_security", Text("baan", "job"), people),),
        quotes=(QuoteView(Perspective.HUMAN, SECRET),),
        scorecard=Scorecard(Phase.DESIRE, (ScoreRow(Signal.HEARD, figure, "not_met", 1),), False),
    )


def journey() -> Journey:
    start = datetime(2026, 9, 1, tzinfo=UTC)
    return Journey(
        workspace_id=1,
        name="Plant <Noord>",
        channel="C1",
        language=Language.EN,
        timezone="Europe/Amsterdam",
        phase=Phase.DESIRE,
        phase_since=start,
        started_at=start,
        anonymity_threshold=K,
        id=1,
    )


def test_only_groups_of_at_least_k_are_told_and_never_a_quote() -> None:
    action = LeadershipAction(1, 1, "Listening session <@U1>", datetime(2026, 11, 18, tzinfo=UTC))
    below = team_update(journey(), "2026-W47", [digest("2026-W46", K - 1)], [action])
    assert below.perspectives == () and below.signals == () and below.themes == ()
    assert not below.said_anything
    at_k = team_update(journey(), "2026-W47", [digest("2026-W46", K)], [action])
    assert [(f.key, f.respondents) for f in at_k.perspectives] == [("human", K)]
    assert [(f.key, f.respondents) for f in at_k.signals] == [("heard", K)]
    assert [t.theme for t in at_k.themes] == ["job_security"]
    assert SECRET not in repr(at_k)
    assert [d.text for d in at_k.done] == ["Listening session @…"]
    # The newest digest of the fortnight that shows a perspective gives its figure.
    both = team_update(
        journey(), "2026-W47", [digest("2026-W47", K - 1), digest("2026-W46", K + 3)], []
    )
    assert both.weeks == ("2026-W46", "2026-W47")
    assert [(f.key, f.respondents) for f in both.perspectives] == [("human", K + 3)]
    assert both.signals == ()  # the newest digest's exit signals, which were under k


def test_a_fortnightly_ritual_falls_every_other_week_on_the_same_weeks_for_everyone() -> None:
    ritual = Ritual(
        key="team_update",
        kind=RitualKind.TEAM_UPDATE,
        cadence=Cadence.parse("mon", "09:30"),
        every_weeks=2,
    )
    start = datetime(2026, 11, 1, tzinfo=UTC)
    due = occurrences(
        ritual, "Europe/Amsterdam", Calendar.of("mon-fri"), start, start + timedelta(weeks=6)
    )
    assert len(due) == 3
    assert [b.day - a.day for a, b in zip(due, due[1:], strict=False)] == [timedelta(weeks=2)] * 2
    later = occurrences(
        ritual, "Asia/Tokyo", Calendar.of("mon-fri"), start, start + timedelta(weeks=6)
    )
    assert [o.day for o in later] == [o.day for o in due]
    assert ritual.remind_at(due[0].due_at) is None  # it asks nothing, so it reminds of nothing
    assert asked_per_week([ritual], {r for r in ritual.audience}) == (0, 0)
