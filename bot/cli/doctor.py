"""`pioneer check`: is this installation ready to serve? One line per check, exit 2 if not.

Checks settings, the database (reachable, migrated), the prompt catalog and ritual plan,
Slack (auth.test with the bot token; apps.connections.open with a Socket Mode app token)
and Teams (complete settings, and a token from Entra ID), and that the webhook's host
resolves, each only where configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import typer
from pydantic import ValidationError

from bot.cli.root import app
from bot.cli.startup import EXIT_REFUSED, explain, masked
from bot.config import Settings

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class CheckFailed(Exception):
    """What is wrong, in one line without secrets."""


@dataclass
class Outcome:
    name: str
    ok: bool
    text: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.text}"


def check_database(settings: Settings) -> str:
    from bot.container import Container
    from storage.migrate import current_revision, head_revision

    container = Container(settings)
    try:
        container.database_ok()
    finally:
        container.close()
    current, head = current_revision(settings.database_url), head_revision()
    if current != head:
        raise CheckFailed(
            f"{masked(settings.database_url)} is at schema {current or 'empty'}, this version "
            f"needs {head}; run `pioneer migrate`"
        )
    return f"{masked(settings.database_url)}, schema {head} (newest)"


def check_catalog(settings: Settings) -> str:
    from prompts.catalog import check_catalog as problems_in
    from prompts.catalog import load_catalog
    from prompts.ritual_plan import load_plan

    folder = settings.pioneer_prompts_dir
    problems = problems_in(*([folder] if folder else []))
    if problems:
        raise CheckFailed(
            f"{len(problems)} problem(s), the first: {problems[0]}; see `pioneer prompts check`"
        )
    catalog = load_catalog(*([folder] if folder else []))
    load_plan(folder)
    where = f" with {folder}" if folder else ""
    return f"{len(list(catalog))} prompts{where}, ritual plan loaded"


def check_slack(settings: Settings) -> str:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from bot.crypto import EncryptionKeyMissing
    from bot.platforms.slack.app import ConfigurationError, check_settings, oauth_mode

    try:
        check_settings(settings)
    except (ConfigurationError, EncryptionKeyMissing) as exc:
        raise CheckFailed(str(exc)) from None
    client = WebClient(base_url=settings.slack_api_url, timeout=10)
    said = []
    try:
        if settings.slack_bot_token:
            who = client.auth_test(token=settings.slack_bot_token)
            said.append(
                f"bot token of {who.get('user')} in {who.get('team')} ({who.get('team_id')})"
            )
        if settings.slack_app_token:
            client.apps_connections_open(app_token=settings.slack_app_token)
            said.append("app token opens Socket Mode")
    except SlackApiError as exc:
        raise CheckFailed(f"Slack refused: {exc.response.get('error')}") from None
    except OSError as exc:
        raise CheckFailed(f"cannot reach {settings.slack_api_url}: {exc}") from None
    if oauth_mode(settings):
        said.append("OAuth: workspaces install at /slack/install")
    return "; ".join(said)


def fetch_teams_token(settings: Settings) -> None:
    """Ask Entra ID for the bot's token, as sending a message would (client credentials)."""
    import msal

    client = msal.ConfidentialClientApplication(
        settings.teams_app_id,
        authority=f"https://login.microsoftonline.com/{settings.teams_tenant_id}",
        client_credential=settings.teams_app_secret,
        timeout=10,
    )
    result = client.acquire_token_for_client(scopes=["https://api.botframework.com/.default"])
    if "access_token" not in result:
        raise CheckFailed(f"Entra ID refused: {result.get('error', 'no token')}")


def check_teams(settings: Settings, fetch: Callable[[Settings], None]) -> str:
    named = {
        "TEAMS_APP_ID": settings.teams_app_id,
        "TEAMS_APP_SECRET": settings.teams_app_secret,
        "TEAMS_TENANT_ID": settings.teams_tenant_id,
    }
    missing = [name for name, value in named.items() if not value]
    if missing:
        raise CheckFailed(f"set {' and '.join(missing)} too (or unset the other TEAMS_ settings)")
    if not GUID.match(settings.teams_app_id or ""):
        raise CheckFailed(
            "TEAMS_APP_ID is not an app id (a GUID, the Azure Bot's Microsoft App ID)"
        )
    try:
        fetch(settings)
    except CheckFailed:
        raise
    except Exception as exc:  # MSAL and its transport raise many kinds; the name suffices
        raise CheckFailed(f"no token from Entra ID ({type(exc).__name__})") from None
    return f"app {settings.teams_app_id} has a token from Entra ID"


def check_webhook(settings: Settings) -> str:
    """The URL was checked when read; here, that its host resolves (nothing is posted)."""
    import socket
    from urllib.parse import urlsplit

    from bot.webhook import where

    url = settings.pioneer_webhook_url or ""
    parts = urlsplit(url)
    try:
        socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        raise CheckFailed(f"PIONEER_WEBHOOK_URL: cannot resolve {parts.hostname}") from None
    signed = (
        "signed with PIONEER_WEBHOOK_SECRET"
        if settings.pioneer_webhook_secret
        else "unsigned: set PIONEER_WEBHOOK_SECRET so the receiver can check it is us"
    )
    return f"published digests go to {where(url)}, {signed}"


def run_checks() -> list[Outcome]:
    try:
        settings = Settings()
    except ValidationError as exc:
        return [Outcome("settings", False, explain(exc) or "invalid")]
    outcomes = [Outcome("settings", True, "valid")]
    checks: list[tuple[str, Callable[[], str]]] = [
        ("database", lambda: check_database(settings)),
        ("catalog", lambda: check_catalog(settings)),
    ]
    if settings.slack_bot_token or settings.slack_app_token or settings.slack_client_id:
        checks.append(("slack", lambda: check_slack(settings)))
    if settings.teams_app_id or settings.teams_app_secret or settings.teams_tenant_id:
        checks.append(("teams", lambda: check_teams(settings, fetch_teams_token)))
    if settings.pioneer_webhook_url:
        checks.append(("webhook", lambda: check_webhook(settings)))
    for name, check in checks:
        try:
            outcomes.append(Outcome(name, True, check()))
        except CheckFailed as exc:
            outcomes.append(Outcome(name, False, str(exc)))
        except Exception as exc:
            line = explain(exc, settings.database_url)
            if line is None:
                raise
            outcomes.append(Outcome(name, False, line))
    return outcomes


@app.command()
def check(
    quiet: Annotated[bool, typer.Option(help="Print only the checks that fail.")] = False,
) -> None:
    """Check settings, database, catalog, Slack and Teams: one line each; exit 2 on a failure."""
    outcomes = run_checks()
    for outcome in outcomes:
        if not (quiet and outcome.ok):
            typer.echo(outcome.line(), err=not outcome.ok)
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(code=EXIT_REFUSED)
