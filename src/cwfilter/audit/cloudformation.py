"""A CloudFormation template (JSON or YAML) → the account model: trails, log groups, metric
filters, alarms, topics and subscriptions, with intrinsics resolved where that is possible
offline (parameters, pseudo parameters, Ref/GetAtt of the template's own resources, Sub, Join)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import ConfigError, TemplateResolver, load_template
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


class _Resolver(TemplateResolver):
    """The project's resolver, plus Ref/GetAtt of log groups and trails and Fn::Join; what
    still cannot be resolved becomes ``<unresolved ...>`` text (reported by the checks)."""

    def __init__(self, doc: Mapping[str, Any], region: str, account: str) -> None:
        super().__init__(doc, None, region=region, account_id=account)
        self.arns: dict[str, str] = {}
        for logical_id, res in doc["Resources"].items():
            props = (res.get("Properties") or {}) if isinstance(res, Mapping) else {}
            kind = res.get("Type") if isinstance(res, Mapping) else None
            if kind == "AWS::Logs::LogGroup":
                given = props.get("LogGroupName")
                name = given if isinstance(given, str) else logical_id
                self.values[logical_id] = name
                self.arns[logical_id] = log_group_arn(region, account, name)
            elif kind == "AWS::SNS::Topic":
                self.arns[logical_id] = self.values[logical_id]

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((fn, arg),) = value.items()
                if fn == "Fn::GetAtt":
                    target = arg if isinstance(arg, list) else str(arg).split(".", 1)
                    return self.arns.get(target[0], f"<unresolved GetAtt {'.'.join(map(str, target))}>")
                if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                    return str(arg[0]).join(str(self(v, where)) for v in arg[1])
                try:
                    return super().__call__(value, where)
                except ConfigError as exc:
                    return f"<unresolved: {exc}>"
            return {k: self(v, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, where) for v in value]
        return value


def read_cloudformation(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Declared:
    """The declared resources of a CloudFormation template file."""
    p, text = read_text(path)
    try:
        doc = load_template(text)
    except ConfigError as exc:
        raise IacError(f"{p}: {exc}") from None
    resolve = _Resolver(doc, region, account)
    out = Declared(f"CloudFormation {p}", region, account)
    for logical_id, res in doc["Resources"].items():
        if not isinstance(res, Mapping):
            raise IacError(f"{p}: resource {logical_id} is not a mapping")
        props = resolve(res.get("Properties") or {}, f"resource {logical_id}")
        where = Location(str(p), line_of(text, rf"^\s*\"?{re.escape(logical_id)}\"?\s*:"))
        _declare(out, str(res.get("Type")), logical_id, props, where)
    return out


def _declare(out: Declared, kind: str, logical_id: str, props: dict[str, Any], where: Location) -> None:
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
    elif kind == "AWS::Logs::MetricFilter":
        transformations = [
            Transformation(str(t.get("MetricName")), str(t.get("MetricNamespace")), str(t.get("MetricValue")),
                           t.get("DefaultValue"), {d["Key"]: d["Value"] for d in t.get("Dimensions") or []}, t.get("Unit"))
            for t in props.get("MetricTransformations") or []
        ]  # fmt: skip
        out.metric_filter(MetricFilterRecord(props.get("FilterName") or logical_id, str(props.get("LogGroupName")),
                                             out.region, str(props.get("FilterPattern", "")), transformations, where))  # fmt: skip
    elif kind == "AWS::CloudWatch::Alarm":
        raw = {"AlarmName": props.get("AlarmName") or logical_id, "ActionsEnabled": True, **props}
        out.alarm(AlarmRecord(raw["AlarmName"], out.region, raw, where))
    elif kind == "AWS::CloudWatch::CompositeAlarm" or kind == "AWS::CloudWatch::CompositeAlarm":
        raw = {"AlarmName": props.get("AlarmName") or logical_id, "ActionsEnabled": True, **props}
        out.composite(AlarmRecord(raw["AlarmName"], out.region, raw, where))
    elif kind == "AWS::SNS::Topic":
        arn = topic_arn(out.region, out.account_id, props.get("TopicName") or logical_id)
        out.topic(arn, where)
        for sub in props.get("Subscription") or []:
            out.subscription(arn, str(sub.get("Protocol")), str(sub.get("Endpoint")))
    elif kind == "AWS::SNS::Subscription":
        out.subscription(str(props.get("TopicArn")), str(props.get("Protocol")), str(props.get("Endpoint")))
