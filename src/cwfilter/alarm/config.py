"""Alarms from the shapes users have: a PutMetricAlarm request (``aws cloudwatch
put-metric-alarm --cli-input-json``) or ``AWS::CloudWatch::Alarm`` resources of a
CloudFormation template (with ``AWS::SNS::Topic`` references resolved to topic ARNs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..metric_config import (
    ConfigError,
    TemplateResolver,
    config_json,
    load_template,
    read_config_text,
    resources_of_type,
)
from .model import Alarm, AlarmValidationError

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
    region: str = "us-east-1",
    account_id: str = "123456789012",
) -> dict[str, Alarm]:
    """Every ``AWS::CloudWatch::Alarm`` of a template, by logical ID (AlarmName defaults to it)."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    resolve = TemplateResolver(doc, parameters, region=region, account_id=account_id)
    out: dict[str, Alarm] = {}
    for logical_id, props in resources_of_type(doc, "AWS::CloudWatch::Alarm"):
        where = f"resource {logical_id}"
        request = {k: resolve(props[k], f"{where} {k}") for k in _FIELDS if k in props}
        request.setdefault("AlarmName", logical_id)
        for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold"):
            if isinstance(request.get(key), str):
                request[key] = float(request[key])
        if isinstance(request.get("ActionsEnabled"), str):
            request["ActionsEnabled"] = request["ActionsEnabled"].lower() == "true"
        try:
            out[logical_id] = Alarm.from_put_metric_alarm(request, region=region, account_id=account_id)
        except AlarmValidationError as exc:
            raise ConfigError(f"{where}: {exc.aws_exception or exc.code}: {exc.message}") from None
    return out


def load_alarms(
    path: str | Path, *, parameters: Mapping[str, Any] | None = None, region: str | None = None,
    account_id: str | None = None,
) -> dict[str, Alarm]:  # fmt: skip
    """Alarms from a file: a PutMetricAlarm JSON request or a CloudFormation template."""
    p, text = read_config_text(path)
    doc = config_json(p, text)
    if doc is not None:
        if isinstance(doc, dict) and "AlarmName" in doc:
            overrides = {k: v for k, v in (("region", region), ("account_id", account_id)) if v}
            try:
                alarm = Alarm.from_put_metric_alarm(doc, **overrides)
            except AlarmValidationError as exc:
                raise ConfigError(f"{p}: {exc.aws_exception or exc.code}: {exc.message}") from None
            return {alarm.name: alarm}
        return alarms_from_cloudformation(doc, parameters=parameters, region=region or "us-east-1",
                                          account_id=account_id or "123456789012")  # fmt: skip
    return alarms_from_cloudformation(text, parameters=parameters, region=region or "us-east-1",
                                      account_id=account_id or "123456789012")  # fmt: skip
