"""Runs a synthetic organisation through a journey on a simulated clock.

Everything goes through production code: the journey and answer services, the scheduler's
dispatch pass (one pass per instant a ritual falls due, found by asking the ritual plan,
never by sleeping), the digest service with its analytics, nudges and renderers, and the
console platform that stands in for chat. The simulation only decides what synthetic
people answer and when, and what the facilitator and directors do after each digest.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app.readiness import readiness
from bot.clock import FixedClock
from bot.demo.cases import SCENARIOS
from bot.demo.scenarios import (
    Persona,
    Scenario,
    answer_rate,
    answer_value,
    checkin_text,
    mean_for,
    people,
)
from bot.demo.summary import BuildParts, DemoResult, keep_page, write_journey_summary
from bot.domain.calendar import Calendar
from bot.domain.digest.view import DigestView
from bot.domain.errors import DomainError
from bot.domain.journeys import PhaseTarget
from bot.domain.model import Language, Phase, PromptKind, Role, Signal
from bot.domain.rituals import Ritual, first_due, occurrences
from bot.domain.team_update import TeamUpdateView
from bot.domain.views import PromptView
from bot.platforms.console.chat import Sent
from bot.rendering.chart import render_chart
from bot.rendering.markdown import render_markdown, signal_name
from bot.rendering.readiness_text import render_readiness_markdown
from bot.rendering.steward_text import render_steward_markdown
from bot.rendering.update_text import render_team_update_markdown
from prompts.messages import number, t

TIMEZONE = "Europe/Amsterdam"
# A fixed start keeps the same seed giving the same output, whatever today is.
START = datetime(2027, 1, 4, 7, 0, tzinfo=ZoneInfo(TIMEZONE))
CHANNEL = "#pioneering"
MINUTE = timedelta(minutes=1)

Echo = Callable[[str], None]


def _arrival_order(sent: Sent) -> tuple[bool, str, int, bool]:
    view = sent.view
    return (view is None, sent.to, view.delivery_id if view else 0, bool(view and view.reminder))


@dataclass(order=True)
class _Answer:
    at: datetime
    seq: int
    user: str = field(compare=False)
    view: PromptView = field(compare=False)


class Simulation:
    def __init__(
        self,
        scenario: Scenario,
        weeks: int,
        seed: int,
        out: Path,
        language: Language,
        echo: Echo,
        build: BuildParts,
        progress: Callable[[int, str], None] | None = None,
    ) -> None:
        self.scenario = scenario
        self.weeks = weeks
        self.rng = random.Random(seed)
        self.out = out
        self.language = language
        self.echo = echo
        self.progress = progress
        self.clock = FixedClock(START)
        db = out / "pioneer.db"
        for stale in out.glob("pioneer.db*"):
            stale.unlink()
        self.parts = build(f"sqlite:///{db}", self.clock)
        self.services = self.parts.services
        self.cast = people(scenario)
        self.by_user = {p.user: p for p in self.cast}
        self.lifts: dict[tuple[str, Signal], float] = {}
        self.queue: list[_Answer] = []
        self.seq = 0
        self.result = DemoResult(out=out)
        self.handled_events: set[tuple[Phase, int]] = set()
        self.reminders: list[datetime] = []
        self.directors = {p.user for p in self.cast if Role.DIRECTOR in p.roles}

    # -- setup ------------------------------------------------------------------------
    def setup(self) -> None:
        with self.services.uow() as uow:
            workspace = uow.workspaces.get_or_create("console", "demo", "Demo BV")
            uow.commit()
        assert workspace.id is not None
        self.workspace_id = workspace.id
        facilitator = self.cast[0]
        journey = self.services.journeys.start(
            self.workspace_id,
            CHANNEL,
            self.scenario.title.in_(self.language),
            starter=facilitator.user,
            language=self.language,
            timezone=TIMEZONE,
            starter_name=facilitator.name,
        )
        assert journey.id is not None
        self.journey_id = journey.id
        by_roles: dict[frozenset[Role], list[str]] = {}
        for persona in self.cast[1:]:
            by_roles.setdefault(persona.roles, []).append(persona.user)
        for roles, users in by_roles.items():
            self.services.journeys.change_roles(
                self.workspace_id, self.journey_id, facilitator.user, users, add=roles
            )

    # -- the clock ---------------------------------------------------------------------
    def run(self) -> DemoResult:
        self.setup()
        end = START + timedelta(weeks=self.weeks)
        week_seen = -1
        while True:
            tick_at = self.next_instant(self.clock.now())
            answer_at = self.queue[0].at if self.queue else None
            if answer_at is not None and (tick_at is None or answer_at <= tick_at):
                if answer_at > end:
                    break
                self.answer(heapq.heappop(self.queue))
                continue
            if tick_at is None or tick_at > end:
                break
            self.clock.set(tick_at)
            week = (tick_at - START) // timedelta(weeks=1)
            if week != week_seen:
                week_seen = week
                if self.progress:
                    self.progress(week, self.phase().value)
            self.happen()
            self.dispatch(tick_at)
            self.happen()  # a phase the digest just moved to starts with its own events
        return self.result

    def phase(self) -> Phase:
        return self.services.journeys.get(self.workspace_id, self.journey_id).phase

    def weeks_in_phase(self) -> int:
        journey = self.services.journeys.get(self.workspace_id, self.journey_id)
        return (self.clock.now() - journey.phase_since) // timedelta(weeks=1) + 1

    # -- what happens in the case --------------------------------------------------------
    def happen(self) -> None:
        """The case's events of this week of the phase, each once."""
        phase, week = self.phase(), self.weeks_in_phase()
        for event in self.scenario.events:
            if (event.phase, event.week) != (phase, week) or (phase, week) in self.handled_events:
                continue
            self.handled_events.add((phase, week))
            for group, lifts in event.lifts.items():
                for signal, lift in lifts.items():
                    self.lifts[(group, signal)] = self.lifts.get((group, signal), 0.0) + lift
            if event.touchpoint is not None:
                note = event.touchpoint.in_(self.language)
                self.services.journeys.log_touchpoint(
                    self.workspace_id, self.journey_id, self.cast[0].user, note, kind=event.kind
                )
                self.result.touchpoints.append((self.week_label(), event.kind, note))

    def week_label(self) -> str:
        year, week, _ = self.clock.now().astimezone(ZoneInfo(TIMEZONE)).isocalendar()
        return f"{year}-W{week:02d}"

    # -- people answering --------------------------------------------------------------
    def received(self, persona: Persona, view: PromptView) -> None:
        """A prompt reached a synthetic person; they may answer it some hours later."""
        if view.reminder:
            self.result.reminders += 1
        else:
            self.result.prompts_sent += 1
        if view.closed:
            return
        rate = answer_rate(self.scenario, persona, view.phase, view.perspective)
        # A reminder wins over some of those who let the first message slide.
        if self.rng.random() > (rate * 0.5 if view.reminder else rate):
            return
        window = (view.closes_at - self.clock.now()).total_seconds()
        delay = timedelta(seconds=self.rng.uniform(0.02, 0.6) * max(window, 3600))
        self.seq += 1
        heapq.heappush(self.queue, _Answer(self.clock.now() + delay, self.seq, persona.user, view))

    def answer(self, item: _Answer) -> None:
        self.clock.set(max(item.at, self.clock.now()))
        persona: Persona = self.by_user[item.user]
        view = item.view
        try:
            if view.kind is PromptKind.PULSE:
                signal = self.signal_of(view)
                mean = mean_for(
                    self.scenario,
                    persona,
                    view.phase,
                    signal,
                    view.perspective,
                    self.weeks_in_phase(),
                    self.lifts,
                )
                self.services.answers.record(
                    self.workspace_id,
                    view.delivery_id,
                    item.user,
                    value=answer_value(self.rng, mean),
                )
            else:
                text = checkin_text(self.scenario, persona, self.language, self.rng)
                self.services.answers.record(
                    self.workspace_id, view.delivery_id, item.user, text=text
                )
        except DomainError:
            return  # answered again after a reminder, or the poll closed: as in real life
        self.result.answers += 1

    def signal_of(self, view: PromptView) -> Signal:
        with self.services.uow() as uow:
            delivery = uow.deliveries.get(self.workspace_id, view.delivery_id)
        assert delivery is not None
        return delivery.signal

    # -- reading the digest -----------------------------------------------------------
    def read_digest(self, view: DigestView, chart_png: bytes) -> None:
        """What the people around the digest do with it: save it, act on it, move on."""
        if any(d.iso_week == view.iso_week for d in self.result.digests):
            return
        self.result.digests.append(view)
        markdown = render_markdown(view, self.language)
        folder = keep_page(self.out, f"{view.iso_week}.md", markdown, self.echo)
        # The very chart the directors received, not a second drawing of it.
        (folder / f"{view.iso_week}.png").write_bytes(chart_png or render_chart(view))
        # The learning professional's week, from the very same digest.
        steward = render_steward_markdown(view, self.language)
        (folder / f"{view.iso_week}-learning.md").write_text(steward, encoding="utf-8")
        # Directors act on what they are nudged about; it shows in later answers, and they
        # record what they did, which the whole team reads in the next team update.
        director = min(self.directors)
        for nudge in view.nudges:
            try:
                signal = Signal(nudge.signal)
            except ValueError:
                continue
            self.lifts[("*", signal)] = min(self.lifts.get(("*", signal), 0.0) + 0.5, 1.0)
            did = t("demo.did", self.language)
            record = self.services.team_updates.record
            record(self.workspace_id, self.journey_id, director, did, nudge.rule, nudge.signal)
            self.result.actions += 1
        self.maybe_move_phase(view)
        # What the facilitator's card showed once they had acted on this digest.
        card = readiness(self.services.uow, self.clock, self.workspace_id, self.journey_id)
        facilitator = render_readiness_markdown(card, self.language)
        (folder / f"{view.iso_week}-facilitator.md").write_text(facilitator, encoding="utf-8")

    def read_team_update(self, view: TeamUpdateView) -> None:
        """Every member gets the fortnight's update; the demo keeps it beside the digests."""
        if all(u.iso_week != view.iso_week for u in self.result.team_updates):
            self.result.team_updates.append(view)
            page = render_team_update_markdown(view, self.language)
            keep_page(self.out, f"{view.iso_week}-team.md", page, self.echo)

    def maybe_move_phase(self, view: DigestView) -> None:
        """The facilitator moves on when the scorecard says the exit signals are met, and
        only after a phase has clearly run its time otherwise (said so in the reason)."""
        phase = self.phase()
        if phase.next() is None or view.phase is not phase:
            return
        card = view.scorecard
        if card is not None and card.ready:
            met = ", ".join(
                f"{signal_name(row.signal.value, self.language)} "
                f"{number(row.figure.mean, self.language)}"
                if row.figure.mean is not None
                else t(
                    "demo.ready.unmeasured",
                    self.language,
                    signal=signal_name(row.signal.value, self.language),
                    weeks=row.before,
                )
                for row in card.rows
            )
            reason = t("demo.ready", self.language, phase=phase, signals=met)
        elif self.weeks_in_phase() > self.scenario.max_weeks[phase]:
            reason = t("demo.timebox", self.language)
        else:
            return
        change = self.services.journeys.move_phase(
            self.workspace_id,
            self.journey_id,
            self.cast[0].user,
            PhaseTarget(direction="next"),
            reason,
        )
        self.result.phase_changes.append(
            (self.week_label(), change.from_phase, change.to_phase, reason)
        )
        self.echo(
            t(
                "demo.moved",
                self.language,
                from_phase=change.from_phase,
                to_phase=change.to_phase,
                reason=reason,
            )
        )

    # -- the scheduler ---------------------------------------------------------------------
    def rituals(self) -> tuple[Ritual, ...]:
        return self.parts.plan.for_phase(self.phase())

    def next_instant(self, after: datetime) -> datetime | None:
        """The next instant the scheduler has work: a ritual falls due or a reminder is due."""
        due = first_due(self.rituals(), {TIMEZONE}, Calendar.of("mon-fri"), after)
        while self.reminders and self.reminders[0] <= after:
            heapq.heappop(self.reminders)
        candidates = [x for x in (due, self.reminders[0] if self.reminders else None) if x]
        return min(candidates) if candidates else None

    def dispatch(self, now: datetime) -> None:
        """One scheduler pass at `now`, as `pioneer tick --at now` would run it."""
        chat = self.parts.console
        seen = len(chat.sent)
        self.parts.run_pass(now)
        # Sending runs on several threads; handle what arrived in a fixed order so the same
        # seed always gives the same story.
        arrived = sorted(chat.sent[seen:], key=_arrival_order)
        for sent in arrived:
            if sent.view is not None:
                self.received(self.by_user[sent.to], sent.view)
            elif sent.digest is not None and sent.to in self.directors:
                self.read_digest(sent.digest, sent.chart_png)
            elif sent.team_update is not None:
                self.read_team_update(sent.team_update)
        for ritual in self.rituals():
            remind = ritual.remind_at(now)
            just_due = occurrences(ritual, TIMEZONE, Calendar.of("mon-fri"), now - MINUTE, now)
            if remind is not None and just_due:
                heapq.heappush(self.reminders, remind)


def run_demo(
    weeks: int,
    seed: int,
    out: Path,
    language: str,
    scenario: str,
    echo: Echo,
    build: BuildParts,
    progress: Callable[[int, str], None] | None = None,
) -> DemoResult:
    out.mkdir(parents=True, exist_ok=True)
    sim = Simulation(
        SCENARIOS[scenario], weeks, seed, out, Language(language), echo, build, progress
    )
    try:
        result = sim.run()
    finally:
        sim.parts.close()
    write_journey_summary(sim.scenario, sim.language, result)
    return result
