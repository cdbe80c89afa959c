"""The `pioneer` command line (Typer)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.config import Settings

if TYPE_CHECKING:
    from bot.scheduling.scheduler import SchedulerHandle

app = typer.Typer(
    help="Pioneer keeps an organisation's pioneering rituals going in Slack and Teams.",
    no_args_is_help=True,
    add_completion=False,
)
prompts_app = typer.Typer(help="Validate and list the prompt catalog.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


EXIT_LOCKED = 3  # `pioneer tick` when another process is this SQLite database's scheduler


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


def _require_migrated(settings: Settings, what: str) -> None:
    from bot.container import Container

    container = Container(settings)
    try:
        current = container.schema_is_current()
    finally:
        container.close()
    if not current:
        typer.echo(f"{what}: the database is not up to date; run `pioneer migrate`.", err=True)
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
    phase: Annotated[str | None, typer.Option(help="Only prompts asked in this phase.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    lang: Annotated[str, typer.Option(help="nl or en")] = "en",
    directory: Annotated[
        Path | None, typer.Option("--dir", help="An organisation's override folder.")
    ] = None,
) -> None:
    """List the catalog (shipped items plus overrides)."""
    from bot.domain.model import Phase
    from prompts.catalog import CatalogError, catalog_as_dicts, load_catalog

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
def demo(
    weeks: Annotated[int, typer.Option(min=1, max=104, help="Weeks to simulate.")] = 16,
    seed: Annotated[int, typer.Option(help="Same seed, same output.")] = 7,
    out: Annotated[Path, typer.Option(help="Folder for digests, charts and the database.")] = Path(
        "demo-output"
    ),
    lang: Annotated[str, typer.Option(help="nl or en")] = "en",
    scenario: Annotated[
        str, typer.Option(help="a: servitization, sales resist; b: broad, robots, repair team")
    ] = "a",
    quiet: Annotated[bool, typer.Option(help="Only the progress bar and the summary.")] = False,
) -> None:
    """Run a whole pioneering journey offline (no tokens, no network) and print the digests."""
    from tqdm import tqdm

    from bot.container import demo_parts
    from bot.demo.runner import run_demo
    from bot.demo.scenarios import SCENARIOS
    from prompts.messages import t

    if lang not in ("nl", "en"):
        typer.echo("--lang must be nl or en", err=True)
        raise typer.Exit(code=2)
    if scenario not in SCENARIOS:
        typer.echo(f"--scenario must be one of: {', '.join(SCENARIOS)}", err=True)
        raise typer.Exit(code=2)
    chosen = SCENARIOS[scenario]
    typer.echo(f"{chosen.title.in_(lang)}\n{chosen.story.in_(lang)}\n")
    with tqdm(total=weeks, unit=t("demo.progress", lang), dynamic_ncols=True) as bar:

        def progress(week: int, phase: str) -> None:
            bar.n = week
            bar.set_postfix_str(t(f"phase.{phase}", lang))
            bar.refresh()

        def echo(text: str) -> None:
            if not quiet:
                bar.write(text)

        result = run_demo(weeks, seed, out, lang, scenario, echo, demo_parts, progress)
        bar.n = weeks
        bar.refresh()
    typer.echo((out / "journey.md").read_text(encoding="utf-8"))
    typer.echo(t("demo.done", lang, out=str(out)))
    if not result.digests:
        raise typer.Exit(code=1)


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Defaults to PORT or 3000.")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",  # noqa: S104
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes sharing the port: about one per core on PostgreSQL; keep 1 on "
            "SQLite (one writer at a time).",
        ),
    ] = 1,
    no_scheduler: Annotated[
        bool,
        typer.Option(
            "--no-scheduler",
            help="Do not run the ritual scheduler here (another process or cron runs `tick`).",
        ),
    ] = False,
) -> None:
    """Serve Slack (and Teams) over HTTP, or Slack over Socket Mode when SLACK_APP_TOKEN is set."""
    from bot.crypto import EncryptionKeyMissing
    from bot.platforms.slack.app import ConfigurationError, check_settings, slack_configured
    from bot.web import run

    settings = Settings()
    _configure_logging(settings)
    try:
        if slack_configured(settings):
            check_settings(settings)
        elif not (settings.teams_app_id and settings.teams_app_secret):
            raise ConfigurationError(
                "neither Slack (SLACK_BOT_TOKEN or SLACK_CLIENT_ID/SECRET) nor Teams is configured."
            )
    except (ConfigurationError, EncryptionKeyMissing) as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(code=2) from None
    _require_migrated(settings, "Cannot start")
    mode = "Socket Mode" if settings.slack_app_token else "HTTP"
    typer.echo(
        f"Pioneer serving on {host}:{port or settings.port} (Slack over {mode}, "
        f"{workers} worker{'s' if workers > 1 else ''})."
    )
    scheduler = None if no_scheduler else serve_scheduler(settings)
    try:
        code = run(host, port or settings.port, workers)
    finally:
        if scheduler is not None:
            scheduler.stop()
    if code:
        raise typer.Exit(code=code)


def serve_scheduler(settings: Settings) -> SchedulerHandle:
    """For `pioneer serve`: the scheduler in this process, or a one-line refusal (exit 2)
    when another scheduler already runs against this SQLite database."""
    from bot.container import start_scheduler_with_container
    from bot.domain.errors import SchedulerLocked

    try:
        return start_scheduler_with_container(settings)
    except SchedulerLocked as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(code=2) from None


def parse_instant(text: str) -> datetime:
    """ISO-8601; a value without an offset is read as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option("--at", help="Run the pass as of this ISO-8601 instant (default: now)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be sent; change nothing.")
    ] = False,
) -> None:
    """One scheduler pass: record what fell due, send it, print it, then exit."""
    from bot.clock import FixedClock
    from bot.container import Container
    from bot.domain.errors import SchedulerLocked
    from bot.scheduling.report import describe

    settings = Settings()
    _configure_logging(settings)
    try:
        instant = parse_instant(at) if at else None
    except ValueError:
        typer.echo(
            f"--at: `{at}` is not an ISO-8601 instant (e.g. 2026-12-01T09:00:00Z).", err=True
        )
        raise typer.Exit(code=2) from None
    _require_migrated(settings, "Cannot tick")
    container = Container(settings, FixedClock(instant) if instant else None)
    try:
        if not dry_run:
            try:
                container.dispatch.lock.hold_process_lock()
            except SchedulerLocked as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(code=EXIT_LOCKED) from None
        report = container.dispatch.run_pass(dry_run=dry_run, wait=True)
    finally:
        if "dispatch" in container.__dict__:
            container.dispatch.lock.release_process_lock()
        container.close()
    for line in describe(report):
        typer.echo(line)


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
    from bot.domain.errors import DomainError
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
    container = Container(Settings())
    try:
        # An operator knows the journey's id, not its workspace; look that up once here.
        with container.uow() as uow:
            workspace_id = uow.journeys.workspace_of(journey)
        if workspace_id is None:
            typer.echo(f"No journey with id {journey}.", err=True)
            raise typer.Exit(code=1)
        view = container.digests.show(workspace_id, journey, week)
        language = Language(lang) if lang else view.language
        if chart is not None:
            chart.write_bytes(render_chart(view, language))
        if format == "json":
            typer.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(render_markdown(view, language), nl=False)
    except DomainError as exc:  # not an ISO week, or a week not over yet
        typer.echo(say(exc, lang or "en"), err=True)
        raise typer.Exit(code=2) from None
    finally:
        container.close()


@app.command(help="Erase answers, check-ins and digest quotes older than the retention period.")
def purge(dry_run: Annotated[bool, typer.Option(help="Only say what would go.")] = False) -> None:
    from bot.container import run_purge

    typer.echo("\n".join(run_purge(Settings(), dry_run)))


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
