"""A small fake of the Slack Web API on 127.0.0.1, for the real `slack_sdk` clients.

Start it, point `WebClient(base_url=fake.api_url)` / `SLACK_API_URL` at it, and assert on
what Slack would have received::

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="D1", text="hi")
        assert fake.calls_to("chat.postMessage")[0].args["text"] == "hi"

What it answers (POST or GET ``/api/<method>``; form, query and JSON arguments merged into
``Call.args``): ``auth.test``, ``chat.postMessage`` (keeps ``metadata``), ``chat.update``,
``chat.postEphemeral``, ``conversations.open`` (DM id ``D<user>``),
``conversations.history`` (newest first; ``metadata`` only with ``include_all_metadata``),
``views.open``, ``views.update``, ``views.publish``, ``users.info`` (``tz`` and ``locale``;
see `set_user`), ``files.getUploadURLExternal`` + ``POST /upload/<file_id>`` +
``files.completeUploadExternal``, ``oauth.v2.access``. Any other ``/api/<method>`` answers
``{"ok": true}``. Any other path (a ``response_url`` such as ``<url>/response/1``) is
recorded with method ``"response_url"`` and answered ``{"ok": true}``.

Every request is recorded, in arrival order, as a `Call` (method, args, headers, path) in a
thread-safe list: `calls`, `calls_to(method)`, `clear()`.

Failure injection: `script(method, [...])` queues responses that are consumed in order by
the next calls of that method, before normal behaviour resumes. Each item is one of

- ``429`` or ``(429, retry_after)``: HTTP 429 with a ``Retry-After`` header (default 1);
- any other int (``500``, ``503``): that HTTP status with ``{"ok": false}``;
- ``"reset"``: the connection is closed without a response and without any effect;
- ``"reset-after-accept"``: the call takes effect (a message is posted) and then the
  connection is closed without a response, as when a connection dies after Slack accepted;
- ``"timeout"``: no answer for `hang_seconds` (longer than a short client timeout), then close;
- a dict: sent as the JSON body with HTTP 200, e.g. ``{"ok": False, "error": "user_not_found"}``.

`unreachable(user, error)` makes ``conversations.open`` for that user fail with ``error``
(``user_not_found``, ``cannot_dm_bot``...) until further notice.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Scripted = int | tuple[int, float] | str | Mapping[str, Any]


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    path: str
    body: bytes = b""

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.args.get("token")
        return str(token) if token else None


@dataclass
class User:
    id: str
    name: str
    tz: str = "Europe/Amsterdam"
    locale: str = "en-US"
    deleted: bool = False
    is_bot: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    user: str = ""

    def as_json(self, with_metadata: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": self.user,
            "bot_id": "B0001",
        }
        if with_metadata and self.metadata:
            data["metadata"] = self.metadata
        return data


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded calls carry blocks/metadata/view as JSON strings; tests want objects."""
    for key in ("blocks", "metadata", "view", "attachments", "files"):
        value = args.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


