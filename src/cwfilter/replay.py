"""Replay: log files → events → a metric filter's datapoints, with full accounting.

Every record read ends up counted as matched, unmatched, rejected (with a reason) or, with
de-duplication, duplicate; every file as read, skipped (with a reason) or failed. Files
are processed in batches by worker processes behind a ``concurrent.futures.Executor``;
partial results merge into exactly the single-process result.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence, Union

import orjson

from . import fastpath
from .metric import Accumulator, Datapoints, MetricFilter, MetricKey, Observation, Timestamp, iso_utc, to_epoch_ms
from .metric_config import from_put_metric_filter
from .sources import (
    FileRef,
    Item,
    Problem,
    Skip,
    delivery_time_from_name,
    file_items,
    iter_discover,
    load_file,
    parse_time,
    read_file,
)

TimestampSource = Literal["event", "delivery"]
ProgressCallback = Callable[["Progress"], None]


class ReplayError(RuntimeError):
    """Raised in strict mode at the first problem, naming the file and record."""


@dataclass
class Progress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
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
    times: fastpath.EventTimes | None = None,
    loaded: tuple[bytes, str | None] | Problem | None = None,
) -> None:
    """Count one file into ``part``: through ``plan`` (the fast path) where it applies, else
    through the plain readers, which parse every record completely. ``loaded``: the file's
    content when the caller has already read it."""
    if plan is None and loaded is None:
        items: Iterable[Item | Problem | Skip] = read_file(ref)
    else:
        loaded = load_file(ref) if loaded is None else loaded
        if isinstance(loaded, Problem):
            items = [loaded]
        else:
            data, trouble = loaded
            fast = plan is not None and trouble is None
            if fast and _process_fast(ref, data, mf, options, part, plan, times or fastpath.EventTimes()):  # type: ignore[arg-type]
                return
            items = file_items(ref, data, trouble)
    acc, accounting = part.acc, part.accounting
    accounting.files += 1
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


def _replay_batch(files: list[FileRef], spec: bytes, mode: str, options: ReplayOptions) -> _Partial:
    """Worker entry point: replay a batch of files (top level, so it pickles)."""
    mf = _filter_from_spec(spec, mode)
    part = _Partial(mf.accumulator(), Accounting(), [] if options.dedupe else None)
    json_fast = mf.pattern.family == "json"
    plan = _plan(spec, mode, options.dedupe) if options.fast else None
    times = _EVENT_TIMES  # a pure, bounded cache: it may outlive a replay
    if plan is not None and options.timestamp == "event" and not options.dedupe and mf.default_value is None:
        _replay_files_together(files, mf, options, part, json_fast, plan, times)
        return part
    for ref in files:
        _process_file(ref, mf, options, part, json_fast, plan, times)
    return part


# Decompressed bytes decoded in one msgspec call (``decode_many``): large enough to spread the
# per-call cost over many small CloudTrail files, small enough to bound a worker's memory.
CHUNK_BYTES = 8 << 20


def _replay_files_together(
    files: list[FileRef],
    mf: MetricFilter,
    options: ReplayOptions,
    part: _Partial,
    json_fast: bool,
    plan: fastpath.RecordPlan,
    times: fastpath.EventTimes,
) -> None:
    """``_process_file`` for every file, but chunks of clean files go through one decoder call
    and one pass over their records (counting only matches is then per chunk, not per file).
    A chunk the shortcut cannot take exactly is processed file by file, in file order."""
    pending: list[tuple[FileRef, bytes]] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if pending and not _process_chunk_fast(pending, mf, part, plan, times):
            for ref, data in pending:
                _process_file(ref, mf, options, part, json_fast, plan, times, (data, None))
        pending.clear()
        size = 0

    for ref in files:
        loaded = load_file(ref)
        if isinstance(loaded, Problem) or loaded[1] is not None:
            flush()
            _process_file(ref, mf, options, part, json_fast, plan, times, loaded)
            continue
        pending.append((ref, loaded[0]))
        size += len(loaded[0])
        if size >= CHUNK_BYTES:
            flush()
    flush()


def _process_chunk_fast(
    pending: list[tuple[FileRef, bytes]],
    mf: MetricFilter,
    part: _Partial,
    plan: fastpath.RecordPlan,
    times: fastpath.EventTimes,
) -> bool:
    """Count a chunk of files at once when every one is a compact ``{"Records": [...]}``
    document whose records all carry a usable ``eventTime``; False (nothing counted) otherwise."""
    per_file = plan.decode_many([data for _, data in pending])
    if per_file is None:
        return False
    records = [r for recs in per_file for r in recs]
    grouped = _by_unique_time(records, plan.match, times)
    if not isinstance(grouped, tuple) or grouped[1]:  # no eventTime, ungroupable, or rejected records
        return False
    hits, _, span = grouped
    acc, accounting = part.acc, part.accounting
    accounting.files += len(pending)
    accounting.records += len(records)
    for ms, r, _ in hits:
        obs = mf.observe_object(plan.members(r))
        _count(accounting, obs)
        acc.add(ms, obs)
    unmatched = len(records) - len(hits)
    if unmatched and span:
        no_match = Observation(False, None, (), "no match")
        accounting.unmatched += unmatched
        acc.add(min(span), no_match)
        acc.add(max(span), no_match)
    return True


_EVENT_TIMES = fastpath.EventTimes()


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
    times: fastpath.EventTimes,
) -> bool:
    """``_process_file`` for a file ``plan`` can decode, with the same result; False (and
    nothing counted) when the plain path must read it."""
    records = plan.decode(data)
    if records is None:
        return False
    delivered = delivery_time_from_name(ref.name)
    by_delivery = options.timestamp == "delivery" and delivered is not None
    keep_all = part.by_event_id is not None or mf.default_value is not None
    missing, match, parse = fastpath.MISSING, plan.match, times.parse
    seconds, minutes = fastpath.SECONDS, times.minutes
    hits: list[tuple[int, Any, bool]] = []  # (ms, record, matched): matches, or every record if keep_all
    rejected: list[tuple[int, str | None]] = []
    others: list[int] = []  # times of the records not in hits: they only widen the accumulator's span
    other = others.append
    grouped = _by_unique_time(records, match, times) if not keep_all and not by_delivery else None
    if grouped is False:
        return False
    if grouped is not None:
        hits, rejected, others = grouped  # type: ignore[misc]
    for i, r in enumerate(records if grouped is None else ()):
        t = r.event_time
        if t is missing:
            return False  # the plain path may unwrap it (lookup-events, EventBridge): let it
        if by_delivery:
            ms = delivered
        elif type(t) is str and len(t) == 20 and (s := seconds.get(t[17:])) is not None and (
            m := minutes.get(t[:17])
        ) is not None:
            ms = m + s
        else:
            ms, why = parse(t)
            if ms is None:
                rejected.append((i, why))
                continue
        if match(r):
            hits.append((ms, r, True))  # type: ignore[arg-type]
        elif keep_all:
            hits.append((ms, r, False))  # type: ignore[arg-type]
        else:
            other(ms)  # type: ignore[arg-type]

    acc, accounting = part.acc, part.accounting
    accounting.files += 1
    accounting.records += len(records)
    if options.timestamp == "delivery" and delivered is None:
        accounting.delivery_time_fallbacks += len(records)
    for i, why in rejected:
        accounting.rejected += 1
        accounting.problem(ref.name, i, why or "no timestamp")
        if options.strict:
            raise ReplayError(f"{ref.name} record {i}: {why}")
    no_match = (
        Observation(False, mf.default_value, (), "defaultValue")
        if mf.default_value is not None
        else Observation(False, None, (), "no match")
    )
    by_event_id = part.by_event_id
    for ms, r, matched in hits:
        obs = mf.observe_object(plan.members(r)) if matched else no_match
        if by_event_id is not None and type(event_id := r.event_id) is str:
            by_event_id.append((event_id, ms, obs))
            continue
        _count(accounting, obs)
        acc.add(ms, obs)
    unmatched = len(others) if grouped is None else len(records) - len(hits) - len(rejected)
    if unmatched and others:  # no default value: ``acc.add`` would only widen the span, at both ends at most
        accounting.unmatched += unmatched
        acc.add(min(others), no_match)
        acc.add(max(others), no_match)
    return True


def _by_unique_time(
    records: list[Any], match: Callable[[Any], bool], times: fastpath.EventTimes
) -> tuple[list[tuple[int, Any, bool]], list[tuple[int, str | None]], list[int]] | None | bool:
    """The per-record loop of ``_process_fast`` done per distinct ``eventTime`` instead (a file
    holds far fewer distinct seconds than records): (matches, rejected, span of the others).
    ``False`` when a record has no ``eventTime`` (the plain path must read the file); ``None``
    when the times cannot be grouped (unhashable values): use the per-record loop."""
    event_times = [r.event_time for r in records]
    try:
        unique = set(event_times)
    except TypeError:
        return None
    if fastpath.MISSING in unique:
        return False
    canonical = _canonical_times(unique, times)
    if canonical is not None:  # every time is CloudTrail's own form: work only on the matches
        hits = [(canonical(r.event_time), r, True) for r in records if match(r)]
        span = [canonical(min(unique)), canonical(max(unique))] if len(hits) < len(records) else []
        return hits, [], span
    seconds, minutes, parse = fastpath.SECONDS, times.minutes, times.parse
    parsed: dict[Any, tuple[int | None, str | None]] = {}
    for t in unique:  # CloudTrail's own form costs two look-ups; anything else the full parse
        if type(t) is str and len(t) == 20 and (sec := seconds.get(t[17:])) is not None:
            minute = minutes.get(t[:17])
            if minute is not None:
                parsed[t] = (minute + sec, None)
                continue
        parsed[t] = parse(t)
    good = [ms for ms, _ in parsed.values() if ms is not None]
    rejected: list[tuple[int, str | None]] = []
    if len(good) < len(parsed):  # rare: find the records with an unusable time
        rejected = [(i, parsed[t][1]) for i, t in enumerate(event_times) if parsed[t][0] is None]
    hits = [(ms, r, True) for r in records if match(r) and (ms := parsed[r.event_time][0]) is not None]
    others = [min(good), max(good)] if len(hits) + len(rejected) < len(records) and good else []
    return hits, rejected, others  # type: ignore[return-value]


_TAIL, _PREFIX = itemgetter(slice(17, None)), itemgetter(slice(0, 17))
_SECOND_TAILS = frozenset(fastpath.SECONDS)


def _canonical_times(unique: set[Any], times: fastpath.EventTimes) -> Callable[[str], int] | None:
    """When every time in ``unique`` is a valid ``YYYY-MM-DDThh:mm:ssZ`` (checked with set
    operations, not a loop per record), a function giving its epoch ms; else ``None``. Such
    strings sort in time order, so their ``min``/``max`` are the earliest/latest."""
    if set(map(type, unique)) != {str} or set(map(len, unique)) != {20}:
        return None
    seconds, minutes = fastpath.SECONDS, times.minutes
    if not set(map(_TAIL, unique)) <= _SECOND_TAILS:
        return None
    for prefix in set(map(_PREFIX, unique)):
        if prefix not in minutes and times.parse(prefix + "00Z")[0] is None:
            return None
    return lambda t: minutes[t[:17]] + seconds[t[17:]]


# ------------------------------------------------------------------ the driver


# Compressed bytes per batch (about 15 MB of JSON): several files per task spread the per-task
# cost (one pickled partial result per batch), and many batches keep both workers busy to the end.
BATCH_BYTES = 2 << 20


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
    ``jobs`` worker processes (``None``: all cores) or an ``executor`` replay files in parallel.
    """
    options = ReplayOptions(timestamp, dedupe, strict)
    items = list(inputs) if not isinstance(inputs, (str, Path)) else [inputs]
    if items and isinstance(items[0], tuple):
        return _replay_events(items, metric_filter, period, statistic)  # type: ignore[arg-type]
    accounting = Accounting()
    spec = orjson.dumps(metric_filter.as_put_metric_filter())
    mode = metric_filter.default_value_mode
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if "-" in items:
        workers = 1  # standard input belongs to this process: worker processes get /dev/null
    done = _Done()
    batches = _stream_batches([str(p) for p in items], accounting, strict, done)

    parts: list[_Partial] = []
    if executor is None and workers == 1:
        for batch in batches:
            parts.append(_replay_batch(batch, spec, mode, options))
            done.add(batch, parts[-1], progress)
    else:
        own = executor is None
        if own:  # compile once here: forked workers inherit the filter and the fast path's plan
            _filter_from_spec(spec, mode)
            if options.fast:
                _plan(spec, mode, options.dedupe)
        pool = executor or ProcessPoolExecutor(max_workers=workers)
        try:
            # Batches are submitted while the tree is still being walked, and collected in file
            # order, so the merge is deterministic whatever finishes first.
            submitted = [(batch, pool.submit(_replay_batch, batch, spec, mode, options)) for batch in batches]
            for batch, future in submitted:
                parts.append(future.result())
                done.add(batch, parts[-1], progress)
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    return _combine(metric_filter, parts, accounting, period, statistic)


