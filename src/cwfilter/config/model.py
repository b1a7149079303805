"""The one model of an account's CloudWatch alarm chain, whatever it was read from (a live
account, a snapshot folder, a folder of AWS CLI outputs, CloudFormation, Terraform, API
requests): trails, log groups, metric filters, alarms (metric, math or composite), SNS topics
and subscriptions, each with where it was declared, plus the faults met while reading.

Every reader in ``cwfilter.config`` fills this model once; the audit adds verdicts to it,
``MetricFilterResource.metric_filter()`` and ``AlarmResource.alarm()`` give the objects the
engine runs. A value a reader could not resolve offline stays in the model as an
``Unresolved`` text (or Terraform's ``${...}``), so a check that needs it says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from ..alarm.model import Alarm
    from ..metric import DefaultValueMode, MetricFilter

# The notional region and account of a template or request that does not say (one home).
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class Unresolved(str):
    """A template value that cannot be resolved offline: its text says so (``<unresolved:
    ...>``), ``why`` is the reader's message and ``raw`` the value as written."""

    why: str
    raw: Any

    def __new__(cls, why: str, raw: Any) -> Unresolved:
        self = super().__new__(cls, f"<unresolved: {why}>")
        self.why, self.raw = why, raw
        return self


def flag(value: Any) -> bool:
    """A boolean as templates write it (``true``, ``"true"``, ``"false"``)."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


def unresolved(value: Any) -> bool:
    """A value that could not be resolved offline (``Unresolved``, Terraform's ``${var.x}``)."""
    return isinstance(value, Unresolved) or (isinstance(value, str) and "${" in value)


@dataclass(frozen=True)
class Location:
    """Where a resource was declared: the file, its 1-based line where known, and its address
    in that file (a CloudFormation logical ID, a Terraform ``type.name``) for fixes that refer
    to it."""

    file: str
    line: int | None = None
    address: str | None = None


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
class LogGroup:
    """A CloudWatch Logs log group (declared in a template; a live read does not list them)."""

    name: str
    region: str
    location: Location | None = None


@dataclass
class Transformation:
    """The metric transformation of a metric filter (PutMetricFilter's shape)."""

    metric_name: str
    namespace: str
    value: str
    default_value: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None


@dataclass
class MetricFilterResource:
    """A metric filter as deployed or declared, its values as given (a pattern AWS would
    reject stays here, for the audit to report); ``metric_filter()`` is what the engine runs."""

    name: str
    log_group: str
    region: str
    pattern: str
    transformations: list[Transformation]
    location: Location | None = None

    def metric_filter(
        self, *, json_prefix_scan: bool = False, default_value_mode: DefaultValueMode = "per_event"
    ) -> MetricFilter:
        """The runnable ``MetricFilter``; a ``ConfigError`` naming the resource when a value it
        needs could not be resolved, or it has not exactly one transformation."""
        from ..metric import MetricFilter
        from ..pattern import compile

        where = self.location.address if self.location and self.location.address else f"metric filter {self.name}"
        if len(self.transformations) != 1:
            raise ConfigError(f"{where}: a metric filter holds exactly one metric transformation, "
                              f"not {len(self.transformations)}")  # fmt: skip
        t = self.transformations[0]
        values = [("pattern", self.pattern), ("metric name", t.metric_name), ("namespace", t.namespace),
                  ("value", t.value), ("unit", t.unit), ("default value", t.default_value), *(("dimension " + k, v) for k, v in t.dimensions.items())]  # fmt: skip
        for what, value in values:
            if isinstance(value, Unresolved):
                raise ConfigError(value.why)
            if unresolved(value):
                raise ConfigError(f"{where}: {what} uses an expression or interpolation ({value!r}) "
                                  "that cannot be resolved offline")  # fmt: skip
        pattern = self.pattern  # a compiled ``FilterPattern`` passes as it is
        return MetricFilter(
            compile(pattern, json_prefix_scan=json_prefix_scan, api="PutMetricFilter") if isinstance(pattern, str) else pattern,
            metric_name=t.metric_name, namespace=t.namespace, value=t.value, default_value=t.default_value,
            dimensions=t.dimensions or None, unit=t.unit, name=self.name or None, default_value_mode=default_value_mode,
            log_group_name=_informational(self.log_group) or None,
        )  # fmt: skip


def _informational(value: Any) -> Any:
    """A value not needed to evaluate: an unresolved one as written (JSON text)."""
    if isinstance(value, Unresolved):
        import json

        return json.dumps(value.raw)
    return value


@dataclass
class MetricStat:
    """The metric an alarm (or one metric of a metric-math alarm) watches."""

    namespace: str
    metric_name: str
    dimensions: dict[str, str] = field(default_factory=dict)


@dataclass
class AlarmResource:
    """A CloudWatch alarm in the shape of its API request (PutMetricAlarm, or PutCompositeAlarm
    for a composite alarm), values as given; ``kind`` is ``metric``, ``math`` (``Metrics``
    set) or ``composite`` (``AlarmRule`` set). ``alarm()`` is what the evaluator runs."""

    name: str
    region: str
    request: dict[str, Any]
    location: Location | None = None

    @property
    def kind(self) -> str:
        if "AlarmRule" in self.request:
            return "composite"
        return "math" if self.request.get("Metrics") else "metric"

    @property
    def math(self) -> bool:
        return self.kind == "math"

    @property
    def metrics(self) -> list[MetricStat]:
        """The metrics the alarm reads (none for a composite alarm)."""
        if self.kind == "composite":
            return []
        if not self.math:
            dims = {d["Name"]: d["Value"] for d in self.request.get("Dimensions") or []}
            return [MetricStat(self.request.get("Namespace", ""), self.request.get("MetricName", ""), dims)]
        out = []
        for query in self.request["Metrics"]:
            metric = (query.get("MetricStat") or {}).get("Metric")
            if metric:
                dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
                out.append(MetricStat(metric.get("Namespace", ""), metric.get("MetricName", ""), dims))
        return out

    @property
    def actions_enabled(self) -> bool:
        return flag(self.request.get("ActionsEnabled", True))

    @property
    def alarm_actions(self) -> list[str]:
        return list(self.request.get("AlarmActions") or [])

    def alarm(self, **overrides: Any) -> Alarm:
        """The metric alarm the evaluator runs (``AlarmValidationError`` where PutMetricAlarm
        would reject it, or for a kind it does not evaluate)."""
        from ..alarm.model import Alarm

        return Alarm.from_put_metric_alarm(self.request, **overrides)


@dataclass
class Topic:
    """An SNS topic an alarm notifies (or a template declares); ``missing``: AWS says it does not
    exist (an alarm action that points nowhere)."""

    arn: str
    location: Location | None = None
    missing: bool = False


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
    """Everything read for one account. ``trails[region]`` are the trails visible in that region
    (shadow trails included); a region missing from ``trails``/``filters``/``alarms`` was not
    read, and ``faults[key]`` says why: keys are ``trails:REGION``, ``status:ARN``,
    ``selectors:ARN``, ``filters:REGION``, ``alarms:REGION``, ``subscriptions:TOPIC_ARN``,
    ``account``."""

    account_id: str
    regions: list[str]
    source: str
    trails: dict[str, list[Trail]] = field(default_factory=dict)
    log_groups: dict[str, list[LogGroup]] = field(default_factory=dict)
    filters: dict[str, list[MetricFilterResource]] = field(default_factory=dict)
    alarms: dict[str, list[AlarmResource]] = field(default_factory=dict)
    composites: dict[str, list[AlarmResource]] = field(default_factory=dict)
    subscriptions: dict[str, list[Subscription]] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)

    def fault(self, key: str) -> str | None:
        return self.faults.get(key)

    def filters_on(self, region: str, log_group: str) -> list[MetricFilterResource]:
        return [f for f in self.filters.get(region, []) if f.log_group == log_group]

    def log_group(self, region: str, name: str) -> LogGroup | None:
        """The declared log group of that name, if the input declares it."""
        return next((g for g in self.log_groups.get(region, []) if g.name == name), None)
