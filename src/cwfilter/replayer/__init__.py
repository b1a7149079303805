"""Replay: log files → events → a metric filter's datapoints, with full accounting.

Every record read ends up counted as matched, unmatched, rejected (with a reason) or, with
de-duplication, duplicate; every file as read, skipped (with a reason) or failed. The rooms:
``results`` (what comes back), ``spec`` (what a worker is sent), ``counting`` (the one
accounting), ``plan`` and ``codegen`` (the fast decoder), ``fast`` (its bulk counting),
``files`` (a worker's batch) and ``driver`` (batches, workers, merging)."""

import sys
import types
from typing import Any

from .driver import BATCH_BYTES, IN_FLIGHT, MAX_BATCH_FILES, Events, ProgressCallback, replay
from .results import Accounting, Match, Progress, ReplayError, ReplayResult
from .spec import FilterSpec, ReplayOptions, TimestampSource

__all__ = [
    "BATCH_BYTES",
    "IN_FLIGHT",
    "MAX_BATCH_FILES",
    "Accounting",
    "Events",
    "FilterSpec",
    "Match",
    "Progress",
    "ProgressCallback",
    "ReplayError",
    "ReplayOptions",
    "ReplayResult",
    "TimestampSource",
    "replay",
]


class _CallableModule(types.ModuleType):
    """``cwfilter.replay`` is both this package and the ``replay`` function: ``import cwfilter``
    no longer imports every room at once, so the package can be bound to ``cwfilter.replay``
    before the function is; calling it calls the function."""

    def __call__(self, *args: Any, **kwargs: Any) -> ReplayResult:
        return replay(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