def _stream_batches(inputs: list[str], accounting: Accounting, strict: bool, done: _Done) -> Iterator[list[FileRef]]:
    """Batches of about ``BATCH_BYTES`` of files, yielded as the inputs are walked; skipped and
    missing inputs go to ``accounting`` (in walk order) on the way."""
    batch: list[FileRef] = []
    weight = 0
    for found in iter_discover(inputs):
        if isinstance(found, FileRef):
            batch.append(found)
            weight += found.size or 1
            done.files_total += 1
            done.bytes_total += found.size
            if weight >= BATCH_BYTES:
                yield batch
                batch, weight = [], 0
            continue
        source, reason = found
        if reason == "no such file or directory" or reason.startswith(source + ":") or "cannot list" in reason:
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
    bytes_total: int = 0
    files: int = 0
    bytes: int = 0
    records: int = 0
    matched: int = 0

    def add(self, batch: list[FileRef], part: _Partial, progress: ProgressCallback | None) -> None:
        self.files += len(batch)
        self.bytes += sum(f.size for f in batch)
        self.records += part.accounting.records
        self.matched += part.accounting.matched + sum(1 for _, _, o in part.by_event_id or () if o.matched)
        if progress is not None:
            progress(Progress(self.files, self.files_total, self.bytes, self.bytes_total, self.records, self.matched))


