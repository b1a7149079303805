"""Replay: log files → events → a metric filter's datapoints, with full accounting.

Every record read ends up counted as matched, unmatched, rejected (with a reason) or, with
de-duplication, duplicate; every file as read, skipped (with a reason) or failed. Files
are processed in batches by worker processes behind a ``concurrent.futures.Executor``;
partial results merge into exactly the single-process result.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence, Union

import orjson

from . import fastpath
from .config import from_put_metric_filter
from .errors import CwfilterError
from .metric import Accumulator, Datapoints, MetricFilter, MetricKey, Observation
from .sources import (
    CannotCut,
    DocumentPieces,
    FileRef,
    Item,
    Opened,
    Problem,
    Skip,
    StreamedItems,
    Unreadable,
    Whole,
    delivery_time_from_name,
    items_of,
    iter_discover,
    open_input,
    record_items,
)
from .times import Timestamp, epoch_ms, iso_utc, parse_time

TimestampSource = Literal["event", "delivery"]
ProgressCallback = Callable[["Progress"], None]


class ReplayError(CwfilterError, RuntimeError):
    """Raised in strict mode at the first problem, naming the file and record."""

    code = "E_REPLAY"


@dataclass
class Progress:
    files_done: int
    files_total: int  # files found so far (grows while the inputs are walked)
    bytes_done: int  # of log data read, decompressed
    records: int
    matched: int


@dataclass
class Accounting:
    """What happened to every file and record read."""

    files: int = 0  # files read (including those that failed)
    files_failed: int = 0
    files_skipped: int = 0
    records: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    duplicates: int = 0
    delivery_time_fallbacks: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def merge(self, other: Accounting) -> None:
        for name in ("files", "files_failed", "files_skipped", "records", "matched", "unmatched", "rejected",
                     "duplicates", "delivery_time_fallbacks"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)
        self.skipped.extend(other.skipped)

    def problem(self, source: str, index: int | None, reason: str) -> None:
        entry: dict[str, Any] = {"source": source, "reason": reason}
        if index is not None:
            entry["record"] = index
        self.problems.append(entry)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "filesFailed": self.files_failed,
            "filesSkipped": self.files_skipped,
            "records": self.records,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "deliveryTimeFallbacks": self.delivery_time_fallbacks,
            "problems": self.problems,
            "skipped": self.skipped,
        }

    def problem_summary(self) -> list[tuple[str, int, list[str]]]:
        """(reason, count, first sources) per distinct reason, most frequent first."""
        groups: dict[str, list[str]] = {}
        for p in self.problems:
            reason = p["reason"].split(":")[0]
            where = p["source"] + (f" #{p['record']}" if "record" in p else "")
            groups.setdefault(reason, []).append(where)
        return sorted(((r, len(w), w[:3]) for r, w in groups.items()), key=lambda x: -x[1])


@dataclass
class _Partial:
    acc: Accumulator
    accounting: Accounting
    # With de-duplication: (eventID, epoch ms, observation) per record that has an eventID,
    # resolved in file order by the parent so the first copy wins.
    by_event_id: list[tuple[str, int, Any]] | None = None
    bytes: int = 0  # of log data read, decompressed (for progress)

    def add(self, other: _Partial) -> None:
        """Count ``other`` in too, taking its parts (it is not used again)."""
        self.acc.merge(other.acc, adopt=True)
        self.accounting.merge(other.accounting)
        if self.by_event_id is not None:
            self.by_event_id.extend(other.by_event_id or ())
        self.bytes += other.bytes


def _fast_default() -> bool:
    """The fast path is on unless ``CWFILTER_FASTPATH=0`` (tests and benchmarks run both)."""
    return os.environ.get("CWFILTER_FASTPATH", "1") != "0"


@dataclass
class ReplayOptions:
    timestamp: TimestampSource = "event"
    dedupe: bool = False
    strict: bool = False
    fast: bool = field(default_factory=_fast_default)  # decode only what the pattern reads (fastpath.py)


@dataclass
class ReplayResult:
    """Datapoints of one metric filter over the inputs, and what happened to every record."""

    metric_filter: MetricFilter
    datapoints: Datapoints
    accounting: Accounting
    period: int = 300
    statistic: str = "Sum"
    span: tuple[int, int] | None = None  # epoch ms of the first and last event read, matched or not

    @property
    def metric(self) -> MetricKey:
        """The filter's metric without dimensions."""
        return self.metric_filter.metric_key()

    def periods(self, key: MetricKey | None = None) -> list[tuple[int, float]]:
        return self.datapoints.periods(key or self.metric, self.period, self.statistic)

    def to_json(self) -> dict[str, Any]:
        """The ``replay --format json`` document (a contract: keys are only ever added)."""
        series = [self._series(key) for key in self.datapoints.metrics()]
        base = next((s for s in series if not s["metric"]["dimensions"]), self._series(self.metric))
        return {
            "metric": base["metric"],
            "datapoints": base["datapoints"],
            "periods": base["periods"],
            "series": series,
            "metricFilter": self.metric_filter.as_put_metric_filter(),
            "accounting": self.accounting.as_dict(),
        }

    def _series(self, key: MetricKey) -> dict[str, Any]:
        return {
            "metric": key.as_dict(),
            "datapoints": [{"timestamp": iso_utc(m), **s.as_dict()} for m, s in self.datapoints.minutes(key)],
            "periods": [
                {"start": iso_utc(start), "period": self.period, "statistic": self.statistic, "value": value}
                for start, value in self.datapoints.periods(key, self.period, self.statistic)
            ],
        }


