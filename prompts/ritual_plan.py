"""Load the ritual plan (prompts/rituals.yaml, plus an organisation's override folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.domain.calendar import Cadence
from bot.domain.model import Phase, Role, Signal
from bot.domain.rituals import DomainError, Ritual, RitualKind, RitualPlan

SHIPPED_PLAN = Path(__file__).resolve().parent / "rituals.yaml"
# In a subfolder of the organisation's prompt folder: the catalog loader reads every
# *.yaml directly in that folder as a list of prompts.
PLAN_FILE = Path("rituals") / "rituals.yaml"


class PlanError(ValueError):
    """The plan file is malformed; the message names the file and the ritual."""


def load_plan(*override_dirs: Path | None) -> RitualPlan:
    """The shipped plan; a phase listed in `<override>/rituals/rituals.yaml` replaces it."""
    by_phase = _read(SHIPPED_PLAN)
    for directory in override_dirs:
        if directory is None:
            continue
        path = Path(directory) / PLAN_FILE
        if path.is_file():
            by_phase.update(_read(path))
    return RitualPlan(by_phase)


def _read(path: Path) -> dict[Phase, tuple[Ritual, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise PlanError(f"{path}: expected a mapping with `phases`")
    defaults = data.get("defaults") or {}
    out: dict[Phase, tuple[Ritual, ...]] = {}
    for phase_name, items in (data.get("phases") or {}).items():
        try:
            phase = Phase(phase_name)
        except ValueError:
            raise PlanError(f"{path}: unknown phase {phase_name!r}") from None
        rituals = [_ritual(path, phase, {**defaults, **item}) for item in items or []]
        keys = [r.key for r in rituals]
        if len(keys) != len(set(keys)):
            raise PlanError(f"{path}: {phase.value}: a ritual key occurs twice")
        out[phase] = tuple(rituals)
    return out


def _ritual(path: Path, phase: Phase, item: dict[str, Any]) -> Ritual:
    where = f"{path}: {phase.value}: {item.get('key', '?')}"
    try:
        remind = item.get("remind_before_hours")
        grace = item.get("grace_hours")
        return Ritual(
            key=str(item["key"]),
            kind=RitualKind(item["kind"]),
            cadence=Cadence.parse(str(item["days"]), str(item["time"])),
            open_hours=int(item.get("open_hours", 72)),
            audience=frozenset(Role(r) for r in item.get("audience") or list(Role)),
            signals=frozenset(Signal(s) for s in item.get("signals") or []),
            remind_before_hours=None if remind is None else int(remind),
            grace_hours=None if grace is None else int(grace),
            active=bool(item.get("active", True)),
            questions=int(item.get("questions", 1)),
            every_weeks=int(item.get("every_weeks", 1)),
        )
    except KeyError as exc:
        raise PlanError(f"{where}: missing {exc.args[0]}") from None
    except (ValueError, TypeError, DomainError) as exc:
        raise PlanError(f"{where}: {exc}") from None
