"""A CloudWatch metric alarm (PutMetricAlarm), validated as AWS validates it (alarms.md §2, §6)."""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import CwfilterError
from ..metric import STANDARD_UNITS

if TYPE_CHECKING:
    from .metrics import MetricQuery

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
ANOMALY_OPERATORS = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
# Whether a datapoint crosses the threshold: the datapoint is the left operand (alarms.md §2).
CROSSES: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge, "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt, "LessThanOrEqualToThreshold": operator.le,
}  # fmt: skip
_PERCENTILE = re.compile(r"p(\d{1,2}(\.\d{1,10})?|100)")


class AlarmValidationError(CwfilterError, ValueError):
    """A PutMetricAlarm request AWS would reject; ``aws_exception`` is AWS's error code
    (``ValidationError``, ``InvalidParameterCombination``...), ``None`` with ``code`` ``E_UNSUPPORTED``
    for a valid request cwfilter does not emulate."""

    code = "E_ALARM"

    def __init__(self, message: str, aws_exception: str | None = "ValidationError", *, code: str = "E_ALARM") -> None:
        super().__init__(message)
        self.aws_exception = aws_exception
        self.code = code
        self.message = message


def constraint_error(value: Any, member: str, constraint: str) -> AlarmValidationError:
    """AWS's wording of a request member that breaks a constraint of the API model."""
    return AlarmValidationError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    )


def validate_identity(name: str, description: str | None, actions: Mapping[str, list[str]]) -> None:
    """What PutMetricAlarm and PutCompositeAlarm both check: the name (1–255 characters, no
    control characters), the description (≤ 1024) and each action list (≤ 5 ARNs)."""
    if not name or len(name) > 255 or any(ord(c) < 32 for c in name):
        raise constraint_error(name, "alarmName", "Member must have length between 1 and 255")
    if description is not None and len(description) > 1024:
        raise constraint_error("...", "alarmDescription", "Member must have length less than or equal to 1024")
    for label, arns in actions.items():
        if len(arns) > 5:
            raise constraint_error(arns, label, "Member must have length less than or equal to 5")


class AlarmActions:
    """What metric and composite alarms share: a name, a place (region, account) and three action
    lists (a mixin of the dataclasses ``Alarm`` and ``CompositeAlarm``)."""

    name: str
    alarm_actions: list[str]
    ok_actions: list[str]
    insufficient_data_actions: list[str]
    region: str | None
    account_id: str | None

    @property
    def arn(self) -> str:
        """The alarm's ARN in its region and account."""
        return f"arn:aws:cloudwatch:{self.region}:{self.account_id}:alarm:{self.name}"

    def actions_for(self, state: str) -> list[str]:
        """The actions configured for a transition to ``state`` (run only when ActionsEnabled)."""
        return {
            "ALARM": self.alarm_actions,
            "OK": self.ok_actions,
            "INSUFFICIENT_DATA": self.insufficient_data_actions,
        }[state]

    def action_lists(self) -> dict[str, list[str]]:
        """The three action lists by their API member names."""
        return {"alarmActions": self.alarm_actions, "oKActions": self.ok_actions,
                "insufficientDataActions": self.insufficient_data_actions}  # fmt: skip

    def place_from_actions(self) -> None:
        """Region and account, where not given, from the action ARNs (else us-east-1, 123456789012)."""
        if self.region is None or self.account_id is None:
            region, account = from_arns(self.alarm_actions + self.ok_actions + self.insufficient_data_actions)
            self.region = self.region or region or "us-east-1"
            self.account_id = self.account_id or account or "123456789012"


