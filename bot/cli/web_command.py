"""`pioneer web --db FILE`: browse a finished journey (the demo's, a backup's) read-only.

Served on localhost only, with no sign-in: whoever can read the file can read it anyway.
The viewer reads what a facilitator and the digest's readers read (figures of published
digests only, as always); every form is switched off and the database is opened read-only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.root import app
from bot.cli.startup import ensure_port_free, refuse


@app.command("web")
def web_view(
    db: Annotated[
        Path, typer.Option(help="A Pioneer SQLite database, e.g. demo-output/pioneer.db.")
    ],
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8080,
    lang: Annotated[str | None, typer.Option(help="nl or en; default: each journey's.")] = None,
) -> None:
    """Serve a database's journeys read-only on http://127.0.0.1:PORT/web/ (no sign-in)."""
    from aiohttp import web
    from sqlalchemy import func, select

    from bot.app.web_pages import Viewer, WebPages
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.container import Container
    from bot.domain.model import Language
    from bot.webview import WebDeps, add_web_routes
    from storage.models import DigestRow, WorkspaceRow

    if not db.is_file():
        refuse(f"Cannot start: no database file {db}")
    if lang is not None and lang not in ("nl", "en"):
        refuse("Cannot start: --lang must be nl or en")
    ensure_port_free("127.0.0.1", port)
    url = f"sqlite:///file:{db.resolve()}?mode=ro&uri=true"
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    probe = Container(settings)
    if not probe.schema_is_current():
        refuse(f"Cannot start: {db} has an older schema; run `pioneer migrate` on a copy first")
    with probe.engine.connect() as connection:
        workspaces = tuple(connection.scalars(select(WorkspaceRow.id)))
        last_sent = connection.scalar(select(func.max(DigestRow.sent_at)))
    probe.close()
    # A demo's journey runs on a simulated calendar, often ahead of today: the view stands
    # at the later of now and the last digest sent, so its sent weeks count as over.
    now = datetime.now(UTC)
    if last_sent is not None:
        now = max(now, last_sent.replace(tzinfo=last_sent.tzinfo or UTC))
    container = Container(settings, clock=FixedClock(now))
    viewer = Viewer(None, None, language=Language(lang) if lang else None, workspaces=workspaces)
    application = web.Application()
    add_web_routes(
        application,
        WebDeps(pages=WebPages(container.services), signin=None, read_only=True, local=viewer),
    )
    typer.echo(f"Browse {db} read-only at http://127.0.0.1:{port}/web/ (Ctrl-C stops)")
    try:
        web.run_app(application, host="127.0.0.1", port=port, print=None, access_log=None)
    finally:
        container.close()
