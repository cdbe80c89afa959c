"""What every command that starts something shares: logging, and the schema check."""

from __future__ import annotations

import logging

import typer

from bot.config import Settings


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


def require_migrated(settings: Settings, what: str) -> None:
    from bot.container import Container

    container = Container(settings)
    try:
        current = container.schema_is_current()
    finally:
        container.close()
    if not current:
        typer.echo(f"{what}: the database is not up to date; run `pioneer migrate`.", err=True)
        raise typer.Exit(code=2)
