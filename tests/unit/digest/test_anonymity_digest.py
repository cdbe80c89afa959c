"""Anonymity in the digest: k-1, k and k+1 respondents, differencing, counts, quotes."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import pytest

from bot.domain.anonymity import WITHHELD, AnonymityRule, Shown
from bot.domain.digest.analysis import DigestInput, analyse
from bot.domain.digest.figures import disclosable, person_figure
from bot.domain.digest.published import WeekFigures
from bot.domain.digest.texts import quotes
from bot.domain.digest.view import DigestView
from bot.domain.model import Journey, Perspective, Phase, PromptKind, Role, Signal
from bot.domain.records import AnswerPoint, TextPoint, WeekCell
from prompts.themes import load_themes
from tests.unit.digest import builders

WEEK = "2026-W49"
EARLIER = "2026-W43"  # before the phase began (2026-W45): the digest reads it aggregated
NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def journey(k: int) -> Journey:
    return builders.journey(k, datetime(2026, 9, 7, tzinfo=UTC), name="Plant <North> & co")


def point(
    member: int,
    value: int,
    roles: tuple[Role, ...] = (Role.FOLLOWER,),
    perspective: Perspective = Perspective.HUMAN,
    signal: Signal = Signal.HEARD,
    week: str = WEEK,
) -> AnswerPoint:
    return AnswerPoint(member, week, Phase.DESIRE, perspective, signal, frozenset(roles), value)


def digest(
    k: int,
    values: list[AnswerPoint],
    texts: list[TextPoint] | None = None,
    asked: set[int] | None = None,
    roles: dict[int, tuple[Role, ...]] | None = None,
    weeks: list[WeekCell] | None = None,
    phases: dict[str, Phase] | None = None,
    published: dict[str, WeekFigures] | None = None,
) -> DigestView:
    roles = roles or {p.member_id: tuple(p.roles) for p in values}
    return analyse(
        DigestInput(
            journey=journey(k),
            iso_week=WEEK,
            phase=Phase.DESIRE,
            phase_start_week="2026-W45",
            values=values,
            texts=texts or [],
            asked=asked if asked is not None else set(roles),
            roles={m: frozenset(r) for m, r in roles.items()},
            weeks=weeks or [],
            phases=phases or {},
            published=published or {},
            touchpoints=[],
            generated_at=NOW,
            theme_rules=load_themes(),
        )
    )


@pytest.mark.parametrize("k", [3, 5])
def test_a_perspective_at_k_minus_one_k_and_k_plus_one(k: int) -> None:
    for n, shown in ((k - 1, False), (k, True), (k + 1, True)):
        view = digest(k, [point(i, 2 + i % 3) for i in range(n)])
        human = view.perspective(Perspective.HUMAN).all
        assert human.shown is shown
        assert human.respondents == (n if shown else None)
        assert (human.mean is None) is (not shown)
        everyone = view.participation_of(None)
        assert everyone is not None
        assert everyone.answered == (n if shown else None)
        assert everyone.asked == (n if shown else None)
        # The trend follows the same rule, and the grid holds only what the trend shows.
        aggregated = digest(
            k,
            [],
            weeks=[WeekCell(EARLIER, Perspective.HUMAN, n, 3.25)],
            phases={EARLIER: Phase.DESIRE},
        )
        cell = next(
            c
            for c in aggregated.grid
            if c.phase is Phase.DESIRE and c.perspective is Perspective.HUMAN
        )
        assert cell.respondents == (n if shown else None)
        assert cell.mean == (3.25 if shown else None)
        trend = next(p for p in aggregated.series(Perspective.HUMAN) if p.iso_week == EARLIER)
        assert (trend.respondents, trend.mean) == ((n, 3.25) if shown else (None, None))


def test_a_person_answering_twice_counts_once() -> None:
    values = [point(i, 4) for i in range(4)] + [point(0, 4, signal=Signal.MY_ROLE)]
    assert not digest(5, values).perspective(Perspective.HUMAN).all.shown


def test_a_role_is_withheld_when_everyone_minus_it_is_fewer_than_k() -> None:
    # 7 followers and 3 directors: showing followers next to everyone reveals the directors.
    values = [point(i, 4) for i in range(7)] + [
        point(i, 1, roles=(Role.DIRECTOR,)) for i in range(7, 10)
    ]
    human = digest(5, values).perspective(Perspective.HUMAN)
    assert human.all.respondents == 10
    assert not human.role(Role.FOLLOWER).shown
    assert not human.role(Role.DIRECTOR).shown
    # With 5 and 5 both may be shown: every difference is at least k.
    values = [point(i, 4) for i in range(5)] + [
        point(i, 1, roles=(Role.DIRECTOR,)) for i in range(5, 10)
    ]
    human = digest(5, values).perspective(Perspective.HUMAN)
    assert human.role(Role.FOLLOWER).respondents == 5
    assert human.role(Role.DIRECTOR).respondents == 5
    assert human.role(Role.DIRECTOR).mean == 1.0


def test_overlapping_roles_never_leave_a_small_cell() -> None:
    # 12 people; directors 0-5, facilitators 3-8: the overlap 3-5 has three people, so
    # showing both roles (and everyone) would let a reader work out those three.
    roles: dict[int, tuple[Role, ...]] = {}
    for i in range(12):
        r = []
        if i < 6:
            r.append(Role.DIRECTOR)
        if 3 <= i < 9:
            r.append(Role.FACILITATOR)
        roles[i] = tuple(r) or (Role.FOLLOWER,)
    values = [point(i, 3, roles=roles[i]) for i in range(12)]
    human = digest(5, values, roles=roles).perspective(Perspective.HUMAN)
    shown = [r.role for r in human.roles if r.figure.shown]
    assert Role.DIRECTOR in shown or Role.FACILITATOR in shown
    assert not (Role.DIRECTOR in shown and Role.FACILITATOR in shown)


@pytest.mark.parametrize("seed", range(30))
def test_no_difference_of_shown_groups_describes_fewer_than_k(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([3, 5])
    universe = set(range(rng.randint(k, 30)))
    candidates = [
        (name, [{m for m in universe if rng.random() < rng.random()}]) for name in "abcde"
    ]
    kept = disclosable(universe, candidates, k)
    shown = [universe] + [s for name, (s,) in ((n, c) for n, c in candidates) if name in kept]
    # Any set expression over shown groups is a union of the partition's cells.
    for r in range(1, len(shown) + 1):
        for combo in itertools.combinations(shown, r):
            inside = set.intersection(*combo)
            outside = set().union(*(s for s in shown if all(s is not c for c in combo)))
            cell = inside - outside
            assert len(cell) == 0 or len(cell) >= k
    for a, b in itertools.permutations(shown, 2):
        assert len(a - b) == 0 or len(a - b) >= k


def test_participation_counts_obey_the_rule() -> None:
    # Ten followers asked, eight answered: the two who did not would be a group of two.
    roles = {i: (Role.FOLLOWER,) for i in range(10)}
    values = [point(i, 3) for i in range(8)]
    view = digest(5, values, asked=set(range(10)), roles=roles)
    everyone = view.participation_of(None)
    assert everyone is not None and everyone.asked == 10 and everyone.answered is None
    # Ten asked, five answered: both groups have at least k.
    view = digest(5, [point(i, 3) for i in range(5)], asked=set(range(10)), roles=roles)
    followers = view.participation_of(Role.FOLLOWER)
    assert followers is not None and (followers.answered, followers.asked) == (5, 10)
    assert followers.rate == 0.5


def text(member: int, body: str, perspective: Perspective = Perspective.HUMAN) -> TextPoint:
    return TextPoint(member, WEEK, perspective, Signal.CONCERNS, PromptKind.CHECKIN, body)


@pytest.mark.parametrize("k", [3, 5])
def test_quotes_and_themes_only_from_groups_of_at_least_k(k: int) -> None:
    bodies = [f"Te veel werkdruk en geen tijd voor training, zegt team {i}" for i in range(k)]
    below = digest(k, [], texts=[text(i, bodies[i]) for i in range(k - 1)])
    assert below.quotes == () and below.themes == ()
    at = digest(k, [], texts=[text(i, bodies[i]) for i in range(k)])
    assert len(at.quotes) == 3
    assert {x.theme for x in at.themes} == {"time_pressure", "training"}
    assert all(x.people == k for x in at.themes)


def test_quotes_are_escaped_shortened_nameless_and_shuffled_deterministically() -> None:
    bodies = [
        "<!channel> look at <https://evil.example|this> & laugh",
        "<@U123|jan> said the robot will take our jobs",
        "x" * 500,
        "Gewoon een zorg.",
        "Nog een zorg.",
        "Laatste zorg.",
    ]
    texts = [text(i, b) for i, b in enumerate(bodies)]
    view = digest(5, [], texts=texts)
    assert len(view.quotes) == 3
    assert view.quotes == digest(5, [], texts=list(texts)).quotes  # same seed, same order
    everything = quotes(5, texts, seed="7:2026-W49", limit=10)
    assert len(everything) == 6
    assert [q.text for q in everything] != [q.text for q in quotes(5, texts, "x", limit=10)]
    assert [q.text[:10] for q in everything] != [b[:10] for b in bodies]
    for quote in everything:
        assert "<" not in quote.text and ">" not in quote.text
        assert len(quote.text) <= 200
        assert "U123" not in quote.text and "jan" not in quote.text
        assert set(vars(quote)) == {"perspective", "text", "signal"}
        assert quote.signal is Signal.CONCERNS
    assert any("&amp; laugh" in q.text for q in everything)
    assert any(q.text.endswith("…") for q in everything)


@pytest.mark.parametrize("seed", range(20))
def test_the_digest_figure_is_the_anonymity_rules_figure(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([3, 5])
    points = [point(rng.randrange(12), rng.randint(1, 5)) for _ in range(rng.randint(0, 40))]
    rule = AnonymityRule(k)
    expected = rule.figure((p.member_id, p.value) for p in points)
    got = person_figure(rule, points)
    if isinstance(expected, Shown):
        assert got == expected
    else:
        assert expected is WITHHELD and got is None


def test_a_signal_and_its_perspective_cannot_be_differenced() -> None:
    # Human perspective this week: 20 people answer `balance`, the 12 followers also answer
    # `heard`; 6 frontrunners and 2 directors answer only `balance`. Showing everyone, the
    # frontrunners, and `heard` together would let a reader work out the two directors.
    frontrunners, followers, directors = range(6), range(6, 18), range(18, 20)
    values = [point(i, 4, (Role.FRONTRUNNER,), signal=Signal.BALANCE) for i in frontrunners]
    values += [point(i, 3, signal=Signal.BALANCE) for i in followers]
    values += [point(i, 2, signal=Signal.HEARD) for i in followers]
    values += [point(i, 5, (Role.DIRECTOR,), signal=Signal.BALANCE) for i in directors]
    view = digest(5, values)
    groups = {
        "human": set(range(20)),
        "human.frontrunner": set(frontrunners),
        "human.follower": set(followers),
        "human.director": set(directors),
        "balance": set(range(20)),
        "heard": set(followers),
        "heard.follower": set(followers),
        "balance.frontrunner": set(frontrunners),
        "balance.follower": set(followers),
        "balance.director": set(directors),
    }
    human, heard, balance = (
        view.perspective(Perspective.HUMAN),
        view.signal(Signal.HEARD),
        view.signal(Signal.BALANCE),
    )
    shown = {
        "human": human.all.shown,
        "human.frontrunner": human.role(Role.FRONTRUNNER).shown,
        "human.follower": human.role(Role.FOLLOWER).shown,
        "human.director": human.role(Role.DIRECTOR).shown,
        "balance": balance.all.shown,
        "heard": heard.all.shown,
        "heard.follower": heard.role(Role.FOLLOWER).shown,
        "balance.frontrunner": balance.role(Role.FRONTRUNNER).shown,
        "balance.follower": balance.role(Role.FOLLOWER).shown,
        "balance.director": balance.role(Role.DIRECTOR).shown,
    }
    # What the nudges need stays visible: the followers' sense of being heard.
    assert heard.role(Role.FOLLOWER).respondents == 12 and human.all.respondents == 20
    cells: dict[tuple[bool, ...], int] = {}
    visible = [groups[name] for name, on in shown.items() if on]
    for member in range(20):
        key = tuple(member in g for g in visible)
        cells[key] = cells.get(key, 0) + 1
    assert all(n >= 5 for n in cells.values()), cells
    assert not shown["human.director"] and not shown["human.frontrunner"]


def test_a_signal_too_small_in_one_perspective_is_shown_over_the_others() -> None:
    # `heard` went to nine followers as a human question and to three as a technology one;
    # ten others answered technology's `urgency`. The three cannot be shown apart, but the
    # nine can: `heard` is shown over its human answers only, and technology stays whole.
    human, tech_heard, tech_urgency = range(9), range(9, 12), range(12, 22)
    values = [point(i, 4) for i in human]
    values += [point(i, 1, perspective=Perspective.TECHNOLOGY) for i in tech_heard]
    values += [
        point(i, 3, perspective=Perspective.TECHNOLOGY, signal=Signal.URGENCY) for i in tech_urgency
    ]
    view = digest(5, values)
    heard = view.signal(Signal.HEARD)
    assert heard.all.respondents == 9 and heard.all.mean == 4.0
    technology = view.perspective(Perspective.TECHNOLOGY)
    assert technology.all.respondents == 13
    # Technology minus urgency would be the three: urgency must not be shown beside it.
    assert view.signal(Signal.URGENCY).all.shown is False


def test_no_quote_twice_in_one_digest() -> None:
    # Five people wrote the same words (one with other spacing and capitals): shown once.
    same = ["Meer tijd om te oefenen", "meer  tijd om te OEFENEN", *["Meer tijd om te oefenen"] * 3]
    texts = [text(i, body) for i, body in enumerate(same)]
    texts += [text(5, "Wie neemt mijn werk over?"), text(6, "Ik wil eerst de machine zien.")]
    shown = [" ".join(q.text.casefold().split()) for q in digest(5, [], texts=texts).quotes]
    assert len(shown) == 3 and len(set(shown)) == 3
    everything = quotes(5, texts, seed="any", limit=10)
    assert sorted(q.text.casefold() for q in everything) == sorted(
        ["meer tijd om te oefenen", "wie neemt mijn werk over?", "ik wil eerst de machine zien."]
    )
