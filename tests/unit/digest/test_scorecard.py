"""The phase scorecard: statuses, weeks in a row, ready to move on, groups left out."""

from __future__ import annotations

import json

from bot.domain.digest.view import DigestView, ScoreStatus
from bot.domain.model import Language, Perspective, Phase, Role, Signal
from bot.domain.records import AnswerPoint
from bot.rendering.markdown import render_markdown, render_summary
from tests.unit.digest.builders import answers, digest

PICTURE, BIZ = Signal.FUTURE_PICTURE, Perspective.BUSINESS
FRONTRUNNERS = range(1, 11)
MET, NOT_MET, NOT_MEASURED = (s.value for s in ScoreStatus)


def picture(week: str, value: int, people: range = FRONTRUNNERS) -> list[AnswerPoint]:
    return answers(
        people, value, "in.biz.future_picture.1", PICTURE, BIZ, week, (Role.FRONTRUNNER,)
    )


def interest(values: list[AnswerPoint], start: str = "2026-W46", **kw: object) -> DigestView:
    return digest(values, phase=Phase.INTEREST, phase_start_week=start, **kw)  # type: ignore[arg-type]


def test_met_two_weeks_in_a_row_is_ready() -> None:
    # W46 not met, W47 not asked, W48 and W49 met.
    values = [*picture("2026-W46", 3), *picture("2026-W48", 4), *picture("2026-W49", 4)]
    card = interest(values).scorecard
    assert card is not None and card.phase is Phase.INTEREST
    (row,) = card.rows
    assert (row.signal, row.status, row.weeks) == (PICTURE, MET, 2)
    assert row.figure.mean == 4.0 and row.figure.respondents == 10
    assert card.ready


def test_met_this_week_only_is_not_ready_yet() -> None:
    values = [*picture("2026-W48", 3), *picture("2026-W49", 4)]
    card = interest(values).scorecard
    assert card is not None
    assert [(r.status, r.weeks) for r in card.rows] == [(MET, 1)]
    assert not card.ready


def test_not_met_and_not_measured_count_their_weeks_too() -> None:
    low = [p for w in ("2026-W47", "2026-W48", "2026-W49") for p in picture(w, 2)]
    card = interest(low).scorecard
    assert card is not None and [(r.status, r.weeks) for r in card.rows] == [(NOT_MET, 3)]
    # Nobody asked these two weeks: not measured, twice; never "not met".
    quiet = interest(picture("2026-W47", 4)).scorecard
    assert quiet is not None
    assert [(r.status, r.weeks, r.figure.shown) for r in quiet.rows] == [(NOT_MEASURED, 2, False)]
    assert not quiet.ready


def test_fewer_than_k_answers_are_not_measured_not_a_low_score() -> None:
    values = [*picture("2026-W48", 4), *picture("2026-W49", 1, range(1, 5))]
    card = interest(values).scorecard
    assert card is not None
    (row,) = card.rows
    assert (row.status, row.weeks, row.figure.respondents) == (NOT_MEASURED, 1, None)


def test_one_week_without_a_figure_does_not_break_a_run_two_do() -> None:
    # Met in W46, too few answers in W47, met in W48: met twice in a row, ready.
    bridged = interest(
        [*picture("2026-W46", 4), *picture("2026-W47", 4, range(1, 4)), *picture("2026-W48", 4)],
        week="2026-W48",
    ).scorecard
    assert bridged is not None and [(r.status, r.weeks) for r in bridged.rows] == [(MET, 2)]
    assert bridged.ready
    # Not measured this week after two met weeks: still ready, and the row says so.
    after = interest([*picture("2026-W47", 4), *picture("2026-W48", 4)]).scorecard
    assert after is not None
    assert [(r.status, r.weeks, r.before) for r in after.rows] == [(NOT_MEASURED, 1, 2)]
    assert after.ready
    text = render_markdown(interest([*picture("2026-W47", 4), *picture("2026-W48", 4)]))
    assert "not measured this week (not asked, or too few answers to show anonymously); " in text
    assert "met the 2 times before" in text
    # Two weeks without a figure end the run: W46 and W47 met, W48 and W49 not measured.
    stale = interest([*picture("2026-W46", 4), *picture("2026-W47", 4)]).scorecard
    assert stale is not None
    assert [(r.status, r.weeks, r.before) for r in stale.rows] == [(NOT_MEASURED, 2, 0)]
    assert not stale.ready
    gap = interest([*picture("2026-W46", 4), *picture("2026-W49", 4)], week="2026-W49").scorecard
    assert gap is not None and [(r.status, r.weeks) for r in gap.rows] == [(MET, 1)]


