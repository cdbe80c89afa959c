"""The domain is pure: nothing of this repository outside bot/domain, and no file reading.

Texts, YAML data and message catalogs belong to the edge (prompts/, bot/rendering/); the
domain is handed what it needs, so it runs the same in a test, the demo and production.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_architecture import DOMAIN, imported_modules

REPOSITORY = ("bot", "prompts", "storage", "tests", "benchmarks", "scripts")
FILES = ("yaml", "importlib", "pathlib", "os", "io", "glob", "shutil")
READING = re.compile(r"\bopen\(|\.read_text\(|\.read_bytes\(")


def impurities(path: Path) -> set[str]:
    found = set()
    for name in imported_modules(path):
        top = name.split(".")[0]
        inside = name == "bot.domain" or name.startswith("bot.domain.")
        if (top in REPOSITORY and not inside) or top in FILES:
            found.add(name)
    if READING.search(path.read_text(encoding="utf-8")):
        found.add("reads a file")
    return found


def test_the_domain_imports_only_itself_and_reads_no_files() -> None:
    offenders = {
        f"{path.relative_to(DOMAIN)}: {what}"
        for path in sorted(DOMAIN.rglob("*.py"))
        for what in impurities(path)
    }
    assert offenders == set()


def test_the_check_catches_the_catalog_yaml_and_a_file_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import yaml\nfrom prompts.messages import t\nfrom bot.domain.model import Text\n"
        "from importlib import resources\nTEXT = open('themes.yaml').read()\n"
    )
    assert impurities(bad) == {"yaml", "prompts.messages", "importlib", "reads a file"}
