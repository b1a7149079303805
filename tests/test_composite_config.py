"""Composite alarms (with the metric alarms they name) from PutCompositeAlarm JSON, describe-alarms
output, CloudFormation and Terraform (``config/composites.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwfilter.config import ConfigError
from cwfilter.config.composites import load_alarm_set

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "alarms"
RULE = "ALARM(S3BucketConfigChangesAlarm) AND NOT ALARM(Maintenance)"


def test_cloudformation_template_with_sub_refs_and_getatt(tmp_path: Path) -> None:
    s = load_alarm_set(SAMPLES / "s3-changes.yaml", region="us-east-1", account_id="111122223333")
    assert list(s.alarms) == ["S3BucketConfigChangesAlarm", "Maintenance"]
    c = s.composites["S3ChangesOutsideMaintenance"]
    assert c.alarm_rule == RULE and c.alarm_actions == ["arn:aws:sns:us-east-1:111122223333:security-alarms"]
    template = {"Resources": {
        "A": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "MetricName": "m", "Namespace": "n", "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
            "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"}},
        "C": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
            "AlarmName": "c", "AlarmRule": {"Fn::Sub": "ALARM(${A.Arn}) OR OK(${A})"},
            "ActionsSuppressor": {"Fn::GetAtt": ["A", "Arn"]}, "ActionsSuppressorWaitPeriod": 60,
            "ActionsSuppressorExtensionPeriod": 120}}}}  # fmt: skip
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    c = load_alarm_set(path).composites["c"]
    assert c.alarm_rule == "ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:A) OR OK(A)"
    assert c.actions_suppressor == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:A"


def test_put_composite_alarm_and_describe_alarms(tmp_path: Path) -> None:
    assert load_alarm_set(SAMPLES / "composite.json").composites["S3ChangesOutsideMaintenance"].alarm_rule == RULE
    described = {
        "MetricAlarms": [],
        "CompositeAlarms": [{"AlarmName": "c", "AlarmRule": "ALARM(x)", "StateValue": "OK", "AlarmArn": "arn:..."}],
    }
    path = tmp_path / "d.json"
    path.write_text(json.dumps(described))
    assert list(load_alarm_set(path).composites) == ["c"]
    path.write_text(json.dumps({"AlarmName": "c", "AlarmRule": "ALARM(x) AND"}))
    with pytest.raises(ConfigError, match=r"ValidationError: Error in AlarmRule \[Unsupported token '' at char 12"):
        load_alarm_set(path)


TF = """
resource "aws_sns_topic" "t" { name = "ops" }
resource "aws_cloudwatch_metric_alarm" "s3" {
  alarm_name = "S3BucketConfigChangesAlarm"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods = 1
  metric_name = "S3BucketEventCount"
  namespace = "CloudTrailMetrics"
  period = 300
  statistic = "Sum"
  threshold = 1
}
resource "aws_cloudwatch_composite_alarm" "c" {
  alarm_name = "paging"
  alarm_rule = "ALARM(${aws_cloudwatch_metric_alarm.s3.alarm_name}) OR OK(${aws_cloudwatch_metric_alarm.s3.arn})"
  alarm_actions = ["arn:aws:sns:us-east-1:123456789012:ops"]
  actions_suppressor {
    alarm = aws_cloudwatch_metric_alarm.s3.alarm_name
    wait_period = 60
    extension_period = 120
  }
}
"""


def test_terraform_composite_with_references(tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    path = tmp_path / "main.tf"
    path.write_text(TF)
    s = load_alarm_set(path)
    c = s.composites["paging"]
    assert list(s.alarms) == ["S3BucketConfigChangesAlarm"]
    assert c.alarm_rule == (
        "ALARM(S3BucketConfigChangesAlarm) OR OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:S3BucketConfigChangesAlarm)"
    )
    assert (c.actions_suppressor, c.actions_suppressor_wait_period, c.actions_suppressor_extension_period) == (
        "S3BucketConfigChangesAlarm", 60, 120)  # fmt: skip
    path.write_text(TF.replace("${aws_cloudwatch_metric_alarm.s3.alarm_name}", "${var.unknown}"))
    with pytest.raises(ConfigError, match="cannot resolve"):
        load_alarm_set(path)
