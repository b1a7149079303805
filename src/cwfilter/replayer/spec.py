"""What a worker is sent besides the metric filter (which pickles as it is, every option
included): the replay's options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..sources.inflate import MAX_FILE_SIZE

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
