"""The domain knows nothing of chat platforms, SQL or the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "bot" / "domain"
FORBIDDEN = (
    "slack_bolt",
    "slack_sdk",
    "slack",
    "microsoft_agents",
    "sqlalchemy",
    "apscheduler",
    "aiohttp",
    "storage",
    "alembic",
    "bot.platforms",
    "bot.scheduling",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_no_platform_database_or_scheduler() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) >= 5
    offenders = {
        f"{path.relative_to(DOMAIN)}: {name}"
        for path in files
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    }
    assert offenders == set()


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy.orm\nfrom slack_sdk import WebClient\n")
    assert imported_modules(bad) == {"sqlalchemy.orm", "slack_sdk"}
