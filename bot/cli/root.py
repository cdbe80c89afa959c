"""The `pioneer` Typer application that every command module registers itself on."""

from __future__ import annotations

import typer

from bot.cli.startup import PioneerGroup

app = typer.Typer(
    help="Pioneer keeps an organisation's pioneering rituals going in Slack and Teams.",
    no_args_is_help=True,
    add_completion=False,
    cls=PioneerGroup,
)
prompts_app = typer.Typer(help="Validate and list the prompt catalog.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")
