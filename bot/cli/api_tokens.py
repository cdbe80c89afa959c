"""`pioneer api-token create|list|revoke`: tokens of the read-only data API, per workspace.

A token is printed once, when it is made; the database keeps only its SHA-256 hash, so a
lost token is revoked and replaced, never shown again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from bot.app.data_api import DataApi, NoSuchWorkspace
from bot.cli.choices import ListFormat
from bot.cli.root import app
from bot.cli.startup import refuse, require_migrated
from bot.config import Settings
from bot.domain.errors import NotFound

api_token_app = typer.Typer(
    help="Tokens of the read-only data API (GET /api/v1/...), one workspace each.",
    no_args_is_help=True,
)
app.add_typer(api_token_app, name="api-token")


@contextmanager
def _data_api(what: str) -> Iterator[DataApi]:
    from bot.container import Container

    settings = Settings()
    require_migrated(settings, what)
    container = Container(settings)
    try:
        yield container.data_api
    finally:
        container.close()


def _workspace_id(api: DataApi, ref: str) -> int:
    try:
        workspace = api.workspace(ref)
    except NoSuchWorkspace as exc:
        refuse(f"{exc}; `pioneer journeys` lists each workspace (a Slack team id works too).")
    assert workspace.id is not None
    return workspace.id


@api_token_app.command("create")
def create(
    workspace: Annotated[
        str, typer.Option(help="The workspace: its Slack team id, Teams tenant id or name.")
    ],
    name: Annotated[
        str, typer.Option(help="What the token is for, shown by `list` (e.g. grafana).")
    ] = "",
) -> None:
    """Make a token for one workspace and print it, once."""
    with _data_api("Cannot create a token") as api:
        token, secret = api.create_token(_workspace_id(api, workspace), name.strip()[:80])
    typer.echo(secret)
    typer.echo(
        f"Token {token.id} ({token.shown}…) for workspace {workspace}. It is shown only now: "
        "store it in your dashboard's secrets. Send it as `Authorization: Bearer <token>`.",
        err=True,
    )


@api_token_app.command("list")
def list_(
    workspace: Annotated[
        str | None, typer.Option(help="Only this workspace's tokens (team id or name).")
    ] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TEXT,
) -> None:
    """List tokens: id, workspace, name, first characters, created, last used, revoked."""
    with _data_api("Cannot list tokens") as api:
        workspace_id = _workspace_id(api, workspace) if workspace else None
        tokens = api.tokens(workspace_id)
    rows = [
        {
            "id": t.id,
            "workspace_id": t.workspace_id,
            "name": t.name,
            "starts_with": t.shown,
            "created_at": t.created_at.isoformat(timespec="seconds"),
            "last_used_at": t.last_used_at.isoformat(timespec="seconds")
            if t.last_used_at
            else None,
            "revoked_at": t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else None,
        }
        for t in tokens
    ]
    if format is ListFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No API tokens yet: `pioneer api-token create --workspace <team id or name>`.")
        return
    typer.echo(f"{'id':>4}  {'ws':>4}  {'name':16}  {'starts':9}  {'created':19}  state")
    for row in rows:
        state = (
            f"revoked {row['revoked_at']}"
            if row["revoked_at"]
            else f"last used {row['last_used_at'] or 'never'}"
        )
        typer.echo(
            f"{row['id']:>4}  {row['workspace_id']:>4}  {str(row['name'])[:16]:16}  "
            f"{row['starts_with']:9}  {row['created_at']:19}  {state}"
        )


@api_token_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (`pioneer api-token list`).")],
) -> None:
    """Revoke a token: requests with it are refused (401) from now on."""
    with _data_api("Cannot revoke a token") as api:
        try:
            token = api.revoke(token_id)
        except NotFound:
            refuse(f"No API token with id {token_id}; `pioneer api-token list` shows them.")
    typer.echo(f"Token {token.id} ({token.shown}…) revoked; requests with it now get 401.")
