"""A fake Bot Connector on 127.0.0.1: the `serviceUrl` of every test activity.

It accepts what the Agents SDK sends (create a conversation, send or reply, update, delete)
and records each call. `script(conversation_id, [429, 429])` makes the next sends to that
conversation fail with those statuses first (`DROP`: the connection is lost unanswered;
`ACCEPT_THEN_DROP`: the message arrives, then the connection is lost before the answer);
`refuse_member(id, 403)` makes creating a 1:1 chat with that member fail. It also serves a
JSON Web Key Set at /jwks for JWT tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# A scripted "status" that drops the connection instead of answering.
DROP = 0
# The message is accepted (it arrives in the conversation), then the connection is lost
# before the answer: the sender cannot tell it arrived.
ACCEPT_THEN_DROP = -1


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str | None
    reply_to_id: str | None
    activity_id: str | None
    body: Any
    authorization: str | None

    @property
    def text(self) -> str:
        return str((self.body or {}).get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in (self.body or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = attachment["content"]
                return content
        return None

    def card_text(self) -> str:
        card = self.card
        return json.dumps(card, ensure_ascii=False) if card else ""


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class LoopThread:
    """An event loop in a daemon thread, for servers the (synchronous) tests talk to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class FakeConnector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._scripts: dict[str, deque[Scripted]] = {}
        self._refused: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.jwks: dict[str, Any] = {"keys": []}
        self._thread = LoopThread()
        self._runner: web.AppRunner | None = None
        self.port = int(self._thread.run(self._start()))

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_get("/jwks", self._jwks)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(self._runner.addresses[0][1])

    def stop(self) -> None:
        if self._runner is not None:
            self._thread.run(self._runner.cleanup())
        self._thread.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # -- test controls --
    def script(
        self, conversation_id: str, statuses: list[int], retry_after: str | None = None
    ) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        with self._lock:
            self._scripts[conversation_id] = deque(Scripted(s, dict(headers)) for s in statuses)

    def refuse_member(self, member_id: str, status: int = 403) -> None:
        with self._lock:
            self._refused[member_id] = status

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def sent(self, conversation_id: str | None = None) -> list[Call]:
        """Activities that arrived (accepted) in a conversation, or in any."""
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and c.conversation_id is not None
            and (conversation_id is None or c.conversation_id == conversation_id)
            and c.activity_id is not None
        ]

    def messages(self, conversation_id: str | None = None) -> list[Call]:
        """Sent messages, without typing indicators."""
        return [c for c in self.sent(conversation_id) if (c.body or {}).get("type") == "message"]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    def creates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.conversation_id is None]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- handlers --
    def _record(self, request: web.Request, body: Any, activity_id: str | None) -> Call:
        call = Call(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info.get("cid"),
            reply_to_id=request.match_info.get("aid") if request.method == "POST" else None,
            activity_id=activity_id,
            body=body,
            authorization=request.headers.get("Authorization"),
        )
        with self._lock:
            self._calls.append(call)
        return call

    def _scripted(self, conversation_id: str) -> Scripted | None:
        with self._lock:
            queue = self._scripts.get(conversation_id)
            return queue.popleft() if queue else None

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        members = [m.get("id") for m in body.get("members") or []]
        with self._lock:
            refused = next((self._refused[m] for m in members if m in self._refused), None)
        if refused is not None:
            self._record(request, body, None)
            return web.json_response({"error": {"code": "Forbidden"}}, status=refused)
        conversation_id = f"a:new-{next(self._ids)}"
        self._record(request, body, conversation_id)
        return web.json_response({"id": conversation_id, "activityId": f"c-{next(self._ids)}"})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        scripted = self._scripted(request.match_info["cid"])
        if scripted is not None and scripted.status == ACCEPT_THEN_DROP:
            self._record(request, body, f"act-{next(self._ids)}")
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if scripted is not None and scripted.status == DROP:
            self._record(request, body, None)
            # The connection is lost before an answer: the message did not arrive.
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if scripted is not None:
            self._record(request, body, None)
            return web.json_response(
                {"error": {"code": str(scripted.status)}},
                status=scripted.status,
                headers=scripted.headers,
            )
        activity_id = f"act-{next(self._ids)}"
        self._record(request, body, activity_id)
        return web.json_response({"id": activity_id})

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body, request.match_info["aid"])
        return web.json_response({"id": request.match_info["aid"]})

    async def _delete(self, request: web.Request) -> web.Response:
        self._record(request, None, request.match_info["aid"])
        return web.Response(status=200)

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)
