"""The method's two companies replayed: which nudges fire, which do not, and their numbers."""

from __future__ import annotations

from collections.abc import Callable

from bot.app.digests import DigestService
from bot.domain.digest.nudges import NudgeContext, fire
from bot.domain.digest.view import DigestView
from bot.domain.model import Language, Perspective, Phase, Role, Signal
from bot.rendering.markdown import nudge_text
from tests.integration.digest.conftest import Scenario

Factory = Callable[..., Scenario]
EN, NL = Language.EN, Language.NL


def fired_rules(view: DigestView, ctx: NudgeContext) -> list[str]:
    return [n.rule for n in fire(view, ctx)]


def company_a(make: Factory) -> Scenario:
    """Servitization: a customer asks to pay per use. In desire, technology goes quiet and
    the veteran sales staff (followers) resist; an external change expert is hired."""
    a = make("Company A", "2026-W37")
    directors = a.people("UD", 2, Role.DIRECTOR)
    frontrunners = a.people("UF", 6, Role.FRONTRUNNER)
    sales = a.people("US", 12, Role.FOLLOWER)
    everyone = directors + frontrunners + sales
    a.move("2026-W39", Phase.INTEREST)
    a.move("2026-W44", Phase.DESIRE)
    # The first weeks of desire: technology still gets attention from most people.
    a.ask("2026-W44", "all.tech.balance.1", frontrunners + sales, [3, 4])
    a.ask("2026-W45", "all.tech.balance.1", frontrunners + sales[:10], [3, 4])
    a.ask("2026-W46", "all.tech.balance.1", frontrunners + sales[:10], [4, 3])
    a.ask("2026-W46", "de.human.heard.1", sales, [3, 3, 4])
    a.ask("2026-W46", "de.human.concerns.1", sales[:4], ["Wie gaat de contracten verkopen?"])
    a.touch("2026-W46", "External change expert hired for the sales team")
    # This week: sixteen are asked about technology as before, but only three answer
    # (17 a week before); sales feel unheard.
    a.ask("2026-W47", "all.tech.balance.1", frontrunners + sales[:10], [2, *[None] * 5])
    a.ask("2026-W47", "de.human.heard.1", sales, [2, 2, 3, 2, 1, 2, 3, 2, 2, 2, 3, 2])
    a.ask(
        "2026-W47",
        "de.human.concerns.1",
        sales[:8],
        [
            "Ik verkoop al twintig jaar machines, geen contracten. Is mijn baan nog zeker?",
            "Klanten willen gewoon een machine kopen, dit kost ons omzet.",
            "Niemand legt uit waarom dit moet.",
            "I worry my job will be replaced by a subscription portal.",
            "<!channel> this is a bad idea & nobody listens",
            "Te veel tijdsdruk om ook nog dit te leren.",
            "Wat betekent dit voor mijn baan?",
            "Klanten begrijpen het verdienmodel niet.",
        ],
    )
    a.ask("2026-W47", "all.human.balance.1", everyone, [3, 4])
    a.ask("2026-W47", "all.biz.balance.1", everyone, [4, 4, 3])
    a.ask("2026-W47", "in.biz.future_picture.1", directors + frontrunners, [3, 4, 3])
    return a


