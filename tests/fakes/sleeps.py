"""A stand-in for `time.sleep` and `time.monotonic`, for anything that paces itself."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Sleeps:
    """Stands in for time.sleep: records what the sender would have waited, and moves time."""

    slept: list[float] = field(default_factory=list)
    now: float = 0.0

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now
