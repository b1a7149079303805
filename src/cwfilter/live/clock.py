"""The clocks a watch can run on: the wall clock (as CloudWatch), or one set by hand (tests).
(The replay clock is no object: the newest event time drives the engine, ``Watch(event_clock=True)``.)"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Now, in epoch ms."""

    def now(self) -> int: ...


class WallClock:
    """The system's clock."""

    def now(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to (tests inject it)."""

    def __init__(self, ms: int = 0) -> None:
        self.ms = ms

    def now(self) -> int:
        return self.ms

    def set(self, ms: int) -> None:
        """Move the clock to ``ms`` (never backwards)."""
        self.ms = max(self.ms, ms)
