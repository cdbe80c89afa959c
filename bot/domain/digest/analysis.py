"""The weekly digest's analytics: pure functions from answers to a neutral, anonymous view.

Everything a director reads comes through here, so every figure passes the anonymity rule
(`bot/domain/anonymity.py`) and a disclosure check against differencing: when several
overlapping groups are shown side by side (everyone, and each role), every cell of the
partition they induce must hold at least k people or be empty. Otherwise one figure minus
another would describe fewer than k people, so the smaller group is withheld (merged into
the broader one).
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import types
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import yaml

from bot.domain.anonymity import AnonymityRule, Shown
from bot.domain.errors import DomainError
from bot.domain.model import (
    PERSPECTIVES,
    SCALE_MAX,
    SCALE_MIN,
    Journey,
    Language,
    Perspective,
    Phase,
    PhaseChange,
    PromptKind,
    Role,
    Signal,
    Text,
)
from bot.domain.records import AnswerPoint, PhaseCell, TextPoint, WeekCell

TREND_WEEKS = 8
TOUCHPOINT_WEEKS = 4
MAX_QUOTES = 3
QUOTE_LENGTH = 200
MAX_THEMES_PER_PERSPECTIVE = 3
MIN_THEME_MENTIONS = 2
# A change smaller than this is noise on a 1-5 scale; it shows as flat.
FLAT = 0.15

# The order in which roles are tried for display: the method's two stages are about
# frontrunners and followers, so those get the first chance to be shown on their own.
ROLE_ORDER: tuple[Role, ...] = (
    Role.FRONTRUNNER,
    Role.FOLLOWER,
    Role.DIRECTOR,
    Role.LEARNING,
    Role.FACILITATOR,
)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MENTION = re.compile(r"<[@#!][^>]*>")


class InvalidWeek(DomainError):
    key = "digest.error.invalid_week"  # params: week


# -- weeks --------------------------------------------------------------------------------
def parse_week(text: str) -> str:
    """Validate and normalise `2026-W49`."""
    match = _WEEK.match(text.strip().upper())
    if not match:
        raise InvalidWeek(week=text)
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidWeek(week=text) from None
    return f"{year}-W{week:02d}"


def week_monday(iso: str) -> date:
    match = _WEEK.match(iso)
    if not match:
        raise InvalidWeek(week=iso)
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def shift_week(iso: str, weeks: int) -> str:
    return week_of(week_monday(iso) + timedelta(weeks=weeks))


def weeks_between(first: str, last: str) -> int:
    return (week_monday(last) - week_monday(first)).days // 7


def week_bounds(iso: str, timezone: str) -> tuple[datetime, datetime]:
    """The week's start and end (exclusive) as UTC instants, in the journey's time zone."""
    zone = ZoneInfo(timezone)
    monday = week_monday(iso)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_week(moment: datetime, timezone: str) -> str:
    return week_of(moment.astimezone(ZoneInfo(timezone)).date())


# -- the neutral view ---------------------------------------------------------------------
@dataclass(frozen=True)
class FigureView:
    """One aggregate; `respondents is None` means withheld (fewer than k, or differencing)."""

    respondents: int | None = None
    mean: float | None = None
    distribution: tuple[int, ...] = ()
    vs_last_week: float | None = None
    vs_phase_start: float | None = None

    @property
    def shown(self) -> bool:
        return self.respondents is not None

    @property
    def trend(self) -> str:
        """`up`, `down`, `flat`, or `` when there is nothing to compare with."""
        if self.vs_last_week is None:
            return ""
        if self.vs_last_week >= FLAT:
            return "up"
        if self.vs_last_week <= -FLAT:
            return "down"
        return "flat"


WITHHELD_FIGURE = FigureView()


@dataclass(frozen=True)
class RoleFigure:
    role: Role
    figure: FigureView


@dataclass(frozen=True)
class GroupView:
    """One perspective or one signal: everyone, and each role that may be shown apart."""

    key: str
    all: FigureView
    roles: tuple[RoleFigure, ...] = ()

    def role(self, role: Role) -> FigureView:
        for item in self.roles:
            if item.role is role:
                return item.figure
        return WITHHELD_FIGURE


@dataclass(frozen=True)
class ParticipationView:
    """Answered of asked this week; `role is None` is everyone. None counts are withheld."""

    role: Role | None
    answered: int | None
    asked: int | None

    @property
    def rate(self) -> float | None:
        if self.answered is None or not self.asked:
            return None
        return round(self.answered / self.asked, 2)


@dataclass(frozen=True)
class GridCell:
    phase: Phase
    perspective: Perspective
    respondents: int | None
    mean: float | None


@dataclass(frozen=True)
class TrendPoint:
    iso_week: str
    perspective: Perspective
    respondents: int | None
    mean: float | None
    # People sent a pulse of this perspective that week. Not about anyone's answers, so
    # not withheld; it tells "nobody answered" apart from "nobody was asked".
    asked: int | None = None


@dataclass(frozen=True)
class ThemeView:
    perspective: Perspective
    theme: str
    label: Text
    people: int | None  # withheld below k: the theme is named, its count is not


@dataclass(frozen=True)
class QuoteView:
    perspective: Perspective
    text: str  # shortened and escaped (&, <, >); never with a name


@dataclass(frozen=True)
class NudgeView:
    rule: str
    signal: str
    priority: int
    params: dict[str, str | int | float]
    text: Text
    method: str  # where in METHOD.md the advice comes from


@dataclass(frozen=True)
class DigestView:
    journey_id: int
    journey_name: str
    iso_week: str
    language: Language
    phase: Phase
    weeks_in_phase: int
    phase_start_week: str
    k: int
    generated_at: datetime
    participation: tuple[ParticipationView, ...]
    perspectives: tuple[GroupView, ...]
    signals: tuple[GroupView, ...]
    roles: tuple[RoleFigure, ...]
    grid: tuple[GridCell, ...]
    trend_weeks: tuple[str, ...]
    trend: tuple[TrendPoint, ...]
    touchpoints: int
    themes: tuple[ThemeView, ...] = ()
    quotes: tuple[QuoteView, ...] = ()
    nudges: tuple[NudgeView, ...] = ()
    preview: bool = False
    workspace_id: int = 0

    def perspective(self, perspective: Perspective) -> GroupView:
        for group in self.perspectives:
            if group.key == perspective.value:
                return group
        return GroupView(perspective.value, WITHHELD_FIGURE)

    def signal(self, signal: Signal) -> GroupView:
        for group in self.signals:
            if group.key == signal.value:
                return group
        return GroupView(signal.value, WITHHELD_FIGURE)

    def participation_of(self, role: Role | None) -> ParticipationView | None:
        for item in self.participation:
            if item.role is role:
                return item
        return None

    def series(self, perspective: Perspective) -> list[TrendPoint]:
        return [p for p in self.trend if p.perspective is perspective]

    def to_dict(self) -> dict[str, Any]:
        encoded = _encode(self)
        assert isinstance(encoded, dict)
        return encoded

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DigestView:
        decoded = _decode(cls, data)
        assert isinstance(decoded, DigestView)
        return decoded


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in get_args(tp) if a is not type(None)]
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = get_args(tp)[0]
        return tuple(_decode(inner, v) for v in value)
    if origin is dict:
        inner = get_args(tp)[1]
        return {k: _decode(inner, v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = get_type_hints(tp)
        return tp(
            **{
                f.name: _decode(hints[f.name], value[f.name])
                for f in dataclasses.fields(tp)
                if f.name in value
            }
        )
    if tp is datetime:
        return datetime.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if tp is float and value is not None:
        return float(value)
    return value


# -- disclosure control --------------------------------------------------------------------
def disclosable(
    universe: set[int], candidates: Sequence[tuple[Any, Sequence[set[int]]]], k: int
) -> list[Any]:
    """Which candidate groups may be shown next to the universe's own figure.

    Each candidate is a key with one or more sets that are shown together. Tried in order;
    one is kept when every cell of the partition of `universe` by all kept sets still has
    at least k people, so no difference of shown figures describes fewer than k.
    """
    if len(universe) < k:
        return []
    signature: dict[int, int] = dict.fromkeys(universe, 0)
    bits = 0
    kept: list[Any] = []
    for key, sets in candidates:
        trial = dict(signature)
        for members in sets:
            bit = 1 << bits
            bits += 1
            for member in members:
                if member in trial:
                    trial[member] |= bit
        if all(n >= k for n in Counter(trial.values()).values()):
            signature = trial
            kept.append(key)
    return kept


# -- figures ------------------------------------------------------------------------------
def person_figure(rule: AnonymityRule, points: Iterable[AnswerPoint]) -> Shown | None:
    """`rule.figure` over answer points, in one pass (the digest makes a hundred of these).

    Same result as `AnonymityRule.figure` (a test holds them equal): each person counts
    once, with the mean of their answers; fewer than k people and nothing is shown.
    """
    sums: dict[int, list[int]] = {}
    counts = [0] * (SCALE_MAX - SCALE_MIN + 1)
    for p in points:
        acc = sums.get(p.member_id)
        if acc is None:
            sums[p.member_id] = [p.value, 1]
        else:
            acc[0] += p.value
            acc[1] += 1
        counts[p.value - SCALE_MIN] += 1
    if rule.count(sums) is None:
        return None
    means = [total / n for total, n in sums.values()]
    return Shown(
        respondents=len(sums),
        mean=round(math.fsum(means) / len(means), 2),
        distribution=tuple(counts),
    )


@dataclass
class _Family:
    """One perspective or signal in one week: its figure for everyone and for each role."""

    all: Shown | None
    roles: dict[Role, Shown | None] = field(default_factory=dict)


def _family(rule: AnonymityRule, points: Sequence[AnswerPoint]) -> _Family:
    universe = {p.member_id for p in points}
    role_members: dict[Role, set[int]] = defaultdict(set)
    for p in points:
        for role in p.roles:
            role_members[role].add(p.member_id)
    present = [r for r in ROLE_ORDER if role_members.get(r)]
    allowed = set(disclosable(universe, [(r, [role_members[r]]) for r in present], rule.k))
    roles: dict[Role, Shown | None] = {}
    for role in present:
        roles[role] = (
            person_figure(rule, (p for p in points if role in p.roles)) if role in allowed else None
        )
    return _Family(
        all=person_figure(rule, points) if len(universe) >= rule.k else None, roles=roles
    )


def week_figures(
    rule: AnonymityRule, points: Sequence[AnswerPoint]
) -> tuple[dict[str, _Family], dict[str, _Family]]:
    """One week's figures per perspective and per signal, each for everyone and per role.

    A signal's answers are part of its perspective's answers, so within each perspective
    the groups of the perspective's roles, of its signals and of its signals' roles are
    checked together: a signal (or signal x role) is shown only when, in every
    perspective it was asked in, no cell of that partition is smaller than k.
    """
    by_perspective: dict[Perspective, list[AnswerPoint]] = defaultdict(list)
    by_signal: dict[Signal, list[AnswerPoint]] = defaultdict(list)
    for p in points:
        by_perspective[p.perspective].append(p)
        by_signal[p.signal].append(p)
    perspectives: dict[str, _Family] = {}
    blocked: set[tuple[Signal, Role | None]] = set()
    for perspective, items in by_perspective.items():
        universe = {p.member_id for p in items}
        role_sets: dict[Role, set[int]] = defaultdict(set)
        signal_sets: dict[Signal, set[int]] = defaultdict(set)
        signal_role_sets: dict[tuple[Signal, Role], set[int]] = defaultdict(set)
        for p in items:
            signal_sets[p.signal].add(p.member_id)
            for role in p.roles:
                role_sets[role].add(p.member_id)
                signal_role_sets[(p.signal, role)].add(p.member_id)
        # Signals first: they are what the nudges read, so they get the first chance.
        candidates: list[tuple[Any, Sequence[set[int]]]] = [
            ((s, None), [signal_sets[s]]) for s in Signal if s in signal_sets
        ]
        candidates += [(r, [role_sets[r]]) for r in ROLE_ORDER if r in role_sets]
        candidates += [
            ((s, r), [members])
            for (s, r), members in sorted(
                signal_role_sets.items(), key=lambda item: ROLE_ORDER.index(item[0][1])
            )
        ]
        allowed = set(disclosable(universe, candidates, rule.k))
        roles = {
            r: person_figure(rule, (p for p in items if r in p.roles)) if r in allowed else None
            for r in ROLE_ORDER
            if r in role_sets
        }
        perspectives[perspective.value] = _Family(
            all=person_figure(rule, items) if len(universe) >= rule.k else None, roles=roles
        )
        blocked |= {key for key, _ in candidates if isinstance(key, tuple) and key not in allowed}
    signals: dict[str, _Family] = {}
    for signal, items in by_signal.items():
        family = _family(rule, items)
        if (signal, None) in blocked:
            family = _Family(all=None, roles=dict.fromkeys(family.roles))
        else:
            family.roles = {
                r: (None if (signal, r) in blocked else fig) for r, fig in family.roles.items()
            }
        signals[signal.value] = family
    return perspectives, signals


def _change(now: Shown | None, before: Shown | None) -> float | None:
    if now is None or before is None:
        return None
    return round(now.mean - before.mean, 2)


def _view(now: Shown | None, last: Shown | None, start: Shown | None) -> FigureView:
    if now is None:
        return WITHHELD_FIGURE
    return FigureView(
        respondents=now.respondents,
        mean=now.mean,
        distribution=now.distribution,
        vs_last_week=_change(now, last),
        vs_phase_start=_change(now, start),
    )


def _group(key: str, now: _Family, last: _Family | None, start: _Family | None) -> GroupView:
    roles = tuple(
        RoleFigure(
            role,
            _view(
                fig,
                last.roles.get(role) if last else None,
                start.roles.get(role) if start else None,
            ),
        )
        for role, fig in now.roles.items()
    )
    return GroupView(
        key,
        _view(now.all, last.all if last else None, start.all if start else None),
        roles,
    )


def participation(
    rule: AnonymityRule,
    asked: set[int],
    answered: set[int],
    roles_of: Mapping[int, frozenset[Role] | set[Role]],
) -> tuple[ParticipationView, ...]:
    """Answered of asked, for everyone and per role; counts obey the anonymity rule."""
    universe = {m for m in asked | answered if m in roles_of}
    answered = answered & universe
    asked = asked & universe
    if not asked:
        asked = set(universe)  # nothing recorded as sent: count who answered as asked
    by_role_asked: dict[Role, set[int]] = {
        r: {m for m in universe if r in roles_of[m]} for r in ROLE_ORDER
    }
    candidates: list[tuple[Any, Sequence[set[int]]]] = [("answered", [answered])]
    candidates += [
        (r, [by_role_asked[r], by_role_asked[r] & answered]) for r in ROLE_ORDER if by_role_asked[r]
    ]
    allowed = set(disclosable(universe, candidates, rule.k))
    everyone = ParticipationView(
        role=None,
        answered=len(answered) if "answered" in allowed else None,
        asked=len(universe) if len(universe) >= rule.k else None,
    )
    views = [everyone]
    for role in ROLE_ORDER:
        members = by_role_asked[role]
        if not members:
            continue
        if role in allowed:
            views.append(ParticipationView(role, len(members & answered), len(members)))
        else:
            views.append(ParticipationView(role, None, None))
    return tuple(views)


# -- themes and quotes -------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeRule:
    id: str
    label: Text
    keywords: tuple[str, ...]  # lower-case word beginnings, Dutch and English

    @property
    def pattern(self) -> re.Pattern[str]:
        return _theme_pattern(self.keywords)


@lru_cache(maxsize=256)
def _theme_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    # A keyword matches at the start of a word: `zorg` finds `zorgen`, not `verzorging`.
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + ")", re.UNICODE)


def load_themes(text: str | None = None) -> tuple[ThemeRule, ...]:
    """The keyword lists from `prompts/themes.yaml` (or the given YAML text)."""
    if text is None:
        text = resources.files("prompts").joinpath("themes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    rules = []
    for theme_id, entry in data.items():
        label = entry["label"]
        rules.append(
            ThemeRule(
                id=str(theme_id),
                label=Text(nl=str(label["nl"]), en=str(label["en"])),
                keywords=tuple(str(k).lower() for k in entry["keywords"]),
            )
        )
    return tuple(rules)


def themes(
    k: int, texts: Sequence[TextPoint], theme_rules: Sequence[ThemeRule]
) -> tuple[ThemeView, ...]:
    """Per perspective, the themes most people wrote about (keyword counts, no network)."""
    out: list[ThemeView] = []
    for perspective in PERSPECTIVES:
        mine = [t for t in texts if t.perspective is perspective]
        writers = {t.member_id for t in mine}
        if len(writers) < k:
            continue
        people: dict[str, set[int]] = defaultdict(set)
        for item in mine:
            lowered = item.text.lower()
            for rule in theme_rules:
                if rule.pattern.search(lowered):
                    people[rule.id].add(item.member_id)
        ranked = sorted(
            (r for r in theme_rules if len(people[r.id]) >= MIN_THEME_MENTIONS),
            key=lambda r: (-len(people[r.id]), r.id),
        )
        for rule in ranked[:MAX_THEMES_PER_PERSPECTIVE]:
            n = len(people[rule.id])
            out.append(ThemeView(perspective, rule.id, rule.label, n if n >= k else None))
    return tuple(out)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int = QUOTE_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def quotes(
    k: int, texts: Sequence[TextPoint], seed: str, limit: int = MAX_QUOTES
) -> tuple[QuoteView, ...]:
    """Up to `limit` anonymous quotes, only from perspectives where at least k people wrote.

    Mentions are dropped (they would name someone), the text is shortened and escaped, and
    the order is shuffled with a seed per journey and week, so it is stable on re-rendering
    but says nothing about who answered first.
    """
    writers: dict[Perspective, set[int]] = defaultdict(set)
    for item in texts:
        writers[item.perspective].add(item.member_id)
    eligible = [
        QuoteView(item.perspective, escape(shorten(_MENTION.sub("@…", item.text))))
        for item in texts
        if len(writers[item.perspective]) >= k and item.text.strip()
    ]
    random.Random(seed).shuffle(eligible)
    return tuple(eligible[:limit])


# -- the analysis ------------------------------------------------------------------------
@dataclass(frozen=True)
class PhaseAt:
    """The journey's phase at the end of a week, and when it began."""

    phase: Phase
    since: datetime


