"""Terraform resources (read by ``terraform.load_terraform``, references resolved) → the account
model: trails, log groups, metric filters, alarms (metric, math, composite), topics and
subscriptions, each with its file, line and address; and metric filters for the engine."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .declared import Declared, topic_arn, unresolved_flags
from .errors import ConfigError, json_type, required
from .model import AlarmResource, EventSelectors, Location, MetricFilterResource, Trail, Transformation, flag
from .terraform import TerraformResource, is_expression, load_terraform

if TYPE_CHECKING:
    from ..metric import MetricFilter


def declare_terraform(resources: list[TerraformResource], out: Declared, file: str | None = None) -> None:
    """Add every resource to ``out`` (``file`` names where they were read)."""
    for r in resources:
        _declare(out, r, Location(file or "main.tf", r.line, r.address))


def from_terraform(source: Mapping[str, Any] | str, path: str | None = None) -> dict[str, MetricFilter]:
    """Every ``aws_cloudwatch_log_metric_filter`` resource, by resource name, from Terraform
    JSON (``.tf.json``) or HCL text, or an already loaded JSON document."""
    text = source if isinstance(source, str) else json.dumps(source)
    where = f"{path}: " if path else ""
    out = Declared(f"Terraform {path or 'text'}")
    try:
        declare_terraform(load_terraform(text, path), out, path)
        found = {str(f.location.address if f.location else f.name).split(".", 1)[1]: f.metric_filter()
                 for f in out.account.filters[out.region]}  # fmt: skip
    except ConfigError as exc:
        if where and not str(exc).startswith(where):
            raise ConfigError(f"{where}{exc}") from None
        raise
    if not found:
        raise ConfigError(f"{where}no aws_cloudwatch_log_metric_filter resource found")
    return found


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [value] if isinstance(value, dict) else list(value or [])


def _declare(out: Declared, r: TerraformResource, where: Location) -> None:
    a = r.attributes
    if not isinstance(a, Mapping) and r.type != "aws_cloudwatch_log_metric_filter":
        raise ConfigError(f"{r.address}: expected an object, found {json_type(a)}")
    if r.type == "aws_cloudtrail":
        name = a.get("name") or r.name
        out.trail(Trail(
            name, f"arn:aws:cloudtrail:{out.region}:{out.account_id}:trail/{name}", out.region,
            flag(a.get("is_multi_region_trail", False)), flag(a.get("is_organization_trail", False)),
            logging=flag(a.get("enable_logging", True)), selectors=_selectors(a),
            log_group_arn=a.get("cloud_watch_logs_group_arn") or None, location=where,
            unknown=unresolved_flags(a, ("is_multi_region_trail", "is_organization_trail", "enable_logging")),
        ))  # fmt: skip
    elif r.type == "aws_cloudwatch_log_group":
        out.log_group(str(a.get("name") or r.name), where)
    elif r.type == "aws_cloudwatch_log_metric_filter":
        out.metric_filter(_metric_filter(out, r, where))
    elif r.type == "aws_cloudwatch_metric_alarm":
        raw = _alarm(a, r.name)
        out.alarm(AlarmResource(raw["AlarmName"], out.region, raw, where))
    elif r.type == "aws_cloudwatch_composite_alarm":
        raw = {
            "AlarmName": a.get("alarm_name") or r.name,
            "AlarmRule": a.get("alarm_rule", ""),
            "ActionsEnabled": flag(a.get("actions_enabled", True)),
            "AlarmActions": list(a.get("alarm_actions") or []),
        }
        out.alarm(AlarmResource(raw["AlarmName"], out.region, raw, where))
    elif r.type == "aws_sns_topic":
        out.topic(a.get("arn") or topic_arn(out.region, out.account_id, a.get("name") or r.name), where)
    elif r.type == "aws_sns_topic_subscription":
        out.subscription(str(a.get("topic_arn")), str(a.get("protocol")), str(a.get("endpoint")))


def _metric_filter(out: Declared, r: TerraformResource, where: Location) -> MetricFilterResource:
    """A declared metric filter; the provider's required arguments must be there."""
    a, at = r.attributes, r.address
    blocks = _blocks(required(a, "metric_transformation", at))
    ts = []
    for t in blocks:
        if not isinstance(t, Mapping):
            raise ConfigError(f"{at}: metric_transformation must be a block, not {t!r:.40}")
        default = t.get("default_value")
        ts.append(Transformation(required(t, "name", at), required(t, "namespace", at), str(required(t, "value", at)),
                                 None if default in (None, "") or is_expression(default) else float(default),
                                 dict(t.get("dimensions") or {}), t.get("unit")))  # fmt: skip
    name = a.get("name")
    return MetricFilterResource(name if isinstance(name, str) and not is_expression(name) else r.name,
                                str(a.get("log_group_name")), out.region, str(required(a, "pattern", at)), ts, where)  # fmt: skip


def _selectors(a: dict[str, Any]) -> EventSelectors:
    classic = [{"ReadWriteType": s.get("read_write_type", "All"),
                "IncludeManagementEvents": flag(s.get("include_management_events", True)),
                "ExcludeManagementEventSources": list(s.get("exclude_management_event_sources") or [])}
               for s in _blocks(a.get("event_selector"))]  # fmt: skip
    advanced = [{"Name": s.get("name", ""), "FieldSelectors": [
        {"Field": f.get("field"), **{k: f[key] for k, key in (("Equals", "equals"), ("NotEquals", "not_equals"),
         ("StartsWith", "starts_with"), ("NotStartsWith", "not_starts_with")) if f.get(key)}}
        for f in _blocks(s.get("field_selector"))]} for s in _blocks(a.get("advanced_event_selector"))]  # fmt: skip
    return EventSelectors(classic, advanced)


_ALARM_KEYS = {
    "metric_name": "MetricName", "namespace": "Namespace", "statistic": "Statistic",
    "extended_statistic": "ExtendedStatistic", "period": "Period", "evaluation_periods": "EvaluationPeriods",
    "datapoints_to_alarm": "DatapointsToAlarm", "threshold": "Threshold", "comparison_operator": "ComparisonOperator",
    "treat_missing_data": "TreatMissingData", "unit": "Unit", "alarm_description": "AlarmDescription",
}  # fmt: skip


def _alarm(a: dict[str, Any], name: str) -> dict[str, Any]:
    """An ``aws_cloudwatch_metric_alarm`` in DescribeAlarms' shape."""
    raw: dict[str, Any] = {"AlarmName": a.get("alarm_name") or name, "ActionsEnabled": flag(a.get("actions_enabled", True)),
                           "AlarmActions": list(a.get("alarm_actions") or [])}  # fmt: skip
    raw.update({api: a[key] for key, api in _ALARM_KEYS.items() if a.get(key) not in (None, "")})
    raw["Dimensions"] = [{"Name": k, "Value": v} for k, v in (a.get("dimensions") or {}).items()]
    queries = []
    for q in _blocks(a.get("metric_query")):
        query: dict[str, Any] = {"Id": q.get("id"), "ReturnData": flag(q.get("return_data", False))}
        if q.get("expression"):
            query["Expression"] = q["expression"]
        for m in _blocks(q.get("metric")):
            dims = [{"Name": k, "Value": v} for k, v in (m.get("dimensions") or {}).items()]
            query["MetricStat"] = {"Metric": {"Namespace": m.get("namespace"), "MetricName": m.get("metric_name"),
                                              "Dimensions": dims}, "Period": m.get("period"), "Stat": m.get("stat")}  # fmt: skip
        queries.append(query)
    if queries:
        raw["Metrics"] = queries
    return raw
