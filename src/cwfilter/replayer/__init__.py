"""Replay: log files → events → a metric filter's datapoints, with full accounting.

Every record read ends up counted as matched, unmatched, rejected (with a reason) or, with
de-duplication, duplicate; every file as read, skipped (with a reason) or failed. The rooms:
``results`` (what comes back), ``spec`` (the options a worker is sent with the filter), ``counting`` (the one
accounting), ``plan`` and ``codegen`` (the fast decoder), ``fast`` (its bulk counting),
``files`` (a worker's batch) and ``driver`` (batches, workers, merging)."""

from .driver import BATCH_BYTES, IN_FLIGHT, MAX_BATCH_FILES, Events, ProgressCallback, replay
from .results import Accounting, Match, Progress, ReplayError, ReplayResult
from .spec import ReplayOptions, TimestampSource

__all__ = [
    "BATCH_BYTES",
    "IN_FLIGHT",
    "MAX_BATCH_FILES",
    "Accounting",
    "Events",
    "Match",
    "Progress",
    "ProgressCallback",
    "ReplayError",
    "ReplayOptions",
    "ReplayResult",
    "TimestampSource",
    "replay",
]
