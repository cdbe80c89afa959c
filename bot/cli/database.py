"""Commands on the database: migrate it, read a journey's digest from it, and purge what the
retention period ran out for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.choices import DigestFormat, ListFormat
from bot.cli.root import app
from bot.cli.startup import explain, refuse, require_migrated
from bot.config import Settings
from bot.domain.model import Language


@app.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Defaults to DATABASE_URL or a local SQLite file.")
    ] = None,
    down_to: Annotated[
        str | None,
        typer.Option(
            "--down-to",
            help="Roll the schema back to this revision (e.g. 0005), for going back to an "
            "older Pioneer; what the newer revisions added is dropped.",
        ),
    ] = None,
) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from storage.migrate import current_revision, downgrade, head_revision, upgrade

    url = database_url or Settings().database_url
    before = current_revision(url)
    if down_to is not None:
        try:
            downgrade(url, down_to)
        except Exception as exc:  # Alembic's CommandError and friends: name the revision
            if explain(exc) is not None:
                raise
            refuse(f"pioneer migrate: cannot go down to {down_to!r}: {exc}")
        typer.echo(f"Database rolled back from {before or 'empty'} to {current_revision(url)}.")
        return
    upgrade(url)
    after = current_revision(url)
    if before == after:
        typer.echo(f"Database is up to date (revision {after}).")
    else:
        typer.echo(
            f"Database migrated from {before or 'empty'} to {after} (head {head_revision()})."
        )


@app.command()
def digest(
    journey: Annotated[int, typer.Option(help="The journey's id (`pioneer journeys`).")],
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W49.")],
    format: Annotated[DigestFormat, typer.Option("--format")] = DigestFormat.MD,
    lang: Annotated[
        Language | None, typer.Option(help="Defaults to the journey's language.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option(help="Also write the chart as a PNG to this file.")
    ] = None,
) -> None:
    """Show a week's digest: the stored one if it exists, else build and store it now."""
    from bot.container import Container
    from bot.domain.digest.weeks import InvalidWeek, parse_week
    from bot.domain.errors import DomainError
    from bot.rendering.chart import render_chart
    from bot.rendering.markdown import render_markdown
    from prompts.messages import say

    try:
        iso_week = parse_week(week)
    except InvalidWeek as exc:
        typer.echo(say(exc, lang or "en"), err=True)
        raise typer.Exit(code=2) from None
    settings = Settings()
    require_migrated(settings, "Cannot show the digest")
    container = Container(settings)
    try:
        # An operator knows the journey's id, not its workspace; look that up once here.
        with container.uow() as uow:
            workspace_id = uow.journeys.workspace_of(journey)
        if workspace_id is None:
            typer.echo(f"No journey with id {journey}.", err=True)
            raise typer.Exit(code=1)
        view = container.digests.show(workspace_id, journey, iso_week)
        language = lang or view.language
        if chart is not None:
            chart.write_bytes(render_chart(view, language))
        if format is DigestFormat.JSON:
            typer.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_markdown(view, language), nl=False)
    except DomainError as exc:  # a week not over yet
        typer.echo(say(exc, lang or "en"), err=True)
        raise typer.Exit(code=2) from None
    finally:
        container.close()


@app.command()
def journeys(
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TEXT,
) -> None:
    """List every journey with its id (what `pioneer digest --journey` takes)."""
    from dataclasses import asdict

    from bot.container import Container

    settings = Settings()
    require_migrated(settings, "Cannot list journeys")
    container = Container(settings)
    try:
        lines = container.journey_lines()
    finally:
        container.close()
    if format is ListFormat.JSON:
        typer.echo(json.dumps([asdict(line) for line in lines], ensure_ascii=False, indent=2))
        return
    if not lines:
        typer.echo("No journeys yet: start one in chat with `/pioneer start <name>`.")
        return
    typer.echo(f"{'id':>4}  {'platform':8}  {'workspace':20}  {'journey':24}  {'phase':9}  people")
    for line in lines:
        paused = " (paused)" if line.paused else ""
        typer.echo(
            f"{line.id:>4}  {line.platform:8}  {line.workspace[:20]:20}  {line.name[:24]:24}  "
            f"{line.phase:9}  {line.members}{paused}"
        )


@app.command()
def purge(
    dry_run: Annotated[bool, typer.Option(help="Only say what would go; erase nothing.")] = False,
) -> None:
    """Erase answers, check-ins and digest quotes older than PIONEER_RETENTION_MONTHS.

    The scheduler of `pioneer serve` does this once a day; this is for `--no-scheduler`
    (from cron) and for seeing what would go."""
    from bot.app.retention import describe
    from bot.container import Container

    settings = Settings()
    require_migrated(settings, "Cannot purge")
    container = Container(settings)
    try:
        done = container.retention.purge(dry_run=dry_run)
    finally:
        container.close()
    for line in describe(done):
        typer.echo(line)
