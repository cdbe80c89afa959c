"""The `pioneer` command line as an operator uses it: a real process, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.migrate import head_revision
from storage.models import Base
from tests import seed
from tests.conftest import PG_URL


def pioneer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the backend under test, never migrated."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"pioneer_empty_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_help_lists_every_command() -> None:
    result = pioneer("--help")
    assert result.returncode == 0
    for command in (
        "demo",
        "serve",
        "migrate",
        "tick",
        "prompts",
        "digest",
        "manifest",
        "journeys",
        "check",
    ):
        assert command in result.stdout


def test_version() -> None:
    result = pioneer("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pioneer {version('pioneer')}"


@pytest.mark.parametrize(
    ("command", "option", "choices", "wrong"),
    [
        (["prompts", "list"], "--phase", "awareness|interest|desire|action", "sleep"),
        (["prompts", "list"], "--format", "text|json", "yaml"),
        (["prompts", "list"], "--lang", "nl|en", "de"),
        (["demo"], "--lang", "nl|en", "fr"),
        (["demo"], "--scenario", "a|b", "c"),
        (["digest", "--journey", "1", "--week", "2026-W49"], "--format", "md|json", "pdf"),
        (["digest", "--journey", "1", "--week", "2026-W49"], "--lang", "nl|en", "de"),
        (["journeys"], "--format", "text|json", "csv"),
    ],
)
def test_choices_are_listed_by_help_and_refused_by_the_parser(
    command: list[str], option: str, choices: str, wrong: str
) -> None:
    wide = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}
    names = [word for word in command if word.isalpha()]
    assert choices in pioneer(*names, "--help", env=wide).stdout
    refused = pioneer(*command, option, wrong, env={"DATABASE_URL": "sqlite:///nowhere/x.db"})
    assert refused.returncode == 2
    assert f"'{wrong}' is not one of" in refused.stderr


def test_the_demo_choices_are_the_demo_scenarios() -> None:
    from bot.cli.choices import Scenario
    from bot.demo.cases import SCENARIOS

    assert [s.value for s in Scenario] == list(SCENARIOS)


def test_journeys_lists_each_journey_with_its_id(database_url: str) -> None:
    from bot.config import Settings
    from bot.container import Container
    from bot.domain.model import Language

    container = Container(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        workspace_id = seed.workspace_id(container.uow, "slack", "T0001", "Acme")
        started = container.journeys.start(
            workspace_id, "C1", "Plant Noord", "U1", Language.NL, "Europe/Amsterdam"
        )
    finally:
        container.close()
    text = pioneer("journeys", env={"DATABASE_URL": database_url})
    assert text.returncode == 0, text.stderr
    header, line = text.stdout.strip().splitlines()
    assert header.split()[:2] == ["id", "platform"]
    assert line.split()[:4] == [str(started.id), "slack", "Acme", "Plant"]
    as_json = pioneer("journeys", "--format", "json", env={"DATABASE_URL": database_url})
    [journey] = json.loads(as_json.stdout)
    assert journey["id"] == started.id and journey["members"] == 1
    assert journey["phase"] == "awareness" and journey["workspace"] == "Acme"


def test_migrate_creates_the_schema_and_is_harmless_twice(empty_database_url: str) -> None:
    first = pioneer("migrate", env={"DATABASE_URL": empty_database_url})
    assert first.returncode == 0, first.stderr
    assert "migrated from empty" in first.stdout
    second = pioneer("migrate", env={"DATABASE_URL": empty_database_url})
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    engine = make_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert revision == head_revision()


def test_migrate_rolls_back_to_a_revision_and_forward_again(empty_database_url: str) -> None:
    env = {"DATABASE_URL": empty_database_url}
    assert pioneer("migrate", env=env).returncode == 0
    back = pioneer("migrate", "--down-to", "0005", env=env)
    assert back.returncode == 0, back.stderr
    assert f"from {head_revision()} to 0005" in back.stdout
    forward = pioneer("migrate", env=env)
    assert f"from 0005 to {head_revision()}" in forward.stdout
    nowhere = pioneer("migrate", "--down-to", "9999", env=env)
    assert nowhere.returncode == 2 and len(nowhere.stderr.strip().splitlines()) == 1
    assert "9999" in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_prompts_check_passes_on_the_shipped_catalog() -> None:
    result = pioneer("prompts", "check")
    assert result.returncode == 0, result.stderr
    assert "Catalog OK" in result.stdout


def test_prompts_check_reports_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ours.yaml").write_text(
        "- id: our.tech.1\n"
        "  kind: pulse\n"
        "  phases: [awareness]\n"
        "  perspective: technology\n"
        "  audience: [frontrunner]\n"
        "  signal: not_a_signal\n"
        "  text: {nl: Hoe gaat het?, en: How is it going?}\n"
        "  scale:\n"
        "    low: {nl: slecht, en: badly}\n"
        "    high: {nl: goed, en: well}\n",
        encoding="utf-8",
    )
    result = pioneer("prompts", "check", str(tmp_path))
    assert result.returncode == 1
    assert "ours.yaml:6:" in result.stderr
    assert "not_a_signal" in result.stderr


def test_prompts_check_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = pioneer("prompts", "check", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "not a folder" in result.stderr


def test_prompts_list_filters_by_phase_as_json() -> None:
    result = pioneer("prompts", "list", "--phase", "desire", "--format", "json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert items and all("desire" in item["phases"] for item in items)
    assert all(item["text"]["nl"] and item["text"]["en"] for item in items)


def test_prompts_list_refuses_an_unknown_phase() -> None:
    result = pioneer("prompts", "list", "--phase", "sleep")
    assert result.returncode == 2
    assert "awareness" in result.stderr


def test_demo_refuses_bad_options(tmp_path: Path) -> None:
    # Refused by the parser, before the demo starts, naming the choices.
    bad_lang = pioneer("demo", "--lang", "fr", "--out", str(tmp_path))
    assert bad_lang.returncode == 2 and "'nl', 'en'" in bad_lang.stderr
    bad_case = pioneer("demo", "--scenario", "z", "--out", str(tmp_path))
    assert bad_case.returncode == 2 and "'a', 'b'" in bad_case.stderr
    assert not (tmp_path / "journey.md").exists()


def test_demo_runs_from_the_command_line(tmp_path: Path) -> None:
    result = pioneer("demo", "--weeks", "2", "--quiet", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "journey" not in result.stderr.lower() or "Traceback" not in result.stderr
    assert (tmp_path / "out" / "journey.md").is_file()
    assert list((tmp_path / "out" / "digests").glob("*.png"))
