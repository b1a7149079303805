"""A remediation plan as text: AWS CLI commands, a CloudFormation template, or Terraform HCL.
What the plan reuses (an existing topic or filter) is referred to by its name or ARN."""

from __future__ import annotations

import json
import shlex
from typing import Any

import yaml

from .planner import TOPIC_REF, Plan

_CLI = {"PutMetricFilter": "logs put-metric-filter", "CreateTopic": "sns create-topic", "Subscribe": "sns subscribe",
        "PutMetricAlarm": "cloudwatch put-metric-alarm"}  # fmt: skip


def as_cli(plans: list[Plan]) -> str:
    """Shell commands (AWS CLI v2); the created topic's ARN is kept in ``$TOPIC_ARN``."""
    lines = ["#!/bin/sh", "set -e"]
    for p in plans:
        lines.append(f"# {p.rule.id} in {p.region}: {p.verdict.status} {p.verdict.reason}")
        lines += [f"# {note}" for note in p.notes]
        for step in p.steps:
            lines.append(f"# {step.why}")
            params = {k: v for k, v in step.params.items() if not (step.operation == "CreateTopic" and k == "Name")}
            if step.operation == "CreateTopic":
                lines.append(f"TOPIC_ARN=$(aws sns create-topic --region {p.region} --name "
                             f"{shlex.quote(step.params['Name'])} --query TopicArn --output text)")  # fmt: skip
                continue
            body = json.dumps(params).replace("'", "'\\''").replace(json.dumps(TOPIC_REF), '"\'"$TOPIC_ARN"\'"')
            lines.append(f"aws {_CLI[step.operation]} --region {p.region} --cli-input-json '{body}'")
    return "\n".join(lines) + "\n"


def as_cloudformation(plans: list[Plan]) -> str:
    """A CloudFormation template (YAML) with the resources the plans create."""
    resources: dict[str, Any] = {}
    for p in plans:
        for step in p.steps:
            _cfn_resource(step.operation, step.params, resources)
    doc = {"AWSTemplateFormatVersion": "2010-09-09",
           "Description": "cwfilter remediate: " + ", ".join(f"{p.rule.id} ({p.region})" for p in plans),
           "Resources": resources}  # fmt: skip
    return yaml.safe_dump(doc, sort_keys=False, width=1000)


def _topic_ref(value: Any) -> Any:
    return {"Ref": "CwfilterAlarmTopic"} if value == TOPIC_REF else value


def _cfn_resource(operation: str, params: dict[str, Any], resources: dict[str, Any]) -> None:
    if operation == "CreateTopic":
        resources["CwfilterAlarmTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": params["Name"]}}
    elif operation == "Subscribe":
        resources["CwfilterAlarmSubscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": _topic_ref(params["TopicArn"]), "Protocol": params["Protocol"], "Endpoint": params["Endpoint"]}}  # fmt: skip
    elif operation == "PutMetricFilter":
        t = params["metricTransformations"][0]
        resources[_logical(params["filterName"])] = {"Type": "AWS::Logs::MetricFilter", "Properties": {
            "FilterName": params["filterName"], "LogGroupName": params["logGroupName"],
            "FilterPattern": params["filterPattern"], "MetricTransformations": [
                {"MetricName": t["metricName"], "MetricNamespace": t["metricNamespace"], "MetricValue": t["metricValue"]}]}}  # fmt: skip
    elif operation == "PutMetricAlarm":
        props = {k: v for k, v in params.items() if v not in ([], {})}
        props["AlarmActions"] = [_topic_ref(a) for a in params["AlarmActions"]]
        resources[_logical(params["AlarmName"])] = {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def _logical(name: str) -> str:
    return "".join(c for c in name.title() if c.isalnum())


def as_terraform(plans: list[Plan]) -> str:
    """Terraform HCL with the resources the plans create."""
    blocks = []
    for p in plans:
        for step in p.steps:
            blocks.append(_tf_resource(step.operation, step.params))
    return "\n\n".join(blocks) + "\n"


def _hcl(value: Any) -> str:
    if value == TOPIC_REF:
        return "aws_sns_topic.cwfilter_alarms.arn"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return json.dumps(str(value)).replace("${", "$${").replace("%{", "%%{")


def _tf_resource(operation: str, params: dict[str, Any]) -> str:
    if operation == "CreateTopic":
        return _tf("aws_sns_topic", "cwfilter_alarms", {"name": params["Name"]})
    if operation == "Subscribe":
        return _tf("aws_sns_topic_subscription", "cwfilter_alarms_email", {
            "topic_arn": params["TopicArn"], "protocol": params["Protocol"], "endpoint": params["Endpoint"]})  # fmt: skip
    if operation == "PutMetricFilter":
        t = params["metricTransformations"][0]
        body = _tf_body({"name": params["filterName"], "log_group_name": params["logGroupName"],
                         "pattern": params["filterPattern"]})  # fmt: skip
        inner = _tf_body(
            {"name": t["metricName"], "namespace": t["metricNamespace"], "value": t["metricValue"]}, "    "
        )
        name = params["filterName"].lower().replace("-", "_")
        return f'resource "aws_cloudwatch_log_metric_filter" "{name}" {{\n{body}\n  metric_transformation {{\n{inner}\n  }}\n}}'
    keys = {"AlarmName": "alarm_name", "AlarmDescription": "alarm_description", "Namespace": "namespace",
            "MetricName": "metric_name", "Statistic": "statistic", "Period": "period",
            "EvaluationPeriods": "evaluation_periods", "Threshold": "threshold",
            "ComparisonOperator": "comparison_operator", "ActionsEnabled": "actions_enabled", "AlarmActions": "alarm_actions"}  # fmt: skip
    return _tf("aws_cloudwatch_metric_alarm", params["AlarmName"].lower().replace("-", "_"),
               {tf: params[api] for api, tf in keys.items() if api in params})  # fmt: skip


def _tf_body(attrs: dict[str, Any], indent: str = "  ") -> str:
    return "\n".join(f"{indent}{k} = {_hcl(v)}" for k, v in attrs.items())


def _tf(rtype: str, name: str, attrs: dict[str, Any]) -> str:
    return f'resource "{rtype}" "{name}" {{\n{_tf_body(attrs)}\n}}'
