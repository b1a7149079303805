"""The account model every audit check reads: trails, their event selectors, log groups,
metric filters, alarms and SNS subscriptions, plus the faults met while reading them.

Live boto3, a snapshot folder and CloudFormation/Terraform all fill this one model, so the
checks (``checks.py``) give the same verdicts whatever the source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def flag(value: Any) -> bool:
    """A boolean as templates write it (``true``, ``"true"``, ``"false"``)."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


def unresolved(value: Any) -> bool:
    """A template value that could not be resolved offline (``${var.x}``, ``<unresolved ...>``)."""
    return isinstance(value, str) and ("${" in value or value.startswith("<unresolved"))


@dataclass(frozen=True)
class Location:
    """Where a resource was declared (IaC input): file and 1-based line, for SARIF."""

    file: str
    line: int | None = None


@dataclass
class EventSelectors:
    """A trail's selectors as ``GetEventSelectors`` returns them. ``defaulted``: none are set,
    so AWS logs all management events, read and write (the default of a new trail)."""

    classic: list[dict[str, Any]] = field(default_factory=list)
    advanced: list[dict[str, Any]] = field(default_factory=list)

    @property
    def defaulted(self) -> bool:
        return not self.classic and not self.advanced


@dataclass
class Trail:
    """A CloudTrail trail as seen from one account. ``logging``/``selectors`` are ``None``
    when they could not be read (the reason is in ``Account.faults``)."""

    name: str
    arn: str
    home_region: str
    multi_region: bool
    organization: bool = False
    logging: bool | None = None
    selectors: EventSelectors | None = None
    log_group_arn: str | None = None
    location: Location | None = None
    unknown: str | None = None  # a template property the checks need that could not be resolved

    @property
    def owner(self) -> str:
        """The account that owns the trail (from its ARN)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def log_group(self) -> tuple[str, str] | None:
        """(region, log group name) of ``CloudWatchLogsLogGroupArn``
        (``arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*``)."""
        if not self.log_group_arn:
            return None
        parts = self.log_group_arn.split(":")
        if len(parts) < 7 or parts[5] != "log-group":
            return None
        return parts[3], parts[6]


@dataclass
class Transformation:
    """One metric transformation of a metric filter (PutMetricFilter's shape)."""

    metric_name: str
    namespace: str
    value: str
    default_value: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None


@dataclass
class MetricFilterRecord:
    """A deployed (or declared) metric filter on a log group."""

    name: str
    log_group: str
    region: str
    pattern: str
    transformations: list[Transformation]
    location: Location | None = None


@dataclass
class MetricStat:
    """The metric an alarm (or one metric of a metric-math alarm) watches."""

    namespace: str
    metric_name: str
    dimensions: dict[str, str] = field(default_factory=dict)


@dataclass
class AlarmRecord:
    """A CloudWatch metric alarm as ``DescribeAlarms`` returns it (``raw``), with the metrics
    it reads. ``math`` is true for metric-math alarms (``Metrics`` set)."""

    name: str
    region: str
    raw: dict[str, Any]
    location: Location | None = None

    @property
    def math(self) -> bool:
        return bool(self.raw.get("Metrics"))

    @property
    def metrics(self) -> list[MetricStat]:
        if not self.math:
            dims = {d["Name"]: d["Value"] for d in self.raw.get("Dimensions") or []}
            return [MetricStat(self.raw.get("Namespace", ""), self.raw.get("MetricName", ""), dims)]
        out = []
        for query in self.raw["Metrics"]:
            metric = (query.get("MetricStat") or {}).get("Metric")
            if metric:
                dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
                out.append(MetricStat(metric.get("Namespace", ""), metric.get("MetricName", ""), dims))
        return out

    @property
    def actions_enabled(self) -> bool:
        return flag(self.raw.get("ActionsEnabled", True))

    @property
    def alarm_actions(self) -> list[str]:
        return list(self.raw.get("AlarmActions") or [])


@dataclass
class Subscription:
    """An SNS subscription; ``arn == "PendingConfirmation"`` until the endpoint confirms."""

    topic_arn: str
    protocol: str
    endpoint: str
    arn: str

    @property
    def confirmed(self) -> bool:
        return self.arn.startswith("arn:")


@dataclass
class Account:
    """Everything the checks read, for one account. ``trails[region]`` are the trails visible
    in that region (shadow trails included); ``faults[key]`` says why some data is missing:
    keys are ``trails:REGION``, ``status:ARN``, ``selectors:ARN``, ``filters:REGION``,
    ``alarms:REGION``, ``subscriptions:TOPIC_ARN``, ``account``."""

    account_id: str
    regions: list[str]
    source: str
    trails: dict[str, list[Trail]] = field(default_factory=dict)
    filters: dict[str, list[MetricFilterRecord]] = field(default_factory=dict)
    alarms: dict[str, list[AlarmRecord]] = field(default_factory=dict)
    composites: dict[str, list[AlarmRecord]] = field(default_factory=dict)
    subscriptions: dict[str, list[Subscription]] = field(default_factory=dict)
    topics: dict[str, Location | None] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)

    def fault(self, key: str) -> str | None:
        return self.faults.get(key)

    def filters_on(self, region: str, log_group: str) -> list[MetricFilterRecord]:
        return [f for f in self.filters.get(region, []) if f.log_group == log_group]