@dataclass
class Alarm(AlarmActions):
    """A metric alarm. ``datapoints_to_alarm=None`` means "not set" (M = N), which changes the
    reason text and the SNS Trigger; ``treat_missing_data=None`` behaves as ``missing``."""

    name: str
    namespace: str
    metric_name: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str
    statistic: str | None = "Sum"
    extended_statistic: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    evaluate_low_sample_count_percentile: str | None = None
    description: str | None = None
    actions_enabled: bool = True
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    region: str | None = None
    account_id: str | None = None
    metrics: list[MetricQuery] | None = None  # a metric-math alarm's queries (then no metric of its own)

    def __post_init__(self) -> None:
        self.threshold = float(self.threshold)
        self.validate()
        self.place_from_actions()

    # -- derived
    @property
    def m(self) -> int:
        """M of "M out of N": DatapointsToAlarm, or EvaluationPeriods when it is not set."""
        return self.datapoints_to_alarm if self.datapoints_to_alarm is not None else self.evaluation_periods

    @property
    def stat(self) -> str:
        """The statistic as ``StatisticSet.statistic`` names it (``Sum``, ``p99`` ...)."""
        return self.extended_statistic or self.statistic or "Sum"

    @property
    def missing_data(self) -> str:
        """The effective treatment: ``AWS/DynamoDB`` metrics always ``ignore`` (alarms.md §2)."""
        if self.namespace == "AWS/DynamoDB":
            return "ignore"
        return self.treat_missing_data or "missing"

    def breaching(self, value: float) -> bool:
        """Whether ``value`` crosses the threshold in the alarm's ComparisonOperator direction."""
        return CROSSES[self.comparison_operator](value, self.threshold)

    # -- validation (§6)
    def validate(self) -> None:
        """Raise ``AlarmValidationError`` with AWS's message where PutMetricAlarm would reject the alarm."""
        self._validate_names_and_operator()
        self._validate_statistic()
        self._validate_window()

    @property
    def returned(self) -> MetricQuery | None:
        """A metric-math alarm's query that returns data (None for a single-metric alarm)."""
        return next((q for q in self.metrics if q.return_data), None) if self.metrics else None

    def _validate_names_and_operator(self) -> None:
        validate_identity(self.name, self.description, self.action_lists())
        if self.metrics is not None:
            from .metrics import validate_queries

            validate_queries(self.metrics)
        elif not self.metric_name:
            raise AlarmValidationError("Exactly one element of the metrics list should return data.")
        if self.comparison_operator in ANOMALY_OPERATORS:
            raise AlarmValidationError(
                f"ComparisonOperator {self.comparison_operator} needs an anomaly detection band "
                "(ThresholdMetricId and ANOMALY_DETECTION_BAND metric math), which cwfilter does not emulate",
                aws_exception=None,
                code="E_UNSUPPORTED",
            )
        if self.comparison_operator not in OPERATORS:
            raise constraint_error(
                self.comparison_operator,
                "comparisonOperator",
                f"Member must satisfy enum value set: [{', '.join(OPERATORS + ANOMALY_OPERATORS)}]",
            )

    def _validate_statistic(self) -> None:
        if self.metrics is not None:
            if self.statistic is not None or self.extended_statistic is not None or self.metric_name:
                raise AlarmValidationError("Metrics cannot be set together with MetricName, Namespace, Statistic, "
                                           "ExtendedStatistic, Dimensions or Period", "InvalidParameterCombination")  # fmt: skip
            return
        if (self.statistic is None) == (self.extended_statistic is None):
            raise AlarmValidationError(
                "Exactly one of Statistic and ExtendedStatistic must be set",
                aws_exception="InvalidParameterCombination",
            )
        if self.statistic is not None and self.statistic not in STATISTICS:
            raise constraint_error(
                self.statistic, "statistic", f"Member must satisfy enum value set: [{', '.join(STATISTICS)}]"
            )
        if self.extended_statistic is not None and not _PERCENTILE.fullmatch(self.extended_statistic):
            raise AlarmValidationError(
                f"The value {self.extended_statistic} for parameter ExtendedStatistic is not supported.",
                aws_exception="InvalidParameterValue",
            )

    def _validate_window(self) -> None:
        """Period, evaluation periods, M of N, the span they cover, threshold and missing data."""
        if (
            not isinstance(self.period, int)
            or self.period < 1
            or (self.period not in (10, 20, 30) and self.period % 60)
        ):
            raise AlarmValidationError("Period must be 10, 20, 30 or a multiple of 60")
        if not isinstance(self.evaluation_periods, int) or self.evaluation_periods < 1:
            raise constraint_error(
                self.evaluation_periods, "evaluationPeriods", "Member must have value greater than or equal to 1"
            )
        if self.datapoints_to_alarm is not None:
            if self.datapoints_to_alarm < 1:
                raise constraint_error(
                    self.datapoints_to_alarm, "datapointsToAlarm", "Member must have value greater than or equal to 1"
                )
            if self.datapoints_to_alarm > self.evaluation_periods:
                raise AlarmValidationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
        span = self.period * self.evaluation_periods
        if self.period < 3600 and span > 86400:
            raise AlarmValidationError(
                "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)."
            )
        if self.period >= 3600 and span > 604800:
            raise AlarmValidationError(
                "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) "
                "for alarms using period >= 3600"
            )
        if not math.isfinite(self.threshold):
            raise AlarmValidationError(f"Threshold {self.threshold} is not a finite number")
        if self.treat_missing_data is not None and self.treat_missing_data not in TREAT_MISSING:
            raise AlarmValidationError(
                f"The value {self.treat_missing_data} is not supported for TreatMissingData parameter. "
                "Supported values are [breaching, notBreaching, ignore, missing]."
            )
        if self.evaluate_low_sample_count_percentile not in (None, "evaluate", "ignore"):
            raise AlarmValidationError(
                f"Option {self.evaluate_low_sample_count_percentile} is not supported. "
                "Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore."
            )
        if self.unit is not None and self.unit not in STANDARD_UNITS:
            raise constraint_error(self.unit, "unit", "Member must satisfy enum value set")
        if len(self.dimensions) > 30:
            raise constraint_error("...", "dimensions", "Member must have length less than or equal to 30")

    # -- shapes users have
    @classmethod
    def from_put_metric_alarm(cls, request: Mapping[str, Any] | str, **overrides: Any) -> Alarm:
        """A PutMetricAlarm request (``aws cloudwatch put-metric-alarm --cli-input-json``)."""
        if isinstance(request, str):
            request = json.loads(request)
        r = dict(request)  # type: ignore[arg-type]
        if r.get("Metrics"):  # describe-alarms lists "Metrics": [] for a single-metric alarm
            from .metrics import math_alarm_request

            r = math_alarm_request(r)
        dims = {d["Name"]: d["Value"] for d in r.get("Dimensions") or []}
        kwargs: dict[str, Any] = dict(
            name=r.get("AlarmName", ""),
            namespace=r.get("Namespace", ""),
            metric_name=r.get("MetricName", ""),
            period=_int(r.get("Period"), "Period"),
            evaluation_periods=_int(r.get("EvaluationPeriods"), "EvaluationPeriods"),
            threshold=float(r.get("Threshold", math.nan)),
            comparison_operator=r.get("ComparisonOperator", ""),
            statistic=r.get("Statistic"),
            extended_statistic=r.get("ExtendedStatistic"),
            dimensions=dims,
            unit=r.get("Unit"),
            datapoints_to_alarm=None
            if r.get("DatapointsToAlarm") is None
            else _int(r["DatapointsToAlarm"], "DatapointsToAlarm"),
            treat_missing_data=r.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=r.get("EvaluateLowSampleCountPercentile"),
            description=r.get("AlarmDescription"),
            actions_enabled=bool(r.get("ActionsEnabled", True)),
            alarm_actions=list(r.get("AlarmActions") or []),
            ok_actions=list(r.get("OKActions") or []),
            insufficient_data_actions=list(r.get("InsufficientDataActions") or []),
            metrics=r.get("Metrics") or None,
        )
        if kwargs["statistic"] is None and kwargs["extended_statistic"] is None and r.get("MetricName"):
            raise AlarmValidationError(
                "Exactly one of Statistic and ExtendedStatistic must be set", aws_exception="ValidationError"
            )
        kwargs.update(overrides)
        return cls(**kwargs)

    def configuration(self) -> dict[str, Any]:
        """The request that configures the alarm (as ``AlarmTimeline.as_dict`` reports it)."""
        return self.as_put_metric_alarm()

    def as_put_metric_alarm(self) -> dict[str, Any]:
        """The alarm as a PutMetricAlarm request (what ``from_put_metric_alarm`` reads back)."""
        out: dict[str, Any] = {"AlarmName": self.name}
        if self.description is not None:
            out["AlarmDescription"] = self.description
        out.update(ActionsEnabled=self.actions_enabled, OKActions=self.ok_actions, AlarmActions=self.alarm_actions,
                   InsufficientDataActions=self.insufficient_data_actions)  # fmt: skip
        if self.metrics is not None:
            out["Metrics"] = [q.as_request() for q in self.metrics]
            out["EvaluationPeriods"] = self.evaluation_periods
        else:
            out.update(MetricName=self.metric_name, Namespace=self.namespace)
            if self.statistic:
                out["Statistic"] = self.statistic
            else:
                out["ExtendedStatistic"] = self.extended_statistic
            out["Dimensions"] = [{"Name": k, "Value": v} for k, v in self.dimensions.items()]
            out.update(Period=self.period, EvaluationPeriods=self.evaluation_periods)
        if self.datapoints_to_alarm is not None:
            out["DatapointsToAlarm"] = self.datapoints_to_alarm
        out.update(Threshold=self.threshold, ComparisonOperator=self.comparison_operator)
        for key, value in (("Unit", self.unit), ("TreatMissingData", self.treat_missing_data),
                           ("EvaluateLowSampleCountPercentile", self.evaluate_low_sample_count_percentile)):  # fmt: skip
            if value is not None:
                out[key] = value
        return out


def _int(value: Any, name: str) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise AlarmValidationError(f"{name} is required and must be an integer, not {value!r}") from None
    if f != int(f):
        raise AlarmValidationError(f"{name} must be an integer, not {value!r}")
    return int(f)


def from_arns(arns: list[str]) -> tuple[str | None, str | None]:
    for arn in arns:
        parts = arn.split(":")
        if len(parts) >= 6 and parts[0] == "arn" and parts[3] and parts[4]:
            return parts[3], parts[4]
    return None, None
