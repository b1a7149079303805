"""``cwfilter replay``'s result: the readable table (datapoints per period, the accounting, the
alarm's episodes), the JSON form, CSV, and the progress line. Returns text; never prints."""

from __future__ import annotations

import csv
import io
import time
from typing import Any, ClassVar, TextIO

from ..alarm import AlarmTimeline
from ..alarm.evaluator import Transition
from ..alarm.text import java_double
from ..replayer import Match, Progress, ReplayResult
from ..times import iso_utc, parse_time
from .base import Report


class ReplayReport(Report):
    """A replay's result with the alarm's timeline (when one was evaluated); ``show_all``
    lists every period and episode in the table."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv", "html")

    def __init__(self, result: ReplayResult, timeline: AlarmTimeline | None = None, *, show_all: bool = False) -> None:
        self.result, self.timeline, self.show_all = result, timeline, show_all

    def data(self) -> dict[str, Any]:
        doc = self.result.to_json()
        if self.timeline is not None:
            doc["alarm"] = self.timeline.as_dict()
        return doc

    def table(self) -> str:
        text = table(self.result, show_all=self.show_all)
        if self.timeline is not None:
            text += alarm_table(self.timeline, show_all=self.show_all, matches=self.result.matches)
        return text

    def csv(self) -> str:
        return csv_text(self.result, self.timeline)

    def html(self) -> str:
        """The replay as one self-contained page (``report.html``)."""
        from .html import replay_html  # only for --output html

        return replay_html(self.result, [self.timeline] if self.timeline is not None else [])


def _dims(dimensions: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in dimensions) or "-"


# Long series are summarised in the table: the first and last periods and the busiest ones.
SHOWN_ROWS = 20


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 period``, ``2 periods``, ``1,000 periods`` (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def _shown(items: list[tuple[int, float]], show_all: bool) -> tuple[list[tuple[int, float]], int]:
    """The periods a table shows (chronological) and how many it leaves out: all of them, or
    the first, the last and the busiest, ``SHOWN_ROWS`` in all."""
    if show_all or len(items) <= SHOWN_ROWS:
        return items, 0
    ends = {items[0][0], items[-1][0]}
    busiest = sorted((p for p in items if p[0] not in ends), key=lambda p: (-p[1], p[0]))[: SHOWN_ROWS - 2]
    keep = ends | {p[0] for p in busiest}
    return [p for p in items if p[0] in keep], len(items) - len(keep)


def table(result: ReplayResult, *, show_all: bool = False) -> str:
    """Periods with data per metric, then the accounting summary. A long series shows its
    first, last and busiest periods unless ``show_all``."""
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
        lines.append(
            f"{header}: {plural(len(periods), 'period')} with data, {plural(len(minutes), 'minute')} with datapoints"
        )
        if periods:
            lines.append(f"  {'period start (UTC)':<22} {'value':>12}  datapoints (minute: sum/samples)")
        by_period: dict[int, list[str]] = {}
        for minute, stats in minutes:
            start = minute - minute % (result.period * 1000)
            by_period.setdefault(start, []).append(f"{iso_utc(minute)[11:16]}: {stats.sum:g}/{stats.sample_count:,}")
        shown, left_out = _shown(periods, show_all)
        for start, value in shown:
            detail = ", ".join(by_period.get(start, [])[:6])
            more = len(by_period.get(start, [])) - 6
            lines.append(f"  {iso_utc(start):<22} {value:>12g}  {detail}{f' (+{more} more)' if more > 0 else ''}")
        if left_out:
            lines.append(f"  ... {plural(left_out, 'more period')} with data: shown are the first, the last and the "
                         f"busiest (--all lists every one, --output json or csv gives them as data)")  # fmt: skip
        lines.append("")
    lines.extend(accounting_lines(result))
    return "\n".join(lines) + "\n"


def accounting_lines(result: ReplayResult) -> list[str]:
    a = result.accounting
    lines = [
        f"files           {a.files_seen:,} seen: {a.files:,} read"
        + (f" ({a.files_partial:,} only in part)" if a.files_partial else "")
        + f", {a.files_failed:,} failed, {a.files_skipped:,} skipped",
        f"records         {a.records:,} read: {a.matched:,} matched, {a.unmatched:,} not matched, "
        f"{a.rejected:,} rejected" + (f", {a.duplicates:,} duplicates dropped" if a.duplicates else ""),
    ]
    if a.out_of_range:
        lines.append(f"out of range    {a.out_of_range:,} records read outside --since/--until: not counted")
    if a.pruned or a.pruned_folders:
        lines.append(f"pruned          {a.pruned:,} files and {a.pruned_folders:,} folders outside the range, not read")
    if a.delivery_time_fallbacks:
        lines.append(f"timestamps      {a.delivery_time_fallbacks:,} records had no delivery time: eventTime used")
    summary = a.problem_summary()
    if summary:
        lines.append(f"problems        {len(a.problems):,} (all listed in --output json)")
        for reason, count, where in summary[:10]:
            lines.append(f"  {count:>7,} × {reason}  e.g. {where[0]}")
    skipped: dict[str, int] = {}
    for s in a.skipped:
        skipped[s["reason"]] = skipped.get(s["reason"], 0) + 1
    for reason, count in sorted(skipped.items(), key=lambda x: -x[1]):
        lines.append(f"skipped         {count:,} × {reason}")
    return lines


CSV_HEADER = ["kind", "timestamp", "namespace", "metric", "dimensions", "unit", "period", "statistic", "value",
              "sampleCount", "sum", "minimum", "maximum", "detail"]  # fmt: skip


def csv_text(result: ReplayResult, timeline: AlarmTimeline | None = None) -> str:
    """One row per datapoint minute and per period, for every metric series; then the
    accounting (``kind`` = ``accounting``/``problem``/``skipped``: the count in ``value``,
    what it counts in ``detail``) and the alarm's transitions (``alarm``: the new state in
    ``value``, the reason in ``detail``), so the CSV alone says what was read."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for key in result.datapoints.metrics():
        ident = [key.namespace, key.name, _dims(key.dimensions), key.unit or ""]
        for minute, s in result.datapoints.minutes(key):
            w.writerow(
                ["datapoint", iso_utc(minute), *ident, 60, "", "", s.sample_count, s.sum, s.minimum, s.maximum, ""]
            )
        for start, value in result.datapoints.periods(key, result.period, result.statistic):
            w.writerow(["period", iso_utc(start), *ident, result.period, result.statistic, value, "", "", "", "", ""])
    blank = [""] * 6
    a = result.accounting
    counts = {"files seen": a.files_seen, "files read": a.files, "files read in part": a.files_partial,
              "files failed": a.files_failed, "files skipped": a.files_skipped,
              "records read": a.records, "records matched": a.matched, "records not matched": a.unmatched,
              "records rejected": a.rejected, "duplicates dropped": a.duplicates,
              "records out of range": a.out_of_range, "files pruned": a.pruned, "folders pruned": a.pruned_folders}  # fmt: skip
    for what, count in counts.items():
        w.writerow(["accounting", "", *blank, count, "", "", "", "", what])
    for reason, count, _ in a.problem_summary():
        w.writerow(["problem", "", *blank, count, "", "", "", "", reason])
    skipped: dict[str, int] = {}
    for item in a.skipped:
        skipped[item["reason"]] = skipped.get(item["reason"], 0) + 1
    for reason, count in skipped.items():
        w.writerow(["skipped", "", *blank, count, "", "", "", "", reason])
    if timeline is not None:
        al = timeline.alarm
        for t in timeline.transitions:
            w.writerow(["alarm", iso_utc(t.timestamp), al.namespace, al.metric_name, "", "", al.period,
                        al.extended_statistic or al.statistic, t.new_state, "", "", "", "", t.reason])  # fmt: skip
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


