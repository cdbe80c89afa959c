"""`pioneer web --db FILE` as a real process: a finished journey browsed read-only on
127.0.0.1, without sign-in, every form refused, the file left as it was."""

from __future__ import annotations

import hashlib
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FixedClock
from bot.config import Settings
from bot.container import Container
from bot.domain.model import Role
from tests import seed
from tests.e2e.serve_process import PIONEER, ROOT, clean_env, free_port


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def a_journey(path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{path}")  # type: ignore[call-arg]
    container = Container(settings, clock=FixedClock(datetime(2026, 11, 30, 9, tzinfo=UTC)))
    container.migrate()
    workspace_id = seed.workspace_id(container.uow, "slack", "T1", "Acme")
    journey = container.journeys.start(workspace_id, "C1", "Plant <Noord>", "UFAC")
    assert journey.id is not None
    container.journeys.change_roles(workspace_id, journey.id, "UFAC", ["UD"], add=[Role.DIRECTOR])
    container.close()


def test_a_database_is_browsed_read_only(tmp_path: Path) -> None:
    db = tmp_path / "pioneer.db"
    a_journey(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    port = free_port()
    process = subprocess.Popen(
        [*PIONEER, "web", "--db", str(db), "--port", str(port), "--lang", "nl"],
        cwd=ROOT,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/web"
    try:
        deadline = time.monotonic() + 20
        status, body = 0, ""
        while time.monotonic() < deadline and status != 200:
            assert process.poll() is None, process.communicate()
            try:
                status, body = fetch(base + "/")
            except OSError:
                time.sleep(0.2)
        assert status == 200 and "Plant &lt;Noord&gt;" in body and 'lang="nl"' in body
        assert "Alleen lezen" in body
        status, members = fetch(base + "/j/1/members")
        assert status == 200 and "UD" in members and "<fieldset disabled>" in members
        refused, text = fetch(base + "/j/1/do/pause", data=b"csrf=x")
        assert refused == 403 and "alleen om te lezen" in text
        assert fetch(base + "/j/1/export")[0] == 403
        assert fetch(base + "/me")[0] == 404
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/web/" in out
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    schedule = Container(
        Settings(_env_file=None, database_url=f"sqlite:///{db}")  # type: ignore[call-arg]
    )
    try:
        assert not schedule.services.schedule.show(1, 1).paused
    finally:
        schedule.close()


def test_a_missing_file_is_refused_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [*PIONEER, "web", "--db", str(tmp_path / "nope.db")],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 2
    assert "no database file" in result.stderr and "Traceback" not in result.stderr
