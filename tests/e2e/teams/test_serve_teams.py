"""`pioneer serve` with Teams settings: all three or a refusal naming what is missing, and a
banner that names the platforms it actually serves."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from tests.e2e.serve_process import clean_env, serving, wait_until_healthy
from tests.e2e.teams.conftest import APP_ID, TENANT_A
from tests.integration.test_startup_errors import assert_one_line_refusal, run

SECRET = "teams-client-secret-do-not-print"


def test_teams_without_a_tenant_is_refused(database_url: str, tmp_path: Path) -> None:
    """Before: it started, and /api/messages answered 404 to every message from Teams."""
    env = {"DATABASE_URL": database_url, "TEAMS_APP_ID": APP_ID, "TEAMS_APP_SECRET": SECRET}
    result = run(["serve"], env, tmp_path)
    line = assert_one_line_refusal(result, "TEAMS_TENANT_ID")
    assert "TEAMS_APP_ID" not in line.split("set ")[1].split(" too")[0]  # only what is missing


def test_nothing_configured_is_refused(database_url: str, tmp_path: Path) -> None:
    assert_one_line_refusal(run(["serve"], {"DATABASE_URL": database_url}, tmp_path), "neither")


def test_the_banner_names_what_is_served(database_url: str, tmp_path: Path) -> None:
    env = clean_env(
        DATABASE_URL=database_url,
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_SECRET=SECRET,
        TEAMS_TENANT_ID=TENANT_A,
        LOG_LEVEL="WARNING",
    )
    with serving(env, tmp_path, "--no-scheduler", stdout=True) as served:
        wait_until_healthy(served.url, served.process)
        request = urllib.request.Request(served.url + "/api/messages", data=b"{}", method="POST")
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 401  # served, and unsigned requests are refused: not 404
    banner = served.out.splitlines()[0]
    assert banner.startswith("Pioneer serving Teams at /api/messages on 127.0.0.1:")
    assert "Slack" not in banner and SECRET not in served.out + served.err