# Events named under each ALARM episode of the table.
EVENTS_SHOWN = 5


def events_behind(transition: Transition, matches: list[Match]) -> list[Match]:
    """The matched records behind a transition: those counted in the periods of its evaluated
    datapoints (``StateReasonData``), oldest first."""
    data = transition.reason_data
    period_ms = int(data.get("period", 60)) * 1000
    windows = []
    for dp in data.get("evaluatedDatapoints", []):
        start = parse_time(dp.get("timestamp"))
        if start is not None and "value" in dp:
            windows.append((start, start + period_ms))
    return [m for m in matches if any(a <= m.timestamp < b for a, b in windows)]


def describe_match(match: Match) -> str:
    """One matched record for people: time, eventName, bucket (or other resource), principal."""
    r = match.record
    if r is None:
        return f"{iso_utc(match.timestamp)[11:19]} {(match.message or '')[:60]}"
    params: dict[str, Any] = r["requestParameters"] if isinstance(r.get("requestParameters"), dict) else {}
    identity: dict[str, Any] = r["userIdentity"] if isinstance(r.get("userIdentity"), dict) else {}
    bucket = params.get("bucketName")
    who = identity.get("arn") or identity.get("principalId") or identity.get("type") or "?"
    return (
        f"{iso_utc(match.timestamp)[11:19]} {r.get('eventName', '?')}"
        + (f" bucket={bucket}" if bucket else "")
        + f" by {who}"
    )


