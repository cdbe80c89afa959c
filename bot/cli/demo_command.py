"""`pioneer demo`: a whole pioneering journey offline, through the production code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.choices import Scenario
from bot.cli.root import app
from bot.domain.model import Language


@app.command()
def demo(
    weeks: Annotated[int, typer.Option(min=1, max=104, help="Weeks to simulate.")] = 16,
    seed: Annotated[int, typer.Option(help="Same seed, same output.")] = 7,
    out: Annotated[Path, typer.Option(help="Folder for digests, charts and the database.")] = Path(
        "demo-output"
    ),
    lang: Annotated[Language, typer.Option(help="The demo's language.")] = Language.EN,
    scenario: Annotated[
        Scenario, typer.Option(help="a: servitization, sales resist; b: broad, robots, repair team")
    ] = Scenario.A,
    quiet: Annotated[bool, typer.Option(help="Only the progress bar and the summary.")] = False,
) -> None:
    """Run a whole pioneering journey offline (no tokens, no network) and print the digests."""
    from tqdm import tqdm

    from bot.container import demo_parts
    from bot.demo.runner import run_demo
    from bot.demo.scenarios import SCENARIOS
    from prompts.messages import t

    # The demo takes plain strings, as it did before these were choices.
    language, case = lang.value, scenario.value
    chosen = SCENARIOS[case]
    typer.echo(f"{chosen.title.in_(language)}\n{chosen.story.in_(language)}\n")
    with tqdm(total=weeks, unit=t("demo.progress", language), dynamic_ncols=True) as bar:

        def progress(week: int, phase: str) -> None:
            bar.n = week
            bar.set_postfix_str(t(f"phase.{phase}", language))
            bar.refresh()

        def echo(text: str) -> None:
            if not quiet:
                bar.write(text)

        result = run_demo(weeks, seed, out, language, case, echo, demo_parts, progress)
        bar.n = weeks
        bar.refresh()
    typer.echo((out / "journey.md").read_text(encoding="utf-8"))
    typer.echo(t("demo.done", language, out=str(out)))
    if not result.digests:
        raise typer.Exit(code=1)
