"""Write constraints.txt: the exact versions of Pioneer's runtime dependencies (and theirs),
as installed in this virtual environment; the Docker image installs exactly these.

pyproject.toml keeps compatible ranges (a developer's install may take newer releases);
this file pins what the image ships. After upgrading a dependency in .venv, run
`.venv/bin/python scripts/freeze_runtime.py` and commit the result. The development tools
(the `dev` extra) are left out, and so is Pioneer itself.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import Distribution, distribution
from pathlib import Path

from packaging.requirements import Requirement

OUT = Path(__file__).resolve().parents[1] / "constraints.txt"
HEADER = """\
# The runtime dependencies of Pioneer, pinned as installed (pip freeze style, runtime only).
# The Docker image installs exactly these; pyproject.toml keeps the compatible ranges.
# Regenerate with `.venv/bin/python scripts/freeze_runtime.py` after an upgrade.
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(root: str = "pioneer") -> dict[str, Distribution]:
    found: dict[str, Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (canonical(name), extras) in done:
            continue
        done.add((canonical(name), extras))
        dist = distribution(name)
        found[canonical(name)] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            wanted = extras or frozenset({""})
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in wanted
            ):
                todo.append((requirement.name, frozenset(requirement.extras)))
    found.pop("pioneer", None)
    return found


def main() -> int:
    pins = sorted(
        (f"{dist.metadata['Name']}=={dist.version}" for dist in runtime_closure().values()),
        key=str.lower,
    )
    OUT.write_text(HEADER + "\n".join(pins) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(pins)} pins", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