# ------------------------------------------------------------------ one batch (runs in a worker)


def _event_time(record: dict[str, Any]) -> tuple[int | None, str | None]:
    raw = record.get("eventTime")
    if raw is None:
        return None, "missing eventTime"
    ms = parse_time(raw)
    return (ms, None) if ms is not None else (None, f"unparseable eventTime {str(raw)[:40]!r}")


def _process_file(
    ref: FileRef,
    mf: MetricFilter,
    options: ReplayOptions,
    part: _Partial,
    json_fast: bool,
    plan: fastpath.RecordPlan | None = None,
    opened: Opened | None = None,
) -> None:
    """Count one file into ``part``: through ``plan`` (the fast path) where it applies, else
    through the plain readers, which parse every record completely. ``opened``: the file as
    the caller has already opened it (and counted its bytes, if read whole). A large file comes
    in pieces where it holds one record per line or is a ``{"Records": [...]}`` document that
    can be cut between records (bounded memory)."""
    fresh = opened is None
    if opened is None:
        opened = open_input(ref)
    if isinstance(opened, DocumentPieces):
        if _count_document(ref, opened, mf, options, part, json_fast, plan):
            return
        opened, fresh = open_input(ref, whole=True), True  # it could not be cut between records
    if isinstance(opened, Whole):
        if fresh:
            part.bytes += len(opened.data)
        if plan is not None and opened.trouble is None and _process_fast(ref, opened.data, mf, options, part, plan):
            return
    items = items_of(ref, opened)
    part.accounting.files += 1
    _count_items(ref, items, mf, options, part, json_fast)
    if isinstance(items, StreamedItems):
        part.bytes += items.bytes


def _count_document(
    ref: FileRef, pieces: DocumentPieces, mf: MetricFilter, options: ReplayOptions, part: _Partial, json_fast: bool,
    plan: fastpath.RecordPlan | None,
) -> bool:  # fmt: skip
    """``_process_file`` for a large ``{"Records": [...]}`` file cut into pieces of whole records,
    each through the fast path where it applies, else the plain one. The pieces are counted
    apart and added to ``part`` only once the whole document has been read: False (nothing
    counted) when one does not parse or the document cannot be cut; the caller then reads it
    whole, and a damaged file reports what a whole reading reports."""
    apart = _Partial(mf.accumulator(), Accounting(), [] if part.by_event_id is not None else None)
    delivered = delivery_time_from_name(ref.name)
    try:
        for piece in pieces:
            apart.bytes += len(piece)
            if plan is not None and _process_fast(ref, piece, mf, options, apart, plan):
                continue
            try:
                parsed = orjson.loads(piece)
            except orjson.JSONDecodeError:
                return False  # a cut inside a record, or an invalid document
            # numbered after the records of the pieces before (each one counted, rejected or not)
            items = record_items(ref.name, parsed, delivered, apart.accounting.records)
            _count_items(ref, items, mf, options, apart, json_fast)
    except CannotCut:
        return False
    finally:
        pieces.close()
    apart.accounting.files = 1  # one file, however many pieces (``_process_fast`` counts each)
    part.add(apart)
    return True


