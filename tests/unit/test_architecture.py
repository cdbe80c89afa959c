"""The house rules, read from the imports: every import goes downhill, rooms stay rooms.

Rooms, from the outside in: the faces (`bot/cli/`, `bot/web.py`, `bot/webview/`) and the one
wiring place (`bot/container.py`); the chat platforms and the scheduler; the use cases
(`bot/app`); the domain (`bot/domain`), whose ports storage (`storage/`) implements. Each
check below reads the source tree with `ast`, so it holds for code that is never imported by
a test too, and each is shown to catch a planted mistake in a small tree of its own.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "prompts", "storage")
OUR_TOP_LEVEL = frozenset({*PACKAGES, "tests", "benchmarks"})
FRAMEWORKS = (
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "sqlalchemy",
    "alembic",
    "apscheduler",
    "aiohttp",
    "yaml",
)
# The domain is handed its texts and data; it reads no files itself.
FILE_ACCESS = ("importlib", "pathlib", "os", "io", "glob", "shutil")
READS_A_FILE = re.compile(r"\bopen\(|\.read_text\(|\.read_bytes\(")
FACES = frozenset({"bot.cli", "bot.web", "bot.webview", "bot.container"})
MAX_LINES = 400
# The same file name in two rooms is allowed only for one concept on two platforms.
PLATFORM_TWINS = frozenset(
    {"app.py", "chat.py", "manifest.py", "render.py", "prompt.py", "digest.py", "reply.py"}
)
# What a room may not import, of ours or of the libraries, and why.
NOT_IMPORTED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "bot.app",
        ("bot.platforms", "storage", "bot.scheduling", *FACES),
        "use cases import no platform, storage or container",
    ),
    ("bot.app", FRAMEWORKS, "use cases take ports, not frameworks"),
    (
        "bot.platforms",
        ("storage", "bot.scheduling", *FACES),
        "platforms reach storage through ports only",
    ),
    ("bot.platforms", ("sqlalchemy", "alembic"), "platforms run no SQL"),
    (
        "bot.scheduling",
        ("storage", "bot.platforms", *FACES),
        "the scheduler reaches storage and chat through ports",
    ),
    ("bot.scheduling", ("sqlalchemy", "alembic"), "the scheduler runs no SQL"),
)
# Documents of the team's briefing that are not part of the product.
OUTSIDE_DOCUMENTS = re.compile(
    r"\.\./shared|shared/seed|(?<![\w/])(METHOD|DESIGN|PERFORMANCE|CONVENTIONS|TEAMS)\.md"
)


# -- reading the tree -----------------------------------------------------------------------
def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, module: str = "") -> set[str]:
    """Every module a file imports, relative imports resolved, TYPE_CHECKING ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            # `from bot.app import commands` imports the module bot.app.commands.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def source_files(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    return {
        module_name(root, path): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of this repository it imports (only those that exist)."""
    files = source_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {m for m in imported_modules(path, name) if m in files and m != name}
    return graph


def room(module: str) -> str:
    """The room a module lives in: `bot.platforms.slack`, `bot.app`, `storage`, a face..."""
    parts = module.split(".")
    if parts[0] != "bot":
        return parts[0]
    if len(parts) == 1:
        return "bot"
    if parts[1] == "platforms" and len(parts) > 2:
        return ".".join(parts[:3])
    if module in FACES or len(parts) == 2 and not _is_package(module):
        return module  # a top-level module of bot/ is a room of its own (config, clock, ...)
    return ".".join(parts[:2])


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/")).is_dir()


def within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# -- the rules ------------------------------------------------------------------------------
def violations(root: Path) -> list[str]:
    graph = import_graph(root)
    files = source_files(root)
    found: list[str] = []

    def bad(module: str, imported: str, why: str) -> None:
        found.append(f"{module} imports {imported}: {why}")

    for module, path in files.items():
        every = imported_modules(path, module)
        ours = {name for name in every if name.split(".")[0] in OUR_TOP_LEVEL}
        if within(module, "bot.domain"):
            for name in every:
                if name.split(".")[0] in OUR_TOP_LEVEL and not within(name, "bot.domain"):
                    bad(module, name, "the domain imports nothing outside bot/domain")
                if within(name, *FRAMEWORKS):
                    bad(module, name, "the domain knows no framework, database or file format")
                if within(name, *FILE_ACCESS):
                    bad(module, name, "the domain reads no files: it is handed its data")
            if READS_A_FILE.search(path.read_text(encoding="utf-8")):
                bad(module, "a file", "the domain reads no files: it is handed its data")
        for outer, forbidden, why in NOT_IMPORTED:
            if within(module, outer):
                for name in every:
                    if within(name, *forbidden):
                        bad(module, name, why)
        if within(module, "bot.platforms"):
            mine = room(module)
            for name in ours:
                if within(name, "bot.platforms") and room(name) not in (mine, "bot.platforms"):
                    bad(module, name, "platforms never import each other")
        if within(module, "storage"):
            for name in ours:
                if within(name, "bot") and not within(name, "bot.domain", "bot.crypto"):
                    bad(module, name, "storage implements the domain's ports and nothing more")
        if within(module, "prompts"):
            for name in ours:
                if within(name, "bot") and not within(name, "bot.domain"):
                    bad(module, name, "the texts depend on the domain's vocabulary only")
        if room(module) not in FACES:
            for name in ours:
                if name == "bot.container":
                    bad(module, name, "only the faces know the container")
    found += [f"import circle between rooms: {' -> '.join(c)}" for c in room_cycles(graph)]
    return found


def room_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one room (Tarjan's algorithm)."""
    rooms: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            if room(target) != room(module):
                rooms[room(module)].add(room(target))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(rooms.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(rooms):
        if node not in index:
            visit(node)
    return cycles


def long_modules(root: Path) -> list[str]:
    files = source_files(root, (*PACKAGES, "tests", "benchmarks", "scripts"))
    return [
        f"{path.relative_to(root)}: {n} lines"
        for path in files.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]


def name_clashes(root: Path) -> list[str]:
    """File names used in more than one room, other than platform twins."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for module, path in source_files(root).items():
        if path.name != "__init__.py":
            by_name[path.name].add(room(module))
    clashes = []
    for name, rooms in sorted(by_name.items()):
        if len(rooms) < 2:
            continue
        if name in PLATFORM_TWINS and all(r.startswith("bot.platforms.") for r in rooms):
            continue
        clashes.append(f"{name}: {', '.join(sorted(rooms))}")
    return clashes


def outside_references(root: Path) -> list[str]:
    found = []
    suffixes = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".txt", ".ini", ".sh"}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in {".git", ".venv", "node_modules"} or not path.is_file():
            continue
        if path.suffix not in suffixes and path.name not in {"Makefile", "Dockerfile", "run"}:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE_DOCUMENTS.search(line) and path.name != Path(__file__).name:
                found.append(f"{relative}:{number}")
    return found


# -- the house as it is ----------------------------------------------------------------------
def test_every_import_goes_downhill() -> None:
    assert len(source_files(ROOT)) > 50
    assert violations(ROOT) == []


def test_no_module_is_over_400_lines() -> None:
    assert long_modules(ROOT) == []


def test_no_two_rooms_share_a_module_name_unless_platform_twins() -> None:
    assert name_clashes(ROOT) == []


def test_the_project_refers_to_nothing_outside_itself() -> None:
    assert outside_references(ROOT) == []


# -- and each check catches what it should -------------------------------------------------------
def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"bot/domain/model.py": "from prompts.messages import t\n"}, "outside bot/domain"),
        ({"bot/domain/model.py": "import sqlalchemy.orm\n"}, "knows no framework"),
        ({"bot/domain/model.py": "import yaml\n"}, "knows no framework"),
        ({"bot/domain/model.py": "from importlib import resources\n"}, "reads no files"),
        ({"bot/domain/model.py": "TEXT = open('themes.yaml').read()\n"}, "reads no files"),
        ({"bot/app/x.py": "from storage.uow import SqlUnitOfWork\n"}, "no platform, storage"),
        ({"bot/app/x.py": "from bot.container import Container\n"}, "no platform, storage"),
        (
            {"bot/platforms/slack/x.py": "from bot.platforms.teams import render\n"},
            "never import each other",
        ),
        ({"bot/platforms/teams/x.py": "from sqlalchemy import select\n"}, "run no SQL"),
        ({"bot/scheduling/x.py": "from storage.models import DeliveryRow\n"}, "through ports"),
        ({"storage/x.py": "from bot.platforms.slack.app import SlackDeps\n"}, "domain's ports"),
        ({"bot/demo/x.py": "from bot.container import Container\n"}, "only the faces"),
        (
            {
                "bot/app/x.py": "from bot.domain.model import Phase\n",
                "bot/domain/model.py": "from bot.app import x\n",
            },
            "import circle between rooms",
        ),
    ],
)
def test_the_checks_catch_a_wrong_import(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    tree = _tree(tmp_path, files)
    for relative in files:
        for parent in Path(relative).parents:
            if str(parent) != ".":
                (tree / parent / "__init__.py").touch()
    found = violations(tree)
    assert any(expected in line for line in found), found


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"bot/domain/a.py": "from ..app import b\n", "bot/app/b.py": ""})
    (tree / "bot/domain/__init__.py").touch()
    (tree / "bot/app/__init__.py").touch()
    assert any("outside bot/domain" in line for line in violations(tree))


def test_the_size_name_and_reference_checks_catch_a_mistake(tmp_path: Path) -> None:
    tree = _tree(
        tmp_path,
        {
            "bot/app/commands.py": "x = 1\n" * (MAX_LINES + 1),
            "bot/scheduling/commands.py": "",
            "bot/platforms/slack/app.py": "",
            "bot/platforms/teams/app.py": "",
            "bot/domain/model.py": '"""As METHOD.md says."""\n',
        },
    )
    assert long_modules(tree) == [f"bot/app/commands.py: {MAX_LINES + 1} lines"]
    assert name_clashes(tree) == ["commands.py: bot.app, bot.scheduling"]
    assert outside_references(tree) == ["bot/domain/model.py:1"]
