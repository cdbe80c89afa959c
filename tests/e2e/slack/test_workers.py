"""`pioneer serve --workers 2`: every worker logs as configured, and /metrics of whichever
worker answers adds up all of them, the scheduler's counts included."""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.about import version
from tests.e2e.serve_process import serving, slack_env, wait_until_healthy
from tests.e2e.slack.conftest import SlackSender
from tests.fakes.slack_api import FakeSlack

COMMANDS = 12
# Every worker sets up its logging: timestamp, level, logger, message.
WORKER_SERVING = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO bot\.web worker (\d) serving", re.M
)


def scrape(url: str) -> dict[str, list[Sample]]:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert found, (name, labels, samples)
    return sum(found)


def with_patience(wait: Callable[[], None], tries: int = 3) -> None:
    for attempt in range(tries):
        try:
            wait()
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def test_two_workers_share_one_metrics_view(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = slack_env(database_url, fake_slack, LOG_LEVEL="INFO")
    with serving(env, tmp_path, "--workers", "2", stop_within=30) as served:
        url = served.url
        # Three interpreters start on a machine that may be busy: be patient, and wait for
        # both workers (the first to listen answers /healthz for both).
        with_patience(lambda: wait_until_healthy(url, served.process))
        deadline = time.monotonic() + 60
        while set(WORKER_SERVING.findall(served.err_so_far())) != {"0", "1"}:
            assert time.monotonic() < deadline, served.err_so_far()
            time.sleep(0.1)
        # The scheduler (in the process that started the workers) passes once at start.
        deadline = time.monotonic() + 20
        while True:
            families = scrape(url)
            passes = families.get("pioneer_scheduler_passes", [])
            if any(s.value >= 1 for s in passes if s.labels.get("outcome") == "ok"):
                break
            assert time.monotonic() < deadline, sorted(families)
            time.sleep(0.1)
        # Each command is a new connection; the kernel spreads them over both workers.
        slack = SlackSender(url, fake_slack)
        for _ in range(COMMANDS):
            assert slack.command("help").status == 200
        for _ in range(5):  # whichever worker answers the scrape, the sum is the same
            families = scrape(url)
            requests = families["pioneer_http_requests"]
            assert value(requests, "pioneer_http_requests_total", route="slack_events") == COMMANDS
    err = served.err
    assert served.process.returncode == 0, err

    assert value(families["pioneer_scheduler_passes"], "pioneer_scheduler_passes_total") >= 1
    assert {s.labels["outcome"] for s in families["pioneer_dispatch_messages"]} >= {
        "sent",
        "failed_attempt",
    }
    last = value(
        families["pioneer_scheduler_last_success_timestamp_seconds"],
        "pioneer_scheduler_last_success_timestamp_seconds",
    )
    assert time.time() - 120 < last <= time.time()
    assert "pioneer_deliveries_retrying" in families
    assert value(families["process_cpu_seconds"], "process_cpu_seconds_total") > 0
    assert families["python_info"] and families["process_resident_memory_bytes"]
    build = families["pioneer_build_info"]
    assert build[0].labels["version"] == version() and build[0].value == 1

    assert set(WORKER_SERVING.findall(err)) == {"0", "1"}, err
