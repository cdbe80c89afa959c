"""The digest's chart as PNG bytes: the phases x perspectives grid and the weekly trend.

Drawn with matplotlib's object API on an Agg canvas: no display, no pyplot global state,
so it is safe in a server thread. matplotlib (with numpy and PIL, about 40 MB) is loaded
by the first chart drawn, not by importing this module: a server that sends no digest
never carries it.
"""

from __future__ import annotations

import io
import math

from bot.domain.digest.view import DigestView
from bot.domain.model import PERSPECTIVES, Language, Phase
from prompts.messages import number, t

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.0, 100
COLOURS = {"technology": "#1f77b4", "human": "#d62728", "business": "#2ca02c"}


def render_chart(view: DigestView, language: Language | None = None) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    lang = Language(language or view.language)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    grid_ax, trend_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
    names = [t(f"perspective.{p.value}", lang) for p in PERSPECTIVES]

    # The grid: rows are phases, columns perspectives; withheld cells stay blank.
    phases = list(Phase)
    cells = {(c.phase, c.perspective): c.mean for c in view.grid}
    values = [[cells.get((ph, p)) for p in PERSPECTIVES] for ph in phases]
    matrix = [[v if v is not None else math.nan for v in row] for row in values]
    image = grid_ax.imshow(matrix, cmap="RdYlGn", vmin=1, vmax=5, aspect="auto")
    grid_ax.set_xticks(range(len(names)), labels=names)
    grid_ax.set_yticks(range(len(phases)), labels=[t(f"phase.{ph.value}", lang) for ph in phases])
    too_few = t("digest.chart.no_data", lang)
    not_yet = t("digest.chart.not_reached", lang)
    for row, phase_values in enumerate(values):
        # A phase the journey has not reached has no answers yet: say so, not "too few".
        empty = not_yet if phases[row].order > view.phase.order else too_few
        for col, mean in enumerate(phase_values):
            label = number(mean, lang) if mean is not None else empty
            grid_ax.text(col, row, label, ha="center", va="center", fontsize=9)
        if phases[row] is view.phase:
            grid_ax.get_yticklabels()[row].set_fontweight("bold")
    grid_ax.set_title(t("digest.chart.grid_title", lang), fontsize=10)
    # Scales in the reader's number format too: "3,5" in Dutch, as every figure in the text.
    scale = FuncFormatter(lambda value, _: number(value, lang))
    figure.colorbar(image, ax=grid_ax, fraction=0.05).ax.yaxis.set_major_formatter(scale)

    # The trend: one line per perspective; a withheld week is a gap, not a zero.
    weeks = list(view.trend_weeks)
    for perspective, name in zip(PERSPECTIVES, names, strict=True):
        means = {p.iso_week: p.mean for p in view.series(perspective)}
        ys = [means.get(w) if means.get(w) is not None else math.nan for w in weeks]
        trend_ax.plot(
            range(len(weeks)), ys, marker="o", label=name, color=COLOURS[perspective.value]
        )
    trend_ax.set_xticks(range(len(weeks)), labels=[w.split("-")[1] for w in weeks])
    # Where the current phase began, if within the weeks shown: a line and the phase's name.
    if view.phase_start_week in weeks and weeks.index(view.phase_start_week) > 0:
        at = weeks.index(view.phase_start_week) - 0.5
        trend_ax.axvline(at, color="#555555", linestyle="--", linewidth=1)
        trend_ax.text(at + 0.1, 4.8, t(f"phase.{view.phase.value}", lang), fontsize=8, va="top")
    trend_ax.set_ylim(1, 5)
    trend_ax.yaxis.set_major_formatter(scale)
    trend_ax.grid(alpha=0.3)
    trend_ax.legend(loc="lower left", fontsize=8)
    trend_ax.set_title(t("digest.chart.trend_title", lang), fontsize=10)

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
