"""Start-up refusals as an operator meets them: one line on stderr, exit code 2, no
traceback, and no secret of the environment in it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from tests.e2e.serve_process import clean_env, free_port

PASSWORD = "pw-Zq81-secret"
BOT_TOKEN = "xoxb-0000-very-secret-token"
SIGNING_SECRET = "signing-secret-0f9e8d7c"
SECRETS = (PASSWORD, BOT_TOKEN, SIGNING_SECRET)


def slack_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    } | extra


def run(args: list[str], env: dict[str, str], cwd: Path) -> Result:
    """The CLI in-process, with only `env` of Pioneer's settings (no developer's .env)."""
    unset: dict[str, str | None] = {
        k: None
        for k in os.environ
        if k.startswith(("SLACK_", "PIONEER_", "DATABASE_URL", "TEAMS_", "LOG_")) or k in ("PORT",)
    }
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli.app, args, env={**unset, **env})
    finally:
        os.chdir(old)


def assert_one_line_refusal(result: Result, *words: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert "Traceback" not in result.output
    for secret in SECRETS:
        assert secret not in result.output
    for word in words:
        assert word in line, line
    return line


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port nothing listens on: connecting to it is refused at once."""
    yield free_port()


SETTINGS_CASES = {
    "anonymity threshold below 3": ({"PIONEER_ANONYMITY_THRESHOLD": "2"}, "at least 3"),
    "port not a number": ({"PORT": "abc"}, "PORT"),
    "language not nl or en": ({"PIONEER_DEFAULT_LANGUAGE": "de"}, "PIONEER_DEFAULT_LANGUAGE"),
    "send rate zero": ({"PIONEER_SEND_RATE": "0"}, "PIONEER_SEND_RATE"),
    "prompts folder missing": ({"PIONEER_PROMPTS_DIR": "/no/such/folder"}, "no such folder"),
    "log level unknown": ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
    "log format unknown": ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    "time zone unknown": ({"PIONEER_DEFAULT_TIMEZONE": "Europe/Atlantis"}, "time zone"),
    "malformed database URL": (
        {"DATABASE_URL": f"postgresql://pioneer:{PASSWORD}@db:port/pioneer"},
        "DATABASE_URL",
    ),
    "database of another kind": ({"DATABASE_URL": "mysql://x/y"}, "PostgreSQL"),
}


@pytest.mark.parametrize("case", SETTINGS_CASES)
def test_a_setting_that_cannot_work_is_refused_in_one_line(
    case: str, database_url: str, tmp_path: Path
) -> None:
    extra, word = SETTINGS_CASES[case]
    result = run(["serve"], slack_env(database_url, **extra), tmp_path)
    assert_one_line_refusal(result, word, "invalid setting")


def test_postgresql_not_running_is_one_line(refused_port: int, tmp_path: Path) -> None:
    url = f"postgresql://pioneer:{PASSWORD}@127.0.0.1:{refused_port}/pioneer"
    result = run(["serve"], slack_env(url), tmp_path)
    line = assert_one_line_refusal(result, "cannot reach", f"127.0.0.1:{refused_port}")
    assert "***" in line  # the URL is named, its password masked


def test_migrate_against_postgresql_not_running_is_one_line(
    refused_port: int, tmp_path: Path
) -> None:
    url = f"postgresql://pioneer:{PASSWORD}@127.0.0.1:{refused_port}/pioneer"
    assert_one_line_refusal(run(["migrate"], {"DATABASE_URL": url}, tmp_path), "cannot reach")


def test_an_unreachable_sqlite_file_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'pioneer.db'}"
    result = run(["tick", "--dry-run"], slack_env(url), tmp_path)
    assert_one_line_refusal(result, "cannot reach", "unable to open")


def test_a_port_in_use_is_one_line(database_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            ["serve", "--host", "127.0.0.1", "--port", str(port)], slack_env(database_url), tmp_path
        )
    assert_one_line_refusal(result, f"127.0.0.1:{port}", "in use")


def test_a_real_process_refuses_without_a_traceback(refused_port: int, tmp_path: Path) -> None:
    """The same as the console script runs it: nothing but the line reaches the terminal."""
    url = f"postgresql://pioneer:{PASSWORD}@127.0.0.1:{refused_port}/pioneer"
    env = clean_env(**slack_env(url))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr
