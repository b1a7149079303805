"""cwfilter: Amazon CloudWatch Logs filter patterns, metric filters and alarms, offline.

>>> import cwfilter
>>> p = cwfilter.compile('{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucketAcl }')
>>> p.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}')
True
"""

from .alarm import Alarm, AlarmTimeline, AlarmValidationError, evaluate
from .analysis import LintFinding, PatternComparison, compare, lint  # after .pattern and .rules: it uses both
from .config import ConfigError, from_cloudformation, from_put_metric_filter, from_terraform, load_metric_filters
from .errors import CwfilterError
from .metric import Datapoints, MetricFilter, MetricFilterError, MetricKey, Observation, StatisticSet
from .pattern import FilterPattern, PatternError, PatternWarning, compile, detect_family, parse, render
from .replay import Accounting, ReplayError, ReplayResult, replay
from .rules import Rule, catalogue, find_rule
from .tester import test_metric_filter
from .version import __version__

__all__ = [
    "Accounting",
    "Alarm",
    "AlarmTimeline",
    "AlarmValidationError",
    "ConfigError",
    "CwfilterError",
    "Datapoints",
    "FilterPattern",
    "LintFinding",
    "MetricFilter",
    "MetricFilterError",
    "MetricKey",
    "Observation",
    "PatternComparison",
    "PatternError",
    "PatternWarning",
    "ReplayError",
    "ReplayResult",
    "Rule",
    "StatisticSet",
    "__version__",
    "catalogue",
    "compare",
    "compile",
    "detect_family",
    "evaluate",
    "find_rule",
    "from_cloudformation",
    "from_put_metric_filter",
    "from_terraform",
    "lint",
    "load_metric_filters",
    "parse",
    "render",
    "replay",
    "test_metric_filter",
]
