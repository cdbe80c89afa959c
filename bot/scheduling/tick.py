"""`pioneer tick`: one dispatcher pass as of an instant, printing what was (would be) sent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import typer

from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.ports import SchedulerLocked
from bot.scheduling.dispatcher import PassReport

EXIT_LOCKED = 3


def parse_instant(text: str) -> datetime:
    """ISO-8601; a value without an offset is read as UTC (and said so nowhere else)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_tick(at: str | None, dry_run: bool) -> int:
    from bot.container import Container

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        instant = parse_instant(at) if at else None
    except ValueError:
        typer.echo(
            f"--at: `{at}` is not an ISO-8601 instant (e.g. 2026-12-01T09:00:00Z).", err=True
        )
        return 2
    container = Container(settings, FixedClock(instant) if instant else None)
    if not container.schema_is_current():
        container.close()
        typer.echo("Cannot tick: the database is not up to date; run `pioneer migrate`.", err=True)
        return 2
    try:
        if not dry_run:
            try:
                container.dispatch.lock.hold_process_lock()
            except SchedulerLocked as exc:
                typer.echo(str(exc), err=True)
                return EXIT_LOCKED
        report = container.dispatch.run_pass(dry_run=dry_run, wait=True)
    finally:
        if "dispatch" in container.__dict__:
            container.dispatch.lock.release_process_lock()
        container.close()
    for line in describe(report):
        typer.echo(line)
    return 0


def describe(report: PassReport) -> list[str]:
    when = report.at.isoformat(timespec="seconds")
    if report.skipped:
        return [f"{when}: another dispatcher pass holds the lock; this one sent nothing."]
    out = []
    for line in report.lines:
        what = "reminder" if line.reminder else line.ritual_key
        verb = {"sent": "sent", "would-send": "would send", "unreachable": "unreachable"}.get(
            line.status, "still pending"
        )
        extra = f" ({line.error})" if line.error and line.status != "sent" else ""
        ref = f" #{line.delivery_id}" if line.delivery_id else ""
        out.append(f"{verb}: {what} {line.occurrence} to {line.user}{ref}: {line.question}{extra}")
    sent = sum(1 for x in report.lines if x.status == "sent")
    would = sum(1 for x in report.lines if x.status == "would-send")
    pending = sum(1 for x in report.lines if x.status == "failed")
    head = "dry run" if report.dry_run else "tick"
    out.append(
        f"{head} {when}: recorded {report.recorded}, missed {report.missed}, "
        f"expired {report.expired}, "
        + (f"would send {would}" if report.dry_run else f"sent {sent}, still pending {pending}")
        + (f", digests {report.digests}" if report.digests else "")
        + "."
    )
    return out
