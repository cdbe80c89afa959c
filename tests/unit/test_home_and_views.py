"""A member's home (their journeys and what is still open for them) and a prompt as it
stands now, read through the ports."""

from __future__ import annotations

from datetime import timedelta

from bot.app.commands import Context
from bot.app.home import home
from bot.app.services import Services
from bot.clock import FixedClock
from bot.domain.model import Language, Phase, PromptKind
from tests import seed
from tests.seed import deliver


def ctx(workspace_id: int, user: str) -> Context:
    return Context(platform="console", workspace_id=workspace_id, channel="D1", user=user)


def test_home_lists_my_journeys_with_what_i_can_still_answer(
    services: Services, clock: FixedClock, workspace_id: int
) -> None:
    mine = services.journeys.start(workspace_id, "C1", "Plant Noord", "UFAC")
    services.journeys.start(workspace_id, "C2", "Plant Zuid", "UOTHER")  # not theirs
    assert mine.id is not None
    services.journeys.join(workspace_id, mine.id, "U1")
    poll = deliver(services, workspace_id, mine.id, "U1", closes_in=timedelta(days=10))
    checkin = deliver(services, workspace_id, mine.id, "U1", PromptKind.CHECKIN, timedelta(days=9))
    deliver(services, workspace_id, mine.id, "U1", occurrence="w2", status="pending")
    deliver(services, workspace_id, mine.id, "U1", occurrence="w3", closes_in=timedelta(hours=1))
    assert poll.id is not None and checkin.id is not None
    services.answers.record(workspace_id, poll.id, "U1", value=4)
    clock.advance(timedelta(days=7, hours=2))  # a week on: the hour-long poll is closed

    seen = home(services.uow, clock, services.views, ctx(workspace_id, "U1"))

    assert seen.language is Language.EN
    (journey,) = seen.journeys
    assert (journey.journey_id, journey.name, journey.channel) == (mine.id, "Plant Noord", "C1")
    assert journey.weeks_in_phase == 1 and not journey.facilitator
    assert "awareness" in journey.phase_text.lower()
    # Soonest to close first; the pending one was never sent, the closed one takes no answer.
    assert [v.delivery_id for v in journey.open_prompts] == [checkin.id, poll.id]
    assert [v.answered_value for v in journey.open_prompts] == [None, 4]
    facilitator = home(services.uow, clock, services.views, ctx(workspace_id, "UFAC"))
    assert [(j.name, j.facilitator, j.open_prompts) for j in facilitator.journeys] == [
        ("Plant Noord", True, ())
    ]
    assert home(services.uow, clock, services.views, ctx(workspace_id, "USTRANGER")).journeys == ()


def test_a_prompt_is_shown_as_it_stands_and_only_in_its_workspace(
    services: Services, clock: FixedClock, workspace_id: int
) -> None:
    journey = services.journeys.start(workspace_id, "C1", "Plant", "UFAC", Language.NL)
    assert journey.id is not None
    services.journeys.join(workspace_id, journey.id, "U1")
    delivery = deliver(services, workspace_id, journey.id, "U1", closes_in=timedelta(days=1))
    assert delivery.id is not None
    services.answers.record(workspace_id, delivery.id, "U1", value=2, text="te druk")
    other = seed.workspace_id(services.uow, "console", "T-OTHER")

    view = services.views.view_for(workspace_id, delivery.id)
    assert view is not None
    assert (view.delivery_id, view.language, view.journey_name) == (delivery.id, "nl", "Plant")
    assert (view.answered_value, view.answered_text, view.closed) == (2, "te druk", False)
    assert view.phase is Phase.AWARENESS and view.low_label is not None
    clock.advance(timedelta(days=1))
    closed = services.views.view_for(workspace_id, delivery.id)
    assert closed is not None and closed.closed
    assert services.views.view_for(other, delivery.id) is None
    assert services.views.view_for(workspace_id, delivery.id + 1000) is None
