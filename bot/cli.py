"""The `pioneer` command line (Typer)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings

app = typer.Typer(
    help="Pioneer keeps an organisation's pioneering rituals going in Slack and Teams.",
    no_args_is_help=True,
    add_completion=False,
)
prompts_app = typer.Typer(help="Validate and list the prompt catalog.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


def _not_yet(command: str) -> None:
    typer.echo(f"`pioneer {command}` is not yet available in this version.", err=True)
    raise typer.Exit(code=2)


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


@prompts_app.command("check")
def prompts_check(
    directory: Annotated[
        Path | None,
        typer.Argument(help="An organisation's override folder to check with the catalog."),
    ] = None,
) -> None:
    """Validate the shipped catalog, plus an override folder if given."""
    from prompts import check_catalog

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
    phase: Annotated[str | None, typer.Option(help="Only prompts asked in this phase.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    lang: Annotated[str, typer.Option(help="nl or en")] = "en",
    directory: Annotated[
        Path | None, typer.Option("--dir", help="An organisation's override folder.")
    ] = None,
) -> None:
    """List the catalog (shipped items plus overrides)."""
    from bot.domain.model import Phase
    from prompts import CatalogError, catalog_as_dicts, load_catalog

    if format not in ("text", "json"):
        typer.echo("--format must be text or json", err=True)
        raise typer.Exit(code=2)
    if lang not in ("nl", "en"):
        typer.echo("--lang must be nl or en", err=True)
        raise typer.Exit(code=2)
    try:
        wanted = Phase(phase) if phase else None
    except ValueError:
        typer.echo(f"Unknown phase {phase!r}; choose one of: {', '.join(Phase)}", err=True)
        raise typer.Exit(code=2) from None
    extra = directory or Settings().pioneer_prompts_dir
    try:
        catalog = load_catalog(*([extra] if extra else []))
    except CatalogError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(code=1) from None
    items = catalog.select(phase=wanted)
    if format == "json":
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


@app.command()
def demo() -> None:
    """Run a whole pioneering journey offline and print the weekly digests."""
    _not_yet("demo")


@app.command()
def serve() -> None:
    """Serve Slack (and Teams) and run the scheduler."""
    _not_yet("serve")


@app.command()
def tick() -> None:
    """One scheduler pass: send what is due, then exit."""
    _not_yet("tick")


@app.command()
def digest() -> None:
    """Show a stored weekly digest."""
    _not_yet("digest")


@app.command()
def manifest() -> None:
    """Print the Slack app manifest."""
    _not_yet("manifest")


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
