"""A loaded CloudFormation template → the account model: trails, log groups, metric filters,
alarms (metric, math, composite), topics and subscriptions, with the template's own resolver
(``TemplateResolver``) applied and the file, line and logical ID of each resource."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .cloudformation import TemplateResolver, load_template
from .declared import Declared, topic_arn, unresolved_flags
from .errors import ConfigError, required
from .model import AlarmResource, EventSelectors, Location, MetricFilterResource, Trail, Transformation, flag

if TYPE_CHECKING:
    from ..metric import MetricFilter

_NUMBERS = ("Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold")


def declare_cloudformation(
    doc: Mapping[str, Any], out: Declared, *, file: str | None = None, text: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """Add every resource of the template ``doc`` (read from ``file``, whose ``text`` gives the
    lines) to ``out``; ``parameters`` override the template's defaults."""
    resolve = TemplateResolver(doc, parameters, region=out.region, account_id=out.account_id)
    prefix = f"{file}: " if file else ""
    for logical_id, res in doc["Resources"].items():
        if not isinstance(res, Mapping):
            raise ConfigError(f"{prefix}resource {logical_id} is not a mapping")
        props = resolve(res.get("Properties") or {}, f"resource {logical_id}")
        if not isinstance(props, dict):
            raise ConfigError(f"{prefix}resource {logical_id}: Properties must be a mapping")
        where = Location(file or "template", _line(text, logical_id), logical_id)
        _declare(out, str(res.get("Type")), logical_id, props, where, prefix)


def from_cloudformation(
    template: Mapping[str, Any] | str, *, parameters: Mapping[str, Any] | None = None
) -> dict[str, MetricFilter]:
    """Every ``AWS::Logs::MetricFilter`` of a template, by logical ID."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    if not isinstance(doc.get("Resources"), Mapping):
        raise ConfigError("not a CloudFormation template: no Resources section")
    out = Declared("CloudFormation template")
    declare_cloudformation(doc, out, parameters=parameters)
    filters = out.account.filters[out.region]
    if not filters:
        raise ConfigError("the template has no AWS::Logs::MetricFilter resource")
    return {str(f.location.address if f.location else f.name): f.metric_filter() for f in filters}


def _line(text: str | None, logical_id: str) -> int | None:
    if text is None:
        return None
    m = re.search(rf"^\s*\"?{re.escape(logical_id)}\"?\s*:", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _declare(out: Declared, kind: str, logical_id: str, props: dict[str, Any], where: Location, prefix: str) -> None:
    if kind == "AWS::CloudTrail::Trail":
        name = props.get("TrailName") or logical_id
        out.trail(Trail(
            name, f"arn:aws:cloudtrail:{out.region}:{out.account_id}:trail/{name}", out.region,
            flag(props.get("IsMultiRegionTrail")), flag(props.get("IsOrganizationTrail")),
            logging=flag(props.get("IsLogging", True)),
            selectors=EventSelectors(list(props.get("EventSelectors") or []), list(props.get("AdvancedEventSelectors") or [])),
            log_group_arn=props.get("CloudWatchLogsLogGroupArn"), location=where,
            unknown=unresolved_flags(props, ("IsMultiRegionTrail", "IsOrganizationTrail", "IsLogging")),
        ))  # fmt: skip
    elif kind == "AWS::Logs::LogGroup":
        name = props.get("LogGroupName")
        out.log_group(name if isinstance(name, str) else logical_id, where)
    elif kind == "AWS::Logs::MetricFilter":
        out.metric_filter(_metric_filter(out, f"{prefix}resource {logical_id}", props, where))
    elif kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        request = {"AlarmName": props.get("AlarmName") or logical_id, "ActionsEnabled": True, **props}
        for key in _NUMBERS:
            request[key] = number(request[key]) if key in request else None
        request = {k: v for k, v in request.items() if v is not None}
        if isinstance(request.get("ActionsEnabled"), str):
            request["ActionsEnabled"] = flag(request["ActionsEnabled"])
        out.alarm(AlarmResource(request["AlarmName"], out.region, request, where))
    elif kind == "AWS::SNS::Topic":
        arn = topic_arn(out.region, out.account_id, props.get("TopicName") or logical_id)
        out.topic(arn, where)
        for sub in props.get("Subscription") or []:
            out.subscription(arn, str(sub.get("Protocol")), str(sub.get("Endpoint")))
    elif kind == "AWS::SNS::Subscription":
        out.subscription(str(props.get("TopicArn")), str(props.get("Protocol")), str(props.get("Endpoint")))


def _metric_filter(out: Declared, at: str, props: dict[str, Any], where: Location) -> MetricFilterResource:
    """A declared metric filter; CloudFormation's required properties must be there."""
    transformations = required(props, "MetricTransformations", at)
    if not isinstance(transformations, list):
        raise ConfigError(f"{at}: MetricTransformations must be a list")
    ts = []
    for t in transformations:
        dims = t.get("Dimensions") if isinstance(t, Mapping) else None
        ts.append(Transformation(
            required(t, "MetricName", at), required(t, "MetricNamespace", at), str(required(t, "MetricValue", at)),
            number(t.get("DefaultValue")), {d["Key"]: d["Value"] for d in dims or []}, t.get("Unit")))  # fmt: skip
    name = props.get("FilterName")
    pattern = required(props, "FilterPattern", at)
    return MetricFilterResource(name if isinstance(name, str) else str(where.address), props.get("LogGroupName", ""),
                                out.region, pattern if isinstance(pattern, str) else str(pattern), ts, where)  # fmt: skip


def number(value: Any) -> Any:
    """A number as templates may write it (``"300"``); other values unchanged."""
    if isinstance(value, str):
        try:
            f = float(value)
        except ValueError:
            return value
        return int(f) if f.is_integer() and "." not in value else f
    return value