class FakeSlack:
    def __init__(
        self,
        team_id: str = "T0001",
        team_name: str = "Fake Team",
        bot_user_id: str = "UBOT",
        hang_seconds: float = 3.0,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._handled_one = threading.Condition(self._lock)
        self._handled: collections.Counter[str] = collections.Counter()
        self._calls: list[Call] = []
        self._scripts: dict[str, list[Scripted]] = {}
        self._users: dict[str, User] = {}
        self._unreachable: dict[str, str] = {}
        self._messages: dict[str, list[Message]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.tokens: dict[str, str] = {}  # token -> team id, for multi-workspace auth.test
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without this, Nagle's algorithm and the
            # client's delayed ACK stall every keep-alive response by ~40 ms.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- test controls ---------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls to `method` once `count` of them have been answered.

        For what a server does after its acknowledgement (a message updated after a click):
        the HTTP response to the click can arrive before the call does.
        """
        with self._handled_one:
            if not self._handled_one.wait_for(lambda: self._handled[method] >= count, timeout):
                raise AssertionError(
                    f"{method}: {self._handled[method]} of {count} calls within {timeout} s"
                )
        return self.calls_to(method)

    def script(self, method: str, responses: Iterable[Scripted]) -> None:
        with self._lock:
            self._scripts.setdefault(method, []).extend(responses)

    def set_user(self, user_id: str, **attrs: Any) -> User:
        with self._lock:
            user = self._users.get(user_id) or User(id=user_id, name=user_id.lower())
            for key, value in attrs.items():
                setattr(user, key, value)
            self._users[user_id] = user
            return user

    def unreachable(self, user_id: str, error: str = "user_not_found") -> None:
        with self._lock:
            self._unreachable[user_id] = error

    def messages(self, channel: str) -> list[Message]:
        with self._lock:
            return list(self._messages.get(channel, []))

    def upload(self, file_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._uploads[file_id])

    # -- the server ----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        ctype = handler.headers.get("Content-Type", "")
        if body and "application/json" in ctype:
            args.update(json.loads(body))
        elif body and "x-www-form-urlencoded" in ctype and not parts.path.startswith("/upload/"):
            # slack_sdk posts file bytes with urllib's default form content type.
            args.update(parse_qsl(body.decode()))
        _decode_json_fields(args)
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
        elif parts.path.startswith("/upload/"):
            method = "upload"
        else:
            method = "response_url"
        headers = {k.lower(): v for k, v in handler.headers.items()}
        call = Call(method=method, args=args, headers=headers, path=parts.path, body=body)
        with self._lock:
            self._calls.append(call)
            queue = self._scripts.get(method)
            scripted = queue.pop(0) if queue else None

        try:
            self._respond(handler, call, scripted)
        finally:
            with self._handled_one:
                self._handled[method] += 1
                self._handled_one.notify_all()

    def _respond(
        self, handler: BaseHTTPRequestHandler, call: Call, scripted: Scripted | None
    ) -> None:
        if scripted is None:
            self._send(handler, 200, self._answer(call))
        elif scripted == "reset":
            self._drop(handler)
        elif scripted == "reset-after-accept":
            self._answer(call)
            self._drop(handler)
        elif scripted == "timeout":
            time.sleep(self.hang_seconds)
            self._drop(handler)
        elif isinstance(scripted, Mapping):
            self._send(handler, 200, dict(scripted))
        elif isinstance(scripted, tuple):
            status, retry_after = scripted
            self._send(handler, status, {"ok": False, "error": "ratelimited"}, retry_after)
        elif isinstance(scripted, int):
            error = "ratelimited" if scripted == 429 else "fatal_error"
            retry = 1.0 if scripted == 429 else None
            self._send(handler, scripted, {"ok": False, "error": error}, retry)
        else:
            raise ValueError(f"unknown scripted response {scripted!r}")

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any],
        retry_after: float | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            handler.send_header("Retry-After", str(int(retry_after)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        handler.wfile.flush()

    # -- normal behaviour ------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _user(self, user_id: str) -> User:
        with self._lock:
            return self._users.get(user_id) or User(id=user_id, name=user_id.lower())

    def _answer(self, call: Call) -> dict[str, Any]:  # noqa: C901 (one branch per method)
        a = call.args
        m = call.method
        if m == "auth.test":
            team = self.tokens.get(call.token or "", self.team_id)
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": self.team_name,
                "team_id": team,
                "user": "pioneer",
                "user_id": self.bot_user_id,
                "bot_id": "B0001",
                "is_enterprise_install": False,
            }
        if m in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(a.get("channel", ""))
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            msg = Message(
                channel=channel,
                ts=self._next_ts(),
                text=str(a.get("text", "")),
                blocks=list(a.get("blocks") or []),
                metadata=a.get("metadata") if isinstance(a.get("metadata"), dict) else None,
                user=self.bot_user_id,
            )
            if m == "chat.postMessage":
                with self._lock:
                    self._messages.setdefault(channel, []).append(msg)
                return {"ok": True, "channel": channel, "ts": msg.ts, "message": msg.as_json(True)}
            return {"ok": True, "message_ts": msg.ts}
        if m == "chat.update":
            channel, ts = str(a.get("channel", "")), str(a.get("ts", ""))
            with self._lock:
                for msg in self._messages.get(channel, []):
                    if msg.ts == ts:
                        msg.text = str(a.get("text", msg.text))
                        msg.blocks = list(a.get("blocks") or [])
            return {"ok": True, "channel": channel, "ts": ts}
        if m == "conversations.open":
            user_id = str(a.get("users", "")).split(",")[0]
            with self._lock:
                error = self._unreachable.get(user_id)
            if error:
                return {"ok": False, "error": error}
            return {"ok": True, "channel": {"id": f"D{user_id}"}}
        if m == "conversations.history":
            channel = str(a.get("channel", ""))
            with_meta = str(a.get("include_all_metadata", "")).lower() in ("1", "true")
            limit = int(a.get("limit") or 100)
            msgs = list(reversed(self.messages(channel)))[:limit]
            return {
                "ok": True,
                "messages": [msg.as_json(with_meta) for msg in msgs],
                "has_more": False,
            }
        if m in ("views.open", "views.update", "views.publish", "views.push"):
            view = a.get("view") or {}
            return {"ok": True, "view": {"id": f"V{next(self._ids)}", **view}}
        if m == "users.info":
            user = self._user(str(a.get("user", "")))
            return {
                "ok": True,
                "user": {
                    "id": user.id,
                    "name": user.name,
                    "real_name": user.name.title(),
                    "deleted": user.deleted,
                    "is_bot": user.is_bot,
                    "tz": user.tz,
                    "locale": user.locale,
                    "profile": {"display_name": user.name, "real_name": user.name.title()},
                },
            }
        if m == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):05d}"
            with self._lock:
                self._uploads[file_id] = {"filename": a.get("filename"), "content": b""}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if m == "upload":
            file_id = call.path.rsplit("/", 1)[-1]
            with self._lock:
                self._uploads.setdefault(file_id, {})["content"] = call.body
            return {"ok": True}
        if m == "files.completeUploadExternal":
            files = a.get("files") or []
            with self._lock:
                for f in files:
                    self._uploads.setdefault(f["id"], {}).update(
                        title=f.get("title"),
                        channel=a.get("channel_id"),
                        initial_comment=a.get("initial_comment"),
                    )
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if m == "oauth.v2.access":
            code = str(a.get("code", ""))
            team = code.split(":", 1)[1] if ":" in code else self.team_id
            token = f"xoxb-{team}-{next(self._ids)}"
            self.tokens[token] = team
            return {
                "ok": True,
                "app_id": "A0001",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "commands,chat:write,im:write,im:history,users:read",
                "token_type": "bot",
                "access_token": token,
                "bot_user_id": self.bot_user_id,
                "team": {"id": team, "name": self.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": True}