def phase_at(journey: Journey, history: Sequence[PhaseChange], moment: datetime) -> PhaseAt:
    # Every journey starts in awareness and every move is in the history.
    phase, since = Phase.AWARENESS, journey.started_at
    for change in sorted(history, key=lambda c: c.at):
        if change.at >= moment:
            break
        phase, since = change.to_phase, change.at
    return PhaseAt(phase, since)


@dataclass(frozen=True)
class DigestInput:
    """Everything the analysis reads, already fetched: the analysis itself does no I/O."""

    journey: Journey
    iso_week: str
    phase: Phase
    phase_start_week: str
    values: Sequence[AnswerPoint]  # pulses of this week, last week and the phase's first
    texts: Sequence[TextPoint]  # check-ins and comments of this week and the one before
    asked: set[int]  # members sent a prompt this week
    roles: Mapping[int, frozenset[Role]]  # every member's roles now
    cells: Sequence[PhaseCell]  # the whole journey, phase x perspective
    weeks: Sequence[WeekCell]  # the trend weeks, week x perspective
    touchpoints: int  # logged in the last four weeks
    generated_at: datetime
    theme_rules: Sequence[ThemeRule] = ()
    preview: bool = False
    # (week, perspective) -> people sent a pulse of it, for the recent trend weeks.
    asked_by_perspective: Mapping[tuple[str, Perspective], int] = field(default_factory=dict)


