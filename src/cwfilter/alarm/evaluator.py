"""The alarm evaluator: CloudWatch's once-a-minute sliding evaluation over a metric's
datapoints, the evaluation range, missing-data rules, the premature-alarm rule and the
state machine (alarms.md §3–4). Actions run only on transitions."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..metric import MINUTE_MS, Datapoints, MetricKey, StatisticSet
from ..times import Timestamp, epoch_ms, iso_utc
from .model import Alarm
from .notify import Notification, action_history_item, notification, state_update_history_item
from .text import insufficient_data_reason, reason_data, threshold_reason

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


def default_evaluation_range(period: int, evaluation_periods: int) -> int:
    """R = N + max(2, ceil(420 / P)): how many periods AWS looks back (alarms.md §3.3, [INF])."""
    return evaluation_periods + max(2, math.ceil(420 / period))


@dataclass
class Transition:
    timestamp: int  # epoch ms of the evaluation
    old_state: str
    new_state: str
    reason: str
    reason_data: dict[str, Any]
    actions: list[str]  # the actions run (none when ActionsEnabled is false)

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {"timestamp": iso_utc(self.timestamp), "oldState": self.old_state, "newState": self.new_state,
                "reason": self.reason, "reasonData": self.reason_data, "actions": self.actions}  # fmt: skip


@dataclass
class AlarmTimeline:
    """What an alarm did between ``created_at`` and ``end``: its transitions, the SNS
    notifications its actions published, and DescribeAlarmHistory items."""

    alarm: Alarm
    created_at: int
    end: int
    initial_state: str
    transitions: list[Transition] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    evaluations: int = 0
    states: list[tuple[int, str]] | None = None  # (minute, state after it) with record_states=True

    @property
    def final_state(self) -> str:
        """The state at the end of the evaluated span."""
        return self.transitions[-1].new_state if self.transitions else self.initial_state

    def state_at(self, when: Timestamp) -> str:
        """The state after the evaluation at ``when`` (and before the next one)."""
        ms = epoch_ms(when)
        state = self.initial_state
        for t in self.transitions:
            if t.timestamp > ms:
                break
            state = t.new_state
        return state

    def episodes(self, state: str = "ALARM") -> list[tuple[Transition, Transition | None]]:
        """(entry, exit) pairs of the periods spent in ``state``; exit ``None`` if still in it."""
        out: list[tuple[Transition, Transition | None]] = []
        for t in self.transitions:
            if t.new_state == state:
                out.append((t, None))
            elif t.old_state == state and out and out[-1][1] is None:
                out[-1] = (out[-1][0], t)
        return out

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {
            "name": self.alarm.name,
            "arn": self.alarm.arn,
            "createdAt": iso_utc(self.created_at),
            "evaluatedUntil": iso_utc(self.end),
            "initialState": self.initial_state,
            "transitions": [t.as_dict() for t in self.transitions],
            "notifications": [n.as_dict() for n in self.notifications],
            "history": self.history,
            "finalState": self.final_state,
            "configuration": self.alarm.as_put_metric_alarm(),
        }


class _Series:
    """The alarm's view of the metric: per-minute statistic sets of the exact metric identity
    (namespace, name, dimension set; unit only if the alarm sets one), merged across units."""

    def __init__(self, alarm: Alarm, datapoints: Datapoints) -> None:
        dims = tuple(sorted(alarm.dimensions.items()))
        merged: dict[int, StatisticSet] = {}
        for key in datapoints.metrics():
            if (key.namespace, key.name, key.dimensions) != (alarm.namespace, alarm.metric_name, dims):
                continue
            if alarm.unit is not None and key.unit != alarm.unit:
                continue
            for minute, stats in datapoints.minutes(key):
                merged.setdefault(minute, StatisticSet()).merge(stats)
        self.minutes = merged
        self.sorted = sorted(merged)

    def window(self, start: int, end: int) -> StatisticSet | None:
        lo = bisect.bisect_left(self.sorted, start)
        hi = bisect.bisect_left(self.sorted, end)
        if lo == hi:
            return None
        if hi - lo == 1:  # one minute: its own samples (read, never changed)
            return self.minutes[self.sorted[lo]]
        out = StatisticSet()
        for minute in self.sorted[lo:hi]:
            out.merge(self.minutes[minute])
        return out

    def any_in(self, start: int, end: int) -> bool:
        return bisect.bisect_left(self.sorted, start) < bisect.bisect_left(self.sorted, end)

    def next_after(self, t: int) -> int | None:
        i = bisect.bisect_left(self.sorted, t)
        return self.sorted[i] if i < len(self.sorted) else None


def _too_few_samples(alarm: Alarm, stats: StatisticSet) -> bool:
    """EvaluateLowSampleCountPercentile=ignore: is this percentile datapoint too small (§3.4 step 0)?"""
    if not alarm.extended_statistic or alarm.evaluate_low_sample_count_percentile != "ignore":
        return False
    p = float(alarm.extended_statistic[1:]) / 100
    if p >= 1:
        return False
    needed = 10 / (1 - p) if p >= 0.5 else 10 / p
    return stats.sample_count < needed


def evaluate(
    alarm: Alarm,
    datapoints: Datapoints,
    start: Timestamp,
    end: Timestamp,
    *,
    initial_state: str = "INSUFFICIENT_DATA",
    evaluation_range: int | None = None,
    record_states: bool = False,
) -> AlarmTimeline:
    """Evaluate ``alarm`` at every whole minute from its creation (``start``) to ``end``.

    The alarm starts in ``initial_state`` (INSUFFICIENT_DATA, reason "Unchecked: Initial alarm
    creation", as a newly created alarm does); data from before ``start`` is used.
    ``evaluation_range`` is R, the periods looked back (default: ``default_evaluation_range``).
    Minutes in which nothing can change (no datapoint in the range) are skipped;
    ``record_states=True`` evaluates every minute and records the state after each.
    """
    _check(alarm, initial_state)
    created = epoch_ms(start)
    end_ms = epoch_ms(end)
    period_ms = alarm.period * 1000
    r = evaluation_range or default_evaluation_range(alarm.period, alarm.evaluation_periods)
    series = _Series(alarm, datapoints)
    timeline = AlarmTimeline(alarm, created, end_ms, initial_state)
    state = initial_state
    if record_states:
        timeline.states = []
    t = -(-created // MINUTE_MS) * MINUTE_MS  # the first whole minute at or after creation
    while t <= end_ms:
        empty = not series.any_in(t - r * period_ms, t)
        state = _evaluate_minute(timeline, series, t, r, state)
        if timeline.states is not None:
            timeline.states.append((t, state))
        elif empty:
            # Nothing can change until a datapoint enters the range: jump to that minute.
            nxt = series.next_after(t)
            if nxt is None:
                break
            t = max(t + MINUTE_MS, nxt + MINUTE_MS)
            continue
        t += MINUTE_MS
    return timeline


def _check(alarm: Alarm, initial_state: str) -> None:
    if alarm.period < 60:
        raise ValueError(
            f"Period {alarm.period}: high-resolution alarms need 1-second metrics; metric filters publish per minute"
        )
    if initial_state not in STATES:
        raise ValueError(f"initial_state must be one of {', '.join(STATES)}")


def _evaluate_minute(timeline: AlarmTimeline, series: _Series, t: int, r: int, state: str) -> str:
    """The evaluation at minute ``t`` (§3.4), its transition recorded in ``timeline``: the state after it."""
    alarm = timeline.alarm
    timeline.evaluations += 1
    if not series.any_in(t - r * alarm.period * 1000, t):
        new_state, make_reason = _empty_range(alarm, state)
        if new_state != state:
            state = _transition(timeline, alarm, t, state, new_state, make_reason(t))
        return state
    result = _decide(alarm, series, t, r, state)
    if result is not None:
        new_state, reason, data = result
        if new_state != state:
            state = _transition(timeline, alarm, t, state, new_state, (reason, data))
    return state


class AlarmEvaluator:
    """``evaluate`` one minute at a time, for data that arrives as time goes by (``cwfilter
    watch``): the same decision, transitions, notifications and history items, at the minutes
    the caller chooses. Its ``timeline`` holds what happened since the last ``forget``."""

    def __init__(
        self,
        alarm: Alarm,
        created_at: Timestamp,
        *,
        state: str = "INSUFFICIENT_DATA",
        evaluation_range: int | None = None,
        last_transition: Transition | None = None,
    ) -> None:
        _check(alarm, state)
        created = epoch_ms(created_at)
        self.range = evaluation_range or default_evaluation_range(alarm.period, alarm.evaluation_periods)
        self.timeline = AlarmTimeline(alarm, created, created, state)
        if last_transition is not None:  # a restarted watch: the previous reason, for history items
            self.timeline.transitions.append(last_transition)
            self.timeline.initial_state = last_transition.new_state

    @property
    def state(self) -> str:
        """The alarm's state now."""
        return self.timeline.final_state

    def evaluate_at(self, t: int, datapoints: Datapoints) -> tuple[list[Transition], list[Notification]]:
        """Evaluate at whole minute ``t`` over ``datapoints`` (what has arrived by then): the
        transition (none or one) and the notifications its actions published."""
        timeline = self.timeline
        seen, sent = len(timeline.transitions), len(timeline.notifications)
        _evaluate_minute(timeline, _Series(timeline.alarm, datapoints), t, self.range, self.state)
        timeline.end = t
        return timeline.transitions[seen:], timeline.notifications[sent:]

    def forget(self) -> None:
        """Drop what the timeline holds but the last transition (memory bounded however long it runs)."""
        timeline = self.timeline
        if timeline.transitions:
            timeline.initial_state = timeline.transitions[-1].new_state
        del timeline.transitions[:-1], timeline.notifications[:], timeline.history[:]


def _transition(
    timeline: AlarmTimeline, alarm: Alarm, t: int, old: str, new: str, reason: tuple[str, dict[str, Any]]
) -> str:
    text, data = reason
    actions = list(alarm.actions_for(new)) if alarm.actions_enabled else []
    tr = Transition(t, old, new, text, data, actions)
    timeline.transitions.append(tr)
    timeline.history.append(state_update_history_item(alarm, tr, timeline))
    for arn in actions:
        note = notification(alarm, tr, arn, timeline.created_at) if arn.startswith("arn:aws:sns:") else None
        if note is not None:
            timeline.notifications.append(note)
        timeline.history.append(action_history_item(alarm, tr, arn, note))
    return new


def _fill_kind(alarm: Alarm) -> str | None:
    return {"breaching": "Breaching", "notBreaching": "NonBreaching"}.get(alarm.missing_data)


def _empty_range(alarm: Alarm, state: str):  # type: ignore[no-untyped-def]
    """§3.4 step 3: no datapoint at all in the evaluation range."""
    n = alarm.evaluation_periods
    tmd = alarm.missing_data

    def reason_for(new_state: str):  # type: ignore[no-untyped-def]
        def make(t: int) -> tuple[str, dict[str, Any]]:
            slots = [(t - (k + 1) * alarm.period * 1000, None, None) for k in range(n)]
            data = _data(alarm, t, new_state, slots)
            if new_state == "INSUFFICIENT_DATA":
                return insufficient_data_reason(n), data
            return (
                threshold_reason(
                    new_state=new_state,
                    supporting=[],
                    real_count=0,
                    fills=n,
                    fill_kind=_fill_kind(alarm),
                    n=n,
                    m=alarm.m,
                    m_explicit=alarm.datapoints_to_alarm is not None,
                    operator=alarm.comparison_operator,
                    threshold=alarm.threshold,
                ),
                data,
            )

        return make

    if tmd == "missing":
        return "INSUFFICIENT_DATA", reason_for("INSUFFICIENT_DATA")
    if tmd == "ignore":
        return state, reason_for(state)
    if tmd == "breaching":
        new = "ALARM" if n >= alarm.m else "OK"
        return new, reason_for(new)
    return "OK", reason_for("OK")


def _data(
    alarm: Alarm, t: int, new_state: str, evaluated: Sequence[tuple[int, float | None, int | None]]
) -> dict[str, Any]:
    key = "extendedStatistic" if alarm.extended_statistic else "statistic"
    return reason_data(new_state=new_state, query_ms=t, statistic_key=key, statistic=alarm.stat, unit=alarm.unit,
                       period=alarm.period, threshold=alarm.threshold, evaluated=evaluated)  # fmt: skip


def _decide(alarm: Alarm, series: _Series, t: int, r: int, state: str) -> tuple[str, str, dict[str, Any]] | None:
    """§3.4 steps 0, 1, 2 and 4 at instant ``t`` (the range holds at least one datapoint).
    ``None`` means "keep the state" (low-sample percentiles)."""
    n, m = alarm.evaluation_periods, alarm.m
    period_ms = alarm.period * 1000
    # The newest N periods with data among the R looked back (the older ones are not read once
    # N are found), and the empty ones, which fill in where fewer than N have data.
    evaluated_real: list[tuple[int, int, StatisticSet]] = []
    empty: list[int] = []
    for k in range(r):
        slot_start = t - (k + 1) * period_ms
        stats = series.window(slot_start, slot_start + period_ms)
        if stats is None:
            empty.append(slot_start)
            continue
        evaluated_real.append((k, slot_start, stats))
        if len(evaluated_real) == n:
            break
    fills = n - len(evaluated_real)
    fill_slots = empty[:fills]
    if alarm.extended_statistic and any(_too_few_samples(alarm, stats) for _, _, stats in evaluated_real):
        return None
    values = [(k, start, stats.statistic(alarm.stat), stats.sample_count) for k, start, stats in evaluated_real]
    crossed = sum(1 for _, _, v, _ in values if alarm.breaching(v))
    tmd = alarm.missing_data
    fill_kind = None
    if fills == 0:
        new = "ALARM" if crossed >= m else "OK"
    elif tmd == "breaching":
        new = "ALARM" if crossed + fills >= m else "OK"
        fill_kind = "Breaching"
    elif tmd == "notBreaching":
        new = "ALARM" if crossed >= m else "OK"
        fill_kind = "NonBreaching"
    elif crossed >= m:
        new = "ALARM"
    elif crossed == len(values) and values[-1][0] + 1 >= m:  # premature-alarm rule: all breaching, oldest ≥ M slots old
        new = "ALARM" if tmd == "missing" else state
    else:
        new = "OK"
    if new == state:  # the usual minute: nothing to word
        return new, "", {}
    breaching = [(start, v) for _, start, v, _ in values if alarm.breaching(v)]
    calm = [(start, v) for _, start, v, _ in values if not alarm.breaching(v)]
    evaluated = sorted(
        [(start, v, count) for _, start, v, count in values] + [(start, None, None) for start in fill_slots],
        key=lambda e: -e[0],
    )
    data = _data(alarm, t, new, evaluated)
    if new not in ("ALARM", "OK"):
        return new, insufficient_data_reason(n), data
    supporting = breaching if new == "ALARM" else calm
    reason = threshold_reason(
        new_state=new, supporting=supporting, real_count=len(values), fills=fills if fill_kind else 0,
        fill_kind=fill_kind, n=n, m=m, m_explicit=alarm.datapoints_to_alarm is not None,
        operator=alarm.comparison_operator, threshold=alarm.threshold,
    )  # fmt: skip
    return new, reason, data


def metric_key(alarm: Alarm) -> MetricKey:
    """The metric identity the alarm watches."""
    return MetricKey(alarm.namespace, alarm.metric_name, tuple(sorted(alarm.dimensions.items())), alarm.unit)
