"""Terraform → the account model: HCL (``.tf``, parsed by python-hcl2), ``.tf.json``, and
``terraform show -json`` state or plan output. References between the file's own resources
(``aws_sns_topic.t.arn``, ``aws_cloudwatch_log_group.g.name``) are resolved; others are kept
as written and reported by the checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError, config_json, load_terraform
from .iac import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    Declared,
    IacError,
    line_of,
    log_group_arn,
    read_text,
    topic_arn,
    unresolved_flags,
)
from .model import AlarmRecord, EventSelectors, Location, MetricFilterRecord, Trail, Transformation, flag

_REF = re.compile(r"\$\{\s*(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\s*\}")


@dataclass
class Resource:
    type: str
    name: str
    attrs: dict[str, Any]
    where: Location


def read_terraform(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Declared:
    """The declared resources of a ``.tf``, ``.tf.json`` or ``terraform show -json`` file."""
    p, text = read_text(path)
    try:
        doc = config_json(p, text)
    except ConfigError as exc:
        raise IacError(str(exc)) from None
    if doc is not None:
        shown = doc.get("planned_values") or doc.get("values")
        resources = list(_shown(shown, doc, str(p)) if shown else _config(text, str(p)))
    else:
        resources = list(_config(text, str(p)))
    out = Declared(f"Terraform {p}", region, account)
    values = _attributes(resources, out)
    for r in resources:
        _declare(out, r, lambda v: _resolve(v, values))
    return out


def _config(text: str, file: str) -> Iterator[Resource]:
    """Resources of HCL or .tf.json, read by the project's Terraform loader (``cwfilter.config``),
    each with the line of its ``resource`` block."""
    try:
        records = load_terraform(text, file)
    except ConfigError as exc:
        raise IacError(str(exc)) from None
    for r in records:
        line = line_of(text, rf"resource\s+\"{re.escape(r.type)}\"\s+\"{re.escape(r.name)}\"") or line_of(
            text, rf"\"{re.escape(r.name)}\"\s*:"
        )
        yield Resource(r.type, r.name, dict(r.attributes), Location(file, line))  # fmt: skip


def _shown(values: dict[str, Any], doc: dict[str, Any], file: str) -> Iterator[Resource]:
    """Resources of ``terraform show -json``; a value unknown until apply is replaced by the
    reference the configuration gives for it (so it can be resolved like HCL)."""
    refs = {}
    for r in ((doc.get("configuration") or {}).get("root_module") or {}).get("resources") or []:
        refs[r.get("address")] = {k: v.get("references") for k, v in (r.get("expressions") or {}).items()
                                  if isinstance(v, dict) and v.get("references")}  # fmt: skip
    modules = [values.get("root_module") or {}]
    while modules:
        module = modules.pop()
        modules.extend(module.get("child_modules") or [])
        for r in module.get("resources") or []:
            attrs = dict(r.get("values") or {})
            for key, found in refs.get(r.get("address"), {}).items():
                if attrs.get(key) is None and found:
                    attrs[key] = "${" + found[0] + "}" + (":*" if key == "cloud_watch_logs_group_arn" else "")
            yield Resource(r.get("type", ""), r.get("name", ""), attrs, Location(file))


def _attributes(resources: list[Resource], out: Declared) -> dict[str, str]:
    """What references to the file's log groups and topics resolve to."""
    values: dict[str, str] = {}
    for r in resources:
        name = r.attrs.get("name") or r.name
        if r.type == "aws_cloudwatch_log_group":
            values[f"{r.type}.{r.name}.name"] = values[f"{r.type}.{r.name}.id"] = name
            values[f"{r.type}.{r.name}.arn"] = log_group_arn(out.region, out.account_id, name)[:-2]
        elif r.type == "aws_sns_topic":
            arn = r.attrs.get("arn") or topic_arn(out.region, out.account_id, name)
            values[f"{r.type}.{r.name}.arn"] = values[f"{r.type}.{r.name}.id"] = arn
            values[f"{r.type}.{r.name}.name"] = name
    return values


def _resolve(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _REF.sub(lambda m: values.get(".".join(m.groups()), m.group(0)), value)
    if isinstance(value, list):
        return [_resolve(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, values) for k, v in value.items()}
    return value


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [value] if isinstance(value, dict) else list(value or [])


def _declare(out: Declared, r: Resource, resolve: Any) -> None:
    a = resolve(r.attrs)
    if r.type == "aws_cloudtrail":
        name = a.get("name") or r.name
        out.trail(Trail(
            name, f"arn:aws:cloudtrail:{out.region}:{out.account_id}:trail/{name}", out.region,
            flag(a.get("is_multi_region_trail", False)), flag(a.get("is_organization_trail", False)),
            logging=flag(a.get("enable_logging", True)), selectors=_selectors(a),
            log_group_arn=a.get("cloud_watch_logs_group_arn") or None, location=r.where,
            unknown=unresolved_flags(a, ("is_multi_region_trail", "is_organization_trail", "enable_logging")),
        ))  # fmt: skip
    elif r.type == "aws_cloudwatch_log_metric_filter":
        ts = [Transformation(str(t.get("name")), str(t.get("namespace")), str(t.get("value")),
                             None if t.get("default_value") in (None, "") else float(t["default_value"]),
                             dict(t.get("dimensions") or {}), t.get("unit"))
              for t in _blocks(a.get("metric_transformation"))]  # fmt: skip
        out.metric_filter(MetricFilterRecord(a.get("name") or r.name, str(a.get("log_group_name")), out.region,
                                             str(a.get("pattern", "")), ts, r.where))  # fmt: skip
    elif r.type == "aws_cloudwatch_metric_alarm":
        raw = _alarm(a, r.name)
        out.alarm(AlarmRecord(raw["AlarmName"], out.region, raw, r.where))
    elif r.type == "aws_cloudwatch_composite_alarm" or r.type == "aws_cloudwatch_composite_alarm":
        raw = {
            "AlarmName": a.get("alarm_name") or r.name,
            "AlarmRule": a.get("alarm_rule", ""),
            "ActionsEnabled": flag(a.get("actions_enabled", True)),
            "AlarmActions": list(a.get("alarm_actions") or []),
        }
        out.composite(AlarmRecord(raw["AlarmName"], out.region, raw, r.where))  # fmt: skip
    elif r.type == "aws_sns_topic":
        out.topic(a.get("arn") or topic_arn(out.region, out.account_id, a.get("name") or r.name), r.where)
    elif r.type == "aws_sns_topic_subscription":
        out.subscription(str(a.get("topic_arn")), str(a.get("protocol")), str(a.get("endpoint")))


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
