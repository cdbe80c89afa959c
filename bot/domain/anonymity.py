"""The anonymity rule: no figure, not even a count, from fewer than k people.

Directors see aggregates only. A group is shown when at least `k` distinct respondents
are in it; otherwise it is withheld, and its size is withheld too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

from bot.domain.errors import InvalidThreshold
from bot.domain.model import MIN_ANONYMITY_THRESHOLD, SCALE_MAX, SCALE_MIN


@dataclass(frozen=True)
class Shown:
    respondents: int
    mean: float
    distribution: tuple[int, ...]  # counts for 1..5

    @property
    def visible(self) -> bool:
        return True


@dataclass(frozen=True)
class Withheld:
    """Too few respondents. Deliberately carries no count."""

    @property
    def visible(self) -> bool:
        return False


Figure = Shown | Withheld
WITHHELD = Withheld()


@dataclass(frozen=True)
class AnonymityRule:
    k: int

    def __post_init__(self) -> None:
        if self.k < MIN_ANONYMITY_THRESHOLD:
            raise InvalidThreshold(minimum=MIN_ANONYMITY_THRESHOLD)

    def figure(self, responses: Iterable[tuple[Hashable, int]]) -> Figure:
        """Aggregate (respondent, value) pairs; each respondent counts once (their mean)."""
        per_person: dict[Hashable, list[int]] = {}
        for respondent, value in responses:
            per_person.setdefault(respondent, []).append(value)
        if len(per_person) < self.k:
            return WITHHELD
        values = [v for vs in per_person.values() for v in vs]
        counts = Counter(values)
        return Shown(
            respondents=len(per_person),
            mean=round(fmean(fmean(vs) for vs in per_person.values()), 2),
            distribution=tuple(counts.get(i, 0) for i in range(SCALE_MIN, SCALE_MAX + 1)),
        )

    def count(self, respondents: Iterable[Hashable]) -> int | None:
        """How many distinct people, or None when fewer than k."""
        n = len(set(respondents))
        return n if n >= self.k else None

    def figures(
        self, groups: Mapping[Hashable, Iterable[tuple[Hashable, int]]]
    ) -> dict[Hashable, Figure]:
        return {key: self.figure(responses) for key, responses in groups.items()}