def _count_items(
    ref: FileRef, items: Iterable[Item | Problem | Skip], mf: MetricFilter, options: ReplayOptions, part: _Partial,
    json_fast: bool,
) -> None:  # fmt: skip
    """Count a file's items, as the plain readers give them, into ``part`` (which already
    counts the file as read)."""
    acc, accounting = part.acc, part.accounting
    for item in items:
        if isinstance(item, Skip):
            accounting.files -= 1
            accounting.files_skipped += 1
            accounting.skipped.append({"source": ref.name, "reason": item.reason})
            return
        if isinstance(item, Problem):
            if item.index is None:
                accounting.problem(ref.name, None, item.reason)
                if item.fatal:
                    accounting.files_failed += 1
            else:
                accounting.records += 1
                accounting.rejected += 1
                accounting.problem(ref.name, item.index, item.reason)
            if options.strict and item.fatal:
                where = ref.name + (f" record {item.index}" if item.index is not None else "")
                raise ReplayError(f"{where}: {item.reason}")
            continue
        accounting.records += 1
        record = item.record
        if options.timestamp == "delivery" and item.delivered_ms is not None:
            ms: int | None = item.delivered_ms
        elif record is not None:
            ms, why = _event_time(record)
            if options.timestamp == "delivery":
                accounting.delivery_time_fallbacks += 1
            if ms is None and item.message is not None and item.delivered_ms is not None:
                ms = item.delivered_ms  # a CloudWatch Logs event: its own timestamp
            if ms is None:
                accounting.rejected += 1
                accounting.problem(ref.name, item.index, why or "no timestamp")
                if options.strict:
                    raise ReplayError(f"{ref.name} record {item.index}: {why}")
                continue
        elif item.delivered_ms is not None:
            ms = item.delivered_ms
        else:
            accounting.rejected += 1
            accounting.problem(ref.name, item.index, "no timestamp")
            continue
        assert ms is not None  # every branch above either set it or skipped the record
        if record is not None and json_fast and item.message is None:
            obs = mf.observe_object(record)
        else:
            obs = mf.observe(item.message if item.message is not None else orjson.dumps(record))
        if part.by_event_id is not None and record is not None and isinstance(record.get("eventID"), str):
            part.by_event_id.append((record["eventID"], ms, obs))
            continue
        _count(accounting, obs)
        acc.add(ms, obs)


def _count(accounting: Accounting, obs: Any) -> None:
    if obs.matched:
        accounting.matched += 1
    else:
        accounting.unmatched += 1


@lru_cache(maxsize=8)
def _filter_from_spec(spec: bytes, mode: str) -> MetricFilter:
    mf = from_put_metric_filter(orjson.loads(spec))
    mf.default_value_mode = mode  # type: ignore[assignment]
    return mf


def _replay_batch(batch: list[tuple[str, int]], spec: bytes, mode: str, options: ReplayOptions) -> _Partial:
    """Worker entry point: replay a batch of files, given as (name, size) pairs (top level, so
    it pickles; pairs pickle at a fraction of the cost of ``FileRef`` objects)."""
    files = [FileRef(name, size) for name, size in batch]
    mf = _filter_from_spec(spec, mode)
    part = _Partial(mf.accumulator(), Accounting(), [] if options.dedupe else None)
    json_fast = mf.pattern.family == "json"
    plan = _plan(spec, mode, options.dedupe) if options.fast else None
    if plan is not None and options.timestamp == "event" and not options.dedupe and mf.default_value is None:
        _replay_files_together(files, mf, options, part, json_fast, plan)
        return part
    for ref in files:
        _process_file(ref, mf, options, part, json_fast, plan)
    return part


# Decompressed bytes whose records are counted in one pass (``_count_chunk``): large enough to
# spread the per-pass cost over many small CloudTrail files, small enough to bound a worker's memory.
CHUNK_BYTES = 8 << 20


def _replay_files_together(
    files: list[FileRef],
    mf: MetricFilter,
    options: ReplayOptions,
    part: _Partial,
    json_fast: bool,
    plan: fastpath.RecordPlan,
) -> None:
    """``_process_file`` for every file, but the records of consecutive files ``plan`` decodes
    are counted in one pass per chunk (only matches are then handled one by one). A file it
    cannot decode takes the plain path; a chunk the pass cannot take exactly (a record without
    ``eventTime``) is read again file by file. Either way in file order. A file's bytes are
    dropped once decoded: holding them for the rare second reading made every replay slower."""
    pending: list[FileRef] = []
    records: list[Any] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if pending and not _count_chunk(records, len(pending), mf, part, plan):
            for ref in pending:
                _process_file(ref, mf, options, part, json_fast, plan)
        pending.clear()
        records.clear()
        size = 0

    for ref in files:
        opened = open_input(ref)
        decoded = None
        if isinstance(opened, Whole):
            part.bytes += len(opened.data)
            if opened.trouble is None:
                decoded = plan.decode(opened.data)
        if decoded is None:
            flush()
            # A large file in pieces may still be decoded piece by piece; anything else the plan
            # could not decode takes the plain path (no plan).
            pieces = not isinstance(opened, (Whole, Unreadable))
            _process_file(ref, mf, options, part, json_fast, plan if pieces else None, opened)
            continue
        pending.append(ref)
        records.extend(decoded)
        size += len(opened.data)  # type: ignore[union-attr]
        del opened, decoded  # before the next file is read, so that its buffer can be reused
        if size >= CHUNK_BYTES:
            flush()
    flush()


