"""What an alarm evaluates at each instant: its slots' values. A metric alarm's come from its
metric's per-minute statistic sets (``MetricSeries``); a metric-math alarm's from the returned
query's expression over its metrics' slots (``MathSeries``, alarms.md §12.2)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping

from ..metric import Datapoints, StatisticSet
from .metrics import MetricQuery, series_values
from .model import Alarm

Slot = tuple[int, float | None, float | None]  # slot start (epoch ms), value or None, sample count or None
_FAST = ("Sum", "SampleCount", "Average", "Minimum", "Maximum")
_EXACT = 2.0**53  # below this, sums of whole numbers are exact


class MetricSeries:
    """One metric as an alarm sees it: per-minute statistic sets of the exact metric identity
    (namespace, name, dimension set; unit only if one is given), merged across units."""

    empty_is_missing = True  # an empty range is all missing datapoints

    def __init__(
        self, datapoints: Datapoints, namespace: str, metric_name: str, dimensions: Mapping[str, str],
        unit: str | None, stat: str,
    ) -> None:  # fmt: skip
        dims = tuple(sorted(dimensions.items()))
        merged: dict[int, StatisticSet] = {}
        for key in datapoints.metrics():
            if (key.namespace, key.name, key.dimensions) != (namespace, metric_name, dims):
                continue
            if unit is not None and key.unit != unit:
                continue
            for minute, stats in datapoints.minutes(key):
                merged.setdefault(minute, StatisticSet()).merge(stats)
        self.minutes = merged
        self.sorted = sorted(merged)
        self.stat = stat
        self._cache: dict[int, Slot] = {}  # slot start → slot, for one period length (one alarm's)
        # Whole-number samples (counts: most metric filters) sum exactly in any order, so a window's
        # statistic comes from per-minute sums without merging histograms; other values merge.
        self._sums = [merged[m].sum for m in self.sorted]
        self._fast = stat in _FAST and all(
            float(v).is_integer() and abs(v) * c < _EXACT for m in self.sorted for v, c in merged[m].values.items()
        ) and abs(math.fsum(abs(x) for x in self._sums)) < _EXACT  # fmt: skip

    @classmethod
    def of(cls, alarm: Alarm, datapoints: Datapoints) -> MetricSeries:
        """A single-metric alarm's metric."""
        return cls(datapoints, alarm.namespace, alarm.metric_name, alarm.dimensions, alarm.unit, alarm.stat)

    def window(self, start: int, end: int) -> StatisticSet | None:
        """The statistic set of the minutes in [start, end), None when there are none."""
        lo = bisect.bisect_left(self.sorted, start)
        hi = bisect.bisect_left(self.sorted, end)
        if lo == hi:
            return None
        out = StatisticSet()
        for minute in self.sorted[lo:hi]:
            out.merge(self.minutes[minute])
        return out

    def value(self, start: int, end: int) -> tuple[float, float] | None:
        """The alarm's statistic over the minutes in [start, end) and their sample count, None
        when there are none."""
        lo = bisect.bisect_left(self.sorted, start)
        hi = bisect.bisect_left(self.sorted, end)
        if lo == hi:
            return None
        if not self._fast:
            stats = self.window(start, end)
            assert stats is not None
            return stats.statistic(self.stat), float(stats.sample_count)
        minutes = [self.minutes[m] for m in self.sorted[lo:hi]]
        count = float(sum(x.sample_count for x in minutes))
        stat = self.stat
        if stat in ("Sum", "Average"):
            total = sum(self._sums[lo:hi])
            return (total if stat == "Sum" else total / count), count
        if stat == "SampleCount":
            return count, count
        return (min(x.minimum for x in minutes) if stat == "Minimum" else max(x.maximum for x in minutes)), count

    def any_in(self, start: int, end: int) -> bool:
        """Whether a minute in [start, end) has data."""
        return bisect.bisect_left(self.sorted, start) < bisect.bisect_left(self.sorted, end)

    def next_after(self, t: int) -> int | None:
        """The first minute with data at or after ``t``."""
        i = bisect.bisect_left(self.sorted, t)
        return self.sorted[i] if i < len(self.sorted) else None

    def slots(self, t: int, r: int, period_ms: int) -> list[Slot]:
        """The ``r`` slots before instant ``t``, newest first (§3.2). A slot's value is computed
        once and kept while it can still be in the range (evaluations a minute apart share all
        but one window of each length): the same sums in the same order as without the cache."""
        cache = self._cache
        if len(cache) > 4 * r + 64:
            oldest = t - r * period_ms
            self._cache = cache = {start: slot for start, slot in cache.items() if start >= oldest}
        out: list[Slot] = []
        for k in range(r):
            start = t - (k + 1) * period_ms
            slot = cache.get(start)
            if slot is None:
                found = self.value(start, start + period_ms)
                slot = (start, None, None) if found is None else (start, *found)
                cache[start] = slot
            out.append(slot)
        return out


class MathSeries:
    """A metric-math alarm's returned query over its metrics' slots."""

    def __init__(self, alarm: Alarm, datapoints: Datapoints) -> None:
        assert alarm.metrics is not None and alarm.returned is not None
        self.queries: list[MetricQuery] = alarm.metrics
        self.returned = alarm.returned
        self.metrics = {
            q.id: MetricSeries(
                datapoints, q.namespace or "", q.metric_name or "", q.dimensions, q.unit, q.stat or "Sum"
            )
            for q in self.queries
            if q.expression is None
        }
        self._empty: bool | None = None

    @property
    def empty_is_missing(self) -> bool:
        """Whether the expression gives only missing values when its metrics have no data (not so
        for ``FILL(m1, 0)``: then an empty range is evaluated like any other)."""
        if self._empty is None:
            times = [0, 60_000, 120_000]
            nothing = {i: [None, None, None] for i in self.metrics}
            self._empty = all(v is None for v in series_values(self.queries, self.returned, nothing, times))
        return self._empty

    def any_in(self, start: int, end: int) -> bool:
        """Whether any of the metrics has data in [start, end)."""
        return any(m.any_in(start, end) for m in self.metrics.values())

    def next_after(self, t: int) -> int | None:
        """The first minute at or after ``t`` at which any of the metrics has data."""
        found = [m for m in (s.next_after(t) for s in self.metrics.values()) if m is not None]
        return min(found) if found else None

    def slots(self, t: int, r: int, period_ms: int) -> list[Slot]:
        """The returned query's value in each of the ``r`` slots before ``t``, newest first."""
        starts = [t - (k + 1) * period_ms for k in range(r)][::-1]  # oldest first, as expressions run
        windows = {i: [None if v is None else (v, c or 0.0) for _, v, c in m.slots(t, r, period_ms)[::-1]]
                   for i, m in self.metrics.items()}  # fmt: skip
        values = series_values(self.queries, self.returned, windows, starts)
        out: list[Slot] = [(s, v, None) for s, v in zip(starts, values)]
        return out[::-1]


def series_of(alarm: Alarm, datapoints: Datapoints) -> MetricSeries | MathSeries:
    """What ``alarm`` watches in ``datapoints``."""
    return MathSeries(alarm, datapoints) if alarm.metrics is not None else MetricSeries.of(alarm, datapoints)
