"""The load of benchmarks/bench_slack.py: signed Slack requests, from wrk or an aiohttp loop.

Both post the bodies to one URL, signed as Slack signs (one timestamp per run, so a run
stays inside Slack's 5-minute window), and report requests a second and latencies. Every
body is sent at most once: the connections take the next unsent body, never one another
connection sent (a poll clicked twice would change an answer rather than record one, and
the server would rightly refuse a repeated signature as a replay). A run that uses up its
bodies ends early; `Result.exhausted` says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass


def signed(bodies: list[str], secret: str) -> tuple[str, list[str]]:
    """One timestamp, taken now, and each body's Slack signature with it."""
    ts = str(int(time.time()))
    sigs = [
        "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{b}".encode(), hashlib.sha256).hexdigest()
        for b in bodies
    ]
    return ts, sigs


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    redraws: int = 0  # chat.update calls the fake Slack answered during the run
    drain_s: float = 0.0  # how long the redraws still pending at the end took to arrive
    exhausted: bool = False  # every body was sent before the time was up
    cpu_ms: float = 0.0  # the server's CPU time per request, its redraws included

    @property
    def acked(self) -> int:
        return self.requests - self.errors


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def load_wrk(url: str, bodies: list[str], concurrency: int, seconds: float, secret: str) -> Result:
    ts, sigs = signed(bodies, secret)
    lua = "\n".join(
        [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
            f'wrk.headers["X-Slack-Request-Timestamp"] = "{ts}"',
            "local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}",
            "local sigs = {" + ",".join(json.dumps(s) for s in sigs) + "}",
            # Thread k of n sends bodies k+1, k+1+n, ...: no body is sent twice; a thread
            # that has sent its share stops.
            "local threads = 0",
            "function setup(thread)",
            "  thread:set('first', threads)",
            "  threads = threads + 1",
            "end",
            "local i, step",
            "function init(args) i = tonumber(first) + 1; step = tonumber(threads) end",
            "request = function()",
            # Past its share: stop, and meanwhile ask for something that is not a click.
            '  if i > #bodies then wrk.thread:stop() return wrk.format("GET", "/healthz") end',
            '  wrk.headers["X-Slack-Signature"] = sigs[i]',
            "  local body = bodies[i]",
            "  i = i + step",
            '  return wrk.format("POST", "/slack/events", nil, body)',
            "end",
        ]
    )
    threads = min(2, concurrency)
    lua = lua.replace("tonumber(threads)", str(threads))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    wrk = shutil.which("wrk") or "wrk"
    out = subprocess.run(  # noqa: S603
        [
            wrk,
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Result(rps, p50, p99, total, errors, exhausted=total >= len(bodies))


def load_aiohttp(
    url: str, bodies: list[str], concurrency: int, seconds: float, secret: str
) -> Result:
    import aiohttp

    ts, sigs = signed(bodies, secret)
    latencies: list[float] = []
    errors = 0
    sent = 0  # the next body to send: shared, so no two connections send the same one

    async def worker(session: aiohttp.ClientSession, deadline: float) -> None:
        nonlocal errors, sent
        while time.perf_counter() < deadline and sent < len(bodies):
            i = sent
            sent += 1
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sigs[i],
            }
            began = time.perf_counter()
            try:
                async with session.post(url, data=bodies[i], headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - began)

    async def main() -> float:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            began = time.perf_counter()
            deadline = began + seconds
            await asyncio.gather(*(worker(session, deadline) for _ in range(concurrency)))
            return time.perf_counter() - began

    elapsed = asyncio.run(main())
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Result(
        len(latencies) / elapsed,
        statistics.median(ordered) * 1000,
        p99 * 1000,
        len(latencies),
        errors,
        exhausted=sent >= len(bodies),
    )
