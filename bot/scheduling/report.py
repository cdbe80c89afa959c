"""What a dispatcher pass did: its report (for `pioneer tick`, logs and tests) and totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SentLine:
    delivery_id: int
    journey_id: int
    user: str
    ritual_key: str
    occurrence: str
    question: str
    status: str  # sent | unreachable | failed | would-send
    reminder: bool = False
    error: str | None = None


@dataclass
class PassReport:
    at: datetime
    dry_run: bool = False
    skipped: bool = False  # another process is this (SQLite) database's scheduler
    planned: bool = True  # False: another replica was planning (it records what fell due)
    recorded: int = 0
    missed: int = 0
    expired: int = 0
    digests: int = 0
    digest_messages: int = 0  # sent by resuming digests left unsent
    lines: list[SentLine] = field(default_factory=list)
    unfinished: int = 0  # workspaces that stopped at the pass's time box with more to send
    held: int = 0  # workspaces another sender had (another replica, or this process)

    def count(self, status: str, reminder: bool = False) -> int:
        return sum(1 for x in self.lines if x.status == status and x.reminder == reminder)


@dataclass
class Totals:
    """Running counts for logs and /metrics."""

    sent: int = 0
    reminded: int = 0
    unreachable: int = 0
    failed: int = 0
    missed: int = 0
    recovered: int = 0
    rate_limited: int = 0


def describe(report: PassReport) -> list[str]:
    when = report.at.isoformat(timespec="seconds")
    if report.skipped:
        return [f"{when}: another dispatcher pass holds the lock; this one sent nothing."]
    out = []
    for line in report.lines:
        what = "reminder" if line.reminder else line.ritual_key
        verb = {"sent": "sent", "would-send": "would send", "unreachable": "unreachable"}.get(
            line.status, "still pending"
        )
        extra = f" ({line.error})" if line.error and line.status != "sent" else ""
        ref = f" #{line.delivery_id}" if line.delivery_id else ""
        out.append(f"{verb}: {what} {line.occurrence} to {line.user}{ref}: {line.question}{extra}")
    sent = sum(1 for x in report.lines if x.status == "sent")
    would = sum(1 for x in report.lines if x.status == "would-send")
    pending = sum(1 for x in report.lines if x.status == "failed")
    head = "dry run" if report.dry_run else "tick"
    out.append(
        f"{head} {when}: recorded {report.recorded}, missed {report.missed}, "
        f"expired {report.expired}, "
        + (f"would send {would}" if report.dry_run else f"sent {sent}, still pending {pending}")
        + (f", digests {report.digests}" if report.digests else "")
        + (f", workspaces another scheduler is sending {report.held}" if report.held else "")
        + "."
    )
    return out
