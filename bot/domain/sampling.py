"""Who is asked what: the pulse design, and the prompt each member gets on an occurrence.

Pure: the scheduler asks `plan_due` which deliveries fell due between two instants (and
`plan_now` for a facilitator's "send now"), and records them before anything is sent. It
hands in what the journey was already asked in this phase (`Asked`), so the design can
balance over the whole phase; every process that plans an occurrence is handed the same
history (up to that occurrence's day), so they all plan it the same way.
The pulse design itself is in `bot/domain/pulse_design.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from bot.domain.calendar import Cadence, Calendar, zone
from bot.domain.model import (
    PERSPECTIVES,
    Delivery,
    Journey,
    Member,
    Perspective,
    Prompt,
    PromptKind,
    Role,
)
from bot.domain.pulse_design import NOTHING_ASKED, day_design
from bot.domain.records import Asked
from bot.domain.rituals import (
    MAX_CATCH_UP,
    Fate,
    Ritual,
    RitualKind,
    candidates,
    is_away,
    member_timezone,
    occurrences,
)


# -- check-ins: each person's own rotation --------------------------------------------------
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
    """Whole-journey rituals (the digest, the team update) that fell due."""

    ritual: Ritual
    occurrence: str
    due_at: datetime


@dataclass
class DuePlan:
    deliveries: list[Planned] = field(default_factory=list)
    journey_rituals: list[JourneyDue] = field(default_factory=list)


# The history of a journey's pulses before a day (the day of the occurrence being planned).
AskedBefore = Callable[[date], Asked]


def _nothing_asked(_day: date) -> Asked:
    return NOTHING_ASKED


def plan_due(
    journey: Journey,
    rituals: Sequence[Ritual],
    members: Iterable[Member],
    prompts: Sequence[Prompt],
    calendar: Calendar,
    after: datetime,
    upto: datetime,
    now: datetime,
    asked_before: AskedBefore = _nothing_asked,
) -> DuePlan:
    """Everything of `journey` that fell due in (after, upto], with its fate as of `now`.

    A day's pulses are designed for their whole audiences at once (the groups need them
    all), whatever zone each member is in; only the members whose own occurrence falls in
    the window are recorded now, the others by the pass that reaches their hour. A
    ritual's second question is recorded as occurrence `<day>/2`.
    """
    plan = DuePlan()
    after = max(after, upto - MAX_CATCH_UP)
    members = [m for m in members if m.id is not None]
    pulses = [r for r in rituals if r.kind is RitualKind.PULSE]
    designs: dict[date, dict[tuple[str, int], list[Prompt]]] = {}
    for ritual in rituals:
        if ritual.for_journey:
            for occ in occurrences(ritual, journey.timezone, calendar, after, upto):
                plan.journey_rituals.append(JourneyDue(ritual, occ.key, occ.due_at))
            continue
        for member in members:
            if not (member.roles & ritual.audience):
                continue
            assert member.id is not None
            tz = member_timezone(member, journey.timezone)
            for occ in occurrences(ritual, tz, calendar, after, upto):
                if is_away(member, occ.day):
                    continue
                if ritual.kind is RitualKind.PULSE:
                    design = designs.get(occ.day)
                    if design is None:
                        weekday = occ.day.weekday()
                        design = designs[occ.day] = day_design(
                            [r for r in pulses if weekday in r.cadence.days],
                            journey.phase,
                            [m for m in members if not is_away(m, occ.day)],
                            prompts,
                            journey.anonymity_threshold,
                            asked_before(occ.day),
                        )
                    chosen = design.get((ritual.key, member.id), [])
                else:
                    pool = candidates(prompts, ritual, journey.phase, member.roles)
                    one = choose_prompt(pool, member.id, ritual.occurrence_seq(occ.day))
                    chosen = [one] if one is not None else []
                for n, prompt in enumerate(chosen, 1):
                    key = occ.key if n == 1 else f"{occ.key}/{n}"
                    plan.deliveries.append(
                        _planned(ritual, member.id, key, occ.due_at, prompt, now)
                    )
    return plan


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
    asked: Asked = NOTHING_ASKED,
) -> list[Planned]:
    """A facilitator's "send now": `ritual`'s audience, due `now`, designed like any pulse.

    The occurrence is the minute (so a double click asks once); people away today are left
    out, as on any scheduled day. A check-in goes to each person from their own rotation.
    """
    occurrence = now.strftime("%Y-%m-%dT%H:%M")
    present = []
    for member in members:
        if member.id is None or not (member.roles & ritual.audience):
            continue
        local_day = now.astimezone(zone(member_timezone(member, journey.timezone))).date()
        if not is_away(member, local_day):
            present.append(member)
    design: dict[int, Prompt] = {}
    if ritual.kind is RitualKind.PULSE:
        # One question now, whatever the ritual it borrows its window from asks on its days.
        one = replace(ritual, questions=1)
        for (_, member_id), chosen in day_design(
            [one], journey.phase, present, prompts, journey.anonymity_threshold, asked, perspective
        ).items():
            design[member_id] = chosen[0]
    else:
        seq = int(now.timestamp() // 60)
        for member in present:
            assert member.id is not None
            pool = candidates(prompts, ritual, journey.phase, member.roles)
            if perspective is not None:
                pool = [p for p in pool if p.perspective is perspective]
            if (prompt := choose_prompt(pool, member.id, seq)) is not None:
                design[member.id] = prompt
    return [
        _planned(ritual, member_id, occurrence, now, prompt, now)
        for member_id, prompt in sorted(design.items())
    ]


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
