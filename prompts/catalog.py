"""The prompt catalog: the shipped YAML files plus an organisation's own override folders.

A catalog folder holds `*.yaml` files, each a list of prompts. Folders are layered: the
shipped catalog first, then each override folder in order; an item whose id already exists
replaces it whole, a new id is added. Within one folder an id may occur only once, because
two definitions side by side are a mistake, not an override.

Each file is read and checked item by item in `prompts/catalog_files.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.domain.model import (
    PERSPECTIVES,
    PHASES,
    ROLES,
    Perspective,
    Phase,
    Prompt,
    PromptKind,
    Role,
    Text,
)
from prompts.catalog_files import (
    MAX_LABEL_LENGTH,
    MAX_PROMPT_TEXT_LENGTH,
    Entry,
    Problem,
    read_file,
)

__all__ = [
    "MAX_LABEL_LENGTH",
    "MAX_PROMPT_TEXT_LENGTH",
    "MIN_CHECKINS_PER_PHASE",
    "MIN_PULSES_PER_PHASE_PERSPECTIVE",
    "SHIPPED_DIR",
    "Catalog",
    "CatalogError",
    "Problem",
    "catalog_as_dicts",
    "check_catalog",
    "coverage_problems",
    "load_catalog",
]

SHIPPED_DIR = Path(__file__).parent / "catalog"

MIN_PULSES_PER_PHASE_PERSPECTIVE = 2
MIN_CHECKINS_PER_PHASE = 2

_FILE_SUFFIXES = (".yaml", ".yml")
_COVERAGE_FILE = "catalog"


class CatalogError(Exception):
    """The catalog cannot be used as it is; `problems` says where and why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the prompt catalog:\n{listing}"
        )


class Catalog:
    """All prompts by id, after layering the override folders over the shipped ones."""

    def __init__(self, items: Mapping[str, Prompt]) -> None:
        self.items: dict[str, Prompt] = {key: items[key] for key in sorted(items)}

    def get(self, prompt_id: str) -> Prompt | None:
        return self.items.get(prompt_id)

    def __getitem__(self, prompt_id: str) -> Prompt:
        return self.items[prompt_id]

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self.items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Prompt]:
        return iter(self.items.values())

    def select(
        self,
        kind: PromptKind | None = None,
        phase: Phase | None = None,
        perspective: Perspective | None = None,
        role: Role | None = None,
    ) -> list[Prompt]:
        """Prompts matching every filter given, sorted by id."""
        return [
            prompt
            for prompt in self.items.values()
            if (kind is None or prompt.kind == kind)
            and (phase is None or phase in prompt.phases)
            and (perspective is None or prompt.perspective == perspective)
            and (role is None or role in prompt.audience)
        ]


def load_catalog(*override_dirs: Path) -> Catalog:
    """The shipped catalog with `override_dirs` layered over it in order.

    Raises CatalogError when `check_catalog` would report anything, so that a bot never
    starts on a catalog that an operator's `pioneer prompts check` would reject.
    """
    catalog, problems = _build(override_dirs, shipped=True)
    if problems:
        raise CatalogError(problems)
    return catalog


def check_catalog(*dirs: Path, shipped: bool = True) -> list[Problem]:
    """Every problem in the shipped catalog and `dirs` layered over it (none: all is well).

    Coverage is checked on the merged result, because an override can take away what the
    shipped catalog covered (say, by turning a pulse into a check-in). With
    `shipped=False` only `dirs` are checked, and coverage is not, since one organisation's
    folder is not meant to be complete on its own. Passing SHIPPED_DIR itself is harmless.
    """
    _, problems = _build(dirs, shipped=shipped)
    return problems


def coverage_problems(catalog: Catalog) -> list[Problem]:
    """Gaps that would leave a phase without enough to ask: too few pulses or check-ins."""
    problems: list[Problem] = []
    for phase in PHASES:
        for perspective in PERSPECTIVES:
            count = len(catalog.select(PromptKind.PULSE, phase, perspective))
            if count < MIN_PULSES_PER_PHASE_PERSPECTIVE:
                problems.append(
                    Problem(
                        _COVERAGE_FILE,
                        0,
                        f"phase {phase.value}, perspective {perspective.value}: {count} pulse "
                        f"item{'s' if count != 1 else ''}, at least "
                        f"{MIN_PULSES_PER_PHASE_PERSPECTIVE} needed",
                    )
                )
        count = len(catalog.select(PromptKind.CHECKIN, phase))
        if count < MIN_CHECKINS_PER_PHASE:
            problems.append(
                Problem(
                    _COVERAGE_FILE,
                    0,
                    f"phase {phase.value}: {count} check-in item{'s' if count != 1 else ''}, "
                    f"at least {MIN_CHECKINS_PER_PHASE} needed",
                )
            )
    return problems


def catalog_as_dicts(catalog: Catalog) -> list[dict[str, Any]]:
    """The catalog as plain, JSON-ready data (for `pioneer prompts list --format json`)."""
    return [_as_dict(prompt) for prompt in catalog]


def _as_dict(prompt: Prompt) -> dict[str, Any]:
    scale = None
    if prompt.low is not None and prompt.high is not None:
        scale = {"low": _text_dict(prompt.low), "high": _text_dict(prompt.high)}
    return {
        "id": prompt.id,
        "kind": prompt.kind.value,
        # Frozensets have no order; the method's order reads best and keeps output stable.
        "phases": [phase.value for phase in PHASES if phase in prompt.phases],
        "perspective": prompt.perspective.value,
        "audience": [role.value for role in ROLES if role in prompt.audience],
        "signal": prompt.signal.value,
        "text": _text_dict(prompt.text),
        "scale": scale,
    }


def _text_dict(text: Text) -> dict[str, str]:
    return {"nl": text.nl, "en": text.en}


# ---------------------------------------------------------------------------------------
# Layering


def _build(dirs: Iterable[Path], *, shipped: bool) -> tuple[Catalog, list[Problem]]:
    layers = [SHIPPED_DIR] if shipped else []
    layers += [d for d in dirs if not (shipped and _same_dir(d, SHIPPED_DIR))]
    problems: list[Problem] = []
    items: dict[str, Prompt] = {}
    for directory in layers:
        for entry in _read_dir(directory, problems):
            if entry.prompt is not None:
                items[entry.prompt.id] = entry.prompt
    catalog = Catalog(items)
    if shipped:
        problems += coverage_problems(catalog)
    return catalog, problems


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _read_dir(directory: Path, problems: list[Problem]) -> list[Entry]:
    if not directory.is_dir():
        why = "is a file; give the folder that holds it" if directory.exists() else "not found"
        problems.append(Problem(str(directory), 0, f"catalog folder {why}"))
        return []
    files = sorted(
        path for path in directory.iterdir() if path.suffix in _FILE_SUFFIXES and path.is_file()
    )
    entries = [entry for path in files for entry in read_file(path, problems)]
    first_seen: dict[str, Entry] = {}
    kept: list[Entry] = []
    for entry in entries:
        if entry.id is None:
            continue
        first = first_seen.get(entry.id)
        if first is None:
            first_seen[entry.id] = entry
            kept.append(entry)
        else:
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"duplicate id {entry.id!r}: already defined at {first.file}:{first.line}",
                )
            )
    return kept
