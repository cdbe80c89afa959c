"""`pioneer serve` as a real process on a free port of 127.0.0.1, with only the settings a
test hands it: started, waited on until /healthz answers, and stopped with SIGTERM as a
process manager stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
# `python -m bot.cli` is what the `pioneer` console script runs; it works uninstalled too.
PIONEER = [sys.executable, "-m", "bot.cli"]
READY_WITHIN = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PIONEER_", "DATABASE_URL", "TEAMS_", "PORT"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env | values


def slack_env(database_url: str, fake_slack: FakeSlack, **values: str) -> dict[str, str]:
    """A clean environment for Slack on `database_url`, talking to the fake Web API."""
    return clean_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        **values,
    )


def wait_until_healthy(url: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.communicate()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # waiting for another process to listen; there is no event to await
    raise AssertionError("serve did not become healthy")


@dataclass
class Served:
    """A running `pioneer serve`; `out` and `err` are what it wrote, once it has stopped."""

    url: str
    process: subprocess.Popen[str]
    errors: Path | None = None  # where stderr goes while it runs
    out: str = ""
    err: str = ""

    def err_so_far(self) -> str:
        return self.errors.read_text(encoding="utf-8") if self.errors else ""


@contextmanager
def serving(
    env: dict[str, str], cwd: Path, *args: str, stdout: bool = False, stop_within: float = 20
) -> Iterator[Served]:
    """`pioneer serve --host 127.0.0.1 --port <free> <args>` until the block ends, then
    SIGTERM; stderr is always kept, stdout only when `stdout` asks for it."""
    port = free_port()
    # stderr to a file, so a test can read what it logged while it runs.
    with tempfile.TemporaryDirectory() as folder:
        errors = Path(folder) / "stderr"
        with errors.open("w", encoding="utf-8") as sink:
            process = subprocess.Popen(
                [*PIONEER, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                env=env,
                cwd=cwd,
                stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                stderr=sink,
                text=True,
            )
        served = Served(f"http://127.0.0.1:{port}", process, errors)
        try:
            yield served
        finally:
            process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=stop_within)
            served.out, served.err = out or "", served.err_so_far()