def test_company_a_desire_technology_quiet_and_sales_unheard(
    scenario_factory: Factory, digests: DigestService
) -> None:
    a = company_a(scenario_factory)
    view = digests.build(a.workspace_id, a.journey_id, "2026-W47")
    assert view.phase is Phase.DESIRE and view.weeks_in_phase == 4
    assert [n.rule for n in view.nudges] == [
        "involve_followers_heard",
        "rebalance_quiet",
        "steward_missing",
    ]
    heard, quiet, steward = view.nudges
    assert heard.params == {"who": "follower", "mean": 2.17, "people": 12}
    english, dutch = nudge_text(heard, EN), nudge_text(heard, NL)
    assert "Being heard scores low among followers: 2.2 out of 5 (12 people)" in english
    assert "Bij volgers is het gevoel gehoord te worden laag: 2,2 uit 5 (12 mensen)" in dutch
    # Judged against who was asked: 16 asked, fewer than 5 answered, where everyone asked
    # answered in each of the three weeks before.
    assert quiet.params == {
        "perspective": "technology",
        "asked": 16,
        "k": 5,
        "usual": 100,
        "weeks": 3,
        "first": "2026-W44",
        "last": "2026-W46",
    }
    assert (
        "fewer than 5 of the 16 people asked about it answered this week, against 100% of "
        "those asked on average in 3 earlier weeks (2026-W44 to 2026-W46)"
    ) in nudge_text(quiet, EN)
    assert (
        "deze week antwoordden minder dan 5 van de 16 mensen die erover gevraagd zijn, tegen "
        "gemiddeld 100% in 3 eerdere weken (2026-W44 t/m 2026-W46)"
    ) in nudge_text(quiet, NL)
    assert "learning professional" in nudge_text(steward, EN)
    # Concerns rose too (8 against fewer than 5), but that is the same advice as `heard`.
    ctx = NudgeContext(
        has_learning_professional=False, journey_weeks=11, concerns_now=8, concerns_before=4
    )
    rules = fired_rules(view, ctx)
    assert "involve_followers_concerns" in rules
    for silent in (
        "look_outside",  # the change expert was logged as a touchpoint
        "phase_next",  # being heard is far from its exit level
        "phase_back",  # the picture of the future holds (3.3)
        "protect_frontrunners",  # a waking-up rule
        "involve_followers_participation",  # every salesperson answered
    ):
        assert silent not in rules
    # The technology figure itself is withheld: three people are fewer than k.
    technology = view.perspective(Perspective.TECHNOLOGY)
    assert not technology.all.shown


def company_b(make: Factory) -> Scenario:
    """Broad exploration: a three-person board visits companies and invites a futurist;
    frontrunners are short of room to explore; later some followers prefer manual work."""
    b = make("Company B", "2026-W36")
    board = b.people("UB", 3, Role.DIRECTOR)
    frontrunners = b.people("UF", 7, Role.FRONTRUNNER)
    b.people("UL", 1, Role.LEARNING)
    staff = b.people("UW", 10, Role.FOLLOWER)
    b.move("2026-W38", Phase.INTEREST)
    b.touch("2026-W43", "Visited two companies in the regional network")
    b.touch("2026-W45", "A futurist spoke to all staff")
    for week in ("2026-W42", "2026-W43", "2026-W44", "2026-W45"):
        b.ask(week, "all.tech.balance.1", staff, [3, 4])
        b.ask(week, "all.human.balance.1", staff, [4, 3])
        b.ask(week, "all.biz.balance.1", staff, [4, 3, 4])
    b.ask("2026-W44", "aw.human.room_to_explore.1", frontrunners, [3])
    # The board says it gave room (4); the frontrunners say they had little (2.1).
    b.ask("2026-W45", "aw.human.room_to_explore.1", frontrunners, [2, 2, 3, 2, 2, 1, 3])
    b.ask("2026-W45", "aw.human.room_to_explore.1", board, [4])
    b.ask("2026-W45", "in.biz.future_picture.1", board + frontrunners, [3, 2, 3, 2, 3])
    b.ask("2026-W45", "in.tech.curiosity.1", frontrunners + board, [4])
    return b


def test_company_b_interest_frontrunners_short_of_room_and_no_picture_yet(
    scenario_factory: Factory, digests: DigestService
) -> None:
    b = company_b(scenario_factory)
    view = digests.build(b.workspace_id, b.journey_id, "2026-W45")
    assert view.phase is Phase.INTEREST and view.weeks_in_phase == 8
    assert [n.rule for n in view.nudges] == ["protect_frontrunners", "focus_future_picture"]
    room, picture = view.nudges
    # Frontrunners (7) next to everyone (10) would single out the three board members, so
    # the frontrunners' own figure is withheld and the nudge reads everyone's.
    room_signal = view.signal(Signal.ROOM_TO_EXPLORE)
    assert not room_signal.role(Role.FRONTRUNNER).shown
    assert room.params == {"who": "everyone", "mean": 2.7, "people": 10}
    assert "Room to explore scores 2.7 out of 5 among everyone (10 people)" in nudge_text(room, EN)
    assert "free hours" in nudge_text(room, EN) and "vrije uren" in nudge_text(room, NL)
    assert picture.params == {"weeks": 8, "mean": 2.6, "people": 10}
    assert "in the interest phase for 8 weeks" in nudge_text(picture, EN)
    assert "hobbyism" in nudge_text(picture, EN)
    ctx = NudgeContext(
        has_learning_professional=True, journey_weeks=10, concerns_now=0, concerns_before=0
    )
    rules = fired_rules(view, ctx)
    for silent in ("look_outside", "rebalance_quiet", "rebalance_lags", "phase_next", "phase_back"):
        assert silent not in rules


