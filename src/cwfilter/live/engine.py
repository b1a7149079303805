"""The live engine: a metric filter's samples kept for as long as its alarm can look back,
and the alarm evaluated once a minute by the one evaluator (``alarm.AlarmEvaluator``) as the
clock passes each minute plus the evaluation delay (alarms.md §3.1, §3.6).

Late data (§3.6): a sample that arrives after its minute was evaluated is kept and counts in
the evaluations still to come, but an evaluation already made is never rewritten. A sample
older than any evaluation to come can look at (the alarm's range, R periods) is counted as
``expired`` and not kept: memory is bounded by the alarm's window, not by how long it runs."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..alarm import Alarm, AlarmEvaluator, Notification, Transition
from ..metric import MINUTE_MS, MetricFilter, MetricKey, Observation, StatisticSet

SHOWN_PROBLEMS = 20  # the latest problems kept for the report (every one is counted)


@dataclass
class Change:
    """A transition and the SNS notifications its actions published."""

    transition: Transition
    notifications: list[Notification]


@dataclass
class MinuteClosed:
    """A minute whose datapoints were evaluated: the statistic set of each metric in it."""

    minute: int
    points: list[tuple[MetricKey, StatisticSet]]


@dataclass
class Counts:
    """What happened to every event read (as replay's accounting, plus late data)."""

    records: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    late: int = 0  # arrived after their minute was evaluated: counted from the next evaluation on
    expired: int = 0  # older than any evaluation to come looks at: not in the metric
    problems: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=SHOWN_PROBLEMS))

    def reject(self, source: str, reason: str) -> None:
        """A record read but not counted, with the reason."""
        self.records += 1
        self.rejected += 1
        self.problems.append({"source": source, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        """As JSON-ready data (the final summary, the state file)."""
        return {"records": self.records, "matched": self.matched, "unmatched": self.unmatched,
                "rejected": self.rejected, "late": self.late, "expired": self.expired,
                "problems": list(self.problems)}  # fmt: skip


def _minute(ms: int) -> int:
    return ms - ms % MINUTE_MS


class Watch:
    """A metric filter (and its alarm, if any) on events as they arrive.

    ``add`` counts one event's observation at its time; ``advance(now)`` runs every
    evaluation due by ``now`` (minute ``T`` is due at ``T + delay_ms``). With
    ``event_clock=True`` (``--clock replay``) the newest event time is the clock, so ``add``
    advances it. Transitions and closed minutes wait in ``events`` for the caller.
    ``created_at``: when the alarm is created (``None``: at the first event's minute, decided
    when its first evaluation is due, as replay does). ``until``: no evaluation after it.
    """

    def __init__(
        self,
        mf: MetricFilter,
        alarm: Alarm | None,
        *,
        delay_ms: int = 0,
        evaluation_range: int | None = None,
        created_at: int | None = None,
        event_clock: bool = False,
        until: int | None = None,
    ) -> None:
        self.mf, self.alarm, self.delay = mf, alarm, delay_ms
        self.acc = mf.accumulator()
        self.evaluation_range = evaluation_range
        self.evaluator: AlarmEvaluator | None = None
        self.created_at: int | None = None
        self.next_t: int | None = None  # the next minute to evaluate
        self.last_evaluated: int | None = None
        self.clock: int | None = None  # with event_clock: the newest event time seen
        self.event_clock = event_clock
        self.until = until
        self.counts = Counts()
        self.events: list[Change | MinuteClosed] = []
        self.window_ms = MINUTE_MS
        if alarm is not None:
            probe = AlarmEvaluator(alarm, 0, evaluation_range=evaluation_range)  # validates the alarm
            self.window_ms = probe.range * alarm.period * 1000
        self._idle = False  # the last evaluation had an empty range: the state is settled until data comes
        self.due = 1 << 62  # the clock time at which the next evaluation is due
        if created_at is not None:
            self.create(created_at)

    def create(self, created_at: int, state: str = "INSUFFICIENT_DATA", last: Transition | None = None) -> None:
        """Create the alarm at ``created_at`` (in ``state``: a restart restores it)."""
        self.created_at = created_at
        if self.alarm is not None:
            self.evaluator = AlarmEvaluator(self.alarm, created_at, state=state,
                                            evaluation_range=self.evaluation_range, last_transition=last)  # fmt: skip
        self.next_t = -(-created_at // MINUTE_MS) * MINUTE_MS
        self.due = self.next_t + self.delay

    # -- events
    def add(self, ms: int, obs: Observation) -> None:
        """One event at epoch ms ``ms`` and what the filter made of it."""
        if self.event_clock and (self.clock is None or ms > self.clock):
            self.clock = ms
            if ms >= self.due:
                self.advance(ms)
        counts = self.counts
        counts.records += 1
        if obs.matched:
            counts.matched += 1
        else:
            counts.unmatched += 1
        if self.next_t is None:  # not created yet: the first evaluation is due from the first minute seen
            self.acc.add(ms, obs)
            self.due = _minute(self.acc.first_ms) + self.delay  # type: ignore[arg-type]
            return
        if ms < self.next_t - self.window_ms:
            counts.expired += 1
            return
        if self.last_evaluated is not None and ms < self.last_evaluated:
            counts.late += 1
        self.acc.add(ms, obs)

    # -- the clock
    def advance(self, now: int) -> None:
        """Run every evaluation due by clock time ``now``."""
        if self.next_t is None:
            if self.acc.first_ms is None or now < _minute(self.acc.first_ms) + self.delay:
                return
            self.create(_minute(self.acc.first_ms))
        assert self.next_t is not None
        while self.next_t + self.delay <= now and (self.until is None or self.next_t <= self.until):
            self._evaluate(self.next_t)
            self.next_t = self._after(self.next_t, now)
        self.due = self.next_t + self.delay

    def _evaluate(self, t: int) -> None:
        points = self.acc.datapoints()
        self._idle = not points.series  # nothing in the window (it holds no minute before t - window)
        closed = [(key, stats) for key in points.metrics() for m, stats in points.minutes(key) if m == t - MINUTE_MS]
        self.events.append(MinuteClosed(t - MINUTE_MS, closed))
        if self.evaluator is not None:
            transitions, notes = self.evaluator.evaluate_at(t, points)
            for tr in transitions:
                self.events.append(Change(tr, [n for n in notes if n.timestamp == tr.timestamp]))
            self.evaluator.forget()
        self.last_evaluated = t
        self.acc.forget_before(t + MINUTE_MS - self.window_ms)

    def _after(self, t: int, now: int) -> int:
        """The next minute worth evaluating after ``t``: the next one, unless the range was
        empty at ``t`` and no data has come since, so that the state cannot change (an empty
        range decides the same state every time, §3.4 step 3): then the last one due."""
        nxt = t + MINUTE_MS
        if not self._idle or self.acc.points.series or self.acc.default_minutes:
            return nxt
        last_due = _minute(now - self.delay)
        if self.until is not None:
            last_due = min(last_due, self.until)
        return max(nxt, last_due)

    @property
    def state(self) -> str | None:
        """The alarm's state now (``None``: no alarm, or not created yet)."""
        return self.evaluator.state if self.evaluator is not None else None

    def settled(self) -> int | None:
        """The last minute replay would evaluate after these events: the alarm has settled
        (R + 1 periods after the newest event), as ``replay``'s default ``--alarm-until``."""
        last = self.acc.last_ms
        if last is None or (self.created_at is None and self.acc.first_ms is None):
            return None
        created = self.created_at if self.created_at is not None else _minute(self.acc.first_ms)  # type: ignore[arg-type]
        if self.alarm is None:
            return _minute(last) + MINUTE_MS
        r = self.window_ms // (self.alarm.period * 1000)
        end = max(created, last) + (r + 1) * self.alarm.period * 1000
        return _minute(end)

    def take(self) -> list[Change | MinuteClosed]:
        """The transitions and closed minutes since the last call."""
        out, self.events = self.events, []
        return out
