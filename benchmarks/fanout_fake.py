"""The fake Slack API of benchmarks/bench_fanout.py, and the bare aiohttp loop it is
compared with: what a team would write by hand to make the same calls.

The fake (tests/fakes/slack_api.py with a token bucket and controls under /bench/) runs as
a child process: `start_fake` starts this file, which serves until its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlack  # noqa: E402


class BenchSlack(FakeSlack):
    """The fake with Slack's behaviour over a rate limit (429 and Retry-After in seconds)
    when `rate` is set, and a few controls for the benchmark under /bench/."""

    def __init__(self) -> None:
        super().__init__()
        self.rate = 0.0
        self.tokens = 0.0
        self.stamp = time.monotonic()
        self.limited = 0
        self.bucket_lock = threading.Lock()

    def _take(self) -> float:
        """0 if a token was taken, else seconds until one is free."""
        with self.bucket_lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            self.limited += 1
            return (1 - self.tokens) / self.rate

    def _stats(self) -> dict[str, Any]:
        with self._lock:
            keys: Counter[str] = Counter()
            sample: dict[str, Any] = {}
            for messages in self._messages.values():
                for message in messages:
                    payload = (message.metadata or {}).get("event_payload") or {}
                    if "key" in payload:
                        keys[str(payload["key"])] += 1
                    if not sample and message.blocks:
                        sample = {"text": message.text, "blocks": message.blocks}
            methods = Counter(call.method for call in self._calls)
        return {"limited": self.limited, "keys": keys, "calls": methods, "sample": sample}

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        if parts.path == "/bench/stats":
            self._send(handler, 200, self._stats())
            return
        if parts.path == "/bench/reset":
            query = dict(parse_qsl(parts.query))
            with self._lock:
                self._messages.clear()
                self._calls.clear()
                self._seen.clear()
                self._every.clear()
            if int(query.get("every", 0)):
                self.limit_every("chat.postMessage", int(query["every"]), 1)
            with self.bucket_lock:
                self.rate = float(query.get("rate", 0))
                self.tokens = 0.0  # no free burst in the figure
                self.stamp = time.monotonic()
                self.limited = 0
            self._send(handler, 200, {"ok": True})
            return
        if self.rate and parts.path.endswith("/chat.postMessage"):
            wait = self._take()
            if wait > 0:
                length = int(handler.headers.get("Content-Length") or 0)
                if length:
                    handler.rfile.read(length)
                self._send(handler, 429, {"ok": False, "error": "ratelimited"}, math.ceil(wait))
                return
        super()._handle(handler)


def serve_fake() -> None:
    """Child process: the fake on its own core (it costs as much CPU as we do)."""
    with BenchSlack() as fake:
        print(fake.api_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1)
        result: dict[str, Any] = json.loads(response.read())
    return result


@dataclass
class Run:
    sent: int
    seconds: float
    deliveries: int
    duplicates: int
    lost: int
    calls: dict[str, int]
    limited: int = 0

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def _bare(
    api_url: str, per_user: dict[str, int], concurrency: int, sample: dict[str, Any]
) -> int:
    headers = {"Authorization": "Bearer xoxb-bench"}
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def call(method: str, payload: dict[str, Any]) -> dict[str, Any]:
            async with gate, session.post(api_url + method, json=payload) as response:
                body: dict[str, Any] = await response.json()
            assert body.get("ok"), body
            return body

        async def person(user: str, count: int) -> int:
            opened = await call("conversations.open", {"users": user})
            channel = opened["channel"]["id"]
            for n in range(count):
                await call(
                    "chat.postMessage",
                    {
                        "channel": channel,
                        "text": sample.get("text", ""),
                        "blocks": sample.get("blocks", []),
                        "unfurl_links": False,
                        "unfurl_media": False,
                        "metadata": {
                            "event_type": "pioneer_delivery",
                            "event_payload": {"key": f"bare-{user}-{n}"},
                        },
                    },
                )
            return count

        sent = await asyncio.gather(*(person(u, n) for u, n in per_user.items()))
    return sum(sent)


def bare_fanout(
    api_url: str, per_user: dict[str, int], concurrency: int, sample: dict[str, Any]
) -> Run:
    base = api_url.removesuffix("api/")
    get_json(base + "bench/reset")
    started = time.perf_counter()
    sent = asyncio.run(_bare(api_url, per_user, concurrency, sample))
    elapsed = time.perf_counter() - started
    stats = get_json(base + "bench/stats")
    keys = stats["keys"]
    expected = sum(per_user.values())
    return Run(
        sent=sent,
        seconds=elapsed,
        deliveries=expected,
        duplicates=sum(n - 1 for n in keys.values() if n > 1),
        lost=expected - len(keys),
        calls=stats["calls"],
    )


def start_fake() -> tuple[subprocess.Popen[str], str]:
    child = subprocess.Popen(  # noqa: S603 (this very script, by absolute path)
        [sys.executable, __file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


def stop_fake(child: subprocess.Popen[str]) -> None:
    if child.stdin:
        child.stdin.close()
    child.wait(timeout=30)
    if child.stdout:
        child.stdout.close()


if __name__ == "__main__":
    serve_fake()
