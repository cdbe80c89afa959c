"""A line chart as inline SVG: weeks along, 1 to 5 up, one line per series.

Drawn from the published weekly figures only; a week without a figure (withheld under k,
or not asked) is a gap in its line, never a guess. Text in the SVG is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from bot.domain.model import SCALE_MAX, SCALE_MIN

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 30, 12, 40
# Distinguishable for colour-blind readers (Okabe-Ito), each with its own dash as well.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")


@dataclass(frozen=True)
class Series:
    name: str
    means: list[float | None]


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * i / (n - 1) if n > 1 else span / 2)


def _y(mean: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + span * (SCALE_MAX - mean) / (SCALE_MAX - SCALE_MIN)


def _runs(means: list[float | None]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = [[]]
    for i, mean in enumerate(means):
        if mean is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, mean))
    return [r for r in runs if r]


def trend_svg(weeks: list[str], series: list[Series], no_data: str) -> Markup:
    """The chart, with a title for screen readers listing each series' last figure."""
    n = len(weeks)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    if n == 0 or not any(m is not None for s in series for m in s.means):
        parts.append(f'<text x="{LEFT}" y="{HEIGHT / 2}">{escape(no_data)}</text></svg>')
        return Markup("".join(parts))  # noqa: S704  (every text in it went through escape)
    for level in range(SCALE_MIN, SCALE_MAX + 1):
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{level}</text>'
        )
    step = max(1, n // 6)
    for i in range(0, n, step):
        parts.append(
            f'<text x="{_x(i, n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(weeks[i][2:])}</text>"
        )
    for k, s in enumerate(series):
        colour, dash = COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]
        style = f'stroke="{colour}" fill="none" stroke-width="2.5"'
        if dash:
            style += f' stroke-dasharray="{dash}"'
        for run in _runs(s.means):
            points = " ".join(f"{_x(i, n):.1f},{_y(m):.1f}" for i, m in run)
            parts.append(f'<polyline points="{points}" {style}><title>{escape(s.name)}</title>')
            parts.append("</polyline>")
            for i, m in run:
                parts.append(
                    f'<circle cx="{_x(i, n):.1f}" cy="{_y(m):.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(s.name)} {escape(weeks[i])}: {m:.1f}</title></circle>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it went through escape)


def legend(series: list[Series]) -> list[tuple[str, str, str]]:
    """(name, colour, dash) per series, for the legend beside the chart."""
    return [
        (s.name, COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]) for k, s in enumerate(series)
    ]
