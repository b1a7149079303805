"""cwfilter: Amazon CloudWatch Logs filter patterns, metric filters and alarms, offline.

>>> import cwfilter
>>> p = cwfilter.compile('{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucketAcl }')
>>> p.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}')
True
"""

from typing import TYPE_CHECKING, Any

# Where each public name lives: imported on first use (PEP 562), so that ``import cwfilter``
# and the command line do not pay for the rooms they do not use (lark, the alarm, replay...).
_WHERE = {
    "Alarm": "alarm", "AlarmTimeline": "alarm", "AlarmValidationError": "alarm", "evaluate": "alarm",
    "ConfigError": "config", "from_cloudformation": "config", "from_put_metric_filter": "config",
    "from_terraform": "config", "load_metric_filters": "config",
    "CwfilterError": "errors",
    "Datapoints": "metric", "MetricFilter": "metric", "MetricFilterError": "metric", "MetricKey": "metric",
    "Observation": "metric", "StatisticSet": "metric",
    "FilterPattern": "pattern", "PatternError": "pattern", "PatternWarning": "pattern", "compile": "pattern",
    "detect_family": "pattern", "parse": "pattern", "render": "pattern",
    "Accounting": "replayer", "ReplayError": "replayer", "ReplayResult": "replayer", "replay": "replayer",
    "Rule": "rules", "catalogue": "rules", "find_rule": "rules",
    "test_metric_filter": "tester",
    "LintFinding": "analysis", "PatternComparison": "analysis", "compare": "analysis", "lint": "analysis",
}  # fmt: skip

if TYPE_CHECKING:
    from .alarm import Alarm, AlarmTimeline, AlarmValidationError, evaluate
    from .analysis import LintFinding, PatternComparison, compare, lint
    from .config import ConfigError, from_cloudformation, from_put_metric_filter, from_terraform, load_metric_filters
    from .errors import CwfilterError
    from .metric import Datapoints, MetricFilter, MetricFilterError, MetricKey, Observation, StatisticSet
    from .pattern import FilterPattern, PatternError, PatternWarning, compile, detect_family, parse, render
    from .replayer import Accounting, ReplayError, ReplayResult, replay
    from .rules import Rule, catalogue, find_rule
    from .tester import test_metric_filter


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .version import package_version

        return package_version()
    from .lazy import load_name

    return load_name(__name__, _WHERE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE, "__version__"})


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