def _count_chunk(records: list[Any], files: int, mf: MetricFilter, part: _Partial, plan: fastpath.RecordPlan) -> bool:
    """Count the records of ``files`` decoded files at once when every record carries an
    ``eventTime`` (decoding checked its form); False (nothing counted) otherwise."""
    found = _matches_and_span(records, plan.select)
    if found is None:
        return False
    hits, span = found
    part.accounting.files += files
    part.accounting.records += len(records)
    _count_hits(hits, len(records), span, mf, part, plan)
    return True


@lru_cache(maxsize=8)
def _plan(spec: bytes, mode: str, dedupe: bool) -> fastpath.RecordPlan | None:
    """The fast path's plan for a filter (``None``: it takes the plain path), once per process."""
    mf = _filter_from_spec(spec, mode)
    references = tuple(r for r in (mf.value, *mf.dimensions.values()) if r.startswith(("$.", "$[")))
    return fastpath.plan_for_filter(mf.pattern.ast, references, dedupe)


def _process_fast(
    ref: FileRef,
    data: bytes,
    mf: MetricFilter,
    options: ReplayOptions,
    part: _Partial,
    plan: fastpath.RecordPlan,
) -> bool:
    """``_process_file`` for a file ``plan`` can decode, with the same result; False (and
    nothing counted) when the plain path must read it."""
    records = plan.decode(data)
    if records is None:
        return False
    delivered = delivery_time_from_name(ref.name)
    by_delivery = options.timestamp == "delivery" and delivered is not None
    keep_all = part.by_event_id is not None or mf.default_value is not None
    hits: list[tuple[int, Any, bool]]  # (ms, record, matched): the matches, or every record if keep_all
    if keep_all or by_delivery:
        if any(r.event_time is fastpath.MISSING for r in records):
            return False  # the plain path may unwrap it (lookup-events, EventBridge): let it
        times: list[int] = [delivered] * len(records) if delivered is not None and by_delivery else [
            epoch_ms(r.event_time) for r in records
        ]
        match = plan.match
        rows = [(ms, r, match(r)) for ms, r in zip(times, records)]
        hits = rows if keep_all else [row for row in rows if row[2]]
        span = (min(times), max(times)) if times else None
    else:
        found = _matches_and_span(records, plan.select)
        if found is None:
            return False
        hits, span = found

    accounting = part.accounting
    accounting.files += 1
    accounting.records += len(records)
    if options.timestamp == "delivery" and delivered is None:
        accounting.delivery_time_fallbacks += len(records)
    _count_hits(hits, len(records), span, mf, part, plan)
    return True


_NO_MATCH = Observation(False, None, (), "no match")


def _count_hits(
    hits: list[tuple[int, Any, bool]],
    records: int,
    span: tuple[int, int] | None,
    mf: MetricFilter,
    part: _Partial,
    plan: fastpath.RecordPlan,
) -> None:
    """Count decoded records into ``part``: ``hits`` one by one ((ms, record, matched): the
    matches, or every record when there is a default value or de-duplication), the other
    ``records - len(hits)`` only through the two ends of their ``span``: with no default
    value, ``acc.add`` of each would only widen the accumulator's span."""
    acc, accounting = part.acc, part.accounting
    no_match = Observation(False, mf.default_value, (), "defaultValue") if mf.default_value is not None else _NO_MATCH
    by_event_id = part.by_event_id
    for ms, r, matched in hits:
        obs = mf.observe_object(plan.members(r)) if matched else no_match
        if by_event_id is not None and type(event_id := r.event_id) is str:
            by_event_id.append((event_id, ms, obs))
            continue
        _count(accounting, obs)
        acc.add(ms, obs)
    unmatched = records - len(hits)
    if unmatched and span is not None:
        accounting.unmatched += unmatched
        acc.add(span[0], _NO_MATCH)
        acc.add(span[1], _NO_MATCH)


