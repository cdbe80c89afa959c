"""A small fake of the Slack Web API on 127.0.0.1, for the real `slack_sdk` clients.

Start it, point `WebClient(base_url=fake.api_url)` / `SLACK_API_URL` at it, and assert on
what Slack would have received::

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="D1", text="hi")
        assert fake.calls_to("chat.postMessage")[0].args["text"] == "hi"

It serves POST or GET ``/api/<method>`` (form, query and JSON arguments merged into
``Call.args``); what each method answers, and the people, messages and files it keeps, is
`SlackMethods` in tests/fakes/slack_methods.py. Any other path (a ``response_url`` such as
``<url>/response/1``) is recorded with method ``"response_url"`` and answered
``{"ok": true}``.

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

`limit_every(method, n, retry_after)` answers every n-th call of `method` with HTTP 429
(without effect) for as long as the fake runs; `latency` delays every answer, and
`max_in_flight` is the most calls that were being answered at once.
"""

from __future__ import annotations

import collections
import contextlib
import json
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.slack_methods import Call, Message, SlackMethods, User

__all__ = ["Call", "FakeSlack", "Message", "Scripted", "User"]

Scripted = int | tuple[int, float] | str | Mapping[str, Any]


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded calls carry blocks/metadata/view as JSON strings; tests want objects."""
    for key in ("blocks", "metadata", "view", "attachments", "files"):
        value = args.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


class FakeSlack(SlackMethods):
    def __init__(
        self,
        team_id: str = "T0001",
        team_name: str = "Fake Team",
        bot_user_id: str = "UBOT",
        hang_seconds: float = 3.0,
    ) -> None:
        super().__init__(team_id, team_name, bot_user_id)
        self.hang_seconds = hang_seconds
        self._handled_one = threading.Condition(self._lock)
        self._handled: collections.Counter[str] = collections.Counter()
        self._calls: list[Call] = []
        self._scripts: dict[str, list[Scripted]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._every: dict[str, tuple[int, float]] = {}
        self._seen: collections.Counter[str] = collections.Counter()
        self.latency = 0.0
        self.in_flight = 0
        self.max_in_flight = 0

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

    def __exit__(self, *exc_info: object) -> None:
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

    def limit_every(self, method: str, n: int, retry_after: float = 1.0) -> None:
        """Every n-th call of `method` (counting every call) gets 429 with Retry-After."""
        with self._lock:
            self._every[method] = (n, retry_after)

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
            self._seen[method] += 1
            every = self._every.get(method)
            if scripted is None and every and self._seen[method] % every[0] == 0:
                scripted = (429, every[1])
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

        try:
            if self.latency:
                time.sleep(self.latency)
            self._respond(handler, call, scripted)
        finally:
            with self._handled_one:
                self.in_flight -= 1
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