def alarm_table(timeline: AlarmTimeline, *, show_all: bool = False, matches: list[Match] | None = None) -> str:
    """The alarm's episodes: when it went to ALARM, why, when it left, notifications sent."""
    a = timeline.alarm
    stat = a.extended_statistic or a.statistic
    lines = [
        "",
        f"alarm           {a.name}: {stat} of {a.namespace}/{a.metric_name} over {a.period} s, "
        f"{a.m} of {plural(a.evaluation_periods, 'period')} {a.comparison_operator} {java_double(a.threshold)}, "
        f"TreatMissingData={a.treat_missing_data or 'missing (unset)'}",
        f"evaluated       {iso_utc(timeline.created_at)} (created, {timeline.initial_state}) to {iso_utc(timeline.end)}: "
        f"{plural(len(timeline.transitions), 'transition')}, {plural(len(timeline.notifications), 'SNS notification')}, "
        f"final state {timeline.final_state}",
    ]
    episodes = timeline.episodes("ALARM")
    if not episodes:
        lines.append("episodes        the alarm never went to ALARM")
    numbered: list[Any] = list(enumerate(episodes, 1))
    if not show_all and len(numbered) > SHOWN_ROWS:  # the first ones and the last; None marks the gap
        numbered = [*numbered[: SHOWN_ROWS - 1], None, *numbered[-1:]]
    for item in numbered:
        if item is None:
            lines.append(f"  ... {plural(len(episodes) - SHOWN_ROWS, 'more episode')} (--all lists every one)")
            continue
        i, (entry, exit_) = item
        sent = sum(
            1
            for n in timeline.notifications
            if entry.timestamp <= n.timestamp < (exit_.timestamp if exit_ else 1 << 62)
        )
        left = f"left at {iso_utc(exit_.timestamp)} for {exit_.new_state}" if exit_ else "still in ALARM at the end"
        lines.append(f"  #{i:<3} ALARM at {iso_utc(entry.timestamp)}, {left}; {plural(sent, 'notification')}")
        lines.append(f"        why: {entry.reason}")
        if matches is not None:
            behind = events_behind(entry, matches)
            for m in behind[:EVENTS_SHOWN]:
                lines.append(f"        event: {describe_match(m)}  ({m.source.rsplit('/', 1)[-1]}#{m.index})")
            if len(behind) > EVENTS_SHOWN:
                lines.append(f"        ... {plural(len(behind) - EVENTS_SHOWN, 'more event')} (all in --matches)")
    return "\n".join(lines) + "\n"