def _combine(
    mf: MetricFilter, parts: list[_Partial], accounting: Accounting, period: int, statistic: str
) -> ReplayResult:
    acc = mf.accumulator()
    seen: set[str] = set()
    for part in parts:
        acc.merge(part.acc)
        accounting.merge(part.accounting)
        for event_id, ms, obs in part.by_event_id or ():
            if event_id in seen:
                accounting.duplicates += 1
                continue
            seen.add(event_id)
            _count(accounting, obs)
            acc.add(ms, obs)
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None else None
    return ReplayResult(mf, acc.datapoints(), accounting, period, statistic, span)  # type: ignore[arg-type]


def _replay_events(events: Events, mf: MetricFilter, period: int, statistic: str) -> ReplayResult:
    acc = mf.accumulator()
    accounting = Accounting()
    for i, (ts, message) in enumerate(events):
        accounting.records += 1
        try:
            ms = to_epoch_ms(ts)
        except (TypeError, ValueError) as exc:
            accounting.rejected += 1
            accounting.problem("events", i, f"bad timestamp: {exc}")
            continue
        obs = mf.observe(message)
        _count(accounting, obs)
        acc.add(ms, obs)
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None else None
    return ReplayResult(mf, acc.datapoints(), accounting, period, statistic, span)  # type: ignore[arg-type]
