"""The ecosystem named: contacts listed by what they were; only outside ones count."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.digest.nudges import fire
from bot.domain.model import Language, Perspective, Phase, Signal, Touchpoint, TouchpointKind
from bot.rendering.markdown import render_markdown, render_summary
from tests.unit.digest.builders import CALM, answers, digest

VALUES = answers(range(1, 11), 4, "heard.1", Signal.HEARD, Perspective.HUMAN)


def contact(day: int, kind: TouchpointKind, note: str, id: int) -> Touchpoint:
    return Touchpoint(
        workspace_id=1,
        journey_id=7,
        happened_on=date(2026, 12, day),
        note=note,
        logged_by_member_id=1,
        logged_at=datetime(2026, 12, day, 12, tzinfo=UTC),
        kind=kind,
        id=id,
    )


EXPERT = contact(1, TouchpointKind.EXPERT, "Change expert <b>hired</b> & briefed <@U123>", 1)
TEAM = contact(3, TouchpointKind.TEAM, "Repair team formed", 2)


def test_contacts_are_listed_by_kind_and_only_outside_ones_count() -> None:
    view = digest(VALUES, touchpoints=[EXPERT, TEAM])
    assert view.touchpoints == 1
    assert [(c.kind, c.outside) for c in view.contacts] == [
        (TouchpointKind.TEAM, False),
        (TouchpointKind.EXPERT, True),
    ]
    # The note is made safe to show: escaped, and nobody mentioned by id.
    assert view.contacts[1].note == "Change expert &lt;b&gt;hired&lt;/b&gt; &amp; briefed @…"
    english = render_markdown(view, Language.EN)
    assert "Contacts outside the company in the last 4 weeks: 1." in english
    assert (
        "- 2026-12-03, team formed inside the company "
        "(no contact outside the company, not counted): "
        "Repair team formed"
    ) in english
    assert "- 2026-12-01, outside expert: Change expert &lt;b&gt;hired" in english
    dutch = render_markdown(view, Language.NL)
    assert "- 2026-12-01, externe expert: Change expert" in dutch
    inside = "team gevormd binnen de eigen muren (geen contact buiten de deur, telt niet mee)"
    assert inside in dutch
    assert "• 2026-12-01, outside expert:" in render_summary(view, Language.EN)


def test_a_step_inside_the_walls_is_no_reason_to_stop_looking_outside() -> None:
    inside = digest(VALUES, phase=Phase.ACTION, touchpoints=[TEAM])
    assert inside.touchpoints == 0 and len(inside.contacts) == 1
    assert "look_outside" in [n.rule for n in fire(inside, CALM)]
    outside = digest(VALUES, phase=Phase.ACTION, touchpoints=[TEAM, EXPERT])
    assert "look_outside" not in [n.rule for n in fire(outside, CALM)]
