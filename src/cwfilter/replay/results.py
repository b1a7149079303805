"""What a replay gives back: the datapoints of one metric filter and what happened to every
file and record read (``Accounting``), and the error strict mode raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import CwfilterError
from ..metric import Datapoints, MetricFilter, MetricKey
from ..times import iso_utc


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
        """Add ``other``'s counts, problems and skipped files to these."""
        for name in ("files", "files_failed", "files_skipped", "records", "matched", "unmatched", "rejected",
                     "duplicates", "delivery_time_fallbacks"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)
        self.skipped.extend(other.skipped)

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
