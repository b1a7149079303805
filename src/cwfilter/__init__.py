"""cwfilter: Amazon CloudWatch Logs filter patterns, metric filters and alarms, offline.

>>> import cwfilter
>>> p = cwfilter.compile('{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucketAcl }')
>>> p.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}')
True
"""

from typing import TYPE_CHECKING, Any

# The public names, each imported on first use (PEP 562) from the room this block names, so
# that ``import cwfilter`` and the command line do not pay for the rooms they do not use (lark,
# the alarm, replay...): ``lazy.exports`` reads this block, the one list of them.
if TYPE_CHECKING:
    from .alarm import Alarm as Alarm
    from .alarm import AlarmTimeline as AlarmTimeline
    from .alarm import AlarmValidationError as AlarmValidationError
    from .alarm import evaluate as evaluate
    from .analysis import LintFinding as LintFinding
    from .analysis import PatternComparison as PatternComparison
    from .analysis import compare as compare
    from .analysis import lint as lint
    from .config import ConfigError as ConfigError
    from .config import from_cloudformation as from_cloudformation
    from .config import from_put_metric_filter as from_put_metric_filter
    from .config import from_terraform as from_terraform
    from .config import load_metric_filters as load_metric_filters
    from .errors import CwfilterError as CwfilterError
    from .metric import Datapoints as Datapoints
    from .metric import MetricFilter as MetricFilter
    from .metric import MetricFilterError as MetricFilterError
    from .metric import MetricKey as MetricKey
    from .metric import Observation as Observation
    from .metric import StatisticSet as StatisticSet
    from .pattern import FilterPattern as FilterPattern
    from .pattern import PatternError as PatternError
    from .pattern import PatternWarning as PatternWarning
    from .pattern import compile as compile
    from .pattern import detect_family as detect_family
    from .pattern import parse as parse
    from .pattern import render as render
    from .replayer import Accounting as Accounting
    from .replayer import ReplayError as ReplayError
    from .replayer import ReplayResult as ReplayResult
    from .replayer import replay as replay
    from .rules import Rule as Rule
    from .rules import catalogue as catalogue
    from .rules import find_rule as find_rule
    from .tester import test_metric_filter as test_metric_filter


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .version import package_version

        return package_version()
    from .lazy import exports, load_name

    if name == "__all__":
        return sorted([*exports(__name__), "__version__"])
    return load_name(__name__, exports(__name__), globals(), name)


def __dir__() -> list[str]:
    from .lazy import exports

    return sorted({*globals(), *exports(__name__), "__version__"})