def test_company_b_desire_followers_involved_and_ready_for_action(
    scenario_factory: Factory, digests: DigestService
) -> None:
    b = company_b(scenario_factory)
    staff = [f"UW{i:02d}" for i in range(1, 11)]
    b.move("2026-W46", Phase.DESIRE)
    b.touch("2026-W47", "Fieldlab visit: industrial robots")
    manual = [
        "Ik werk liever met mijn handen, handwerk is mijn vak.",
        "I prefer manual work over programming a robot.",
        "Handmatig repareren vind ik mooi werk.",
        "Blijft er ruimte voor vakmanschap?",
        "Manual repair is what I am good at.",
        "Ik wil graag handwerk blijven doen, misschien in reparatie.",
    ]
    for week in ("2026-W46", "2026-W47", "2026-W48"):
        b.ask(week, "de.tech.balance.1", staff, [4, 3])
        b.ask(week, "all.biz.balance.1", staff, [4, 3])
    for week in ("2026-W47", "2026-W48"):
        b.ask(week, "de.human.concerns.1", staff[:6], manual)
        b.ask(week, "de.human.heard.1", staff, [4, 4, 3, 4, 4])
        b.ask(week, "de.biz.why_unavoidable.1", staff, [4, 4, 4, 3, 4])
        b.ask(week, "de.human.my_role.1", staff, [4, 3, 4, 4, 3])
    view = digests.build(b.workspace_id, b.journey_id, "2026-W48")
    assert view.phase is Phase.DESIRE and view.weeks_in_phase == 3
    assert [n.rule for n in view.nudges] == ["phase_next"]
    (move_on,) = view.nudges
    assert move_on.params["signals"] == "why_unavoidable=3.8, heard=3.8, my_role=3.6"
    assert "why change is unavoidable 3.8, being heard 3.8 and what it means" in (
        nudge_text(move_on, EN)
    )
    assert "`/pioneer phase next`" in nudge_text(move_on, EN)
    assert "`/pioneer phase next`" in nudge_text(move_on, NL)
    # Six followers wrote about manual work: a theme with its count (six is at least k).
    manual_theme = [x for x in view.themes if x.theme == "manual_work"]
    assert manual_theme and manual_theme[0].people == 6
    followers = view.participation_of(Role.FOLLOWER)
    assert followers is not None and (followers.answered, followers.asked) == (10, 10)
    ctx = NudgeContext(
        has_learning_professional=True, journey_weeks=13, concerns_now=6, concerns_before=6
    )
    rules = fired_rules(view, ctx)
    for silent in (
        "involve_followers_heard",
        "involve_followers_concerns",  # as many as last week: not rising
        "involve_followers_participation",
        "steward_missing",  # there is a learning professional
        "look_outside",
        "protect_frontrunners",
    ):
        assert silent not in rules


def test_a_perspective_the_plan_hardly_asked_about_is_not_called_quiet(
    scenario_factory: Factory, digests: DigestService
) -> None:
    """Rotation may ask few people about a perspective in a week; that is no warning."""
    a = scenario_factory("Company A", "2026-W37")
    frontrunners = a.people("UF", 6, Role.FRONTRUNNER)
    sales = a.people("US", 12, Role.FOLLOWER)
    a.move("2026-W39", Phase.INTEREST)
    for week in ("2026-W44", "2026-W45", "2026-W46"):
        a.ask(week, "all.tech.balance.1", frontrunners + sales, [3, 4])
    a.ask("2026-W47", "all.tech.balance.1", frontrunners[:3], [3])  # only three asked
    a.ask("2026-W47", "all.human.balance.1", frontrunners + sales, [3, 4])
    view = digests.build(a.workspace_id, a.journey_id, "2026-W47")
    assert "rebalance_quiet" not in [n.rule for n in view.nudges]
    tech = [p for p in view.trend if p.perspective.value == "technology"]
    assert (tech[-1].asked, tech[-2].asked) == (3, 18)
