"""The replay driver: inputs walked into batches of files, batches run in this process or by
worker processes behind any ``concurrent.futures.Executor``, partial results merged in file
order into exactly the single-process result."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..metric import MetricFilter
from ..pattern.message import Message, as_text
from ..sources import FileRef, NotRead, NotReadKind, iter_discover
from ..sources.inflate import MAX_FILE_SIZE
from ..sources.scope import Scope, trail_file_origin
from ..times import Timestamp, epoch_ms, in_range
from .cluster import absolute, as_executor
from .counting import Partial, count_observation
from .files import replay_batch
from .plan import plan_for_filter
from .results import Accounting, Match, Progress, ReplayError, ReplayResult
from .spec import ReplayOptions, TimestampSource
from .workers import Workers, broken_pool

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

ProgressCallback = Callable[[Progress], None]
Events = Iterable[tuple[Timestamp, str | bytes]]
Batch = list[tuple[str, int]]

# Decompressed bytes per batch: several files per task spread the per-task cost (one pickled
# partial result per batch), and many batches keep every worker busy to the end. Measured on
# 100 MB with 2 processes: 1-8 MB scale alike (1.6-1.9x), 16 MB leaves one worker idle at the end.
BATCH_BYTES = 4 << 20
# However small the files seem: progress still moves, and a batch formed before the files grew
# (the next account of an organisation trail) stays bounded.
MAX_BATCH_FILES = 512
# Batches in flight per worker: enough that no worker waits for its next one, few enough that
# the parent holds a bounded number of file lists and partial results however large the tree.
IN_FLIGHT = 4


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
    executor: Executor | Any | None = None,
    progress: ProgressCallback | None = None,
    scope: Scope | None = None,
    matches: bool = False,
    max_file_size: int = MAX_FILE_SIZE,
    fast: bool = True,
) -> ReplayResult:
    """Replay log files (paths, directories, ``-``, ``s3://`` prefixes) or ``(timestamp,
    message)`` events through ``metric_filter``.

    ``timestamp="event"`` stamps each record with its ``eventTime`` (what CloudWatch Logs
    sees for CloudTrail); ``"delivery"`` uses the delivery time where the input carries it
    (the CloudTrail file name stamp, a CloudWatch Logs event's timestamp), counting fallbacks.
    ``jobs`` worker processes (``None``: all cores) or an ``executor`` replay files in parallel;
    with an ``executor``, ``jobs`` says how many batches it runs at once (``IN_FLIGHT`` times
    that many are kept submitted). The ``executor`` may be a ``distributed.Client`` (its
    ``get_executor()`` is used, ``jobs=None`` meaning all its worker threads); its workers may
    run elsewhere, so local paths are made absolute before they are shipped.
    ``scope`` (a time range, accounts, regions): folders, S3 prefixes and files outside it are
    pruned by the CloudTrail layout and names before anything is read, and records read outside
    its time range are counted apart (``out_of_range``), not in the metric.
    ``matches=True`` keeps every matched record in ``ReplayResult.matches``; it and ``fast=False``
    read every record whole, through the plain readers (the same result, slower).
    """
    items = list(inputs) if not isinstance(inputs, (str, Path)) else [inputs]
    if items and isinstance(items[0], tuple):
        return _replay_events(items, metric_filter, period, statistic, matches)  # type: ignore[arg-type]
    since, until = (scope.since_ms, scope.until_ms) if scope is not None else (None, None)
    options = ReplayOptions(timestamp, dedupe, strict, fast, matches, since, until, max_file_size)
    executor, cluster_workers = as_executor(executor)
    workers = (cluster_workers or os.cpu_count() or 1) if jobs is None else max(1, jobs)
    names = [str(p) for p in items]
    if executor is not None:  # a worker's working directory need not be this one
        names = [absolute(name) for name in names]
    if "-" in items:
        workers = 1  # standard input belongs to this process: worker processes get /dev/null
    walked = Accounting()  # what the walk skipped or could not find, in walk order
    done, sizer, merged = _Done(), _BatchSizer(), _Merged(metric_filter, matches)
    batches = _stream_batches(iter_discover(names, sizes=False, scope=scope), walked, strict, done, sizer)

    def collect(batch: Batch, part: Partial) -> None:
        sizer.learn(len(batch), part.bytes)
        done.add(batch, part, progress)
        merged.add(part)

    _run(batches, metric_filter, options, workers, executor, collect)
    walked.merge(merged.accounting)
    acc = merged.acc
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None and acc.last_ms is not None else None
    return ReplayResult(metric_filter, acc.datapoints(), walked, period, statistic, span, merged.matches, done.origin)


def _run(
    batches: Iterator[Batch], mf: MetricFilter, options: ReplayOptions, workers: int, executor: Executor | None,
    collect: Callable[[Batch, Partial], None],
) -> None:  # fmt: skip
    """Every batch replayed, here or by ``workers`` processes (or ``executor``), and collected
    in file order, so the merge is deterministic whatever finishes first."""
    if executor is None and workers == 1:
        for batch in batches:
            collect(batch, replay_batch(batch, mf, options))
        return
    if executor is None and options.fast:  # made once here: forked workers inherit the fast decoder's plan
        plan_for_filter(mf, options.dedupe)
    pool = Workers(workers, executor)
    # Batches are submitted while the tree is still being walked, a bounded number at a time.
    in_flight: deque[tuple[Batch, Future[Partial]]] = deque()
    try:
        for batch in batches:
            in_flight.append((batch, pool.submit(replay_batch, batch, mf, options)))
            if len(in_flight) >= IN_FLIGHT * workers:
                _collect_oldest(in_flight, pool, mf, options, collect)
        while in_flight:
            _collect_oldest(in_flight, pool, mf, options, collect)
    except BaseException:  # an interruption (Ctrl-C, SIGTERM...) or --strict: no worker left running
        for _, future in in_flight:
            future.cancel()
        pool.stop()
        raise
    pool.close()


def _collect_oldest(
    in_flight: deque[tuple[Batch, Future[Partial]]], pool: Workers, mf: MetricFilter, options: ReplayOptions,
    collect: Callable[[Batch, Partial], None],
) -> None:  # fmt: skip
    """Collect the oldest batch in flight. When a worker died (killed by the system: out of
    memory...), every batch in flight is lost: each is run again, alone, in new workers, and
    a batch whose worker dies again fails its files with the reason; the replay goes on."""
    batch, future = in_flight.popleft()
    try:
        part = future.result()
    except Exception as exc:
        if not broken_pool(exc):
            raise
        lost = [batch, *(b for b, _ in in_flight)]
        in_flight.clear()
        for again in lost:
            collect(again, pool.run_alone(replay_batch, again, mf, options))
        return
    collect(batch, part)


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
            return max(1, min(MAX_BATCH_FILES, int(BATCH_BYTES / self.per_file)))
        size, self.ramp = self.ramp, min(2 * self.ramp, 64)
        return size


def _stream_batches(
    walk: Iterator[FileRef | NotRead], accounting: Accounting, strict: bool, done: _Done, sizer: _BatchSizer
) -> Iterator[Batch]:
    """Batches of files (as sized by ``sizer`` when each starts), yielded as the inputs are
    walked. Inputs not read go to ``accounting`` (in walk order) on the way: failed, skipped or
    pruned as their kind says."""
    batch: Batch = []
    limit = sizer.next_size()
    for found in walk:
        if isinstance(found, FileRef):
            batch.append((found.name, found.size))
            done.files_total += 1
            if done.origin is None:
                done.origin = trail_file_origin(found.name)
            if len(batch) >= limit:
                yield batch
                batch, limit = [], sizer.next_size()
            continue
        source, reason, kind = found
        if kind.pruned:
            if kind is NotReadKind.PRUNED:
                accounting.pruned += 1
            else:
                accounting.pruned_folders += 1
        elif kind.failed:
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
    origin: tuple[str, str] | None = None  # the first CloudTrail file's (account, region), as walked
    files: int = 0
    bytes: int = 0
    records: int = 0
    matched: int = 0

    def add(self, batch: Batch, part: Partial, progress: ProgressCallback | None) -> None:
        self.files += len(batch)
        self.bytes += part.bytes
        self.records += part.accounting.records
        self.matched += part.accounting.matched + sum(1 for _, _, o in part.by_event_id or () if o.matched)
        if progress is not None:
            progress(Progress(self.files, self.files_total, self.bytes, self.records, self.matched))


class _Merged:
    """Partial results merged in file order as they come in (the parent keeps none of them):
    exactly the single-pass result, the first copy of a de-duplicated event winning."""

    def __init__(self, mf: MetricFilter, matches: bool = False) -> None:
        self.acc = mf.accumulator()
        self.accounting = Accounting()
        self.seen: set[str] = set()
        self.matches: list[Match] | None = [] if matches else None
        self._listed: set[str] = set()  # event IDs whose match is listed (de-duplicating)

    def add(self, part: Partial) -> None:
        acc, accounting, seen = self.acc, self.accounting, self.seen
        acc.merge(part.acc, adopt=True)  # the partial result is not used again
        accounting.merge(part.accounting)
        for event_id, ms, obs in part.by_event_id or ():
            if event_id in seen:
                accounting.duplicates += 1
                continue
            seen.add(event_id)
            count_observation(accounting, obs)
            acc.add(ms, obs)
        if self.matches is not None:
            self._add_matches(part, self.matches)

    def _add_matches(self, part: Partial, matches: list[Match]) -> None:
        """The batch's matched records; de-duplicating, only the first copy of an event."""
        kept: set[str] = set()
        dedupe = part.by_event_id is not None
        for event_id, match in part.matches or ():
            if dedupe and type(event_id) is str:
                if event_id in kept or event_id in self._listed:
                    continue
                kept.add(event_id)
            matches.append(match)
        self._listed |= kept


def _replay_events(
    events: Iterable[tuple[Timestamp, Message]], mf: MetricFilter, period: int, statistic: str, matches: bool
) -> ReplayResult:
    acc = mf.accumulator()
    accounting = Accounting()
    matched: list[Match] | None = [] if matches else None
    for i, (ts, message) in enumerate(events):
        accounting.records += 1
        try:
            ms = epoch_ms(ts)
            if not in_range(ms):
                raise ValueError(f"out of range: {ms} ms since the epoch (years 2 to 9998 UTC)")
        except (TypeError, ValueError, OverflowError) as exc:
            accounting.rejected += 1
            accounting.problem("events", i, f"bad timestamp: {exc}")
            continue
        obs = mf.observe(message)
        count_observation(accounting, obs)
        acc.add(ms, obs)
        if obs.matched and matched is not None:
            matched.append(Match(ms, "events", i, message if isinstance(message, dict) else None, as_text(message)))
    span = (acc.first_ms, acc.last_ms) if acc.first_ms is not None and acc.last_ms is not None else None
    return ReplayResult(mf, acc.datapoints(), accounting, period, statistic, span, matched)
