"""CloudWatch metric alarms: the model (PutMetricAlarm), the evaluator, and what they publish."""

from .evaluator import AlarmEvaluator, AlarmTimeline, Transition, default_evaluation_range, evaluate, metric_key
from .model import Alarm, AlarmValidationError
from .notify import Notification

__all__ = [
    "Alarm",
    "AlarmEvaluator",
    "AlarmTimeline",
    "AlarmValidationError",
    "Notification",
    "Transition",
    "default_evaluation_range",
    "evaluate",
    "metric_key",
]
