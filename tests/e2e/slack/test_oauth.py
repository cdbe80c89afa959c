"""Multi-workspace mode: install, tokens encrypted at rest, used per team, deleted on uninstall."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.config import Settings
from bot.container import Container
from bot.crypto import EncryptionKeyMissing
from bot.platforms.slack.app import ConfigurationError, check_settings
from storage.models import SlackInstallationRow
from tests.e2e.server import ServerThread
from tests.e2e.slack.conftest import SlackSender, oauth_settings, slack_settings
from tests.fakes.slack_api import FakeSlack

KEY = Fernet.generate_key().decode()

# slack_sdk's AsyncWebClient passes client id/secret to oauth.v2.access as aiohttp.BasicAuth,
# which aiohttp 3.14 deprecates; not ours to fix, and harmless until aiohttp 4.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    """Multi-workspace mode for the rig's container and server: no bot token, OAuth."""
    return oauth_settings(database_url, fake_slack, pioneer_encryption_key=KEY)


def install(slack: SlackSender, team: str) -> None:
    status, body, headers = slack.get("/slack/install")
    assert status in (200, 302)
    cookie = headers["Set-Cookie"].split(";")[0]
    state = cookie.split("=", 1)[1]
    link = re.search(r"href=\"(https:[^\"]+)\"", body) if status == 200 else None
    authorize = link.group(1) if link else headers["Location"]
    assert parse_qs(urlsplit(authorize.replace("&amp;", "&")).query)["scope"][0].startswith(
        "commands"
    )
    status, body, _ = slack.get(
        f"/slack/oauth_redirect?code=code:{team}&state={state}", headers={"Cookie": cookie}
    )
    assert status == 200, body


def test_install_stores_tokens_encrypted_and_uses_them_per_team(
    server: ServerThread, container: Container, fake_slack: FakeSlack
) -> None:
    slack = SlackSender(server.url, fake_slack, team="T0001")
    install(slack, "T0001")
    install(SlackSender(server.url, fake_slack, team="T0002"), "T0002")
    exchange = fake_slack.calls_to("oauth.v2.access")
    assert len(exchange) == 2
    token1 = next(t for t, team in fake_slack.tokens.items() if team == "T0001")

    with container.uow() as uow:
        rows = [
            (r.team_id, r.secrets, str(r.data))
            for r in uow.session.scalars(select(SlackInstallationRow))
        ]
    assert sorted(team or "" for team, _, _ in rows) == ["T0001", "T0002"]
    for _, secrets, data in rows:
        assert "xoxb-" not in secrets and "xoxb-" not in data
    fernet = Fernet(KEY.encode())
    assert any(token1 in fernet.decrypt(secrets.encode()).decode() for _, secrets, _ in rows)

    fake_slack.clear()
    assert "start" in slack.say("help", user="U1")
    slack.say("start Plant Noord", user="U1")
    slack.say("export", user="U1")
    used = {c.token for c in fake_slack.calls if c.method != "response_url" and c.token}
    assert used == {token1}


def test_uninstall_deletes_the_workspace_tokens(
    server: ServerThread, container: Container, fake_slack: FakeSlack
) -> None:
    slack = SlackSender(server.url, fake_slack, team="T0001")
    install(slack, "T0001")
    other = SlackSender(server.url, fake_slack, team="T0002")
    install(other, "T0002")
    assert slack.event({"type": "app_uninstalled"}).status == 200
    assert other.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}).status == 200
    with container.uow() as uow:
        assert list(uow.session.scalars(select(SlackInstallationRow.id))) == []
    # Without an installation the team's requests are no longer served.
    assert slack.command("help").status == 200
    reply = slack.last_reply().args["text"]
    assert "install the app again" in reply and "opnieuw" in reply and "start" not in reply


def test_install_with_a_forged_state_is_refused(
    server: ServerThread, fake_slack: FakeSlack
) -> None:
    slack = SlackSender(server.url, fake_slack)
    status, _, _ = slack.get(
        "/slack/oauth_redirect?code=code:T0001&state=1.abc.0000",
        headers={"Cookie": "slack-app-oauth-state=1.abc.0000"},
    )
    assert status >= 400
    assert fake_slack.calls_to("oauth.v2.access") == []


def test_oauth_mode_refuses_to_start_without_an_encryption_key(
    database_url: str, fake_slack: FakeSlack
) -> None:
    settings = oauth_settings(database_url, fake_slack)
    with pytest.raises(EncryptionKeyMissing, match="PIONEER_ENCRYPTION_KEY"):
        check_settings(settings)
    with pytest.raises(EncryptionKeyMissing, match="not a valid"):
        check_settings(settings.model_copy(update={"pioneer_encryption_key": "short"}))


def test_settings_without_tokens_or_secret_are_refused(
    database_url: str, fake_slack: FakeSlack
) -> None:
    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN"):
        check_settings(slack_settings(database_url, fake_slack, slack_bot_token=None))
    with pytest.raises(ConfigurationError, match="SLACK_SIGNING_SECRET"):
        check_settings(slack_settings(database_url, fake_slack, slack_signing_secret=None))
