"""Configuration readers: PutMetricFilter/PutMetricAlarm JSON, AWS CLI describe outputs,
CloudFormation (tags mapped as cfn-flip maps them) and Terraform (python-hcl2)."""

from __future__ import annotations

import json

import pytest

import cwfilter
from cwfilter import MetricFilterError
from cwfilter.config import (
    TerraformResource,
    load_alarms,
    load_template,
    load_terraform,
)

PUT = {
    "logGroupName": "CloudTrail/logs",
    "filterName": "S3BucketChanges",
    "filterPattern": "{ ($.eventSource = s3.amazonaws.com) && ($.eventName = PutBucketPolicy) }",
    "metricTransformations": [
        {
            "metricName": "S3BucketEventCount",
            "metricNamespace": "CloudTrailMetrics",
            "metricValue": "1",
            "defaultValue": 0,
        }
    ],
}


def test_from_put_metric_filter() -> None:
    mf = cwfilter.from_put_metric_filter(json.dumps(PUT))
    assert (mf.name, mf.log_group_name, mf.namespace, mf.metric_name, mf.default_value) == (
        "S3BucketChanges", "CloudTrail/logs", "CloudTrailMetrics", "S3BucketEventCount", 0.0
    )  # fmt: skip
    assert mf.as_put_metric_filter() == PUT | {
        "metricTransformations": [PUT["metricTransformations"][0] | {"defaultValue": 0.0}]
    }
    two = dict(PUT, metricTransformations=PUT["metricTransformations"] * 2)
    with pytest.raises(MetricFilterError, match="Member must have length less than or equal to 1"):
        cwfilter.from_put_metric_filter(two)
    with pytest.raises(cwfilter.ConfigError, match="missing required field 'filterPattern'"):
        cwfilter.from_put_metric_filter({"metricTransformations": PUT["metricTransformations"]})


CFN_YAML = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Namespace: {Type: String, Default: CloudTrailMetrics}
  TrailLogGroup: {Type: String}
Resources:
  Topic: {Type: AWS::SNS::Topic}
  S3BucketChangesFilter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref TrailLogGroup
      FilterPattern: '{ ($.eventSource = s3.amazonaws.com) && ($.eventName = PutBucketAcl) }'
      MetricTransformations:
        - MetricName: S3BucketEventCount
          MetricNamespace: !Ref Namespace
          MetricValue: '1'
  LatencyFilter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: app
      FilterPattern: '{ $.latency = * }'
      MetricTransformations:
        - MetricName: !Sub '${Namespace}-Latency'
          MetricNamespace: App
          MetricValue: $.latency
          Unit: Milliseconds
          Dimensions:
            - {Key: Route, Value: $.route}
"""


def test_from_cloudformation_yaml_and_json() -> None:
    filters = cwfilter.from_cloudformation(CFN_YAML)
    assert list(filters) == ["S3BucketChangesFilter", "LatencyFilter"]
    s3 = filters["S3BucketChangesFilter"]
    assert s3.namespace == "CloudTrailMetrics" and s3.name == "S3BucketChangesFilter"
    assert s3.log_group_name == '{"Ref": "TrailLogGroup"}'  # unresolved, informational only
    latency = filters["LatencyFilter"]
    assert latency.metric_name == "CloudTrailMetrics-Latency" and latency.unit == "Milliseconds"
    assert latency.observe('{"latency": 12, "route": "/x"}').dimensions == (("Route", "/x"),)
    as_json = json.dumps(load_template(CFN_YAML))
    assert (
        cwfilter.from_cloudformation(as_json, parameters={"Namespace": "Other"})["S3BucketChangesFilter"].namespace
        == "Other"
    )


def test_cloudformation_errors_are_specific() -> None:
    with pytest.raises(cwfilter.ConfigError, match="no AWS::Logs::MetricFilter"):
        cwfilter.from_cloudformation("Resources: {T: {Type: AWS::SNS::Topic}}")
    with pytest.raises(cwfilter.ConfigError, match="cannot resolve Fn::ImportValue"):
        cwfilter.from_cloudformation(CFN_YAML.replace("!Ref Namespace", "!ImportValue Shared"))
    with pytest.raises(cwfilter.ConfigError, match="not a valid JSON or YAML template"):
        cwfilter.from_cloudformation("Resources: [unclosed")


TF_HCL = r"""
resource "aws_cloudwatch_log_group" "trail" { name = "trail" }

