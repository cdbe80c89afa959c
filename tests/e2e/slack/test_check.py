"""`pioneer check`: one line per check, exit 2 when one fails, no secret in any line.

Slack is the fake Web API; Teams' token request is swapped for a function of the test's
(Entra ID is on the internet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import Result

from bot.cli import doctor
from bot.config import Settings
from tests.e2e.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.slack_api import FakeSlack
from tests.integration.test_startup_errors import run

TEAMS = {
    "TEAMS_APP_ID": "11111111-2222-4333-8444-555555555555",
    "TEAMS_APP_SECRET": "teams-secret-value-42",
    "TEAMS_TENANT_ID": "aaaaaaaa-0000-4000-8000-000000000001",
}


def lines(result: Result) -> dict[str, str]:
    assert "Traceback" not in result.output
    for secret in (BOT_TOKEN, SECRET, TEAMS["TEAMS_APP_SECRET"], "xapp-secret-1"):
        assert secret not in result.output
    found = {}
    for line in result.output.strip().splitlines():
        status, rest = line.split(maxsplit=1)
        name, text = rest.split(": ", 1)
        found[name] = f"{status} {text}"
    return found


def slack(database_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
    } | extra


def test_everything_configured_and_well(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.script("apps.connections.open", [{"ok": True, "url": "wss://x.invalid/link"}])
    result = run(
        ["check"], slack(database_url, fake_slack, SLACK_APP_TOKEN="xapp-secret-1"), tmp_path
    )
    assert result.exit_code == 0, result.output
    found = lines(result)
    assert list(found) == ["settings", "database", "catalog", "slack"]
    assert all(text.startswith("ok ") for text in found.values()), found
    assert "schema" in found["database"] and "prompts" in found["catalog"]
    assert "Fake Team" in found["slack"] or "T0001" in found["slack"]
    assert "Socket Mode" in found["slack"]
    assert fake_slack.calls_to("auth.test")[0].token == BOT_TOKEN


def test_a_refused_slack_token(database_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    fake_slack.script("auth.test", [{"ok": False, "error": "invalid_auth"}])
    result = run(["check"], slack(database_url, fake_slack), tmp_path)
    assert result.exit_code == 2
    assert lines(result)["slack"] == "FAIL Slack refused: invalid_auth"


def test_an_unmigrated_database(fake_slack: FakeSlack, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run(["check"], slack(url, fake_slack), tmp_path)
    assert result.exit_code == 2
    found = lines(result)
    assert found["database"].startswith("FAIL") and "pioneer migrate" in found["database"]
    assert found["slack"].startswith("ok")  # the other checks still run


def test_invalid_settings_stop_at_the_first_line(tmp_path: Path) -> None:
    result = run(["check"], {"PIONEER_ANONYMITY_THRESHOLD": "2"}, tmp_path)
    assert result.exit_code == 2
    assert lines(result) == {
        "settings": "FAIL invalid setting PIONEER_ANONYMITY_THRESHOLD: must be at least 3"
    }


def test_a_broken_prompts_folder(database_url: str, tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "bad.yaml").write_text("- id: x\n  kind: nonsense\n", encoding="utf-8")
    env = {"DATABASE_URL": database_url, "PIONEER_PROMPTS_DIR": str(ours)}
    result = run(["check"], env, tmp_path)
    assert result.exit_code == 2
    assert lines(result)["catalog"].startswith("FAIL")


def test_teams_half_configured(database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url, "TEAMS_APP_ID": TEAMS["TEAMS_APP_ID"]}
    result = run(["check"], env, tmp_path)
    assert result.exit_code == 2
    assert "TEAMS_APP_SECRET and TEAMS_TENANT_ID" in lines(result)["teams"]


def test_teams_credentials(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Settings] = []

    def token(settings: Settings) -> None:
        asked.append(settings)

    monkeypatch.setattr(doctor, "fetch_teams_token", token)
    good = run(["check"], {"DATABASE_URL": database_url, **TEAMS}, tmp_path)
    assert good.exit_code == 0, good.output
    assert lines(good)["teams"].startswith("ok ") and asked[0].teams_tenant_id

    def refused(settings: Settings) -> None:
        raise doctor.CheckFailed("Entra ID refused: invalid_client")

    monkeypatch.setattr(doctor, "fetch_teams_token", refused)
    bad = run(["check"], {"DATABASE_URL": database_url, **TEAMS}, tmp_path)
    assert bad.exit_code == 2
    assert lines(bad)["teams"] == "FAIL Entra ID refused: invalid_client"
