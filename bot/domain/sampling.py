"""Who is asked what: the prompt each member gets on a ritual's occurrence.

Pure: the scheduler asks `plan_due` which deliveries fell due between two instants and
records them before anything is sent; `plan_now` does the same for a facilitator's
"send now".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from bot.domain.calendar import Cadence, Calendar, zone
from bot.domain.model import (
    PERSPECTIVES,
    Delivery,
    Journey,
    Member,
    Perspective,
    Phase,
    Prompt,
    PromptKind,
    Role,
    Signal,
)
from bot.domain.rituals import (
    MAX_CATCH_UP,
    Fate,
    Ritual,
    RitualKind,
    is_away,
    member_timezone,
    occurrences,
)


# -- prompt rotation ----------------------------------------------------------------------
def candidates(
    prompts: Iterable[Prompt], ritual: Ritual, phase: Phase, roles: Iterable[Role]
) -> list[Prompt]:
    """Prompts this ritual may ask a person with `roles` in `phase`."""
    kind = ritual.kind.prompt_kind
    wanted = set(roles) & ritual.audience
    return [
        p
        for p in prompts
        if p.kind == kind
        and phase in p.phases
        and (p.audience & wanted)
        and (not ritual.signals or p.signal in ritual.signals)
    ]


def rotation_order(prompts: Iterable[Prompt]) -> list[Prompt]:
    """Interleave perspectives (technology, human, business, technology, ...) so a rotation
    samples all three and none goes quiet; within a perspective, by id."""
    by_perspective = {
        p: sorted((x for x in prompts if x.perspective == p), key=lambda x: x.id)
        for p in PERSPECTIVES
    }
    out: list[Prompt] = []
    longest = max((len(v) for v in by_perspective.values()), default=0)
    for i in range(longest):
        for perspective in PERSPECTIVES:
            items = by_perspective[perspective]
            if i < len(items):
                out.append(items[i])
    return out


def choose_prompt(pool: Sequence[Prompt], member_id: int, seq: int) -> Prompt | None:
    """The member's prompt for occurrence number `seq`: the next one in the rotation.

    Offsetting by member id spreads one week's questions over the team, so every
    perspective gets answers each week; consecutive occurrences give a person the next
    item, so nobody is asked the same thing twice in a row while there is a choice.
    """
    order = rotation_order(pool)
    if not order:
        return None
    return order[(seq + member_id) % len(order)]


def shared_signal_pool(
    ritual: Ritual, pool: Sequence[Prompt], seq: int, everyone: Sequence[Prompt] = ()
) -> Sequence[Prompt]:
    """For a `together` ritual, the part of `pool` for this occurrence's signal.

    The signals take turns by occurrence; the perspective follows the rotation of the
    whole audience's pool (`everyone`), so people whose roles get different items of the
    signal still answer about the same perspective.
    """
    if not ritual.together or not ritual.signals:
        return pool
    turns = [s for s in Signal if s in ritual.signals]
    signal = turns[seq % len(turns)]
    of_signal = [p for p in pool if p.signal is signal]
    shared = rotation_order(p for p in everyone if p.signal is signal)
    if shared:
        perspective = shared[seq % len(shared)].perspective
        same = [p for p in of_signal if p.perspective is perspective]
        if same:
            return same
    # Someone with no item for this signal still gets a question of the ritual.
    return of_signal or pool


# -- what is due ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    """A delivery to record: status pending (send it) or missed (too late, keep the record)."""

    ritual: Ritual
    member_id: int
    occurrence: str
    due_at: datetime
    closes_at: datetime
    remind_at: datetime | None
    prompt: Prompt
    fate: Fate

    def delivery(self, journey: Journey, created_at: datetime) -> Delivery:
        assert journey.id is not None
        return Delivery(
            workspace_id=journey.workspace_id,
            journey_id=journey.id,
            member_id=self.member_id,
            prompt_id=self.prompt.id,
            kind=self.prompt.kind,
            phase=journey.phase,
            perspective=self.prompt.perspective,
            signal=self.prompt.signal,
            occurrence=self.occurrence,
            created_at=created_at,
            closes_at=self.closes_at,
            ritual_key=self.ritual.key,
            due_at=self.due_at,
            status=self.fate.value,
        )


@dataclass(frozen=True)
class JourneyDue:
    """Whole-journey rituals (the digest) that fell due."""

    ritual: Ritual
    occurrence: str
    due_at: datetime


@dataclass
class DuePlan:
    deliveries: list[Planned] = field(default_factory=list)
    journey_rituals: list[JourneyDue] = field(default_factory=list)


def plan_due(
    journey: Journey,
    rituals: Sequence[Ritual],
    members: Iterable[Member],
    prompts: Sequence[Prompt],
    calendar: Calendar,
    after: datetime,
    upto: datetime,
    now: datetime,
) -> DuePlan:
    """Everything of `journey` that fell due in (after, upto], with its fate as of `now`."""
    plan = DuePlan()
    after = max(after, upto - MAX_CATCH_UP)
    members = list(members)
    for ritual in rituals:
        if ritual.kind is RitualKind.DIGEST:
            for occ in occurrences(ritual, journey.timezone, calendar, after, upto):
                plan.journey_rituals.append(JourneyDue(ritual, occ.key, occ.due_at))
            continue
        chooser = _Chooser(ritual, journey.phase, prompts)
        for member in members:
            if member.id is None or not (member.roles & ritual.audience):
                continue
            tz = member_timezone(member, journey.timezone)
            for occ in occurrences(ritual, tz, calendar, after, upto):
                if is_away(member, occ.day):
                    continue
                prompt = chooser.prompt(member, ritual.occurrence_seq(occ.day))
                if prompt is not None:
                    plan.deliveries.append(
                        _planned(ritual, member.id, occ.key, occ.due_at, prompt, now)
                    )
    return plan


class _Chooser:
    """Which prompt of a ritual each member gets on an occurrence (pools kept per role set)."""

    def __init__(
        self,
        ritual: Ritual,
        phase: Phase,
        prompts: Sequence[Prompt],
        perspective: Perspective | None = None,
    ) -> None:
        self.ritual = ritual
        self.phase = phase
        self.prompts = prompts
        self.perspective = perspective
        self.everyone = candidates(prompts, ritual, phase, ritual.audience)
        self._pools: dict[frozenset[Role], list[Prompt]] = {}

    def prompt(self, member: Member, seq: int) -> Prompt | None:
        assert member.id is not None
        roles = frozenset(member.roles)
        pool = self._pools.get(roles)
        if pool is None:
            pool = candidates(self.prompts, self.ritual, self.phase, roles)
            if self.perspective is not None:
                pool = [p for p in pool if p.perspective == self.perspective]
            self._pools[roles] = pool
        # Together, everyone gets the same signal and perspective: the digest may then show
        # the signal without a split of it falling under the threshold.
        spread = 0 if self.ritual.together else member.id
        shared = shared_signal_pool(self.ritual, pool, seq, self.everyone)
        return choose_prompt(shared, spread, seq)


def _planned(
    ritual: Ritual, member_id: int, occurrence: str, due: datetime, prompt: Prompt, now: datetime
) -> Planned:
    return Planned(
        ritual=ritual,
        member_id=member_id,
        occurrence=occurrence,
        due_at=due,
        closes_at=ritual.closes_at(due),
        remind_at=ritual.remind_at(due),
        prompt=prompt,
        fate=ritual.fate(due, now),
    )


def plan_now(
    journey: Journey,
    ritual: Ritual,
    members: Iterable[Member],
    prompts: Sequence[Prompt],
    now: datetime,
    perspective: Perspective | None = None,
) -> list[Planned]:
    """A facilitator's "send now": `ritual`'s audience, one prompt each, due `now`.

    The occurrence is the minute (so a double click asks once); the rotation moves on by
    the minute too, and people away today are left out, as on any scheduled day.
    """
    occurrence = now.strftime("%Y-%m-%dT%H:%M")
    seq = int(now.timestamp() // 60)
    # Ad hoc, each person gets the next item of their own rotation, not a shared one.
    chooser = _Chooser(replace(ritual, together=False), journey.phase, prompts, perspective)
    planned = []
    for member in members:
        if member.id is None or not (member.roles & ritual.audience):
            continue
        local_day = now.astimezone(zone(member_timezone(member, journey.timezone))).date()
        if is_away(member, local_day):
            continue
        prompt = chooser.prompt(member, seq)
        if prompt is not None:
            planned.append(_planned(ritual, member.id, occurrence, now, prompt, now))
    return planned


# -- ad-hoc ("/pioneer poll now") ---------------------------------------------------------
def adhoc_ritual(rituals: Sequence[Ritual], kind: PromptKind) -> Ritual:
    """The ritual a facilitator's "send now" runs as: the phase's ritual of that kind with
    the widest audience (its window and reminder), or a plain one for everyone but the
    facilitators when the phase has none."""
    same_kind = [r for r in rituals if r.kind is RitualKind(kind.value)]
    base = max(same_kind, key=lambda r: len(r.audience), default=None)
    audience = base.audience if base else frozenset(Role) - {Role.FACILITATOR}
    plain = Ritual(key="pulse", kind=RitualKind(kind.value), cadence=Cadence((0,), time(10, 0)))
    return replace(
        base or plain, key=f"adhoc-{kind.value}", kind=RitualKind(kind.value), audience=audience
    )
