"""Alarm settings compared side by side (``cwfilter tune``): one replay's datapoints, a grid of
settings (threshold, period, evaluation periods, datapoints to alarm, statistic, missing-data
treatment) each evaluated by the one alarm evaluator over the span a ``replay`` with that
setting would evaluate, and per setting how noisy it is and which matched events it would have
missed.

An event goes unnoticed when the alarm was never in ALARM while the event's minute lay inside
its evaluation range: at no evaluation from the minute after the event to R periods later
(R = the evaluation range, alarms.md §3.3)."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..metric import MINUTE_MS, Datapoints
from ..replayer import Match, ReplayResult
from ..times import iso_utc
from .evaluator import AlarmTimeline, default_evaluation_range, evaluate, metric_key
from .model import Alarm


def evaluation_span(
    alarm: Alarm,
    result: ReplayResult,
    *,
    created_at: int | None = None,
    until: int | None = None,
    evaluation_range: int | None = None,
) -> tuple[int, int] | None:
    """Where ``replay`` evaluates ``alarm``: from ``created_at`` (default: the minute of the first
    record read) until ``until`` (default: R + 1 periods after the last record, when the alarm
    has settled). ``None`` when the replay read no record with a time and no start is given."""
    span = result.span
    minutes = [m for key in result.datapoints.metrics() for m, _ in result.datapoints.minutes(key)]
    first = span[0] if span else (min(minutes) if minutes else None)
    last = span[1] if span else (max(minutes) if minutes else None)
    created = created_at
    if created is None:
        if first is None:
            return None
        created = first - first % MINUTE_MS
    if until is None:
        r = evaluation_range or default_evaluation_range(alarm.period, alarm.evaluation_periods)
        until = max(created, last or created) + (r + 1) * alarm.period * 1000
        until -= until % MINUTE_MS
    return created, until


@dataclass(frozen=True)
class Setting:
    """One point of the grid: the alarm settings ``tune`` varies."""

    threshold: float
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None  # None: not set (M = N)
    statistic: str  # Sum, SampleCount, Average, Minimum, Maximum or pNN
    treat_missing_data: str | None  # None: not set (missing)

    @classmethod
    def of(cls, alarm: Alarm) -> Setting:
        """The alarm's own setting."""
        return cls(alarm.threshold, alarm.period, alarm.evaluation_periods, alarm.datapoints_to_alarm, alarm.stat,
                   alarm.treat_missing_data)  # fmt: skip

    def alarm(self, base: Alarm) -> Alarm:
        """``base`` with this setting; ``AlarmValidationError`` (AWS's message) where PutMetricAlarm would refuse it."""
        percentile = self.statistic.startswith("p")
        return dataclasses.replace(
            base, threshold=float(self.threshold), period=self.period, evaluation_periods=self.evaluation_periods,
            datapoints_to_alarm=self.datapoints_to_alarm, statistic=None if percentile else self.statistic,
            extended_statistic=self.statistic if percentile else None, treat_missing_data=self.treat_missing_data,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """As PutMetricAlarm names them (what ``--output json`` prints)."""
        out: dict[str, Any] = {"Threshold": self.threshold, "Period": self.period,
                               "EvaluationPeriods": self.evaluation_periods}  # fmt: skip
        if self.datapoints_to_alarm is not None:
            out["DatapointsToAlarm"] = self.datapoints_to_alarm
        out["ExtendedStatistic" if self.statistic.startswith("p") else "Statistic"] = self.statistic
        if self.treat_missing_data is not None:
            out["TreatMissingData"] = self.treat_missing_data
        return out

    def label(self, comparison: str = "") -> str:
        """``Sum ≥ 1 per 300 s, 1 of 1, missing`` with ``comparison`` (``≥``) between statistic and
        threshold; ``(M set)`` where DatapointsToAlarm is set (it changes the reason text)."""
        n = self.evaluation_periods
        m = f"{n} of {n}" if self.datapoints_to_alarm is None else f"{self.datapoints_to_alarm} of {n} (M set)"
        op = f" {comparison}" if comparison else ""
        return (
            f"{self.statistic}{op} {self.threshold:g} per {self.period} s, {m}, {self.treat_missing_data or 'missing'}"
        )


def grid(
    base: Alarm,
    *,
    thresholds: Sequence[float] = (),
    periods: Sequence[int] = (),
    evaluation_periods: Sequence[int] = (),
    datapoints_to_alarm: Sequence[int | None] = (),
    statistics: Sequence[str] = (),
    treat_missing_data: Sequence[str | None] = (),
) -> list[Setting]:
    """Every combination of the values given (an empty list keeps the base alarm's value), the
    base alarm's own setting first, each once."""
    own = Setting.of(base)
    product = itertools.product(
        thresholds or [own.threshold], periods or [own.period], evaluation_periods or [own.evaluation_periods],
        datapoints_to_alarm or [own.datapoints_to_alarm], statistics or [own.statistic],
        treat_missing_data or [own.treat_missing_data],
    )  # fmt: skip
    return list(dict.fromkeys([own, *(Setting(float(t), p, n, m, stat, tmd) for t, p, n, m, stat, tmd in product)]))


@dataclass
class Outcome:
    """What one setting would have done over the replay."""

    setting: Setting
    own: bool  # the base alarm's own setting
    timeline: AlarmTimeline
    alarms: int  # transitions to ALARM
    notifications: int  # SNS notifications sent on transitions to ALARM
    time_in_alarm: int  # ms
    first_alarm: int | None  # epoch ms
    longest_quiet: int  # ms: the longest stretch not in ALARM
    unnoticed: list[Match] | None  # matched events it would have missed (None: the replay kept no events)

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {
            "setting": self.setting.as_dict(),
            "label": self.setting.label(),
            "own": self.own,
            "alarms": self.alarms,
            "notifications": self.notifications,
            "timeInAlarmSeconds": self.time_in_alarm // 1000,
            "firstAlarm": iso_utc(self.first_alarm) if self.first_alarm is not None else None,
            "longestQuietSeconds": self.longest_quiet // 1000,
            "unnoticedEvents": None if self.unnoticed is None else len(self.unnoticed),
            "unnoticed": None if self.unnoticed is None else [m.as_dict() for m in self.unnoticed],
            "evaluated": [iso_utc(self.timeline.created_at), iso_utc(self.timeline.end)],
            "finalState": self.timeline.final_state,
        }


def _alarm_intervals(timeline: AlarmTimeline) -> list[tuple[int, int]]:
    """``[start, end)`` of each stretch in ALARM, within the evaluated span."""
    out = []
    start = timeline.created_at if timeline.initial_state == "ALARM" else None
    for t in timeline.transitions:
        if t.new_state == "ALARM" and start is None:
            start = t.timestamp
        elif t.new_state != "ALARM" and start is not None:
            out.append((start, t.timestamp))
            start = None
    if start is not None:
        out.append((start, max(start, timeline.end)))
    return out


def unnoticed_events(
    timeline: AlarmTimeline, matches: Sequence[Match], evaluation_range: int | None = None
) -> list[Match]:
    """The matched events the alarm never was in ALARM for while they were in view: no
    evaluation from the minute after the event to R periods later found it in ALARM."""
    a = timeline.alarm
    r = evaluation_range or default_evaluation_range(a.period, a.evaluation_periods)
    intervals = _alarm_intervals(timeline)
    if intervals and timeline.final_state == "ALARM":  # in ALARM at every evaluation from its start on
        intervals[-1] = (intervals[-1][0], 1 << 62)
    starts = [s for s, _ in intervals]
    view_ms = r * a.period * 1000
    missed = []
    for m in matches:
        minute = m.timestamp - m.timestamp % MINUTE_MS
        first, last = minute + MINUTE_MS, minute + view_ms  # the evaluations that read this minute
        i = bisect.bisect_right(starts, last)  # intervals starting at or before the last evaluation
        if not (i and intervals[i - 1][1] > first):
            missed.append(m)
    return sorted(missed, key=lambda m: (m.timestamp, m.source, m.index))


def outcome(setting: Setting, own: bool, timeline: AlarmTimeline, matches: Sequence[Match] | None,
            evaluation_range: int | None = None) -> Outcome:  # fmt: skip
    """The numbers of one setting's timeline."""
    intervals = _alarm_intervals(timeline)
    quiet, edge = 0, timeline.created_at
    for s, e in intervals:
        quiet, edge = max(quiet, s - edge), e
    quiet = max(quiet, timeline.end - edge)
    to_alarm = [t for t in timeline.transitions if t.new_state == "ALARM"]
    return Outcome(
        setting, own, timeline, alarms=len(to_alarm),
        notifications=sum(1 for n in timeline.notifications if n.message.get("NewStateValue") == "ALARM"),
        time_in_alarm=sum(e - s for s, e in intervals), first_alarm=to_alarm[0].timestamp if to_alarm else None,
        longest_quiet=quiet,
        unnoticed=None if matches is None else unnoticed_events(timeline, matches, evaluation_range),
    )  # fmt: skip


def sort_key(o: Outcome) -> tuple[int, int, int]:
    """Fewest unnoticed events first, then fewest notifications, then least time in ALARM."""
    return (len(o.unnoticed or ()), o.notifications, o.time_in_alarm)


def tune(
    result: ReplayResult,
    base: Alarm,
    settings: Sequence[Setting],
    *,
    created_at: int | None = None,
    until: int | None = None,
    evaluation_range: int | None = None,
) -> list[Outcome]:
    """Evaluate each setting of ``base`` over the replay's datapoints (the span as ``replay``
    with that setting evaluates it), sorted by ``sort_key`` (the grid's order among equals).
    Every setting is validated first: ``AlarmValidationError`` names the first AWS would refuse;
    ``ValueError`` when no record had a time and ``created_at`` is not given."""
    alarms = [s.alarm(base) for s in settings]
    own = Setting.of(base)
    key = metric_key(base)  # every setting watches the base alarm's metric: only its datapoints are handed on
    watched = Datapoints()
    watched.series[key] = result.datapoints.matching(key.namespace, key.name, key.dimensions, key.unit)
    outcomes = []
    for s, alarm in zip(settings, alarms):
        span = evaluation_span(alarm, result, created_at=created_at, until=until, evaluation_range=evaluation_range)
        if span is None:
            raise ValueError("no record with a timestamp was read: give --alarm-created-at and --alarm-until")
        start, end = span
        timeline = evaluate(alarm, watched, start, end, evaluation_range=evaluation_range)
        outcomes.append(outcome(s, s == own, timeline, result.matches, evaluation_range))
    return sorted(outcomes, key=sort_key)
