"""Prompt folders written for a test, and where in them a problem should be reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

from prompts.catalog import Problem


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line holding `needle`, found by plain text search (not by the checker)."""
    hits = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert len(hits) == 1, f"{needle!r} must occur once in {path.name}, found on lines {hits}"
    return hits[0]


def located(problems: list[Problem]) -> list[tuple[str, int]]:
    return [(Path(problem.file).name, problem.line) for problem in problems]