_EVENT_TIME = attrgetter("event_time")


def _matches_and_span(
    records: list[Any], select: Callable[[list[Any]], list[Any]]
) -> tuple[list[tuple[int, Any, bool]], tuple[int, int] | None] | None:
    """(epoch ms, record, True) of each matching record and the (first, last) epoch ms of all of
    them, the times compared as datetimes in C, converted only for the matches; ``None`` when a
    record has no ``eventTime`` (the plain path must read it: it may unwrap the record)."""
    if not records:
        return [], None
    try:
        first, last = min(map(_EVENT_TIME, records)), max(map(_EVENT_TIME, records))
    except TypeError:  # ``MISSING`` beside a datetime
        return None
    if first is fastpath.MISSING:  # the only record
        return None
    hits = [(epoch_ms(r.event_time), r, True) for r in select(records)]
    return hits, (epoch_ms(first), epoch_ms(last))


# ------------------------------------------------------------------ the driver


# Decompressed bytes per batch: several files per task spread the per-task cost (one pickled
# partial result per batch), and many batches keep every worker busy to the end. Measured on
# 100 MB with 2 processes: 1-8 MB scale alike (1.6-1.9x), 16 MB leaves one worker idle at the end.
BATCH_BYTES = 4 << 20
# However small the files seem: progress still moves, and a batch formed before the files grew
# (the next account of an organisation trail) stays bounded.
_MAX_BATCH_FILES = 512
# Batches in flight per worker: enough that no worker waits for its next one, few enough that
# the parent holds a bounded number of file lists and partial results however large the tree.
_IN_FLIGHT = 4


Events = Iterable[tuple[Timestamp, Union[str, bytes]]]


def replay(
    inputs: Sequence[str | Path] | Events,
    metric_filter: MetricFilter,
    *,
    period: int = 300,
    statistic: str = "Sum",
    timestamp: TimestampSource = "event",
    dedupe: bool = False,
    strict: bool = False,
    jobs: int | None = 1,
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
) -> ReplayResult:
    """Replay log files (paths, directories, ``-``, ``s3://`` prefixes) or ``(timestamp,
    message)`` events through ``metric_filter``.

    ``timestamp="event"`` stamps each record with its ``eventTime`` (what CloudWatch Logs
    sees for CloudTrail); ``"delivery"`` uses the delivery time where the input carries it
    (the CloudTrail file name stamp, a CloudWatch Logs event's timestamp), counting fallbacks.
    ``jobs`` worker processes (``None``: all cores) or an ``executor`` replay files in parallel;
    with an ``executor``, ``jobs`` says how many batches it runs at once (``_IN_FLIGHT`` times
    that many are kept submitted).
    """
    options = ReplayOptions(timestamp, dedupe, strict)
    items = list(inputs) if not isinstance(inputs, (str, Path)) else [inputs]
    if items and isinstance(items[0], tuple):
        return _replay_events(items, metric_filter, period, statistic)  # type: ignore[arg-type]
    walked = Accounting()  # what the walk skipped or could not find, in walk order
    spec = orjson.dumps(metric_filter.as_put_metric_filter())
    mode = metric_filter.default_value_mode
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if "-" in items:
        workers = 1  # standard input belongs to this process: worker processes get /dev/null
    done = _Done()
    sizer = _BatchSizer()
    merged = _Merged(metric_filter)
    batches = _stream_batches([str(p) for p in items], walked, strict, done, sizer)

    def collect(batch: list[tuple[str, int]], part: _Partial) -> None:
        sizer.learn(len(batch), part.bytes)
        done.add(batch, part, progress)
        merged.add(part)

    if executor is None and workers == 1:
        for batch in batches:
            collect(batch, _replay_batch(batch, spec, mode, options))
    else:
        own = executor is None
        if own:  # compile once here: forked workers inherit the filter and the fast path's plan
            _filter_from_spec(spec, mode)
            if options.fast:
                _plan(spec, mode, options.dedupe)
        pool = executor or ProcessPoolExecutor(max_workers=workers)
        # Batches are submitted while the tree is still being walked, a bounded number at a
        # time, and collected in file order, so the merge is deterministic whatever finishes first.
        in_flight: deque[tuple[list[tuple[str, int]], Future[_Partial]]] = deque()
        try:
            for batch in batches:
                in_flight.append((batch, pool.submit(_replay_batch, batch, spec, mode, options)))
                if len(in_flight) >= _IN_FLIGHT * workers:
                    oldest, future = in_flight.popleft()
                    collect(oldest, future.result())
            while in_flight:
                oldest, future = in_flight.popleft()
                collect(oldest, future.result())
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    walked.merge(merged.accounting)
    acc = merged.acc
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None else None
    return ReplayResult(metric_filter, acc.datapoints(), walked, period, statistic, span)  # type: ignore[arg-type]


