"""What a replay gives back: the datapoints of one metric filter and what happened to every
file and record read (``Accounting``), and the error strict mode raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import CwfilterError
from ..metric import Datapoints, MetricFilter, MetricKey
from ..times import iso_utc

_NUMBERS = re.compile(r"0x[0-9A-Fa-f]+|\d+")


class ReplayError(CwfilterError, RuntimeError):
    """Raised in strict mode at the first problem, naming the file and record."""

    code = "E_REPLAY"


@dataclass
class Progress:
    """How far a replay has come, for a progress callback."""

    files_done: int
    files_total: int  # files found so far (grows while the inputs are walked)
    bytes_done: int  # of log data read, decompressed
    records: int
    matched: int


@dataclass
class Accounting:
    """What happened to every file and record read. Every file found is read, failed or
    skipped (``files_seen`` is their sum); a file read in part (truncated, beyond
    ``--max-file-size``...) is among those read and also counted in ``files_partial``."""

    files: int = 0  # files read, in full or in part (not those that failed)
    files_failed: int = 0
    files_skipped: int = 0
    files_partial: int = 0  # of ``files``: read only in part, with the reason in ``problems``
    records: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    duplicates: int = 0
    delivery_time_fallbacks: int = 0
    out_of_range: int = 0  # records read whose time falls outside --since/--until: not counted in the metric
    pruned: int = 0  # files left out by the range before being read (by their names)
    pruned_folders: int = 0  # directories and S3 prefixes left out by the range (by the layout), not listed
    problems: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def merge(self, other: Accounting) -> None:
        """Add ``other``'s counts, problems and skipped files to these."""
        for name in ("files", "files_failed", "files_skipped", "files_partial", "records", "matched", "unmatched",
                     "rejected", "duplicates", "delivery_time_fallbacks", "out_of_range", "pruned",
                     "pruned_folders"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)
        self.skipped.extend(other.skipped)

    @property
    def files_seen(self) -> int:
        """Every file found: read, failed or skipped."""
        return self.files + self.files_failed + self.files_skipped

    @property
    def complete(self) -> bool:
        """Whether every input found was read in full (or skipped on purpose)."""
        return not self.files_failed and not self.files_partial

    def problem(self, source: str, index: int | None, reason: str) -> None:
        """Record a problem with ``source`` (and record ``index``, if any), for people and for JSON."""
        entry: dict[str, Any] = {"source": source, "reason": reason}
        if index is not None:
            entry["record"] = index
        self.problems.append(entry)

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {
            "files": self.files,
            "filesFailed": self.files_failed,
            "filesSkipped": self.files_skipped,
            "filesPartial": self.files_partial,
            "filesSeen": self.files_seen,
            "records": self.records,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "deliveryTimeFallbacks": self.delivery_time_fallbacks,
            "outOfRange": self.out_of_range,
            "pruned": self.pruned,
            "prunedFolders": self.pruned_folders,
            "problems": self.problems,
            "skipped": self.skipped,
        }

    def problem_summary(self) -> list[tuple[str, int, list[str]]]:
        """(reason, count, first sources) per kind of reason, most frequent first: reasons that
        differ only in their numbers (a byte, a line, a column) are one kind, shown by the
        first one's whole text."""
        groups: dict[str, tuple[str, list[str]]] = {}
        for p in self.problems:
            where = p["source"] + (f" #{p['record']}" if "record" in p else "")
            group = groups.setdefault(_NUMBERS.sub("#", p["reason"]), (p["reason"], []))
            group[1].append(where)
        return sorted(((r, len(w), w[:3]) for r, w in groups.values()), key=lambda x: -x[1])


class Match(NamedTuple):
    """A matched record (``replay(..., matches=True)``): when it counted, where it was read
    (input and record number) and what it was (the parsed record, or the raw message of a log
    line that is not a CloudTrail record)."""

    timestamp: int  # epoch ms the record counted at
    source: str
    index: int  # type: ignore[assignment]  # the record number (shadows tuple.index, as meant)
    record: dict[str, Any] | None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``eventTime``-style UTC time, source, record number, record or message."""
        out: dict[str, Any] = {"timestamp": iso_utc(self.timestamp), "source": self.source, "index": self.index}
        if self.record is not None:
            out["record"] = self.record
        else:
            out["message"] = self.message
        return out


@dataclass
class ReplayResult:
    """Datapoints of one metric filter over the inputs, and what happened to every record."""

    metric_filter: MetricFilter
    datapoints: Datapoints
    accounting: Accounting
    period: int = 300
    statistic: str = "Sum"
    span: tuple[int, int] | None = None  # epoch ms of the first and last event read, matched or not
    matches: list[Match] | None = None  # with ``replay(..., matches=True)``: every matched record, in file order
    origin: tuple[str, str] | None = None  # (account, region) of the first CloudTrail log file read, by its name

    @property
    def metric(self) -> MetricKey:
        """The filter's metric without dimensions."""
        return self.metric_filter.metric_key()

    def periods(self, key: MetricKey | None = None) -> list[tuple[int, float]]:
        """The replay's statistic per period, ``(period start epoch ms, value)``, for ``key`` (default: the filter's metric)."""
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
