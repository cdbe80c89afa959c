"""Commands on the database: migrate it, and read a journey's digest from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.root import app
from bot.config import Settings


@app.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Defaults to DATABASE_URL or a local SQLite file.")
    ] = None,
) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from storage.migrate import current_revision, head_revision, upgrade

    url = database_url or Settings().database_url
    before = current_revision(url)
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
    journey: Annotated[int, typer.Option(help="The journey's id.")],
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W49.")],
    format: Annotated[str, typer.Option("--format", help="md or json")] = "md",
    lang: Annotated[
        str | None, typer.Option(help="nl or en; defaults to the journey's language.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option(help="Also write the chart as a PNG to this file.")
    ] = None,
) -> None:
    """Show a week's digest: the stored one if it exists, else build and store it now."""
    from bot.container import Container
    from bot.domain.digest.weeks import InvalidWeek, parse_week
    from bot.domain.model import Language
    from bot.rendering.chart import render_chart
    from bot.rendering.markdown import render_markdown
    from prompts.messages import say

    if format not in ("md", "json"):
        typer.echo("--format must be md or json", err=True)
        raise typer.Exit(code=2)
    if lang not in (None, "nl", "en"):
        typer.echo("--lang must be nl or en", err=True)
        raise typer.Exit(code=2)
    try:
        iso_week = parse_week(week)
    except InvalidWeek as exc:
        typer.echo(say(exc, lang or "en"), err=True)
        raise typer.Exit(code=2) from None
    container = Container(Settings())
    try:
        # An operator knows the journey's id, not its workspace; look that up once here.
        with container.uow() as uow:
            workspace_id = uow.journeys.workspace_of(journey)
        if workspace_id is None:
            typer.echo(f"No journey with id {journey}.", err=True)
            raise typer.Exit(code=1)
        view = container.digests.show(workspace_id, journey, iso_week)
        language = Language(lang) if lang else view.language
        if chart is not None:
            chart.write_bytes(render_chart(view, language))
        if format == "json":
            typer.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_markdown(view, language), nl=False)
    finally:
        container.close()
