"""The peer (a benchmark, not part of Pioneer): what a competent team writes with slack-bolt.

    .venv/bin/python benchmarks/peer_app.py --port 3001 --database-url URL --api-url URL

A poll click, done by hand: a Bolt `AsyncApp` with `process_before_response=True`, served on
aiohttp as `pioneer serve` is. Its listener acks, inserts one answer row with SQLAlchemy
(one commit per click) and then redraws the message with `chat.update`. Tuned the way the
slack-bolt and SQLAlchemy docs suggest: a one-connection pool (SQLite has one writer; the
default pool only makes connections fight over its lock), the same SQLite pragmas Pioneer
sets, the blocking database call on one worker thread, and one shared aiohttp session for
every Web API call. It imports nothing of Pioneer: `benchmarks/bench_slack.py` runs it next
to `pioneer serve` and counts its rows afterwards (`count_rows`).

Works on SQLite and PostgreSQL (psycopg 3); the table is `peer_answers`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, String, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)


class Base(DeclarativeBase):
    pass


class PeerAnswer(Base):
    __tablename__ = "peer_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[int] = mapped_column(Integer, index=True)
    value: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def peer_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url, pool_size=1, max_overflow=0, connect_args={"check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        return engine
    return create_engine(url, pool_size=1, max_overflow=0)


def count_rows(url: str) -> tuple[int, int]:
    """(rows, distinct deliveries) in the peer's table: what the benchmark checks."""
    engine = peer_engine(url)
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(PeerAnswer)) or 0
        distinct = conn.scalar(select(func.count(func.distinct(PeerAnswer.delivery_id)))) or 0
    engine.dispose()
    return int(rows), int(distinct)


def redraw(question: str, delivery_id: int, chosen: int) -> list[dict[str, Any]]:
    """The poll as it looks after the click: the chosen value highlighted."""
    buttons: list[dict[str, Any]] = []
    for value in range(1, 6):
        item: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": str(value)},
            "action_id": f"pioneer.poll.{value}",
            "value": f"{delivery_id}:{value}",
        }
        if value == chosen:
            item["style"] = "primary"
        buttons.append(item)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{question}*"}},
        {"type": "actions", "block_id": f"pioneer.delivery.{delivery_id}", "elements": buttons},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"You answered {chosen}. Thank you!"}],
        },
    ]


def serve(port: int, database_url: str, api_url: str) -> None:
    from aiohttp import ClientSession, web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    # slack_sdk builds the debug text of every Web API call unless its loggers' own level
    # is above DEBUG (it checks `logger.level`, 0 when unset); a team that profiled once
    # knows it, and the peer should not be slowed by what it would fix.
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("slack_sdk", "slack_bolt")):
            logging.getLogger(name).setLevel(logging.WARNING)
    engine = peer_engine(database_url)
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    database = ThreadPoolExecutor(max_workers=1)  # the one connection, used by one thread

    def store(team: str, user: str, delivery_id: int, value: int) -> None:
        with sessions() as session:
            session.add(
                PeerAnswer(
                    team_id=team,
                    user_id=user,
                    delivery_id=delivery_id,
                    value=value,
                    answered_at=datetime.now(UTC),
                )
            )
            session.commit()

    async def make() -> web.Application:
        http = ClientSession()
        bolt = AsyncApp(
            signing_secret=os.environ["SLACK_SIGNING_SECRET"],
            client=AsyncWebClient(
                token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url, session=http
            ),
            process_before_response=True,
        )

        @bolt.action(re.compile(r"^pioneer\.poll\.[1-5]$"))
        async def click(
            ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
        ) -> None:
            await ack()
            delivery, _, value = str(action["value"]).partition(":")
            loop = asyncio.get_running_loop()
            team, user = body["team"]["id"], body["user"]["id"]
            await loop.run_in_executor(database, store, team, user, int(delivery), int(value))
            container = body["container"]
            await client.chat_update(
                channel=container["channel_id"],
                ts=container["message_ts"],
                text="How is it going?",
                blocks=redraw("How is it going?", int(delivery), int(value)),
            )

        async def events(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(
                await bolt.async_dispatch(await to_bolt_request(request))
            )

        async def health(_: web.Request) -> web.StreamResponse:
            return web.Response(text="ok")

        async def close(_: web.Application) -> None:
            await http.close()
            database.shutdown()
            engine.dispose()

        app = web.Application()
        app.router.add_post("/slack/events", events)
        app.router.add_get("/healthz", health)
        app.on_cleanup.append(close)
        return app

    web.run_app(make(), host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args()
    serve(args.port, args.database_url, args.api_url)


if __name__ == "__main__":
    main()
