"""CloudWatch alarms: metric alarms (PutMetricAlarm), metric-math alarms (``Metrics``) and
composite alarms (PutCompositeAlarm) — the models, the evaluators, and what they publish.

The evaluator API other rooms use: ``evaluate(alarm, datapoints, start, end)`` gives a metric or
math alarm's ``AlarmTimeline`` (``AlarmEvaluator`` does it one minute at a time);
``evaluate_composites(composites, timelines)`` gives the composite alarms' timelines over those
(same shape: ``transitions``, ``notifications``, ``history``); ``evaluate_all(alarms, composites,
datapoints, start, end)`` does both."""

from .combine import evaluate_composites
from .composite import CompositeAlarm
from .evaluator import AlarmEvaluator, AlarmTimeline, Transition, default_evaluation_range, evaluate, metric_key
from .metrics import MetricQuery
from .model import Alarm, AlarmValidationError
from .notify import Notification
from .rule import parse_rule, satisfying_states
from .suite import evaluate_all

__all__ = [
    "Alarm",
    "AlarmEvaluator",
    "AlarmTimeline",
    "AlarmValidationError",
    "CompositeAlarm",
    "MetricQuery",
    "Notification",
    "Transition",
    "default_evaluation_range",
    "evaluate",
    "evaluate_all",
    "evaluate_composites",
    "metric_key",
    "parse_rule",
    "satisfying_states",
]
