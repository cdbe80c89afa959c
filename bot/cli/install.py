"""`pioneer manifest`: what to paste into Slack, or upload to Teams, to install the app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.root import app
from bot.cli.startup import refuse
from bot.config import Settings


@app.command()
def manifest(
    url: Annotated[
        str | None,
        typer.Option(help="Public base URL of this server, e.g. https://pioneer.acme.nl"),
    ] = None,
    socket_mode: Annotated[
        bool,
        typer.Option(
            "--socket-mode",
            help="For Socket Mode (no public URL needed): no request URLs, socket mode on.",
        ),
    ] = False,
    teams: Annotated[
        bool,
        typer.Option("--teams", help="Write the Microsoft Teams app package (a zip) instead."),
    ] = False,
    out: Annotated[Path, typer.Option(help="Where --teams writes the zip.")] = Path(
        "pioneer-teams.zip"
    ),
) -> None:
    """Print the Slack app manifest (paste it at api.slack.com/apps → From a manifest).

    With --socket-mode: the manifest of a Slack app that needs no public URL (the first-run
    path). With --teams: write the Teams app package (manifest.json, icons) to upload in
    Teams; it carries TEAMS_APP_ID, so that must be set.
    """
    from bot.platforms.slack.manifest import render_manifest, render_socket_mode_manifest

    if teams:
        from bot.platforms.teams.manifest import write_package

        app_id = Settings().teams_app_id
        if not app_id:
            refuse(
                "pioneer manifest --teams: set TEAMS_APP_ID (the Azure Bot's Microsoft App ID); "
                "the package carries it and Teams rejects a placeholder."
            )
        try:
            written = write_package(out, app_id, url)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=2) from None
        typer.echo(f"Teams app package written to {written}.")
        return
    if socket_mode:
        if url is not None:
            refuse("pioneer manifest: --socket-mode takes no --url (Slack calls no URL of yours).")
        typer.echo(render_socket_mode_manifest(), nl=False)
        return
    try:
        typer.echo(render_manifest(url), nl=False)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
