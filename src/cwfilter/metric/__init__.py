"""Metric filters (pattern + metric transformation → observations) and the per-minute
datapoints they publish, which the alarm stage consumes."""

from .accumulate import Accumulator
from .datapoints import MINUTE_MS, Datapoints, MetricKey, StatisticSet
from .filter import (
    MAX_DIMENSIONS,
    STANDARD_UNITS,
    DefaultValueMode,
    MetricFilter,
    MetricFilterError,
    Observation,
)

__all__ = [
    "MAX_DIMENSIONS",
    "MINUTE_MS",
    "STANDARD_UNITS",
    "Accumulator",
    "Datapoints",
    "DefaultValueMode",
    "MetricFilter",
    "MetricFilterError",
    "MetricKey",
    "Observation",
    "StatisticSet",
]
