"""What every command shares: one-line refusals instead of tracebacks, and the schema check.

An operator who mistyped a setting, or whose database is down, gets one line on stderr that
names what to fix, and exit code 2: never a traceback, never a setting's value (a URL is
shown with its password masked). Errors this module does not know stay tracebacks: they
are bugs.
"""

from __future__ import annotations

import socket
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from typer.core import TyperGroup

from bot.config import Settings

# Settings that cannot work, a database that cannot be reached, a port already taken.
EXIT_REFUSED = 2


def masked(url: str) -> str:
    """A database URL fit for a log line: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(DATABASE_URL)"


def _settings_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]).upper() or "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {message}")
    return "invalid setting " + "; ".join(problems)


def _database_problem(exc: DBAPIError, url: str | None) -> str:
    cause = str(exc.orig) if exc.orig is not None else str(exc)
    first = next((line.strip() for line in cause.splitlines() if line.strip()), "no answer")
    where = masked(url) if url else "the database"
    return f"cannot reach {where}: {first}"


def explain(exc: BaseException, url: str | None = None) -> str | None:
    """The one line an operator reads for `exc`, or None when it is not an operator's error."""
    if isinstance(exc, ValidationError):
        text = _settings_problem(exc)
    elif isinstance(exc, DBAPIError):
        text = _database_problem(exc, url)
    elif isinstance(exc, NoSuchModuleError | ArgumentError):
        text = "DATABASE_URL is not a database URL Pioneer can use"
    elif isinstance(exc, OSError):
        text = str(exc)
    else:
        return None
    if url:
        secret = make_url(url).password if "://" in url else None
        if secret:
            text = text.replace(str(secret), "***")
    return " ".join(text.split())


def _database_url() -> str | None:
    try:
        return Settings().database_url
    except ValidationError:
        return None


def refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=EXIT_REFUSED)


class PioneerGroup(TyperGroup):
    """Runs a command and turns an operator's error into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except (ValidationError, DBAPIError, NoSuchModuleError, ArgumentError, OSError) as exc:
            line = explain(exc, _database_url())
            assert line is not None
            name = ctx.invoked_subcommand or "pioneer"
            refuse(f"pioneer {name}: {line}")


def require_migrated(settings: Settings, what: str) -> None:
    from bot.container import Container

    container = Container(settings)
    try:
        current = container.schema_is_current()
    finally:
        container.close()
    if not current:
        refuse(f"{what}: the database is not up to date; run `pioneer migrate`.")


def served_platforms(settings: Settings) -> list[str]:
    """What `pioneer serve` will serve, in words for its banner; or a one-line refusal when a
    platform is half configured or none is."""
    from bot.crypto import EncryptionKeyMissing
    from bot.platforms.slack.app import ConfigurationError, check_settings, slack_configured

    served = []
    if slack_configured(settings):
        try:
            check_settings(settings)
        except (ConfigurationError, EncryptionKeyMissing) as exc:
            refuse(f"Cannot start: {exc}")
        served.append("Slack over " + ("Socket Mode" if settings.slack_app_token else "HTTP"))
    teams = {
        "TEAMS_APP_ID": settings.teams_app_id,
        "TEAMS_APP_SECRET": settings.teams_app_secret,
        "TEAMS_TENANT_ID": settings.teams_tenant_id,
    }
    missing = [name for name, value in teams.items() if not value]
    if len(missing) < len(teams):
        if missing:
            refuse(
                f"Cannot start: Teams is half configured; set {' and '.join(missing)} too "
                "(or unset the other TEAMS_ settings)."
            )
        served.append("Teams at /api/messages")
    if not served:
        refuse(
            "Cannot start: neither Slack (SLACK_BOT_TOKEN, SLACK_APP_TOKEN or "
            "SLACK_CLIENT_ID/SECRET) nor Teams (TEAMS_APP_ID, TEAMS_APP_SECRET, "
            "TEAMS_TENANT_ID) is configured."
        )
    return served


def ensure_port_free(host: str, port: int) -> None:
    """Refuse before anything starts when another process listens on the port already."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            refuse(
                f"Cannot start: cannot listen on {host}:{port} ({reason}); is Pioneer already "
                "running? Set PORT or --port."
            )
