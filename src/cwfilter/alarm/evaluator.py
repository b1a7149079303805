"""The alarm evaluator: CloudWatch's once-a-minute sliding evaluation over a metric's
datapoints, the evaluation range, missing-data rules, the premature-alarm rule and the
state machine (alarms.md §3–4). Actions run only on transitions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..metric import MINUTE_MS, Datapoints, MetricKey
from ..times import Timestamp, epoch_ms, iso_utc
from .model import CROSSES, Alarm
from .notify import Notification, action_history_item, notification, state_update_history_item
from .series import MathSeries, MetricSeries, series_of
from .text import INITIAL_REASON, insufficient_data_reason, reason_data, threshold_reason

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


def default_evaluation_range(period: int, evaluation_periods: int) -> int:
    """R = N + max(2, ceil(420 / P)): how many periods AWS looks back (alarms.md §3.3, [INF])."""
    return evaluation_periods + max(2, math.ceil(420 / period))


@dataclass
class Transition:
    """A state change: when (the evaluation's, or for a composite alarm the child's, epoch ms),
    from and to which state, StateReason and StateReasonData, and the actions run. A composite
    alarm whose actions were held by its ActionsSuppressor names why in ``suppressed_by``
    (``Alarm``, ``WaitPeriod``, ``ExtensionPeriod``); held actions that ran later list in
    ``actions`` and their time in ``actions_at``."""

    timestamp: int  # epoch ms of the evaluation
    old_state: str
    new_state: str
    reason: str
    reason_data: dict[str, Any]
    actions: list[str]  # the actions run (none when ActionsEnabled is false)
    suppressed_by: str | None = None
    suppressed_reason: str | None = None
    actions_at: int | None = None  # when held actions ran (None: with the transition, or never)

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        out: dict[str, Any] = {"timestamp": iso_utc(self.timestamp), "oldState": self.old_state, "newState": self.new_state,
               "reason": self.reason, "reasonData": self.reason_data, "actions": self.actions}  # fmt: skip
        if self.suppressed_by:
            out.update(actionsSuppressedBy=self.suppressed_by, actionsSuppressedReason=self.suppressed_reason)
            out["actionsRunAt"] = iso_utc(self.actions_at) if self.actions_at is not None else None
        return out


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
    initial_reason: str = INITIAL_REASON

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
            "configuration": self.alarm.configuration(),
        }


def _too_few_samples(alarm: Alarm, sample_count: float | None) -> bool:
    """EvaluateLowSampleCountPercentile=ignore: is this percentile datapoint too small (§3.4 step 0)?"""
    if not alarm.extended_statistic or alarm.evaluate_low_sample_count_percentile != "ignore":
        return False
    p = float(alarm.extended_statistic[1:]) / 100
    if p >= 1:
        return False
    needed = 10 / (1 - p) if p >= 0.5 else 10 / p
    return sample_count is not None and sample_count < needed


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
    series = series_of(alarm, datapoints)
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
            # Nothing can change until a datapoint enters the range: jump to that minute (an expression
            # that gives values from no data, FILL(m1, 0), gives the same ones until then).
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


def _evaluate_minute(timeline: AlarmTimeline, series: MetricSeries | MathSeries, t: int, r: int, state: str) -> str:
    """The evaluation at minute ``t`` (§3.4), its transition recorded in ``timeline``: the state after it."""
    alarm = timeline.alarm
    timeline.evaluations += 1
    if series.empty_is_missing and not series.any_in(t - r * alarm.period * 1000, t):
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
        _evaluate_minute(timeline, series_of(timeline.alarm, datapoints), t, self.range, self.state)
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
    previous = timeline.transitions[-1] if timeline.transitions else None
    timeline.transitions.append(tr)
    timeline.history.append(state_update_history_item(alarm, tr, previous))
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
    alarm: Alarm, t: int, new_state: str, evaluated: Sequence[tuple[int, float | None, float | None]]
) -> dict[str, Any]:
    """StateReasonData; a metric-math alarm's has no statistic (its values are an expression's) [INF]."""
    key = None if alarm.metrics is not None else "extendedStatistic" if alarm.extended_statistic else "statistic"
    return reason_data(new_state=new_state, query_ms=t, statistic_key=key, statistic=alarm.stat, unit=alarm.unit,
                       period=alarm.period, threshold=alarm.threshold, evaluated=evaluated)  # fmt: skip


def _decide(
    alarm: Alarm, series: MetricSeries | MathSeries, t: int, r: int, state: str
) -> tuple[str, str, dict[str, Any]] | None:
    """§3.4 steps 0, 1, 2 and 4 at instant ``t`` (the range holds at least one datapoint).
    ``None`` means "keep the state" (low-sample percentiles)."""
    n, m = alarm.evaluation_periods, alarm.m
    slots = series.slots(t, r, alarm.period * 1000)
    real = [(k, start, value, count) for k, (start, value, count) in enumerate(slots) if value is not None]
    if len(real) >= n:
        values = real[:n]
        fills = 0
        fill_slots: list[int] = []
    else:
        values = real
        fills = n - len(real)
        fill_slots = [start for start, value, _ in slots if value is None][:fills]
    if alarm.evaluate_low_sample_count_percentile == "ignore" and any(
        _too_few_samples(alarm, count) for _, _, _, count in values
    ):
        return None
    crosses, threshold = CROSSES[alarm.comparison_operator], alarm.threshold
    breaching: list[tuple[int, float]] = []
    calm: list[tuple[int, float]] = []
    for _, start, v, _ in values:
        (breaching if crosses(v, threshold) else calm).append((start, v))
    crossed = len(breaching)
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