resource "aws_cloudwatch_log_metric_filter" "s3_changes" {
  name           = "S3BucketChanges"
  pattern        = "{ ($.eventSource = s3.amazonaws.com) && ($.eventName = \"PutBucketPolicy\") }"
  log_group_name = aws_cloudwatch_log_group.trail.name

  metric_transformation {
    name          = "S3BucketEventCount"
    namespace     = "CloudTrailMetrics"
    value         = "1"
    default_value = "0"
  }
}
"""


def test_from_terraform_hcl_and_json() -> None:
    (mf,) = cwfilter.from_terraform(TF_HCL).values()
    assert (mf.name, mf.metric_name, mf.default_value) == ("S3BucketChanges", "S3BucketEventCount", 0.0)
    assert mf.pattern.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy"}')
    tf_json = {"resource": {"aws_cloudwatch_log_metric_filter": {"x": {
        "name": "x", "pattern": "ERROR", "log_group_name": "g",
        "metric_transformation": [{"name": "E", "namespace": "N", "value": "1"}]}}}}  # fmt: skip
    assert cwfilter.from_terraform(json.dumps(tf_json))["x"].metric_name == "E"
    with pytest.raises(cwfilter.ConfigError, match="interpolation"):
        cwfilter.from_terraform(TF_HCL.replace('"S3BucketEventCount"', '"${var.name}"'))


def test_load_metric_filters_recognises_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "put.json").write_text(json.dumps(PUT))
    (tmp_path / "stack.yaml").write_text(CFN_YAML)
    (tmp_path / "main.tf").write_text(TF_HCL)
    assert list(cwfilter.load_metric_filters(tmp_path / "put.json")) == ["S3BucketChanges"]
    assert len(cwfilter.load_metric_filters(tmp_path / "stack.yaml")) == 2
    assert list(cwfilter.load_metric_filters(tmp_path / "main.tf")) == ["s3_changes"]
    with pytest.raises(cwfilter.ConfigError, match="cannot read"):
        cwfilter.load_metric_filters(tmp_path / "missing.json")


# ------------------------------------------------------------------ CloudFormation tags (cfn-flip's mapping)


def test_short_form_tags_map_as_cfn_flip_maps_them() -> None:
    text = """
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  A:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties:
      TopicName: !If [IsProd, !Sub '${AWS::StackName}-x', !Ref AWS::NoValue]
      Only: !Condition IsProd
      Arn: !GetAtt Queue.Arn
      Nested: !GetAtt [Queue, Arn]
      Joined: !Join ['-', [a, !Select [0, !GetAZs '']]]
      Odd: !SomeFutureFunction {x: 1}
"""
    props = load_template(text, "stack.yaml")["Resources"]["A"]["Properties"]
    assert props["Only"] == {"Condition": "IsProd"}  # not {"Ref": "IsProd"}
    assert props["TopicName"] == {"Fn::If": ["IsProd", {"Fn::Sub": "${AWS::StackName}-x"}, {"Ref": "AWS::NoValue"}]}
    assert props["Arn"] == props["Nested"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert props["Joined"] == {"Fn::Join": ["-", ["a", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]}
    assert props["Odd"] == {"Fn::SomeFutureFunction": {"x": 1}}


def test_a_condition_is_not_resolved_as_a_parameter() -> None:
    text = CFN_YAML.replace("MetricNamespace: !Ref Namespace", "MetricNamespace: !Condition Namespace")
    with pytest.raises(cwfilter.ConfigError, match="cannot resolve Condition offline"):
        cwfilter.from_cloudformation(text)


def test_load_template_names_the_file_in_errors() -> None:
    with pytest.raises(cwfilter.ConfigError, match=r"^stack.yaml: not a CloudFormation template"):
        load_template("a: 1\n", "stack.yaml")
    with pytest.raises(cwfilter.ConfigError, match=r"^stack.yaml: not a valid JSON or YAML template"):
        load_template("a: [1\n", "stack.yaml")


# ------------------------------------------------------------------ Terraform (python-hcl2)

TF_EXPRESSIONS = r"""
variable "namespace" { default = "CloudTrailMetrics" }
locals { metric = "S3BucketEventCount" }

resource "aws_cloudwatch_log_metric_filter" "s3_changes" {
  name           = lower("S3BucketChanges")
  pattern        = <<-EOT
    { ($.eventSource = s3.amazonaws.com) && ($.eventName = "PutBucketPolicy") }
  EOT
  log_group_name = var.env == "prod" ? aws_cloudwatch_log_group.trail.name : "dev-trail"

  metric_transformation {
    name      = local.metric
    namespace = var.namespace
    value     = 1
  }
}

