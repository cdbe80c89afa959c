"""Running Pioneer: `pioneer serve` (web server and scheduler) and `pioneer tick` (one pass)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import app
from bot.cli.startup import ensure_port_free, require_migrated, served_platforms
from bot.config import Settings
from bot.logs import configure_logging

if TYPE_CHECKING:
    from bot.scheduling.scheduler import SchedulerHandle

# `pioneer tick` when another process is the scheduler of this (SQLite) database.
EXIT_LOCKED = 3


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Defaults to PORT or 3000.")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",  # noqa: S104
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes sharing the port: about one per core on PostgreSQL; keep 1 on "
            "SQLite (one writer at a time).",
        ),
    ] = 1,
    no_scheduler: Annotated[
        bool,
        typer.Option(
            "--no-scheduler",
            help="Do not run the ritual scheduler here (another process or cron runs `tick`).",
        ),
    ] = False,
) -> None:
    """Serve Slack (and Teams) over HTTP, or Slack over Socket Mode when SLACK_APP_TOKEN is set."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    served = served_platforms(settings)
    require_migrated(settings, "Cannot start")
    port = port or settings.port
    ensure_port_free(host, port)
    typer.echo(
        f"Pioneer serving {' and '.join(served)} on {host}:{port} "
        f"({workers} worker{'s' if workers > 1 else ''}; /healthz, /metrics)."
    )
    shared = None
    if workers > 1:
        from bot.telemetry import share_between_processes

        # Before the scheduler and the workers make their counters: /metrics of any worker
        # then adds up every process's.
        shared = share_between_processes()
    from bot.web import run

    try:
        scheduler = None if no_scheduler else serve_scheduler(settings)
        try:
            code = run(host, port, workers)
        finally:
            if scheduler is not None:
                scheduler.stop()
    finally:
        if shared is not None:
            from bot.telemetry import stop_sharing

            stop_sharing(*shared)
    if code:
        raise typer.Exit(code=code)


def serve_scheduler(settings: Settings) -> SchedulerHandle:
    """For `pioneer serve`: the scheduler in this process, or a one-line refusal (exit 2)
    when another scheduler already runs against this SQLite database."""
    from bot.container import start_scheduler_with_container
    from bot.domain.errors import SchedulerLocked

    try:
        return start_scheduler_with_container(settings)
    except SchedulerLocked as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(code=2) from None


def parse_instant(text: str) -> datetime:
    """ISO-8601; a value without an offset is read as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option("--at", help="Run the pass as of this ISO-8601 instant (default: now)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be sent; change nothing.")
    ] = False,
) -> None:
    """One scheduler pass: record what fell due, send it, print it, then exit."""
    from bot.clock import FixedClock
    from bot.container import Container
    from bot.domain.errors import SchedulerLocked
    from bot.scheduling.report import describe

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        instant = parse_instant(at) if at else None
    except ValueError:
        typer.echo(
            f"--at: `{at}` is not an ISO-8601 instant (e.g. 2026-12-01T09:00:00Z).", err=True
        )
        raise typer.Exit(code=2) from None
    require_migrated(settings, "Cannot tick")
    container = Container(settings, FixedClock(instant) if instant else None)
    try:
        if not dry_run:
            try:
                container.dispatch.lock.hold_process_lock()
            except SchedulerLocked as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(code=EXIT_LOCKED) from None
        report = container.dispatch.run_pass(dry_run=dry_run, wait=True)
    finally:
        if "dispatch" in container.__dict__:
            container.dispatch.lock.release_process_lock()
        container.close()
    for line in describe(report):
        typer.echo(line)
