"""Presentation of replay results: the readable table and CSV. Returns text; never prints."""

from __future__ import annotations

import csv
import io
import time
from typing import TextIO

from .alarm import AlarmTimeline
from .alarm.text import java_double
from .replay import Progress, ReplayResult
from .times import iso_utc


def _dims(dimensions: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in dimensions) or "-"


def table(result: ReplayResult) -> str:
    """Periods with data per metric, then the accounting summary."""
    mf = result.metric_filter
    lines = [
        f"metric filter   {mf.name or '-'}: {mf.pattern.text}",
        f"metric          {mf.namespace}/{mf.metric_name}  value={mf.value}"
        + (f"  default={mf.default_value:g}" if mf.default_value is not None else "")
        + (f"  unit={mf.unit}" if mf.unit else ""),
        "",
    ]
    keys = result.datapoints.metrics() or [result.metric]
    for key in keys:
        periods = result.datapoints.periods(key, result.period, result.statistic)
        minutes = result.datapoints.minutes(key)
        header = f"{result.statistic} per {result.period} s"
        if key.dimensions:
            header += f"  [{_dims(key.dimensions)}]"
        lines.append(f"{header}: {len(periods)} periods with data, {len(minutes)} minutes with datapoints")
        if periods:
            lines.append(f"  {'period start (UTC)':<22} {'value':>12}  datapoints (minute: sum/samples)")
        by_period: dict[int, list[str]] = {}
        for minute, stats in minutes:
            start = minute - minute % (result.period * 1000)
            by_period.setdefault(start, []).append(f"{iso_utc(minute)[11:16]}: {stats.sum:g}/{stats.sample_count}")
        for start, value in periods:
            detail = ", ".join(by_period.get(start, [])[:6])
            more = len(by_period.get(start, [])) - 6
            lines.append(f"  {iso_utc(start):<22} {value:>12g}  {detail}{f' (+{more} more)' if more > 0 else ''}")
        lines.append("")
    lines.extend(accounting_lines(result))
    return "\n".join(lines) + "\n"


def accounting_lines(result: ReplayResult) -> list[str]:
    a = result.accounting
    lines = [
        f"files           {a.files} read, {a.files_failed} failed, {a.files_skipped} skipped",
        f"records         {a.records:,} read: {a.matched:,} matched, {a.unmatched:,} not matched, "
        f"{a.rejected:,} rejected" + (f", {a.duplicates:,} duplicates dropped" if a.duplicates else ""),
    ]
    if a.delivery_time_fallbacks:
        lines.append(f"timestamps      {a.delivery_time_fallbacks:,} records had no delivery time: eventTime used")
    summary = a.problem_summary()
    if summary:
        lines.append(f"problems        {len(a.problems):,} (all listed in --format json)")
        for reason, count, where in summary[:10]:
            lines.append(f"  {count:>7,} × {reason}  e.g. {where[0]}")
    skipped: dict[str, int] = {}
    for s in a.skipped:
        skipped[s["reason"]] = skipped.get(s["reason"], 0) + 1
    for reason, count in sorted(skipped.items(), key=lambda x: -x[1]):
        lines.append(f"skipped         {count:,} × {reason}")
    return lines


def csv_text(result: ReplayResult) -> str:
    """One row per datapoint minute and per period, for every metric series."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["kind", "timestamp", "namespace", "metric", "dimensions", "unit", "period", "statistic", "value",
                "sampleCount", "sum", "minimum", "maximum"])  # fmt: skip
    for key in result.datapoints.metrics():
        ident = [key.namespace, key.name, _dims(key.dimensions), key.unit or ""]
        for minute, s in result.datapoints.minutes(key):
            w.writerow(["datapoint", iso_utc(minute), *ident, 60, "", "", s.sample_count, s.sum, s.minimum, s.maximum])
        for start, value in result.datapoints.periods(key, result.period, result.statistic):
            w.writerow(["period", iso_utc(start), *ident, result.period, result.statistic, value, "", "", "", ""])
    return out.getvalue()


class ProgressBar:
    """A one-line progress display on a terminal: files, MB/s, records/s, matches."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and p.files_done < p.files_total:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        self.stream.write(
            f"\r  {p.files_done:,}/{p.files_total:,} files  {p.bytes_done / elapsed / 1e6:6.1f} MB/s  "
            f"{p.records / elapsed:9,.0f} records/s  {p.matched:,} matched "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def alarm_table(timeline: AlarmTimeline) -> str:
    """The alarm's episodes: when it went to ALARM, why, when it left, notifications sent."""
    a = timeline.alarm
    stat = a.extended_statistic or a.statistic
    lines = [
        "",
        f"alarm           {a.name}: {stat} of {a.namespace}/{a.metric_name} over {a.period} s, "
        f"{a.m} of {a.evaluation_periods} period(s) {a.comparison_operator} {java_double(a.threshold)}, "
        f"TreatMissingData={a.treat_missing_data or 'missing (unset)'}",
        f"evaluated       {iso_utc(timeline.created_at)} (created, {timeline.initial_state}) to {iso_utc(timeline.end)}: "
        f"{len(timeline.transitions)} transitions, {len(timeline.notifications)} SNS notifications, "
        f"final state {timeline.final_state}",
    ]
    episodes = timeline.episodes("ALARM")
    if not episodes:
        lines.append("episodes        the alarm never went to ALARM")
    for i, (entry, exit_) in enumerate(episodes, 1):
        sent = sum(
            1
            for n in timeline.notifications
            if entry.timestamp <= n.timestamp < (exit_.timestamp if exit_ else 1 << 62)
        )
        left = f"left at {iso_utc(exit_.timestamp)} for {exit_.new_state}" if exit_ else "still in ALARM at the end"
        lines.append(f"  #{i:<3} ALARM at {iso_utc(entry.timestamp)}, {left}; {sent} notification(s)")
        lines.append(f"        why: {entry.reason}")
    return "\n".join(lines) + "\n"
