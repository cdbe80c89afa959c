"""The `pioneer` command line (Typer): one module per concern, all on one application.

`pioneer = "bot.cli:main"` is the console script; `python -m bot.cli` runs the same.
"""

from __future__ import annotations

from bot.cli import (  # noqa: F401  (each registers its commands)
    api_tokens,
    catalog_commands,
    database,
    demo_command,
    doctor,
    install,
    running,
    web_command,
)
from bot.cli.root import app
from bot.cli.running import EXIT_LOCKED, parse_instant, serve_scheduler

__all__ = ["EXIT_LOCKED", "app", "main", "parse_instant", "serve_scheduler"]


def main() -> None:
    app()
