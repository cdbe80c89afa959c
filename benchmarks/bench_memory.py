"""Benchmark (not a test): the resident memory of an idle `pioneer serve`, next to bare Bolt.

    .venv/bin/python benchmarks/bench_memory.py [--repeats 3] [--no-scheduler]

Starts the real `pioneer serve` (Slack over HTTP against the fake Slack Web API on
127.0.0.1, the scheduler on unless --no-scheduler, one journey in a SQLite database) and a
bare Bolt AsyncApp that only acknowledges, served the same way (aiohttp); waits until each
is idle (for `pioneer serve`: after its scheduler's first pass, seen on /metrics) and reads
its resident set size (VmRSS). The two are started in turns, `--repeats` times; reports
the median of each (goal for `pioneer serve` with its scheduler: at most 90 MB).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.slack_servers import SECRET, TOKEN, free_port  # noqa: E402

# The bare Bolt app, ack only: the same one benchmarks/bench_slack.py runs.
SERVERS = ROOT / "benchmarks" / "slack_servers.py"

FIRST_PASS = re.compile(r'^pioneer_scheduler_passes_total\{outcome="ok"\} ([0-9.]+)$', re.M)


def seed(database_url: str) -> None:
    """A Slack workspace with one journey of ten people: what an idle pass reads."""
    from bot.config import Settings
    from bot.container import Container
    from bot.domain.model import Language
    from tests.databases import migrated
    from tests.seed import workspace_id

    migrated(database_url)
    container = Container(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        workspace = workspace_id(container.uow, "slack", "T0001", "Bench")
        journey = container.journeys.start(
            workspace, "CPLANT", "Plant", "UFAC", Language.EN, "Europe/Amsterdam"
        )
        for n in range(9):
            container.journeys.join(workspace, journey.id, f"U{n:05}")  # type: ignore[arg-type]
    finally:
        container.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1)
            return str(response.read().decode())
    except OSError:
        return None


def measure(cmd: list[str], env: dict[str, str], port: int, scheduler: bool) -> float:
    """RSS of the server once idle: up, its first scheduler pass done, and settled."""
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        cmd, env=env, cwd=tempfile.gettempdir(), stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"{cmd} exited: {err}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{cmd} did not become idle in time")
            if scheduler:
                metrics = _get(f"http://127.0.0.1:{port}/metrics") or ""
                found = FIRST_PASS.search(metrics)
                if found and float(found.group(1)) >= 1:
                    break
            elif _get(f"http://127.0.0.1:{port}/healthz") is not None:
                break
            time.sleep(0.2)
        time.sleep(2)  # what the pass let go of is given back; threads settle
        return rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-scheduler", action="store_true")
    args = parser.parse_args()
    from tests.fakes.slack_api import FakeSlack

    scheduler = not args.no_scheduler
    with tempfile.TemporaryDirectory(prefix="pioneer-memory-") as folder, FakeSlack() as fake:
        database_url = f"sqlite:///{Path(folder) / 'memory.db'}"
        seed(database_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIONEER_"))}
        env |= {
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "LOG_LEVEL": "WARNING",
        }
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(args.repeats):
            port = free_port()
            cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
            cmd += ["--port", str(port)] + ([] if scheduler else ["--no-scheduler"])
            ours.append(measure(cmd, env, port, scheduler))
            port = free_port()
            cmd = [sys.executable, str(SERVERS), "--bare", str(port), fake.api_url]
            bare.append(measure(cmd, env, port, scheduler=False))
    mode = "with its scheduler" if scheduler else "without scheduler"
    print(f"idle resident memory, median of {args.repeats} interleaved runs")
    print(
        f"  pioneer serve ({mode}): {statistics.median(ours):.1f} MB"
        + ("  (goal <= 90 MB)" if scheduler else "")
    )
    print(f"  bare Bolt AsyncApp (ack only): {statistics.median(bare):.1f} MB")
    print(f"  ratio {statistics.median(ours) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
