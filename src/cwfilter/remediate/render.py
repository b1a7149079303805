"""Remediation plans as text: AWS CLI commands, a CloudFormation template, or Terraform HCL
(``terraform fmt`` layout). One topic and subscription serve every plan of a region; what a
template declares (the trail's log group, a topic) is referred to as the template's own
resource (``!Ref``, ``aws_sns_topic.x.arn``), never by a literal ARN."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from ..config import dump_template
from .planner import TOPIC_REF, Plan, Reference

_CLI = {"PutMetricFilter": "logs put-metric-filter", "CreateTopic": "sns create-topic", "Subscribe": "sns subscribe",
        "PutMetricAlarm": "cloudwatch put-metric-alarm"}  # fmt: skip
_TOPIC, _SUBSCRIPTION = "CwfilterAlarmTopic", "CwfilterAlarmSubscription"


def as_cli(plans: list[Plan]) -> str:
    """Shell commands (AWS CLI v2); each created topic's ARN is kept in ``$TOPIC_ARN`` (one
    variable per region when the plans span several)."""
    lines = ["#!/bin/sh", "set -e"]
    several = len({p.region for p in plans}) > 1
    for p in plans:
        var = "TOPIC_ARN" + ("_" + p.region.replace("-", "_").upper() if several else "")
        lines.append(f"# {p.rule.id} in {p.region}: {p.finding.status} {p.finding.reason}")
        lines += [f"# {note}" for note in p.notes]
        for step in p.steps:
            lines.append(f"# {step.why}")
            if step.operation == "CreateTopic":
                tagged = " ".join(f"Key={t['Key']},Value={t['Value']}" for t in step.params.get("Tags", []))
                lines.append(f"{var}=$(aws sns create-topic --region {p.region} --name "
                             f"{shlex.quote(step.params['Name'])}{' --tags ' + tagged if tagged else ''} "
                             "--query TopicArn --output text)")  # fmt: skip
                continue
            body = json.dumps(step.params).replace("'", "'\\''").replace(json.dumps(TOPIC_REF), f'"\'"${var}"\'"')
            lines.append(f"aws {_CLI[step.operation]} --region {p.region} --cli-input-json '{body}'")
    return "\n".join(lines) + "\n"


def as_cloudformation(plans: list[Plan]) -> str:
    """A CloudFormation template (YAML) with the resources the plans create; the template's own
    log group and topic are referred to with ``Ref``."""
    resources: dict[str, Any] = {}
    for p in plans:
        for step in p.steps:
            _cfn_resource(step.operation, step.params, resources)
    doc = {"AWSTemplateFormatVersion": "2010-09-09",
           "Description": "cwfilter remediate: " + ", ".join(f"{p.rule.id} ({p.region})" for p in plans),
           "Resources": resources}  # fmt: skip
    return dump_template(doc)


def _cfn(value: Any) -> Any:
    """A value as CloudFormation writes it: the new topic and declared resources by ``Ref``."""
    if value == TOPIC_REF:
        return {"Ref": _TOPIC}
    if isinstance(value, Reference) and "." not in value.address:
        return {"Ref": value.address}
    if isinstance(value, list):
        return [_cfn(v) for v in value]
    return str(value) if isinstance(value, str) else value


def _cfn_resource(operation: str, params: dict[str, Any], resources: dict[str, Any]) -> None:
    if operation == "CreateTopic":
        resources[_TOPIC] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": params["Name"]}}
    elif operation == "Subscribe":
        resources[_SUBSCRIPTION] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": _cfn(params["TopicArn"]), "Protocol": params["Protocol"], "Endpoint": params["Endpoint"]}}  # fmt: skip
    elif operation == "PutMetricFilter":
        t = params["metricTransformations"][0]
        resources[_logical(params["filterName"])] = {"Type": "AWS::Logs::MetricFilter", "Properties": {
            "FilterName": params["filterName"], "LogGroupName": _cfn(params["logGroupName"]),
            "FilterPattern": params["filterPattern"], "MetricTransformations": [
                {"MetricName": t["metricName"], "MetricNamespace": t["metricNamespace"], "MetricValue": t["metricValue"]}]}}  # fmt: skip
    elif operation == "PutMetricAlarm":
        props = {k: _cfn(v) for k, v in params.items() if v not in ([], {}) and k != "Tags"}
        resources[_logical(params["AlarmName"])] = {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def _logical(name: str) -> str:
    return "".join(c for c in name.title() if c.isalnum())


def as_terraform(plans: list[Plan]) -> str:
    """Terraform HCL with the resources the plans create, laid out as ``terraform fmt`` does."""
    blocks: dict[str, str] = {}
    for p in plans:
        for step in p.steps:
            address, text = _tf_resource(step.operation, step.params)
            blocks.setdefault(address, text)
    return "\n".join(blocks.values())


def _hcl(value: Any) -> str:
    if value == TOPIC_REF:
        return "aws_sns_topic.cwfilter_alarms.arn"
    if isinstance(value, Reference) and value.address.startswith("aws_sns_topic."):
        return f"{value.address}.arn"
    if isinstance(value, Reference) and value.address.startswith("aws_cloudwatch_log_group."):
        return f"{value.address}.name"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return json.dumps(str(value)).replace("${", "$${").replace("%{", "%%{")


_ALARM_KEYS = {"AlarmName": "alarm_name", "AlarmDescription": "alarm_description", "Namespace": "namespace",
               "MetricName": "metric_name", "Statistic": "statistic", "Period": "period",
               "EvaluationPeriods": "evaluation_periods", "Threshold": "threshold",
               "ComparisonOperator": "comparison_operator", "ActionsEnabled": "actions_enabled",
               "AlarmActions": "alarm_actions"}  # fmt: skip


def _tf_resource(operation: str, params: dict[str, Any]) -> tuple[str, str]:
    """(address, block) of the resource a step creates."""
    if operation == "CreateTopic":
        return _tf("aws_sns_topic", "cwfilter_alarms", {"name": params["Name"]})
    if operation == "Subscribe":
        return _tf("aws_sns_topic_subscription", "cwfilter_alarms_email", {
            "topic_arn": params["TopicArn"], "protocol": params["Protocol"], "endpoint": params["Endpoint"]})  # fmt: skip
    if operation == "PutMetricFilter":
        t = params["metricTransformations"][0]
        return _tf("aws_cloudwatch_log_metric_filter", _tf_name(params["filterName"]),
                   {"name": params["filterName"], "log_group_name": params["logGroupName"],
                    "pattern": params["filterPattern"]},
                   {"metric_transformation": {"name": t["metricName"], "namespace": t["metricNamespace"],
                                              "value": t["metricValue"]}})  # fmt: skip
    return _tf("aws_cloudwatch_metric_alarm", _tf_name(params["AlarmName"]),
               {tf: params[api] for api, tf in _ALARM_KEYS.items() if api in params})  # fmt: skip


def _tf_name(name: str) -> str:
    out = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return out if out[:1].isalpha() or out[:1] == "_" else f"r_{out}"


def _tf_body(attrs: dict[str, Any], indent: str) -> list[str]:
    """Attribute lines with their ``=`` aligned, as ``terraform fmt`` aligns a run of them."""
    width = max((len(k) for k in attrs), default=0)
    return [f"{indent}{k.ljust(width)} = {_hcl(v)}" for k, v in attrs.items()]


def _tf(
    rtype: str, name: str, attrs: dict[str, Any], blocks: dict[str, dict[str, Any]] | None = None
) -> tuple[str, str]:
    lines = [f'resource "{rtype}" "{name}" {{', *_tf_body(attrs, "  ")]
    for kind, inner in (blocks or {}).items():
        lines += ["", f"  {kind} {{", *_tf_body(inner, "    "), "  }"]
    return f"{rtype}.{name}", "\n".join([*lines, "}", ""])
