"""The anonymity rule at k-1, k and k+1 respondents; counts obey it too."""

from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain.anonymity import WITHHELD, AnonymityRule, Shown


@pytest.mark.parametrize("k", [3, 5, 7])
def test_groups_below_k_are_withheld_with_their_size(k: int) -> None:
    rule = AnonymityRule(k)
    below = [(f"p{i}", 4) for i in range(k - 1)]
    at = [(f"p{i}", 4) for i in range(k)]
    above = [(f"p{i}", 2 + i % 3) for i in range(k + 1)]
    assert rule.figure(below) is WITHHELD
    assert not rule.figure(below).visible
    assert rule.count(p for p, _ in below) is None
    shown_at = rule.figure(at)
    assert isinstance(shown_at, Shown) and shown_at.respondents == k and shown_at.mean == 4.0
    assert rule.count(p for p, _ in at) == k
    shown_above = rule.figure(above)
    assert isinstance(shown_above, Shown) and shown_above.respondents == k + 1
    assert sum(shown_above.distribution) == k + 1


def test_people_count_once_however_often_they_answer() -> None:
    rule = AnonymityRule(5)
    # Four people answering three times each are still four people.
    responses = [(f"p{i}", 3) for i in range(4) for _ in range(3)]
    assert rule.figure(responses) is WITHHELD
    assert rule.count(p for p, _ in responses) is None


def test_each_person_weighs_the_same_in_the_mean() -> None:
    rule = AnonymityRule(3)
    responses = [("a", 1), ("a", 1), ("a", 1), ("b", 5), ("c", 3)]
    figure = rule.figure(responses)
    assert isinstance(figure, Shown)
    assert figure.mean == 3.0
    assert figure.distribution == (3, 0, 1, 0, 1)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_threshold_never_below_three(k: int) -> None:
    with pytest.raises(errors.InvalidThreshold):
        AnonymityRule(k)


def test_figures_per_group() -> None:
    rule = AnonymityRule(3)
    shown = rule.figures({"big": [("a", 1), ("b", 2), ("c", 3)], "small": [("d", 5), ("e", 5)]})
    assert isinstance(shown["big"], Shown) and shown["big"].mean == 2.0
    assert shown["small"] is WITHHELD
