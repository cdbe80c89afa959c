"""Benchmark (not a test): poll clicks on Pioneer, a hand-written peer and a bare Bolt app.

    .venv/bin/python benchmarks/bench_slack.py [--seconds 5] [--concurrency 1 10 50]
                                               [--repeats 3] [--database-url URL]
    PATH=$PWD/.venv/bin:$PATH scripts/with-postgres .venv/bin/python benchmarks/bench_slack.py

Three servers run side by side, all on 127.0.0.1, all answering the same signed
`block_actions` clicks:
- `pioneer serve` on a fresh SQLite file (or --database-url, else
  $PIONEER_TEST_DATABASE_URL), seeded with a journey of 200 people and enough open pulse
  polls that every click of the whole benchmark lands on a poll of its own (a team
  answering a poll: each click records an answer, none changes one). The answer is
  committed before the ack; the message is redrawn through chat.update after it;
- the peer, `benchmarks/peer_app.py`: the same click written by hand with slack-bolt and
  SQLAlchemy (insert one row, commit, chat.update), on its own SQLite file or its own table
  in the same PostgreSQL database;
- a bare Bolt AsyncApp that only acks, the ceiling of the framework (it stores nothing).
Both Web API clients talk to the fake Slack Web API (tests/fakes/slack_api.py), which runs
in a process of its own so it does not share the load generator's interpreter.

Runs are interleaved: each repetition runs every concurrency on every server in turn (the
servers' order rotating), and the table shows the median of the repetitions, so a noisy
neighbour on a shared machine hits all three alike. Afterwards the answers are counted in
each database: every click a server acknowledged must be stored there.

Load (benchmarks/slack_load.py): an aiohttp client loop (default) or `wrk`. Requests are
signed with a timestamp taken just before each run, so they stay inside Slack's 5-minute
window.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.slack_load import Result, load_aiohttp, load_wrk  # noqa: E402
from benchmarks.slack_servers import (  # noqa: E402
    PEOPLE,
    SECRET,
    TOKEN,
    FakeProcess,
    click_body,
    count_answers,
    cpu_seconds,
    free_port,
    seed,
    start,
    stop,
)

# -- main ------------------------------------------------------------------------------------------
PIONEER, PEER, BARE = "pioneer serve", "peer (by hand)", "bare Bolt (ack only)"
GOALS = {  # (database, concurrency): (Pioneer / peer at least, p99 ms below)
    ("sqlite", 1): (1.2, None),
    ("sqlite", 50): (3.0, 60.0),
    ("postgresql", 1): (1.2, None),
    ("postgresql", 50): (3.0, 80.0),
}


class Clicks:
    """Click bodies for one server, each on a poll of its own, handed out in order."""

    def __init__(self, polls: list[tuple[str, int]], fake_url: str) -> None:
        self._polls = polls
        self._fake_url = fake_url
        self.next = 0

    def bodies(self, budget: int) -> list[str]:
        chosen = self._polls[self.next : self.next + budget]
        return [click_body(u, d, 1 + d % 5, self._fake_url) for u, d in chosen]

    def used(self, count: int) -> None:
        self.next += count

    def left(self) -> int:
        return len(self._polls) - self.next


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:  # noqa: C901, PLR0915 (one script, read top to bottom)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--tool", choices=["wrk", "aiohttp"], default="aiohttp")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PIONEER_TEST_DATABASE_URL"),
        help="default: $PIONEER_TEST_DATABASE_URL (scripts/with-postgres), else fresh SQLite",
    )
    parser.add_argument(
        "--rate-budget",
        type=int,
        default=2500,
        help="clicks a second a run may use at most (polls seeded = this × seconds per run)",
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=["pioneer", "peer", "bare"],
        default=["pioneer", "peer", "bare"],
    )
    parser.add_argument("--workers", type=int, default=1, help="pioneer serve --workers")
    parser.add_argument(
        "--with-scheduler",
        action="store_true",
        help="let serve run its ritual scheduler too (default: measure the click path alone)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pioneer-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'pioneer.db'}"
    sqlite = database_url.startswith("sqlite")
    peer_url = f"sqlite:///{workdir / 'peer.db'}" if sqlite else database_url
    database = "sqlite" if sqlite else "postgresql"
    names = {"pioneer": PIONEER, "peer": PEER, "bare": BARE}
    servers = [names[s] for s in args.servers]
    runs = args.repeats * len(args.concurrency) + 1  # and a warm-up
    budget = int(args.rate_budget * args.seconds)

    from benchmarks.peer_app import Base as PeerBase
    from benchmarks.peer_app import count_rows, peer_engine

    engine = peer_engine(peer_url)  # a fresh table for the peer
    PeerBase.metadata.drop_all(engine)
    PeerBase.metadata.create_all(engine)
    engine.dispose()

    fake = FakeProcess()
    began = time.perf_counter()
    polls = seed(database_url, budget * runs) if PIONEER in servers else []
    print(f"seeded {len(polls)} polls in {time.perf_counter() - began:.0f} s", flush=True)
    # The peer and the bare app need no seeded polls, only ids no other click of theirs uses.
    fake_polls = [(f"U{n % PEOPLE:05d}", n) for n in range(1, 3 * budget * runs + 1)]
    clicks = {
        PIONEER: Clicks(polls, fake.url),
        PEER: Clicks(fake_polls, fake.url),
        BARE: Clicks(fake_polls, fake.url),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIONEER_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "LOG_LEVEL": "WARNING",
    }
    tool = load_wrk if args.tool == "wrk" else load_aiohttp
    processes: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    pids: dict[str, int] = {}
    try:
        for name in servers:
            port = free_port()
            if name == PIONEER:
                cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
                cmd += ["--port", str(port), "--workers", str(args.workers)]
                if not args.with_scheduler:
                    cmd.append("--no-scheduler")
            elif name == PEER:
                cmd = [
                    sys.executable,
                    str(ROOT / "benchmarks" / "peer_app.py"),
                    "--port",
                    str(port),
                ]
                cmd += ["--database-url", peer_url, "--api-url", fake.api_url]
            else:
                cmd = [sys.executable, str(ROOT / "benchmarks" / "slack_servers.py"), "--bare"]
                cmd += [str(port), fake.api_url]
            processes.append(start(cmd, env, port))
            urls[name] = f"http://127.0.0.1:{port}/slack/events"
            pids[name] = processes[-1].pid

        def drained() -> tuple[int, float]:
            """Redraws still arriving after a run: wait (bounded) until they stop."""
            began = last = time.perf_counter()
            seen = fake.updates()
            while time.perf_counter() - last < 0.5 and time.perf_counter() - began < 120:
                time.sleep(0.05)
                now = fake.updates()
                if now != seen:
                    seen, last = now, time.perf_counter()
            return seen, max(0.0, last - began)

        def run(name: str, concurrency: int, seconds: float) -> Result:
            source = clicks[name]
            bodies = source.bodies(budget if name == PIONEER else 3 * budget)
            before, cpu = fake.updates(), cpu_seconds(pids[name])
            result = tool(urls[name], bodies, concurrency, seconds, SECRET)
            source.used(result.requests)
            result.redraws = fake.updates() - before
            _, result.drain_s = drained()
            # Robust to a busy machine, unlike req/s: the work each click cost the server.
            result.cpu_ms = 1000 * (cpu_seconds(pids[name]) - cpu) / max(1, result.requests)
            if result.exhausted:
                print(f"  {name} c={concurrency}: ran out of polls; raise --rate-budget")
            return result

        acked = dict.fromkeys(servers, 0)
        for name in servers:  # warm-up: imports, auth.test, connections
            acked[name] += run(name, 5, 1.0).acked
        results: dict[str, dict[int, list[Result]]] = {
            n: {c: [] for c in args.concurrency} for n in servers
        }
        for repeat in range(args.repeats):
            order = servers[repeat % len(servers) :] + servers[: repeat % len(servers)]
            for c in args.concurrency:
                for name in order:
                    result = run(name, c, args.seconds)
                    acked[name] += result.acked
                    results[name][c].append(result)
                    print(
                        f"  rep {repeat + 1} c={c:<3} {name:22} {result.rps:7.0f} req/s "
                        f"p99 {result.p99_ms:6.1f} ms, CPU {result.cpu_ms:.2f} ms a click",
                        flush=True,
                    )
    finally:
        for process in processes:
            stop(process)
        fake.close()

    stored: dict[str, tuple[int, int]] = {}
    if PIONEER in servers:
        ids = [d for _, d in polls]
        stored[PIONEER] = count_answers(database_url, (min(ids), max(ids)))
    if PEER in servers:
        stored[PEER] = count_rows(peer_url)

    print(
        f"\nSigned poll clicks, {args.tool}, {args.seconds:.0f} s per run, median of "
        f"{args.repeats} interleaved repetitions, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, database {database}"
    )
    columns = ("req/s", "p50 ms", "p99 ms", "CPU ms", "requests", "errors", "redraws", "drain s")
    print(f"{'server':22} {'c':>3} " + " ".join(f"{h:>9}" for h in columns))
    for name, by_c in results.items():
        for c, rs in by_c.items():
            cells = (
                f"{median([r.rps for r in rs]):.0f}",
                f"{median([r.p50_ms for r in rs]):.1f}",
                f"{median([r.p99_ms for r in rs]):.1f}",
                f"{median([r.cpu_ms for r in rs]):.2f}",
                sum(r.requests for r in rs),
                sum(r.errors for r in rs),
                sum(r.redraws for r in rs),
                f"{max(r.drain_s for r in rs):.1f}",
            )
            print(f"{name:22} {c:>3} " + " ".join(f"{v:>9}" for v in cells))
    for name, (rows, distinct) in stored.items():
        ok = rows == distinct and rows >= acked[name]
        print(
            f"{name}: clicks acknowledged {acked[name]} (warm-up included), answers stored "
            f"{rows} on {distinct} polls -> every acknowledged click stored, each once: "
            f"{'yes' if ok else 'NO'}"
        )
    if PIONEER in servers and PEER in servers:
        ours, peer = results[PIONEER], results[PEER]
        print("\n| path | Pioneer | peer | ratio | goal |\n|---|---|---|---|---|")
        for c in args.concurrency:
            mine, theirs = median([r.rps for r in ours[c]]), median([r.rps for r in peer[c]])
            p99 = median([r.p99_ms for r in ours[c]])
            ratio = mine / theirs
            goal = GOALS.get((database, c))
            verdict = "—"
            if goal is not None:
                least, below = goal
                met = ratio >= least and (below is None or p99 < below)
                verdict = f"≥ {least:g}" + (f", p99 < {below:g} ms" if below else "")
                verdict += ": met" if met else ": NOT met"
            print(
                f"| click, {database} c={c} | {mine:,.0f} req/s, p99 {p99:.1f} ms | "
                f"{theirs:,.0f}, p99 {median([r.p99_ms for r in peer[c]]):.1f} ms | "
                f"{ratio:.2f} | {verdict} |"
            )
        per_rep = {
            c: [f"{a.rps / b.rps:.2f}" for a, b in zip(ours[c], peer[c], strict=True)]
            for c in args.concurrency
        }
        print(f"Pioneer / peer per repetition: {per_rep}")
    if PIONEER in servers and BARE in servers:
        for c in args.concurrency:
            mine = median([r.rps for r in results[PIONEER][c]])
            print(f"c={c}: pioneer / bare = {mine / median([r.rps for r in results[BARE][c]]):.2f}")
    print(
        "redraws: chat.update calls the fake Slack received during the runs; drain s: how "
        "long the last redraws took to arrive once the load stopped (the peer redraws "
        "before its ack, Pioneer after); CPU ms: the server's CPU time per click, "
        "redraws included (steadier than req/s on a busy machine)"
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
