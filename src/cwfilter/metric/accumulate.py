"""Observations of one metric filter on their way to datapoints, mergeable across workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .datapoints import MINUTE_MS, Datapoints

if TYPE_CHECKING:
    from .filter import MetricFilter, Observation


class Accumulator:
    """Observations of one metric filter on their way to datapoints. Partial accumulators
    (one per worker, per file batch) ``merge`` into exactly the single-pass result, also for
    ``default_value_mode="per_minute"``, whose defaults are only decided in ``datapoints()``."""

    def __init__(self, metric_filter: MetricFilter) -> None:
        self.filter = metric_filter
        self.points = Datapoints()
        self._per_minute = metric_filter.default_value_mode == "per_minute" and metric_filter.default_value is not None
        self.default_minutes: set[int] = set()
        self.matched_minutes: set[int] = set()
        self._base_key = metric_filter.metric_key()
        self.first_ms: int | None = None  # the time span of every event seen, matched or not
        self.last_ms: int | None = None

    def add(self, epoch_ms: int, obs: Observation) -> None:
        if self.first_ms is None or epoch_ms < self.first_ms:
            self.first_ms = epoch_ms
        if self.last_ms is None or epoch_ms > self.last_ms:
            self.last_ms = epoch_ms
        if self._per_minute:
            minute = epoch_ms - epoch_ms % MINUTE_MS
            if obs.reason == "defaultValue":
                self.default_minutes.add(minute)
                return
            if obs.matched:
                self.matched_minutes.add(minute)
        if obs.value is not None:
            key = self._base_key if not obs.dimensions else self.filter.metric_key(obs.dimensions)
            self.points.add(key, epoch_ms, obs.value)

    def __getstate__(self) -> dict[str, Any]:
        # Sent back from worker processes: the data, not the compiled filter.
        state = dict(self.__dict__)
        state["filter"] = None
        return state

    def merge(self, other: Accumulator, adopt: bool = False) -> None:
        """Add ``other``'s observations (``adopt``: ``other`` is not used again, its statistic
        sets are taken, not copied)."""
        for ms in (other.first_ms, other.last_ms):
            if ms is not None:
                self.first_ms = ms if self.first_ms is None else min(self.first_ms, ms)
                self.last_ms = ms if self.last_ms is None else max(self.last_ms, ms)
        self.points.merge(other.points, adopt)
        self.default_minutes |= other.default_minutes
        self.matched_minutes |= other.matched_minutes

    def forget_before(self, ms: int) -> None:
        """Drop the minutes before ``ms`` (a window that moves on as time goes by: ``cwfilter watch``)."""
        for key, minutes in list(self.points.series.items()):
            for minute in [m for m in minutes if m < ms]:
                del minutes[minute]
            if not minutes:
                del self.points.series[key]
        self.default_minutes = {m for m in self.default_minutes if m >= ms}
        self.matched_minutes = {m for m in self.matched_minutes if m >= ms}

    def datapoints(self) -> Datapoints:
        """The datapoints, with per-minute defaults (if any) filled in."""
        out = Datapoints()
        out.merge(self.points)
        for minute in sorted(self.default_minutes - self.matched_minutes):
            out.add(self._base_key, minute, self.filter.default_value)  # type: ignore[arg-type]
        return out
