"""What the demo writes: each page into `digests/`, and the summary of the whole journey."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.app.services import Services
from bot.demo.scenarios import Scenario
from bot.domain.digest.view import DigestView
from bot.domain.model import Language, Phase, TouchpointKind
from bot.domain.ports import Clock
from bot.domain.rituals import RitualPlan
from bot.domain.team_update import TeamUpdateView
from bot.platforms.console.chat import ConsoleChat
from bot.rendering.markdown import nudge_text
from prompts.messages import t


@dataclass
class DemoParts:
    """What the simulation drives: the real use cases, the scheduler's pass, the console."""

    services: Services
    run_pass: Callable[[datetime], object]
    console: ConsoleChat
    plan: RitualPlan
    close: Callable[[], None]


# (a migrated or empty database's URL, the simulated clock) -> the parts, wired.
BuildParts = Callable[[str, Clock], DemoParts]


@dataclass
class DemoResult:
    out: Path
    digests: list[DigestView] = field(default_factory=list)
    phase_changes: list[tuple[str, Phase, Phase, str]] = field(default_factory=list)
    touchpoints: list[tuple[str, TouchpointKind, str]] = field(default_factory=list)
    team_updates: list[TeamUpdateView] = field(default_factory=list)
    actions: int = 0  # what directors recorded as done ("you said, we did")
    prompts_sent: int = 0
    answers: int = 0
    reminders: int = 0


def keep_page(out: Path, name: str, markdown: str, echo: Callable[[str], None]) -> Path:
    """Write a page (a digest, a team update) into `out/digests/` and show it; the folder."""
    folder = out / "digests"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(markdown, encoding="utf-8")
    echo(markdown)
    return folder


def write_journey_summary(scenario: Scenario, lang: Language, result: DemoResult) -> None:
    """`journey.md`: the case, the phase moves with their reasons, nudges per week, contacts."""
    lines = [
        f"# {scenario.title.in_(lang)}",
        "",
        scenario.story.in_(lang),
        "",
        f"## {t('demo.summary.phases', lang)}",
        "",
    ]
    for week, from_phase, to_phase, reason in result.phase_changes:
        lines.append(
            f"- {week}: {t(f'phase.{from_phase.value}', lang)} → "
            f"{t(f'phase.{to_phase.value}', lang)} — {reason}"
        )
    lines += ["", f"## {t('demo.summary.nudges', lang)}", ""]
    for view in result.digests:
        names = (
            "; ".join(nudge_text(n, lang).split(". ")[0].rstrip(".") for n in view.nudges) or "–"
        )
        lines.append(f"- {view.iso_week} ({t(f'phase.{view.phase.value}', lang)}): {names}")
    lines += ["", f"## {t('demo.summary.ecosystem', lang)}", ""]
    lines += [
        f"- {week} ({t(f'touchpoint.{kind.value}', lang)}): {note}"
        for week, kind, note in result.touchpoints
    ] or ["- –"]
    lines += [
        "",
        t(
            "demo.summary.totals",
            lang,
            prompts=result.prompts_sent,
            reminders=result.reminders,
            answers=result.answers,
            digests=len(result.digests),
        ),
        "",
    ]
    (result.out / "journey.md").write_text("\n".join(lines), encoding="utf-8")
