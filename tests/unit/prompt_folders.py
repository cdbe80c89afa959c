"""Prompt folders written for a test, and where in them a problem should be reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

from prompts.catalog import Problem

# A valid check-in and a valid pulse poll (but for its scale) of an organisation's own: the
# tests' prompts are these, each with what the test is about changed.
HEARD: dict[str, str] = {
    "id": "acme.human.heard.1",
    "kind": "checkin",
    "phases": "[desire]",
    "perspective": "human",
    "audience": "[follower]",
    "signal": "heard",
    "text": '{nl: "Werd je gehoord?", en: "Were you heard?"}',
}
EXPERIMENTS: dict[str, str] = {
    "id": "acme.tech.experiments.1",
    "kind": "pulse",
    "phases": "[action]",
    "perspective": "technology",
    "audience": "[follower]",
    "signal": "experiments",
    "text": '{nl: "Loopt de proef?", en: "Is the trial running?"}',
}


def item(base: dict[str, str], *lines: str, **changes: str | list[str] | None) -> str:
    """One prompt of a catalog file, in YAML: `base` with `changes` (None leaves a field
    out, a list is written as a block under its key), then `lines` as they are."""
    fields: list[str] = []
    for key, value in {**base, **changes}.items():
        if isinstance(value, list):
            fields += [f"{key}:", *(f"  {line}" for line in value)]
        elif value is not None:
            fields.append(f"{key}: {value}")
    first, *rest = [*fields, *lines]
    return "\n".join([f"- {first}", *(f"  {line}" for line in rest)]) + "\n"


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