class _BatchSizer:
    """How many files make a batch of about ``BATCH_BYTES``, learnt from the batches done: the
    parent never looks up a file's size (a ``stat`` per file was a fifth of its work on a tree
    of small files, taken from the workers on a 2-core machine). The bytes per file are averaged
    with the newest batch weighing half, since an organisation trail's files change size from
    one account to the next. Until a batch is done the batches double from a few files, so that
    every worker starts at once."""

    def __init__(self) -> None:
        self.ramp = 4
        self.per_file: float | None = None  # decompressed bytes per file, recent batches weighing most

    def learn(self, files: int, decompressed: int) -> None:
        if files and decompressed:
            seen = decompressed / files
            self.per_file = seen if self.per_file is None else (self.per_file + seen) / 2

    def next_size(self) -> int:
        if self.per_file is not None:
            return max(1, min(_MAX_BATCH_FILES, int(BATCH_BYTES / self.per_file)))
        size, self.ramp = self.ramp, min(2 * self.ramp, 64)
        return size


def _stream_batches(
    inputs: list[str], accounting: Accounting, strict: bool, done: _Done, sizer: _BatchSizer
) -> Iterator[list[tuple[str, int]]]:
    """Batches of files (as sized by ``sizer`` when each starts), yielded as the inputs are
    walked. Skipped and missing inputs go to ``accounting`` (in walk order) on the way."""
    batch: list[tuple[str, int]] = []
    limit = sizer.next_size()
    for found in iter_discover(inputs, sizes=False):
        if isinstance(found, FileRef):
            batch.append((found.name, found.size))
            done.files_total += 1
            if len(batch) >= limit:
                yield batch
                batch, limit = [], sizer.next_size()
            continue
        source, reason, kind = found
        if kind.failed:
            accounting.files_failed += 1
            accounting.problem(source, None, reason)
            if strict:
                raise ReplayError(f"{source}: {reason}")
        else:
            accounting.files_skipped += 1
            accounting.skipped.append({"source": source, "reason": reason})
    if batch:
        yield batch


@dataclass
class _Done:
    files_total: int = 0  # grows while the inputs are walked
    files: int = 0
    bytes: int = 0
    records: int = 0
    matched: int = 0

    def add(self, batch: list[tuple[str, int]], part: _Partial, progress: ProgressCallback | None) -> None:
        self.files += len(batch)
        self.bytes += part.bytes
        self.records += part.accounting.records
        self.matched += part.accounting.matched + sum(1 for _, _, o in part.by_event_id or () if o.matched)
        if progress is not None:
            progress(Progress(self.files, self.files_total, self.bytes, self.records, self.matched))


class _Merged:
    """Partial results merged in file order as they come in (the parent keeps none of them):
    exactly the single-pass result, the first copy of a de-duplicated event winning."""

    def __init__(self, mf: MetricFilter) -> None:
        self.acc = mf.accumulator()
        self.accounting = Accounting()
        self.seen: set[str] = set()

    def add(self, part: _Partial) -> None:
        acc, accounting, seen = self.acc, self.accounting, self.seen
        acc.merge(part.acc, adopt=True)  # the partial result is not used again
        accounting.merge(part.accounting)
        for event_id, ms, obs in part.by_event_id or ():
            if event_id in seen:
                accounting.duplicates += 1
                continue
            seen.add(event_id)
            _count(accounting, obs)
            acc.add(ms, obs)


def _replay_events(events: Events, mf: MetricFilter, period: int, statistic: str) -> ReplayResult:
    acc = mf.accumulator()
    accounting = Accounting()
    for i, (ts, message) in enumerate(events):
        accounting.records += 1
        try:
            ms = epoch_ms(ts)
        except (TypeError, ValueError) as exc:
            accounting.rejected += 1
            accounting.problem("events", i, f"bad timestamp: {exc}")
            continue
        obs = mf.observe(message)
        _count(accounting, obs)
        acc.add(ms, obs)
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None else None
    return ReplayResult(mf, acc.datapoints(), accounting, period, statistic, span)  # type: ignore[arg-type]
