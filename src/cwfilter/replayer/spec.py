"""What a worker is sent: the replay's options and an explicit, picklable description of the
metric filter (``FilterSpec``) that carries every option the filter was built with, so that a
worker rebuilds exactly the filter the caller gave (a PutMetricFilter request alone cannot say
``json_prefix_scan`` or the default-value mode)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import orjson

from ..config import from_put_metric_filter
from ..metric import DefaultValueMode, MetricFilter
from ..sources.inflate import MAX_FILE_SIZE
from .plan import RecordPlan, plan_for_filter

TimestampSource = Literal["event", "delivery"]


@dataclass(frozen=True)
class ReplayOptions:
    """How records are stamped, de-duplicated, whether the first problem stops the replay, and
    the most bytes one input may give, decompressed (``--max-file-size``)."""

    timestamp: TimestampSource = "event"
    dedupe: bool = False
    strict: bool = False
    fast: bool = True  # decode only what the pattern reads (plan.py); False: every record whole
    matches: bool = False  # keep every matched record (the plain path: the fast one decodes a few fields)
    since_ms: int | None = None  # records before this time are counted out of range
    until_ms: int | None = None  # records at or after this time are counted out of range
    max_file_size: int = MAX_FILE_SIZE

    @property
    def ranged(self) -> bool:
        return self.since_ms is not None or self.until_ms is not None


@dataclass(frozen=True)
class FilterSpec:
    """A metric filter as data: its PutMetricFilter request (JSON bytes) and the options the
    request cannot carry. Hashable, so that each process builds the filter once."""

    request: bytes
    default_value_mode: DefaultValueMode = "per_event"
    json_prefix_scan: bool = False

    @classmethod
    def of(cls, mf: MetricFilter) -> FilterSpec:
        """The spec that ``build`` turns back into a filter equal to ``mf``."""
        return cls(orjson.dumps(mf.as_put_metric_filter()), mf.default_value_mode, mf.pattern.json_prefix_scan)

    def build(self) -> MetricFilter:
        """The metric filter (built once per process and spec)."""
        return _build(self)

    def plan(self, dedupe: bool) -> RecordPlan | None:
        """The fast decoder's plan for the filter (``None``: the plain path reads every file)."""
        return _plan(self, dedupe)


@lru_cache(maxsize=8)
def _build(spec: FilterSpec) -> MetricFilter:
    return from_put_metric_filter(
        orjson.loads(spec.request), json_prefix_scan=spec.json_prefix_scan, default_value_mode=spec.default_value_mode
    )


@lru_cache(maxsize=8)
def _plan(spec: FilterSpec, dedupe: bool) -> RecordPlan | None:
    mf = spec.build()
    references = tuple(r for r in (mf.value, *mf.dimensions.values()) if r.startswith(("$.", "$[")))
    return plan_for_filter(mf.pattern.ast, references, dedupe)
