"""bot/health.py: every check within its time, one failure makes the report an error."""

from __future__ import annotations

import asyncio
import threading

from bot.health import run_checks


def test_a_check_that_hangs_or_fails_makes_the_report_an_error_in_time() -> None:
    release = threading.Event()

    def hangs() -> str:
        release.wait(5)
        return "late"

    def fails() -> str:
        raise RuntimeError("stored tokens cannot be decrypted\nsecond line not shown")

    try:
        healthy, report = asyncio.run(
            run_checks({"database": hangs, "tokens": fails, "ok": lambda: "fine"}, seconds=0.1)
        )
    finally:
        release.set()
    assert not healthy
    assert report == {
        "status": "error",
        "database": "no answer within 0.1 s",
        "tokens": "stored tokens cannot be decrypted",
        "ok": "fine",
    }
    assert asyncio.run(run_checks({"ok": lambda: "fine"})) == (
        True,
        {"status": "ok", "ok": "fine"},
    )
