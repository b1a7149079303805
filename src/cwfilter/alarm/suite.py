"""Metric, math and composite alarms evaluated together over one set of datapoints: each metric
(or math) alarm on its metric, then the composite alarms over their timelines."""

from __future__ import annotations

from collections.abc import Iterable

from ..metric import Datapoints
from ..times import Timestamp, epoch_ms
from .combine import evaluate_composites
from .composite import CompositeAlarm
from .evaluator import AlarmTimeline, evaluate
from .model import Alarm


def evaluate_all(
    alarms: Iterable[Alarm],
    composites: Iterable[CompositeAlarm],
    datapoints: Datapoints,
    start: Timestamp,
    end: Timestamp,
    *,
    evaluation_range: int | None = None,
) -> dict[str, AlarmTimeline]:
    """Every alarm's timeline by name, metric alarms first: each created at ``start`` and evaluated
    until ``end`` (``evaluate``), then the composites, created at ``start`` too, over them
    (``evaluate_composites``)."""
    out: dict[str, AlarmTimeline] = {}
    for alarm in alarms:
        out[alarm.name] = evaluate(alarm, datapoints, start, end, evaluation_range=evaluation_range)
    out.update(evaluate_composites(list(composites), out, created_at=epoch_ms(start), end=epoch_ms(end)))
    return out