def trend_weeks(iso_week: str) -> tuple[str, ...]:
    return tuple(shift_week(iso_week, -i) for i in range(TREND_WEEKS - 1, -1, -1))


def detail_weeks(iso_week: str, phase_start_week: str) -> list[str]:
    """The weeks whose answers the analysis reads one by one (the rest comes aggregated)."""
    return sorted({iso_week, shift_week(iso_week, -1), phase_start_week})


def analyse(data: DigestInput) -> DigestView:
    """The digest for one journey and one week, without nudges (see bot/domain/nudges.py)."""
    journey = data.journey
    assert journey.id is not None
    rule = AnonymityRule(journey.anonymity_threshold)
    week, last_week, start_week = data.iso_week, shift_week(data.iso_week, -1), None
    if data.phase_start_week != week:
        start_week = data.phase_start_week

    by_week: dict[str, list[AnswerPoint]] = defaultdict(list)
    for point in data.values:
        by_week[point.iso_week].append(point)

    empty: tuple[dict[str, _Family], dict[str, _Family]] = ({}, {})
    perspectives_now, signals_now = week_figures(rule, by_week.get(week, []))
    perspectives_last, signals_last = week_figures(rule, by_week.get(last_week, []))
    perspectives_start, signals_start = (
        week_figures(rule, by_week.get(start_week, [])) if start_week else empty
    )
    perspectives = tuple(
        _group(
            p.value,
            perspectives_now.get(p.value, _Family(None)),
            perspectives_last.get(p.value),
            perspectives_start.get(p.value),
        )
        for p in PERSPECTIVES
    )
    signals = tuple(
        _group(s.value, fam, signals_last.get(s.value), signals_start.get(s.value))
        for s in Signal
        if (fam := signals_now.get(s.value)) is not None
    )
    answered = {p.member_id for p in by_week.get(week, [])} | {
        t.member_id for t in data.texts if t.iso_week == week
    }

    weeks = trend_weeks(week)
    week_cells = {(c.iso_week, c.perspective): c for c in data.weeks}
    trend = []
    for iso in weeks:
        for perspective in PERSPECTIVES:
            found = week_cells.get((iso, perspective))
            visible = found is not None and found.respondents >= rule.k
            trend.append(
                TrendPoint(
                    iso,
                    perspective,
                    found.respondents if found and visible else None,
                    round(found.mean, 2) if found and visible else None,
                    data.asked_by_perspective.get((iso, perspective)),
                )
            )

    cells = {(c.phase, c.perspective): c for c in data.cells}
    grid = []
    for phase in Phase:
        for perspective in PERSPECTIVES:
            cell = cells.get((phase, perspective))
            visible = cell is not None and cell.respondents >= rule.k
            grid.append(
                GridCell(
                    phase,
                    perspective,
                    cell.respondents if cell and visible else None,
                    round(cell.mean, 2) if cell and visible else None,
                )
            )

    week_texts = [t for t in data.texts if t.iso_week == week]
    return DigestView(
        journey_id=journey.id,
        journey_name=journey.name,
        iso_week=week,
        language=journey.language,
        phase=data.phase,
        weeks_in_phase=weeks_between(data.phase_start_week, week) + 1,
        phase_start_week=data.phase_start_week,
        k=rule.k,
        generated_at=data.generated_at,
        participation=participation(rule, data.asked, answered, data.roles),
        perspectives=perspectives,
        signals=signals,
        # Per role across all perspectives is not shown: when people answer one perspective
        # a week, it minus the shown perspective x role figures reveals the withheld ones.
        roles=(),
        grid=tuple(grid),
        trend_weeks=weeks,
        trend=tuple(trend),
        touchpoints=data.touchpoints,
        themes=themes(
            rule.k, [t for t in week_texts if t.kind is PromptKind.CHECKIN], data.theme_rules
        ),
        quotes=quotes(rule.k, week_texts, seed=f"{journey.id}:{week}"),
        preview=data.preview,
        workspace_id=journey.workspace_id,
    )


def concern_writers(texts: Sequence[TextPoint], iso_week: str) -> int:
    """How many people wrote a concern in a week (a nudge compares weeks)."""
    return len(
        {t.member_id for t in texts if t.iso_week == iso_week and t.signal is Signal.CONCERNS}
    )
