"""Retention: answers and check-in texts older than the retention period are erased.

What people answered is kept PIONEER_RETENTION_MONTHS (default 24) and then goes: pulse
values with their comments, and check-ins. The aggregates in stored digests stay (they were
shown, and `week_figures` keeps every closed week's as first shown), but the quotes in
digests of those weeks go with the answers they came from. Running it twice changes nothing
the second time; `pioneer purge --dry-run` says what would go, and the scheduler purges
once a day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.domain.digest.weeks import week_monday, week_of
from bot.domain.model import MIN_RETENTION_MONTHS, Language, PromptKind
from bot.domain.ports import Clock, UnitOfWorkFactory
from bot.domain.records import Expiring
from prompts.messages import t

QUOTES = "quote"  # the kind of what goes from stored digests


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter), in UTC."""
    moment = moment.astimezone(UTC)
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Purge:
    """What a purge took (or, dry, would take): per kind how many, and the oldest."""

    months: int
    before: datetime
    expiring: tuple[Expiring, ...]
    dry_run: bool


class Retention:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, months: int) -> None:
        if months < MIN_RETENTION_MONTHS:
            raise ValueError(f"retention must be at least {MIN_RETENTION_MONTHS} months")
        self._uow = uow
        self._clock = clock
        self.months = months

    def purge(self, dry_run: bool = False) -> Purge:
        """Erase (with `dry_run`: count) what is older than the retention period."""
        before = months_before(self._clock.now(), self.months)
        # A digest quotes its own week's texts: through the week of the cutoff, every quote
        # whose answer goes has gone with it.
        last_week = week_of(before.date())
        quoted, oldest = 0, None
        with self._uow() as uow:
            answers = uow.answers.older_than(before, purge=not dry_run)
            for found in uow.digests.quoted_through(last_week):
                quotes = found.digest.payload.get("quotes") or []
                if quotes:
                    quoted += len(quotes)
                    oldest = oldest or found.digest.iso_week
                elif found.digest.quote_sources is not None:
                    continue
                if not dry_run:  # quotes gone, or marked as quoting nobody: not read again
                    empty = {**found.digest.payload, "quotes": []}
                    redacted = found.digest._replace(payload=empty, quote_sources=())
                    uow.digests.redact(found.workspace_id, found.journey_id, redacted)
            if not dry_run:
                uow.commit()
        by_kind = {item.kind: item for item in answers}
        expiring = tuple(by_kind.get(k.value, Expiring(k.value, 0, None)) for k in PromptKind)
        first = _monday(oldest) if oldest else None
        return Purge(self.months, before, (*expiring, Expiring(QUOTES, quoted, first)), dry_run)


def _monday(iso_week: str) -> datetime:
    day: date = week_monday(iso_week)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def describe(purge: Purge, language: Language = Language.EN) -> list[str]:
    """What `pioneer purge` prints: the cutoff, then per kind how many and the oldest."""
    head = "retention.dry_run" if purge.dry_run else "retention.done"
    lines = [t(head, language, months=purge.months, before=purge.before.date().isoformat())]
    for item in purge.expiring:
        label = t(f"retention.kind.{item.kind}", language)
        if item.number and item.oldest is not None:
            oldest = item.oldest.date().isoformat()
            lines.append(t("retention.line", language, kind=label, n=item.number, oldest=oldest))
        else:
            lines.append(t("retention.none", language, kind=label))
    return lines
