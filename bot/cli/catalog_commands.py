"""`pioneer prompts check|list`: the prompt catalog, shipped and an organisation's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.choices import ListFormat
from bot.cli.root import prompts_app
from bot.config import Settings
from bot.domain.model import Language, Phase


@prompts_app.command("check")
def prompts_check(
    directory: Annotated[
        Path | None,
        typer.Argument(help="An organisation's override folder to check with the catalog."),
    ] = None,
) -> None:
    """Validate the shipped catalog, plus an override folder if given."""
    from prompts.catalog import check_catalog

    dirs = [directory] if directory else []
    if directory is not None and not directory.is_dir():
        typer.echo(f"{directory}: not a folder", err=True)
        raise typer.Exit(code=2)
    problems = check_catalog(*dirs)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.", err=True)
        raise typer.Exit(code=1)
    typer.echo("Catalog OK.")


@prompts_app.command("list")
def prompts_list(
    phase: Annotated[Phase | None, typer.Option(help="Only prompts asked in this phase.")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TEXT,
    lang: Annotated[Language, typer.Option(help="The texts' language.")] = Language.EN,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="An organisation's override folder.")
    ] = None,
) -> None:
    """List the catalog (shipped items plus overrides)."""
    from prompts.catalog import CatalogError, catalog_as_dicts, load_catalog

    extra = directory or Settings().pioneer_prompts_dir
    try:
        catalog = load_catalog(*([extra] if extra else []))
    except CatalogError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(code=1) from None
    items = catalog.select(phase=phase)
    if format is ListFormat.JSON:
        ids = {p.id for p in items}
        typer.echo(json.dumps([d for d in catalog_as_dicts(catalog) if d["id"] in ids], indent=2))
        return
    for prompt in items:
        phases = ",".join(p.value for p in sorted(prompt.phases, key=lambda p: p.order))
        typer.echo(
            f"{prompt.id:28} {prompt.kind.value:7} {phases:30} {prompt.perspective.value:10} "
            f"{prompt.signal.value:16} {prompt.text.in_(lang)}"
        )
    typer.echo(f"{len(items)} prompt(s).")
