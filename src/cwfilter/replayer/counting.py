"""The one accounting. Every record read is counted here, by the same rules whichever decoder
read it: the plain readers' items (``count_items``) and the fast decoder's records
(``fast.py``) both go through a ``Counter``: one rule for a record's time (event time,
delivery time, fallbacks), one for rejections, one for de-duplication and default values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from ..metric import Accumulator, MetricFilter, Observation
from ..pattern.message import as_text
from ..sources import FileRef, Item, Parsed, Problem, Skip
from ..times import in_range, parse_time
from .results import Accounting, Match, ReplayError
from .spec import ReplayOptions

NO_MATCH = Observation(False, None, (), "no match")


@dataclass
class Partial:
    """A worker's result for a batch of files: mergeable into the whole in file order."""

    acc: Accumulator
    accounting: Accounting
    # With de-duplication: (eventID, epoch ms, observation) per record that has an eventID,
    # resolved in file order by the parent so the first copy wins.
    by_event_id: list[tuple[str, int, Any]] | None = None
    bytes: int = 0  # of log data read, decompressed (for progress)
    # With ``matches``: (eventID or None, Match) per matched record, in file order.
    matches: list[tuple[Any, Match]] | None = None

    @classmethod
    def empty(cls, mf: MetricFilter, dedupe: bool, matches: bool = False) -> Partial:
        return cls(mf.accumulator(), Accounting(), [] if dedupe else None, matches=[] if matches else None)

    def add(self, other: Partial) -> None:
        """Count ``other`` in too, taking its parts (it is not used again)."""
        self.acc.merge(other.acc, adopt=True)
        self.accounting.merge(other.accounting)
        if self.by_event_id is not None:
            self.by_event_id.extend(other.by_event_id or ())
        if self.matches is not None:
            self.matches.extend(other.matches or ())
        self.bytes += other.bytes


def count_observation(accounting: Accounting, obs: Observation) -> None:
    """A record that was matched or not (its time known, its observation made)."""
    if obs.matched:
        accounting.matched += 1
    else:
        accounting.unmatched += 1


class Counter:
    """Counts the records of one file (or a run of files) into a ``Partial``."""

    def __init__(self, mf: MetricFilter, options: ReplayOptions, part: Partial) -> None:
        self.mf, self.part, self.strict = mf, part, options.strict
        self.acc, self.accounting, self.by_event_id = part.acc, part.accounting, part.by_event_id
        self.by_delivery = options.timestamp == "delivery"
        self.ranged = options.ranged
        self.since = -(1 << 62) if options.since_ms is None else options.since_ms
        self.until = 1 << 62 if options.until_ms is None else options.until_ms
        self.partial: str | None = None  # the last file counted as read in part
        has_default = mf.default_value is not None
        self.no_match = Observation(False, mf.default_value, (), "defaultValue") if has_default else NO_MATCH

    # -- files
    def files(self, count: int = 1) -> None:
        self.accounting.files += count

    def skip(self, source: str, reason: str) -> None:
        """A file counted as read turns out to be one skipped on purpose (a digest)."""
        self.accounting.files -= 1
        self.accounting.files_skipped += 1
        self.accounting.skipped.append({"source": source, "reason": reason})

    def problem(self, source: str, problem: Problem) -> None:
        """A reader's problem: with a record number, a rejected record; else about the file,
        which failed (``fatal``: counted as failed, not read) or was read in part. In strict
        mode any of them stops the replay."""
        if problem.index is None:
            self.accounting.problem(source, None, problem.reason)
            if problem.fatal:
                self.accounting.files -= 1
                self.accounting.files_failed += 1
            elif self.partial != source:  # once per file, however many reasons
                self.partial = source
                self.accounting.files_partial += 1
        else:
            self.accounting.records += 1
            self.accounting.rejected += 1
            self.accounting.problem(source, problem.index, problem.reason)
        if self.strict:
            where = source + (f" record {problem.index}" if problem.index is not None else "")
            raise ReplayError(f"{where}: {problem.reason}")

    # -- records
    def read(self, count: int = 1) -> None:
        self.accounting.records += count

    def delivery_stamp(self, delivered_ms: int | None, records: int = 1) -> int | None:
        """The time rule for ``records`` records that carry an event time: the delivery time that
        stamps them all when asked for and known; else ``None`` (each takes its event time, a
        fallback counted for each when the delivery time was asked for)."""
        if self.by_delivery:
            if delivered_ms is not None:
                return delivered_ms
            self.accounting.delivery_time_fallbacks += records
        return None

    def stamp(self, event_ms: int | None, has_record: bool, delivered_ms: int | None, own_time: bool) -> int | None:
        """The time rule for one record: a log line without a record has its delivery time only;
        a record, ``delivery_stamp``, else its event time, else (a CloudWatch Logs event, whose
        delivery time is its own timestamp: ``own_time``) its delivery time. ``None``: rejected."""
        if not has_record:
            return delivered_ms
        if self.by_delivery:
            ms = self.delivery_stamp(delivered_ms)
            if ms is not None:
                return ms
        return delivered_ms if event_ms is None and own_time else event_ms

    def within(self, first_ms: int, last_ms: int) -> bool:
        """Whether the whole span ``first_ms``-``last_ms`` is in the range."""
        return not self.ranged or (self.since <= first_ms and last_ms < self.until)

    def reject(self, source: str, index: int, reason: str) -> None:
        """A record read but not counted: no time for it."""
        self.accounting.rejected += 1
        self.accounting.problem(source, index, reason)
        if self.strict:
            raise ReplayError(f"{source} record {index}: {reason}")

    def record(self, ms: int, obs: Observation, event_id: Any = None) -> None:
        """A record with its time and observation; held back by event ID when de-duplicating.
        Outside the range (``--since``/``--until``): counted apart, not in the metric."""
        if self.ranged and not self.since <= ms < self.until:
            self.accounting.out_of_range += 1
            return
        if self.by_event_id is not None and type(event_id) is str:
            self.by_event_id.append((event_id, ms, obs))
            return
        if obs.matched:  # ``count_observation``, inline: once per record
            self.accounting.matched += 1
        else:
            self.accounting.unmatched += 1
        self.acc.add(ms, obs)

    def unmatched(self, count: int, first_ms: int, last_ms: int) -> None:
        """``count`` unmatched records between ``first_ms`` and ``last_ms``, counted as ``record``
        would count them when there is no default value and no de-duplication: then an
        unmatched record only widens the accumulator's time span (both ends in range)."""
        assert self.by_event_id is None and self.no_match is NO_MATCH
        assert not self.ranged or self.since <= first_ms <= last_ms < self.until
        self.accounting.unmatched += count
        self.acc.add(first_ms, NO_MATCH)
        self.acc.add(last_ms, NO_MATCH)


