"""What /healthz reports: each check run off the event loop, each within a short time.

A check returns a short word on what it found ("writable", "3 decrypt") or raises; one
that raises, or has not answered within the time, makes the whole report an error (HTTP
503), so a load balancer stops sending work to a process that would only fail it: the
database's writer lock held by someone else, or stored tokens the current encryption key
cannot open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

Check = Callable[[], str]
# Within Slack's 3 s for the whole report, and short enough for a load balancer's probe.
CHECK_SECONDS = 2.0


async def run_checks(
    checks: Mapping[str, Check], seconds: float = CHECK_SECONDS
) -> tuple[bool, dict[str, str]]:
    """(healthy, the report): `{"status": "ok" | "error", <check>: <what it found>}`."""

    async def one(name: str, check: Check) -> tuple[str, bool, str]:
        try:
            found = await asyncio.wait_for(asyncio.to_thread(check), timeout=seconds + 0.5)
        except TimeoutError:
            return name, False, f"no answer within {seconds:g} s"
        except Exception as exc:
            said = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            return name, False, said
        return name, True, found

    results = await asyncio.gather(*(one(name, check) for name, check in checks.items()))
    healthy = all(ok for _, ok, _ in results)
    report = {"status": "ok" if healthy else "error"} | {name: said for name, _, said in results}
    if not healthy:
        log.warning("health check: %s", ", ".join(f"{k}: {v}" for k, v in report.items()))
    return healthy, report
