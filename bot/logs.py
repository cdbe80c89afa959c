"""Logging for every process Pioneer starts: the CLI, each `--workers` worker, the scheduler.

LOG_LEVEL sets the level, LOG_FORMAT=json writes one JSON object a line for log shippers.
Libraries that talk a lot at INFO are held at WARNING unless LOG_LEVEL=DEBUG: APScheduler
(two lines a minute for the dispatcher's wake-up) and Alembic (its "Context impl" lines on
every schema check).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
CHATTY = ("apscheduler", "alembic")


class JsonFormatter(logging.Formatter):
    """One line of JSON a record: time (UTC, ISO 8601), level, logger, message, pid."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _PioneerHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Ours, so that configuring again replaces it and leaves a host's handlers alone."""


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Set up this process's root logger; each `--workers` worker calls it (it inherits
    nothing from the process that started it). Like `logging.basicConfig`, it leaves a
    process whose host already set up logging (a test runner) as it is."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _PioneerHandler)]:
        root.removeHandler(old)
    if root.handlers:
        return
    handler = _PioneerHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in CHATTY:
        logging.getLogger(name).setLevel(quiet)
