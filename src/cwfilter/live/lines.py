"""Lines as they arrive → log events with a time, read as replay reads them.

The time of each event (``cwfilter watch``):

* a CloudTrail record (a JSON line, a ``{"Records": [...]}`` document on one line, a
  ``lookup-events`` or EventBridge wrapper): its ``eventTime``, as replay stamps it; a record
  without a usable ``eventTime`` is rejected with replay's reason;
* a CloudWatch Logs subscription payload on one line: each log event's record time, else its
  own ``timestamp``;
* any other line (plain text, or a JSON object that is not CloudTrail's): its arrival time
  (``arrival``), or with ``prefix`` a leading ISO 8601 timestamp followed by a blank (the
  CloudWatch Logs export form: the rest is the message). With the replay clock, "arrival" is
  the newest event time read so far; before any, such a line is rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import orjson

from ..metric import MetricFilter, Observation
from ..replayer.counting import event_time
from ..sources import Item, Problem, Skip
from ..sources.formats import EXPORT_LINE, json_lines
from ..times import in_range, parse_time
from .engine import Watch

PlainTime = Literal["arrival", "prefix"]
# A JSON line holding any of these keys is CloudTrail's (a record, a document, a wrapper, a
# CloudWatch Logs payload) and is read as replay reads it; other JSON objects are log lines.
_CLOUDTRAIL_KEYS = ("eventTime", "eventVersion", "eventSource", "eventName", "eventID", "Records", "logEvents",
                    "CloudTrailEvent", "detail", "Events")  # fmt: skip


class LineEvents:
    """Feeds lines to a ``Watch``: each line becomes one or more events at their time."""

    def __init__(self, watch: Watch, plain_time: PlainTime = "arrival") -> None:
        self.watch = watch
        self.mf: MetricFilter = watch.mf
        self.plain_time = plain_time
        self.add: Callable[[int, Observation], None] = watch.add

    def lines(self, source: str, lines: list[bytes], arrival: int | None) -> None:
        """Complete lines (without their ``\\n``) from ``source``, read at wall time ``arrival``
        (``None`` with the replay clock)."""
        add, observe_object = self.add, self.mf.observe_object
        for line in lines:
            head = line[:1]
            if head == b"{" or head == b"[":
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    record = None
                if type(record) is dict and "eventTime" in record and "Records" not in record:
                    ms, why = event_time(record)
                    if ms is None or not in_range(ms):
                        self.watch.counts.reject(source, why or "eventTime out of range")
                    else:
                        add(ms, observe_object(record))
                    continue
                if record is not None and _is_cloudtrail(record):
                    self._document(source, line)
                    continue
                if record is None and head == b"{":
                    self.watch.counts.reject(source, "invalid JSON (a line starting with '{')")
                    continue
            self._plain(source, line, arrival)

    def _document(self, source: str, line: bytes) -> None:
        """A CloudTrail document, wrapper or CloudWatch Logs payload on one line, by replay's reader."""
        for item in json_lines(source, line, None):
            if isinstance(item, Skip):
                return
            if isinstance(item, Problem):
                self.watch.counts.reject(source, item.reason)
                continue
            self.item(source, item)

    def item(self, source: str, item: Item) -> None:
        """One item of replay's readers: a record at its ``eventTime``, else (a CloudWatch Logs
        event) at its own time; the message matched as replay matches it."""
        record = item.record
        ms, why = event_time(record) if record is not None else (None, "no timestamp")
        if ms is None and item.message is not None:
            ms = item.delivered_ms
        if ms is None or not in_range(ms):
            self.watch.counts.reject(source, why or "no timestamp")
            return
        if record is not None and item.message is None:
            obs = self.mf.observe_object(record)
        else:
            obs = self.mf.observe(item.message if item.message is not None else orjson.dumps(record))
        self.add(ms, obs)

    def _plain(self, source: str, line: bytes, arrival: int | None) -> None:
        line = line.rstrip(b"\r")
        if not line.strip():
            return
        message = line
        if self.plain_time == "prefix":
            m = EXPORT_LINE.match(line)
            ms = parse_time(m.group(1).decode()) if m else None
            if m is None or ms is None:
                self.watch.counts.reject(source, "no leading ISO 8601 timestamp (--line-time prefix)")
                return
            message = m.group(2)
        else:
            ms = arrival if arrival is not None else self.watch.clock
            if ms is None:
                self.watch.counts.reject(
                    source, "a line without a time of its own before any event time (--clock replay)"
                )
                return
        self.add(ms, self.mf.observe(message))


def _is_cloudtrail(obj: object) -> bool:
    return isinstance(obj, list) or (isinstance(obj, dict) and any(k in obj for k in _CLOUDTRAIL_KEYS))
