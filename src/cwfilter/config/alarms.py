"""Alarms from the shapes users have: a PutMetricAlarm request (``aws cloudwatch
put-metric-alarm --cli-input-json``), an ``aws cloudwatch describe-alarms`` output, or
``AWS::CloudWatch::Alarm`` resources of a CloudFormation template (with ``AWS::SNS::Topic``
references resolved to topic ARNs)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..alarm.model import Alarm, AlarmValidationError
from .cloudformation import load_template
from .cloudformation_resources import declare_cloudformation
from .declared import Declared
from .errors import ConfigError, shape_errors
from .files import config_json, read_config_text, wrong_kind
from .model import DEFAULT_ACCOUNT, DEFAULT_REGION, Unresolved

_FIELDS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods",
    "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile",
    "Unit", "Metrics",
)  # fmt: skip


def alarms_from_cloudformation(
    template: Mapping[str, Any] | str,
    *,
    parameters: Mapping[str, Any] | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT,
) -> dict[str, Alarm]:
    """Every ``AWS::CloudWatch::Alarm`` of a template, by logical ID (AlarmName defaults to it)."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    if not isinstance(doc.get("Resources"), Mapping):
        raise ConfigError("not a CloudFormation template: no Resources section")
    declared = Declared("CloudFormation template", region, account_id)
    declare_cloudformation(doc, declared, parameters=parameters)
    out: dict[str, Alarm] = {}
    for resource in declared.account.alarms[region]:
        logical_id = str(resource.location.address if resource.location else resource.name)
        request = {k: v for k, v in resource.request.items() if k in _FIELDS}
        _check_resolved(request)
        out[logical_id] = _alarm(request, f"resource {logical_id}", region=region, account_id=account_id)
    return out


def _check_resolved(value: Any) -> None:
    """A ``ConfigError`` for the first value the template's resolver could not resolve."""
    if isinstance(value, Unresolved):
        raise ConfigError(value.why)
    for inner in value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else []:
        _check_resolved(inner)


def _alarm(request: Mapping[str, Any], where: str, **overrides: Any) -> Alarm:
    """``Alarm.from_put_metric_alarm``, its validation error as a ``ConfigError`` naming ``where``."""
    try:
        return Alarm.from_put_metric_alarm(request, **overrides)
    except AlarmValidationError as exc:
        raise ConfigError(f"{where}: {exc.aws_exception or exc.code}: {exc.message}") from None


def is_describe_alarms(doc: Any) -> bool:
    """Whether ``doc`` is the output of ``aws cloudwatch describe-alarms``."""
    return isinstance(doc, dict) and isinstance(doc.get("MetricAlarms"), list)


def alarms_from_describe(doc: Mapping[str, Any], where: str = "describe-alarms", **overrides: Any) -> dict[str, Alarm]:
    """Every metric alarm of a ``describe-alarms`` output, by AlarmName (each entry is a
    PutMetricAlarm request plus state and ARN fields, which are not needed to evaluate)."""
    out: dict[str, Alarm] = {}
    for i, entry in enumerate(doc["MetricAlarms"]):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: MetricAlarms[{i}] is not a JSON object")
        alarm = _alarm(entry, f"{where} MetricAlarms[{i}]", **overrides)
        out[alarm.name] = alarm
    if not out:
        raise ConfigError(f"{where}: the describe-alarms output lists no metric alarm")
    return out


def load_alarms(
    path: str | Path, *, parameters: Mapping[str, Any] | None = None, region: str | None = None,
    account_id: str | None = None,
) -> dict[str, Alarm]:  # fmt: skip
    """Alarms from a file: a PutMetricAlarm JSON request, a ``describe-alarms`` output or a
    CloudFormation template."""
    p, text = read_config_text(path)
    with shape_errors(str(p), "alarm configuration"):
        return _alarms(p, text, parameters, region, account_id)


def _alarms(
    p: Path, text: str, parameters: Mapping[str, Any] | None, region: str | None, account_id: str | None
) -> dict[str, Alarm]:
    doc = config_json(p, text)
    overrides = {k: v for k, v in (("region", region), ("account_id", account_id)) if v}
    if isinstance(doc, dict) and "AlarmName" in doc:
        alarm = _alarm(doc, str(p), **overrides)
        return {alarm.name: alarm}
    if is_describe_alarms(doc):
        return alarms_from_describe(doc, str(p), **overrides)
    if doc is not None and not isinstance(doc.get("Resources") if isinstance(doc, dict) else None, dict):
        raise wrong_kind(p, doc, "an alarm file (a PutMetricAlarm request, `aws cloudwatch describe-alarms` output "
                         "or a CloudFormation template)")  # fmt: skip
    template = doc if doc is not None else load_template(text, str(p))
    return alarms_from_cloudformation(
        template, parameters=parameters, region=region or DEFAULT_REGION, account_id=account_id or DEFAULT_ACCOUNT
    )
