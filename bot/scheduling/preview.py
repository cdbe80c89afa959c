"""`pioneer tick --dry-run`: what a pass would record and send, with nothing written."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.rituals import Fate
from bot.scheduling.holds import Holds
from bot.scheduling.report import PassReport, SentLine
from bot.scheduling.sender import Outcome

if TYPE_CHECKING:
    from bot.scheduling.dispatcher import Dispatcher


def preview(dispatcher: Dispatcher, now: datetime, report: PassReport) -> None:
    with dispatcher.uow() as uow:
        due, _ = dispatcher._due_journeys(uow, now)
        for journey, schedule, mark in due:
            assert journey.id is not None
            overrides = uow.rituals.overrides(journey.workspace_id, journey.id)
            plan = dispatcher._plan(uow, journey, schedule, overrides, mark, now)
            members = {m.id: m for m in uow.members.list(journey.workspace_id, journey.id)}
            for p in plan.deliveries:
                if p.fate is Fate.MISSED:
                    report.missed += 1
                    continue
                report.lines.append(
                    SentLine(
                        delivery_id=0,
                        journey_id=journey.id,
                        user=members[p.member_id].user,
                        ritual_key=p.ritual.key,
                        occurrence=p.occurrence,
                        question=p.prompt.text.en,
                        status="would-send",
                    )
                )
        holds = Holds(now)
        pending = holds.ready(uow, uow.dispatch.pending(now, 100_000), reminder=False)
        for delivery, member, _journey in pending:
            report.lines.append(
                dispatcher.courier.line(delivery, member, Outcome("would-send"), reminder=False)
            )
        reminders = holds.ready(uow, uow.dispatch.due_reminders(now, 100_000), reminder=True)
        for delivery, member, _journey in reminders:
            report.lines.append(
                dispatcher.courier.line(delivery, member, Outcome("would-send"), reminder=True)
            )
