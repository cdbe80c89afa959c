"""`pioneer manifest`: what to paste into Slack, or upload to Teams, to install the app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.root import app
from bot.config import Settings


@app.command()
def manifest(
    url: Annotated[
        str | None,
        typer.Option(help="Public base URL of this server, e.g. https://pioneer.acme.nl"),
    ] = None,
    teams: Annotated[
        bool,
        typer.Option("--teams", help="Write the Microsoft Teams app package (a zip) instead."),
    ] = False,
    out: Annotated[Path, typer.Option(help="Where --teams writes the zip.")] = Path(
        "pioneer-teams.zip"
    ),
) -> None:
    """Print the Slack app manifest (paste it at api.slack.com/apps → From a manifest).

    With --teams: write the Teams app package (manifest.json, icons) to upload in Teams.
    """
    from bot.platforms.slack.manifest import render_manifest

    if teams:
        from bot.platforms.teams.manifest import write_package

        try:
            written = write_package(out, Settings().teams_app_id, url)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=2) from None
        typer.echo(f"Teams app package written to {written}.")
        return
    try:
        typer.echo(render_manifest(url), nl=False)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
