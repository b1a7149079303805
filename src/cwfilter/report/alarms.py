"""The report of a replay of several filters and alarms together (``cwfilter replay`` with
several ``--rule``/``--metric-filter``/``--alarm``): every filter's datapoints and every metric,
math and composite alarm's transitions; and DescribeAlarmHistory items (``--history``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from ..alarm import Alarm, AlarmTimeline
from ..alarm.composite import CompositeAlarm
from ..alarm.text import java_double
from ..replayer import ReplayResult
from ..times import iso_utc
from .base import Report
from .replay import SHOWN_ROWS, plural, table


class AlarmSetReport(Report):
    """Each filter's replay and each alarm's timeline (by alarm name); ``show_all`` lists every
    period and transition in the table."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")

    def __init__(
        self, results: Sequence[ReplayResult], timelines: dict[str, AlarmTimeline], *, show_all: bool = False
    ) -> None:
        self.results, self.timelines, self.show_all = results, timelines, show_all

    def data(self) -> dict[str, Any]:
        return {
            "filters": [r.to_json() for r in self.results],
            "alarms": [t.as_dict() for t in self.timelines.values()],
        }

    def table(self) -> str:
        return "".join(table(r, show_all=self.show_all) for r in self.results) + "".join(
            alarm_lines(t, show_all=self.show_all) for t in self.timelines.values()
        )

    def rows(self) -> list[Sequence[Any]]:
        rows: list[Sequence[Any]] = [["alarm", "timestamp", "old_state", "new_state", "reason", "actions",
                                      "actions_suppressed_by"]]  # fmt: skip
        for t in self.timelines.values():
            rows += [[t.alarm.name, iso_utc(tr.timestamp), tr.old_state, tr.new_state, tr.reason, " ".join(tr.actions),
                      tr.suppressed_by or ""] for tr in t.transitions]  # fmt: skip
        return rows


class AlarmHistoryReport(Report):
    """The alarms' DescribeAlarmHistory items, newest first (``ScanBy`` ``TimestampDescending``)."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")
    _KEYS = ("Timestamp", "AlarmName", "AlarmType", "HistoryItemType", "HistorySummary", "HistoryData")

    def __init__(self, timelines: Iterable[AlarmTimeline]) -> None:
        self.items = sorted((h for t in timelines for h in t.history), key=lambda h: h["Timestamp"], reverse=True)

    def data(self) -> dict[str, Any]:
        return {"AlarmHistoryItems": self.items}

    def rows(self) -> list[Sequence[Any]]:
        rows: list[Sequence[Any]] = [list(self._KEYS)]
        return rows + [[str(h[k]) for k in self._KEYS] for h in self.items]

    def table(self) -> str:
        lines = [
            f"{h['Timestamp']}  {h['AlarmName']}  {h['HistoryItemType']}: {h['HistorySummary']}" for h in self.items
        ]
        return "\n".join(lines or ["no alarm history"]) + "\n"


def describe(alarm: Alarm | CompositeAlarm) -> str:
    """One line saying what an alarm watches and when it is in ALARM."""
    if isinstance(alarm, CompositeAlarm):
        held = (f"; actions held by {alarm.actions_suppressor} (wait {alarm.actions_suppressor_wait_period} s, "
                f"extension {alarm.actions_suppressor_extension_period} s)") if alarm.actions_suppressor else ""  # fmt: skip
        return f"composite, rule {alarm.alarm_rule}{held}"
    what = (f"{alarm.returned.expression or alarm.returned.id} (metric math)" if alarm.returned
            else f"{alarm.stat} of {alarm.namespace}/{alarm.metric_name}")  # fmt: skip
    return (f"{what} over {alarm.period} s, {alarm.m} of {plural(alarm.evaluation_periods, 'period')} "
            f"{alarm.comparison_operator} {java_double(alarm.threshold)}, "
            f"TreatMissingData={alarm.treat_missing_data or 'missing (unset)'}")  # fmt: skip


def alarm_lines(timeline: AlarmTimeline, *, show_all: bool = False) -> str:
    """An alarm's every transition (why, and what its actions did), as the table output shows it."""
    lines = ["", f"alarm           {timeline.alarm.name}: {describe(timeline.alarm)}",
             f"evaluated       {iso_utc(timeline.created_at)} (created) to {iso_utc(timeline.end)}: "
             f"{plural(len(timeline.transitions), 'transition')}, "
             f"{plural(len(timeline.notifications), 'SNS notification')}, final state {timeline.final_state}"]  # fmt: skip
    shown = timeline.transitions if show_all or len(timeline.transitions) <= SHOWN_ROWS else [
        *timeline.transitions[: SHOWN_ROWS - 1], None, timeline.transitions[-1]]  # fmt: skip
    for tr in shown:
        if tr is None:
            lines.append(
                f"  ... {plural(len(timeline.transitions) - SHOWN_ROWS, 'more transition')} (--all lists every one)"
            )
            continue
        acted = f"{plural(len(tr.actions), 'action')} run"
        if tr.suppressed_by:
            acted = (f"actions held ({tr.suppressed_by})" + (f", run at {iso_utc(tr.actions_at)}" if tr.actions_at
                     is not None and tr.actions else ", not run"))  # fmt: skip
        lines.append(f"  {iso_utc(tr.timestamp)}  {tr.old_state} -> {tr.new_state}; {acted}")
        lines.append(f"        why: {tr.reason}")
    return "\n".join(lines) + "\n"