def test_weeks_before_the_phase_began_do_not_count() -> None:
    values = [*picture("2026-W47", 4), *picture("2026-W48", 4), *picture("2026-W49", 4)]
    card = interest(values, start="2026-W49").scorecard
    assert card is not None and [(r.status, r.weeks) for r in card.rows] == [(MET, 1)]
    assert not card.ready


def test_every_exit_signal_of_desire_must_be_met_and_action_has_no_scorecard() -> None:
    followers = range(1, 11)
    week = [
        *answers(followers, 4, "why", Signal.WHY_UNAVOIDABLE, BIZ, "2026-W49"),
        *answers(followers, 4, "heard", Signal.HEARD, Perspective.HUMAN, "2026-W49"),
    ]
    card = digest([*week, *[p._replace(iso_week="2026-W48") for p in week]]).scorecard
    assert card is not None
    assert [(r.signal, r.status) for r in card.rows] == [
        (Signal.WHY_UNAVOIDABLE, MET),
        (Signal.HEARD, MET),
        (Signal.MY_ROLE, NOT_MEASURED),
    ]
    assert not card.ready
    assert digest(week, phase=Phase.ACTION).scorecard is None


def test_a_board_that_can_never_reach_k_is_left_out_with_one_line_why() -> None:
    board = {m: frozenset({Role.DIRECTOR}) for m in (21, 22, 23)}
    roles = {**{m: frozenset({Role.FRONTRUNNER}) for m in FRONTRUNNERS}, **board}
    values = [*picture("2026-W49", 4), *picture("2026-W49", 4, range(21, 24))]
    view = interest(values, roles=roles)
    assert view.left_out == (Role.DIRECTOR,)
    assert view.scorecard is not None and view.scorecard.left_out == (Role.DIRECTOR,)
    assert [p.role for p in view.participation] == [None, Role.FRONTRUNNER]
    english = render_markdown(view, Language.EN)
    assert "directors:" not in english
    assert (
        "Directors are fewer than 5 people, so they never get figures of their own; "
        "their answers count under everyone."
    ) in english
    dutch = render_markdown(view, Language.NL)
    assert "Directeuren tellen minder dan 5 mensen" in dutch
    # Five directors can be shown, so they keep their line.
    bigger = {**roles, **{m: frozenset({Role.DIRECTOR}) for m in range(21, 26)}}
    assert interest(values, roles=bigger).left_out == ()


def test_the_scorecard_comes_first_in_both_languages() -> None:
    values = [*picture("2026-W48", 4), *picture("2026-W49", 4)]
    view = interest(values)
    english = render_markdown(view, Language.EN)
    assert english.index("## Scorecard: interest") < english.index("## Nudges")
    assert "A signal is met at 3.5 out of 5 or more;" in english
    assert (
        "- **shared picture of the future**: 4.0 out of 5 (10 people) — met 2 times in a row"
    ) in english
    assert "**Ready to move on? Yes: every signal has been met at least 2 times" in english
    dutch = render_markdown(view, Language.NL)
    assert "## Scorekaart: interest" in dutch
    assert "Een signaal is gehaald vanaf 3,5 uit 5;" in dutch
    assert ("- **gedeeld toekomstbeeld**: 4,0 uit 5 (10 mensen) — 2 keer op rij gehaald") in dutch
    assert "**Klaar voor de volgende fase? Ja: elk signaal is minstens 2 keer" in dutch
    waiting = interest(picture("2026-W49", 4))
    assert "Not yet. Not yet met 2 times in a row: shared picture of the future." in (
        render_summary(waiting, Language.EN)
    )
    assert "Nog niet. Nog geen 2 keer op rij gehaald: gedeeld toekomstbeeld." in (
        render_summary(waiting, Language.NL)
    )


def test_the_scorecard_is_stored_and_an_older_digest_still_loads() -> None:
    view = interest([*picture("2026-W48", 4), *picture("2026-W49", 4)])
    payload = json.loads(json.dumps(view.to_dict()))
    assert DigestView.from_dict(payload) == view
    assert payload["scorecard"]["rows"][0]["status"] == "met"
    for key in ("scorecard", "left_out", "contacts"):
        del payload[key]
    old = DigestView.from_dict(payload)
    assert old.scorecard is None and old.left_out == () and old.contacts == ()
    assert "Scorecard" not in render_markdown(old, Language.EN)
