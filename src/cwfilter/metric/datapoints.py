"""Per-minute CloudWatch datapoints: the statistic sets of each metric, the shape the alarm
stage consumes (alarms.md §1). Merging is exact, so partial results of parallel workers
combine into exactly the single-process result."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MINUTE_MS = 60_000


@dataclass
class StatisticSet:
    """The samples of one metric in one minute: SampleCount, Sum, Minimum, Maximum and the
    value histogram that percentiles need. Merging is exact and order-independent: ``sum``
    is computed from the histogram with ``math.fsum``, so partial results from parallel
    workers combine into exactly the single-process result."""

    sample_count: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    values: dict[float, int] = field(default_factory=dict)  # value → samples (a plain dict pickles in C)

    def add(self, value: float, count: int = 1) -> None:
        """Count ``value`` in ``count`` times."""
        self.sample_count += count
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value
        values = self.values
        values[value] = values.get(value, 0) + count

    def merge(self, other: StatisticSet) -> None:
        """Add ``other``'s samples to these."""
        self.sample_count += other.sample_count
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        values = self.values
        for value, count in other.values.items():
            values[value] = values.get(value, 0) + count

    def copy(self) -> StatisticSet:
        """An independent copy."""
        return StatisticSet(self.sample_count, self.minimum, self.maximum, dict(self.values))

    def __reduce__(self) -> tuple[Any, ...]:
        # Thousands of minutes go back from every worker: positional arguments unpickle
        # at a fraction of the cost of a dataclass's state dict.
        return StatisticSet, (self.sample_count, self.minimum, self.maximum, self.values)

    @property
    def sum(self) -> float:
        """The Sum statistic."""
        return math.fsum(v * c for v, c in sorted(self.values.items()))

    @property
    def average(self) -> float:
        """The Average statistic (Sum / SampleCount)."""
        return self.sum / self.sample_count

    def percentile(self, p: float) -> float:
        """Nearest rank: the smallest sample with at least ``p`` % of samples ≤ it (alarms.md §1.3)."""
        rank = max(1, math.ceil(p / 100 * self.sample_count))
        seen = 0
        for value in sorted(self.values):
            seen += self.values[value]
            if seen >= rank:
                return value
        return self.maximum

    def statistic(self, name: str) -> float:
        """``Sum``, ``SampleCount``, ``Average``, ``Minimum``, ``Maximum`` or ``pNN``."""
        simple: dict[str, Callable[[], float]] = {
            "Sum": lambda: self.sum,
            "SampleCount": lambda: float(self.sample_count),
            "Average": lambda: self.average,
            "Minimum": lambda: self.minimum,
            "Maximum": lambda: self.maximum,
        }
        if name in simple:
            return simple[name]()
        if re.fullmatch(r"p\d{1,2}(\.\d{1,10})?|p100", name):
            return self.percentile(float(name[1:]))
        raise ValueError(f"unsupported statistic {name!r}; use Sum, SampleCount, Average, Minimum, Maximum or pNN")

    def as_dict(self) -> dict[str, float]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {"sampleCount": self.sample_count, "sum": self.sum, "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True, order=True)
class MetricKey:
    """A metric's identity: namespace, name, exact dimension set, and unit (alarms.md §1.1)."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...] = ()
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {"namespace": self.namespace, "name": self.name, "dimensions": dict(self.dimensions), "unit": self.unit}


class Datapoints:
    """Per-minute statistic sets per metric. ``merge`` makes partial results from
    separate workers combine into exactly the single-process result."""

    def __init__(self) -> None:
        self.series: dict[MetricKey, dict[int, StatisticSet]] = {}

    def add(self, key: MetricKey, epoch_ms: int, value: float) -> None:
        """Add one sample of ``key``'s metric at ``epoch_ms`` (aggregated into its minute)."""
        minute = epoch_ms - epoch_ms % MINUTE_MS
        per_minute = self.series.get(key)
        if per_minute is None:
            per_minute = self.series[key] = {}
        stats = per_minute.get(minute)
        if stats is None:
            stats = per_minute[minute] = StatisticSet()
        stats.add(value)

    def merge(self, other: Datapoints, adopt: bool = False) -> None:
        """Add ``other``'s samples. ``adopt``: take its statistic sets instead of copies (``other``
        is not used again: a worker's partial result, thousands of minutes per batch)."""
        for key, minutes in other.series.items():
            mine = self.series.setdefault(key, {})
            for minute, stats in minutes.items():
                if minute in mine:
                    mine[minute].merge(stats)
                else:
                    mine[minute] = stats if adopt else stats.copy()

    def metrics(self) -> list[MetricKey]:
        """The metrics (namespace, name, dimensions, unit) with at least one datapoint."""
        return sorted(self.series)

    def matching(
        self, namespace: str, name: str, dimensions: tuple[tuple[str, str], ...], unit: str | None = None
    ) -> dict[int, StatisticSet]:
        """The per-minute samples of one metric identity as an alarm sees it: the exact dimension
        set (sorted), the unit only if one is given (else every unit's samples, merged)."""
        keys = [k for k in self.metrics() if (k.namespace, k.name, k.dimensions) == (namespace, name, dimensions)
                and (unit is None or k.unit == unit)]  # fmt: skip
        if len(keys) == 1:  # the usual case: its sets as they are (to read, not to change)
            return dict(self.series[keys[0]])
        merged: dict[int, StatisticSet] = {}
        for key in keys:
            for minute, stats in self.minutes(key):
                merged.setdefault(minute, StatisticSet()).merge(stats)
        return merged

    def minutes(self, key: MetricKey) -> list[tuple[int, StatisticSet]]:
        """The minutes that have samples, in time order (no zero-filling)."""
        return sorted(self.series.get(key, {}).items())

    def periods(self, key: MetricKey, period: int, statistic: str) -> list[tuple[int, float]]:
        """Statistic per epoch-aligned period of ``period`` seconds (a multiple of 60), only
        where samples exist: CloudWatch has no zero datapoints."""
        if period <= 0 or period % 60:
            raise ValueError(f"period must be a positive multiple of 60 seconds, not {period}")
        width = period * 1000
        if width == MINUTE_MS:  # a period per minute: each minute's own samples
            return [(minute, stats.statistic(statistic)) for minute, stats in self.minutes(key)]
        buckets: dict[int, StatisticSet] = {}
        for minute, stats in self.minutes(key):
            buckets.setdefault(minute - minute % width, StatisticSet()).merge(stats)
        return [(start, stats.statistic(statistic)) for start, stats in sorted(buckets.items())]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Datapoints) and self.series == other.series

    def __repr__(self) -> str:
        return f"<Datapoints {sum(len(m) for m in self.series.values())} minutes in {len(self.series)} metrics>"