def event_time(record: dict[str, Any]) -> tuple[int | None, str]:
    """A CloudTrail record's ``eventTime`` in epoch ms, or ``None`` and why it is refused."""
    raw = record.get("eventTime")
    if raw is None:
        return None, "missing eventTime"
    ms = parse_time(raw)
    if ms is None:
        return None, f"unparseable eventTime {str(raw)[:40]!r}"
    return ms, "" if in_range(ms) else f"eventTime out of range {str(raw)[:40]!r} (years 2 to 9998 UTC)"


def _out_of_range(ms: int) -> str:
    return f"timestamp out of range: {ms} ms since the epoch (years 2 to 9998 UTC)"


def count_items(ref: FileRef, items: Iterable[Parsed], counter: Counter, json_fast: bool) -> None:
    """Count a file's items, as the plain readers give them (the file already counted as read)."""
    mf, accounting, stamp, record_one = counter.mf, counter.accounting, counter.stamp, counter.record
    for item in items:
        if type(item) is not Item:
            if isinstance(item, Skip):
                counter.skip(ref.name, item.reason)
                return
            counter.problem(ref.name, item)  # type: ignore[arg-type]
            continue
        accounting.records += 1
        record = item.record
        event_ms, why = event_time(record) if record is not None else (None, "no timestamp")
        ms = stamp(event_ms, record is not None, item.delivered_ms, item.message is not None)
        if ms is None:
            counter.reject(ref.name, item.index, why or "no timestamp")
            continue
        if not in_range(ms):  # the event time's own reason, or the delivery time's
            counter.reject(ref.name, item.index, why if ms == event_ms else _out_of_range(ms))
            continue
        if record is not None and json_fast and item.message is None:
            obs = mf.observe_object(record)
        else:
            obs = mf.observe(item.message if item.message is not None else orjson.dumps(record))
        event_id = record.get("eventID") if record is not None else None
        record_one(ms, obs, event_id)
        if obs.matched and counter.part.matches is not None and counter.within(ms, ms):
            message = None if record is not None else as_text(item.message or b"")
            counter.part.matches.append((event_id, Match(ms, ref.name, item.index, record, message)))