resource "aws_sns_topic" "alarms" {
  name = "alarms-${var.env}"
}
"""


def test_terraform_reads_ternaries_heredocs_and_function_calls() -> None:
    """The hand-written tokenizer failed on each of these; python-hcl2 reads them, references
    to literal variables and locals resolve, and what cannot be known offline stays an
    expression that is reported only where it is needed."""
    records = load_terraform(TF_EXPRESSIONS, "main.tf")
    assert [(r.type, r.name) for r in records] == [("aws_cloudwatch_log_metric_filter", "s3_changes"),
                                                   ("aws_sns_topic", "alarms")]  # fmt: skip
    assert isinstance(records[0], TerraformResource)
    attrs = records[0].attributes
    # Terraform's value of an indented heredoc: the common indentation removed, each line ending with a newline
    assert attrs["pattern"] == '{ ($.eventSource = s3.amazonaws.com) && ($.eventName = "PutBucketPolicy") }\n'
    assert attrs["metric_transformation"] == [
        {"name": "S3BucketEventCount", "namespace": "CloudTrailMetrics", "value": 1}
    ]
    assert attrs["name"].startswith("${lower(") and attrs["log_group_name"].startswith("${var.env ==")
    assert records[1].attributes == {"name": "alarms-${var.env}"}
    (mf,) = cwfilter.from_terraform(TF_EXPRESSIONS).values()
    assert (mf.name, mf.metric_name, mf.namespace, mf.value) == (
        "s3_changes",
        "S3BucketEventCount",
        "CloudTrailMetrics",
        "1",
    )
    assert mf.pattern.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy"}')
    with pytest.raises(cwfilter.ConfigError, match=r"pattern uses an expression .* cannot be resolved offline"):
        cwfilter.from_terraform(
            TF_EXPRESSIONS.replace("pattern        = <<-EOT", 'pattern = var.p == "" ? "a" : <<-EOT')
        )


def test_terraform_that_is_not_hcl_is_a_config_error() -> None:
    with pytest.raises(cwfilter.ConfigError, match=r"^main\.tf: cannot read HCL"):
        load_terraform('resource "x" "y" {\n  a = \n', "main.tf")


# ------------------------------------------------------------------ AWS CLI describe outputs


def test_describe_metric_filters_output_is_recognised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    second = dict(PUT, filterName="Other", filterPattern="ERROR")
    described = {"metricFilters": [dict(PUT, creationTime=1700000000000), second]}
    (tmp_path / "filters.json").write_text(json.dumps(described))
    filters = cwfilter.load_metric_filters(tmp_path / "filters.json")
    assert list(filters) == ["S3BucketChanges", "Other"]
    assert filters["Other"].pattern.text == "ERROR" and filters["S3BucketChanges"].default_value == 0.0


def test_describe_alarms_output_is_recognised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def alarm(name: str) -> dict:
        return {"AlarmName": name, "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:{name}",
                "StateValue": "OK", "AlarmActions": ["arn:aws:sns:eu-west-1:111122223333:t"], "MetricName": "M",
                "Namespace": "N", "Statistic": "Sum", "Dimensions": [], "Period": 300, "EvaluationPeriods": 1,
                "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}  # fmt: skip

    (tmp_path / "alarms.json").write_text(json.dumps({"MetricAlarms": [alarm("a"), alarm("b")], "CompositeAlarms": []}))
    alarms = load_alarms(tmp_path / "alarms.json")
    assert list(alarms) == ["a", "b"] and alarms["b"].threshold == 1.0
    (tmp_path / "none.json").write_text(json.dumps({"MetricAlarms": [], "CompositeAlarms": []}))
    with pytest.raises(cwfilter.ConfigError, match="lists no metric alarm"):
        load_alarms(tmp_path / "none.json")


def test_the_cli_picks_one_described_filter_by_name(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from cwfilter.cli import main

    described = {"metricFilters": [PUT, dict(PUT, filterName="Other", filterPattern="ERROR")]}
    (tmp_path / "filters.json").write_text(json.dumps(described))
    path = str(tmp_path / "filters.json")
    assert main(["test", "--metric-filter", path, "--filter-name", "Other", "--log-event-messages", "an ERROR"]) == 0
    assert "an ERROR" in capsys.readouterr().out
    assert main(["test", "--metric-filter", path, "--log-event-messages", "an ERROR"]) == 2
    assert "choose with --filter-name" in capsys.readouterr().err
