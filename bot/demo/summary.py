"""What the demo writes: each page into `digests/`, and the summary of the whole journey."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.demo.scenarios import Scenario
from bot.domain.model import Language
from bot.rendering.markdown import nudge_text
from prompts.messages import t

if TYPE_CHECKING:
    from bot.demo.runner import DemoResult


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
