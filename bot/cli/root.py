"""The `pioneer` Typer application that every command module registers itself on."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.about import version
from bot.cli.startup import PioneerGroup

app = typer.Typer(
    help="Pioneer keeps an organisation's pioneering rituals going in Slack and Teams.",
    no_args_is_help=True,
    add_completion=False,
    cls=PioneerGroup,
)
prompts_app = typer.Typer(help="Validate and list the prompt catalog.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"pioneer {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Pioneer keeps an organisation's pioneering rituals going in Slack and Teams."""
