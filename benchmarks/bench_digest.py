"""Benchmark: build one weekly digest over a journey of 5,000 members and 52 weeks.

Loads answers in steps (default 50k, 100k, 250k, 500k rows, each spread over all 52
weeks, with one delivery per answer) using bulk `insert()` with 1,000 rows per commit,
and after each step, in a fresh child process, times the first `DigestService.build` for
the last week (it also fixes every closed week's figures), then computing it again (median
of several runs, what a preview or a late send costs) and measures its peak memory.

    .venv/bin/python benchmarks/bench_digest.py                      # SQLite in a temp dir
    PATH=$PWD/.venv/bin:$PATH scripts/with-postgres .venv/bin/python benchmarks/bench_digest.py

With PIONEER_TEST_DATABASE_URL set (scripts/with-postgres does that) it runs on that
PostgreSQL database, whose public schema it drops and recreates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bot.app.digests import DigestService  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.domain.digest.weeks import shift_week, week_of  # noqa: E402
from bot.domain.model import Phase, PromptKind  # noqa: E402
from prompts.catalog import load_catalog  # noqa: E402
from prompts.themes import load_themes  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import (  # noqa: E402
    AnswerRow,
    DeliveryRow,
    JourneyRow,
    MemberRow,
    PhaseChangeRow,
    WorkspaceRow,
)
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402
from tests.databases import migrated  # noqa: E402

CHUNK = 1_000
START = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)  # Monday of 2025-W49
# Weeks spent in each phase, in order (the rest of the 52 weeks is action).
PHASE_WEEKS = ((Phase.AWARENESS, 4), (Phase.INTEREST, 12), (Phase.DESIRE, 16))
TEXTS = (
    "Te weinig tijd om te verkennen naast het gewone werk.",
    "We need training before the robots arrive.",
    "Wat betekent dit voor mijn baan?",
    "Customers ask about the subscription price.",
    "Ik werk liever met mijn handen.",
)


def phase_of_week(index: int) -> Phase:
    for phase, weeks in PHASE_WEEKS:
        if index < weeks:
            return phase
        index -= weeks
    return Phase.ACTION


def seed_journey(url: str, members: int, weeks: int) -> dict[str, Any]:
    engine = make_engine(url)
    rng = random.Random(1)
    with engine.begin() as conn:
        workspace_id = conn.execute(
            insert(WorkspaceRow).returning(WorkspaceRow.id),
            {"platform": "console", "external_id": "BENCH", "name": "Bench", "created_at": START},
        ).scalar_one()
        journey_id = conn.execute(
            insert(JourneyRow).returning(JourneyRow.id),
            {
                "workspace_id": workspace_id,
                "name": "Bench plant",
                "channel": "C-BENCH",
                "language": "en",
                "timezone": "Europe/Amsterdam",
                "phase": Phase.ACTION.value,
                "phase_since": START,
                "started_at": START,
                "anonymity_threshold": 5,
                "paused": False,
                "working_days": "mon-fri",
                "holidays": [],
            },
        ).scalar_one()
        roles = []
        for i in range(members):
            if i < 5:
                r = "director"
            elif i < 8:
                r = "facilitator"
            elif i < 10:
                r = "learning"
            elif i < 10 + members // 10:
                r = "frontrunner"
            else:
                r = "follower"
            roles.append(r)
        for start in range(0, members, CHUNK):
            conn.execute(
                insert(MemberRow),
                [
                    {
                        "workspace_id": workspace_id,
                        "journey_id": journey_id,
                        "user": f"U{i:06d}",
                        "display_name": "",
                        "roles": roles[i],
                    }
                    for i in range(start, min(members, start + CHUNK))
                ],
            )
        member_ids = list(
            conn.execute(
                text("SELECT id FROM members WHERE journey_id = :j ORDER BY id"), {"j": journey_id}
            ).scalars()
        )
        week_index = 0
        previous = Phase.AWARENESS
        for phase, span in PHASE_WEEKS:
            week_index += span
            nxt = phase.next()
            assert nxt is not None
            conn.execute(
                insert(PhaseChangeRow),
                {
                    "workspace_id": workspace_id,
                    "journey_id": journey_id,
                    "actor_member_id": member_ids[5],
                    "at": START + timedelta(weeks=week_index),
                    "from_phase": previous.value,
                    "to_phase": nxt.value,
                    "reason": "bench",
                },
            )
            previous = nxt
    engine.dispose()
    rng.shuffle(member_ids)
    return {
        "workspace_id": workspace_id,
        "journey_id": journey_id,
        "members": dict(zip(member_ids, [roles[i] for i in range(members)], strict=True)),
        "weeks": weeks,
    }


def load(url: str, seed: dict[str, Any], rows: int, offset: int) -> float:
    """Add `rows` answers (and their deliveries) spread over every week; return seconds."""
    catalog = load_catalog()
    by_phase = {phase: catalog.select(phase=phase) for phase in Phase}
    members = list(seed["members"].items())
    weeks = seed["weeks"]
    rng = random.Random(offset)
    engine = make_engine(url)
    began = time.perf_counter()
    deliveries: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as conn:
            conn.execute(insert(DeliveryRow), deliveries)
            conn.execute(insert(AnswerRow), answers)
        deliveries.clear()
        answers.clear()

    for n in range(rows):
        ident = offset + n + 1
        week_index = n % weeks
        phase = phase_of_week(week_index)
        prompt = rng.choice(by_phase[phase])
        member_id, role = members[rng.randrange(len(members))]
        moment = START + timedelta(weeks=week_index, days=rng.randrange(5), hours=2)
        is_pulse = prompt.kind is PromptKind.PULSE
        # What a delivery and its answer share: whom it asked what, in which phase.
        asked = {
            "id": ident,
            "workspace_id": seed["workspace_id"],
            "journey_id": seed["journey_id"],
            "member_id": member_id,
            "prompt_id": prompt.id,
            "kind": prompt.kind.value,
            "phase": phase.value,
            "perspective": prompt.perspective.value,
            "signal": prompt.signal.value,
        }
        deliveries.append(
            asked
            | {
                "ritual_key": "bench",
                "occurrence": f"o{ident}",
                "created_at": moment,
                "due_at": moment,
                "closes_at": moment + timedelta(days=3),
                "status": "sent",
                "attempts": 1,
                "sent_at": moment,
            }
        )
        answers.append(
            asked
            | {
                "delivery_id": ident,
                "roles": role,
                "value": 1 + rng.randrange(5) if is_pulse else None,
                "text": None if is_pulse else rng.choice(TEXTS),
                "answered_at": moment + timedelta(hours=1),
                "iso_week": week_of((moment + timedelta(hours=1)).date()),
            }
        )
        if len(answers) == CHUNK:
            flush()
    if answers:
        flush()
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - began


def measure(url: str, workspace_id: int, journey_id: int, week: str, runs: int) -> dict[str, Any]:
    """In this (fresh) process: median build time, then peak memory of one build."""
    engine = make_engine(url)
    with engine.begin() as conn:  # what an earlier step fixed was computed from fewer rows
        conn.execute(text("DELETE FROM week_figures"))
        conn.execute(text("DELETE FROM digests"))
    uow = SqlUnitOfWorkFactory(make_session_factory(engine))
    clock = FixedClock(datetime.now(UTC))
    service = DigestService(uow, clock, theme_rules=load_themes())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The first build also fixes every closed week's figures (bot/domain/digest/published.py);
    # a stored digest of a week that is over is final, so later builds only read it back:
    # the runs compute the digest again, as a preview or a late send would.
    began = time.perf_counter()
    service.build(workspace_id, journey_id, week)
    first_build = time.perf_counter() - began
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        view = service.compute(workspace_id, journey_id, week)
        times.append(time.perf_counter() - began)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    service.compute(workspace_id, journey_id, week)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.dispose()
    return {
        "first_build_s": first_build,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "traced_peak_mb": traced_peak / 2**20,
        "rss_peak_mb": rss_after / 1024,
        "rss_growth_mb": (rss_after - rss_before) / 1024,
        "nudges": [n.rule for n in view.nudges],
        "respondents_this_week": view.participation[0].answered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="50000,100000,250000,500000")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("PIONEER_TEST_DATABASE_URL"))
    parser.add_argument("--measure", nargs=4, metavar=("URL", "WS", "JOURNEY", "WEEK"))
    args = parser.parse_args()
    if args.measure:
        url, ws, journey, week = args.measure
        print(json.dumps(measure(url, int(ws), int(journey), week, args.runs)))
        return

    folder = None
    url = args.database_url
    if not url:
        folder = tempfile.TemporaryDirectory(prefix="pioneer-bench-")
        url = f"sqlite:///{folder.name}/bench.db"
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    migrated(url)
    seed = seed_journey(url, args.members, args.weeks)
    week = shift_week(week_of(START.date()), args.weeks - 1)
    print(f"backend={backend} members={args.members} weeks={args.weeks} digest week={week}")
    print(f"{'rows':>8} {'load s':>7} {'first s':>7} {'median s':>9} {'min s':>7} {'max s':>7} "
          f"{'traced MB':>9} {'rss MB':>7}  nudges")  # fmt: skip
    loaded = 0
    for step in [int(s) for s in args.steps.split(",")]:
        load_s = load(url, seed, step - loaded, loaded)
        loaded = step
        child = subprocess.run(  # noqa: S603 (our own script: a fresh process, its own memory)
            [
                sys.executable,
                __file__,
                "--runs",
                str(args.runs),
                "--measure",
                url,
                str(seed["workspace_id"]),
                str(seed["journey_id"]),
                week,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.exit(f"measuring at {step} rows failed:\n{child.stderr}")
        r = json.loads(child.stdout)
        print(
            f"{step:>8} {load_s:>7.1f} {r['first_build_s']:>7.3f} {r['median_s']:>9.3f} "
            f"{r['min_s']:>7.3f} "
            f"{r['max_s']:>7.3f} {r['traced_peak_mb']:>9.1f} {r['rss_peak_mb']:>7.1f}  "
            f"{','.join(r['nudges'])}"
        )
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    main()
