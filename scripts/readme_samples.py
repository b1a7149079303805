"""Write the small files README.md's examples use into samples/ (deterministic; run again
after changing them, and commit the result): a Terraform file, a describe-metric-filters
output, a CloudFormation template, a YAML bomb, a snapshot folder and the damaged ``logs/`` tree of
"Bad input"
(its FIFO and its link to a device are not committed: the README's example makes them with
``mkfifo samples/logs/pipe.jsonl`` and ``ln -s /dev/zero samples/logs/dev-zero.json.gz``).

    python scripts/readme_samples.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

CWL012 = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
    "($.eventName = DeleteBucketReplication)) }"
)

MAIN_TF = """\
# The README's Terraform example: a heredoc pattern, a variable with a default, a ternary log group.
variable "namespace" {
  type    = string
  default = "CloudTrailMetrics"
}

resource "aws_cloudwatch_log_metric_filter" "s3_changes" {
  name           = "s3-bucket-changes"
  log_group_name = var.env == "prod" ? aws_cloudwatch_log_group.trail.name : "dev-trail"
  pattern        = <<-EOT
    { ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy)) }
  EOT

  metric_transformation {
    name      = "S3BucketEventCount"
    namespace = var.namespace
    value     = "1"
  }
}
"""


def _filters() -> dict[str, object]:
    """``aws logs describe-metric-filters --log-group-name CloudTrail/logs``: two filters."""

    def one(name: str, pattern: str, metric: str) -> dict[str, object]:
        return {"filterName": name, "filterPattern": pattern, "creationTime": 1709539200000,
                "logGroupName": "CloudTrail/logs",
                "metricTransformations": [{"metricName": metric, "metricNamespace": "CloudTrailMetrics",
                                           "metricValue": "1"}]}  # fmt: skip

    return {"metricFilters": [
        one("RootUsage", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }', "RootAccountUsageCount"),
        one("ConsoleSignInFailures", '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
            "ConsoleSigninFailureCount"),
    ]}  # fmt: skip


def _template() -> str:
    """CWL-012's remediation as a CloudFormation template (YAML): trail, log group, topic with an
    e-mail subscription, metric filter and alarm (``samples/audit/cwl012.tf``'s twin)."""
    return f"""\
# CWL-012 as CloudFormation: a multi-region trail delivering to a log group, the metric filter on
# it, an SNS topic with an e-mail subscription, and the alarm. `cwfilter audit --template` passes it.
Parameters:
  TrailLogGroupName:
    Type: String
    Default: CloudTrail/audit
Resources:
  TrailLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Ref TrailLogGroupName
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      TrailName: audit-trail
      S3BucketName: trail-bucket
      IsLogging: true
      IsMultiRegionTrail: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn
      CloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToCloudWatch
  AlarmTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: cwfilter-alarms
      Subscription:
        - Protocol: email
          Endpoint: security@example.com
  S3BucketChanges:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref TrailLogGroup
      FilterPattern: '{CWL012}'
      MetricTransformations:
        - MetricName: S3BucketEventCount
          MetricNamespace: CloudTrailMetrics
          MetricValue: '1'
  S3BucketChangesAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: S3BucketEventCount-alarm
      MetricName: S3BucketEventCount
      Namespace: CloudTrailMetrics
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions:
        - !Ref AlarmTopic
"""


_LOLS = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
_LOLS += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
LAUGHS = "\n".join([*_LOLS, "Resources:", "  F:", "    Type: AWS::Logs::MetricFilter", "    Properties:",
                    "      FilterPattern: !Sub [x, {v: *l8}]",
                    "      MetricTransformations: [{MetricName: m, MetricNamespace: n, MetricValue: '1'}]"])  # fmt: skip


def _record(minute: int, name: str = "PutBucketAcl", **extra: object) -> dict[str, object]:
    return {"eventVersion": "1.08", "eventTime": f"2024-03-04T09:{minute:02d}:00Z", "eventSource": "s3.amazonaws.com",
            "eventName": name, "awsRegion": "us-east-1", "requestParameters": {"bucketName": "reports-prod"},
            **extra}  # fmt: skip


def _damaged_logs(logs: Path) -> None:
    """Four of the six inputs (3 read, one in part; 1 failed; the README adds a FIFO and a
    device, skipped); 8 records, 6 matched, 2 rejected (invalid UTF-8, a time out of range)."""
    logs.mkdir(parents=True, exist_ok=True)
    bad = bytearray(json.dumps({"userAgent": "x" * 200, **_record(2, "PutBucketPolicy")}).encode())
    bad[128] = 0xFF  # inside the userAgent string: byte 0xFF at offset 128
    bad = bytes(bad)
    lines = [json.dumps(_record(1)).encode(), bad, json.dumps(_record(3, "DeleteBucketPolicy")).encode()]
    (logs / "events.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    far = {"Records": [_record(4), {**_record(5), "eventTime": "9999-12-31T23:59:59-05:00"}]}
    (logs / "far-future.json").write_text(json.dumps(far, indent=1) + "\n")
    whole = gzip.compress(json.dumps({"Records": [_record(6), _record(7), _record(8)]}).encode(), mtime=0)
    second = gzip.compress(json.dumps({"Records": [_record(9)]}).encode(), mtime=0)
    (logs / "two-members-second-cut.json.gz").write_bytes(whole + second[: len(second) // 2])
    zeros = gzip.compress(bytes(1 << 20), compresslevel=9, mtime=0)
    (logs / "zeros.json.gz").write_bytes(zeros * 100)  # ~100 KB expanding to 100 MB


def _snapshot(root: Path) -> None:
    """A snapshot folder as ``cwfilter snapshot`` writes it (the AWS CLI's output of each call):
    one account, one region, a trail delivering to CloudWatch Logs, and CWL-012's filter with
    the typo of ``samples/audit/cwl012-typo.tf`` (``PutBucketACL``), its alarm and topic."""
    account, region = "111122223333", "us-east-1"
    trail_arn = f"arn:aws:cloudtrail:{region}:{account}:trail/management-events"
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:CloudTrail/management:*"
    topic = f"arn:aws:sns:{region}:{account}:security-alarms"
    trail = {"Name": "management-events", "TrailARN": trail_arn, "HomeRegion": region, "IsMultiRegionTrail": True,
             "IsOrganizationTrail": False, "S3BucketName": "trail-bucket-111122223333",
             "CloudWatchLogsLogGroupArn": group_arn,
             "CloudWatchLogsRoleArn": f"arn:aws:iam::{account}:role/CloudTrailToCloudWatch"}  # fmt: skip
    typo = CWL012.replace("PutBucketAcl", "PutBucketACL")
    files: dict[str, object] = {
        "account.json": {"Account": account, "Arn": f"arn:aws:iam::{account}:user/auditor", "UserId": "AIDAEXAMPLE"},
        "regions.json": {"Regions": [{"RegionName": region, "OptInStatus": "opt-in-not-required"}]},
        f"{region}/describe-trails.json": {"trailList": [trail]},
        f"{region}/get-trail-status/management-events.json": {"IsLogging": True},
        f"{region}/get-event-selectors/management-events.json": {
            "TrailARN": trail_arn,
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]},
        f"{region}/describe-metric-filters.json": {"metricFilters": [
            {"filterName": "s3-bucket-changes", "filterPattern": typo, "logGroupName": "CloudTrail/management",
             "creationTime": 1709539200000, "metricTransformations": [
                 {"metricName": "S3BucketEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}]}]},
        f"{region}/describe-alarms.json": {"MetricAlarms": [
            {"AlarmName": "S3BucketEventCount-alarm", "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:"
             "S3BucketEventCount-alarm", "ActionsEnabled": True, "AlarmActions": [topic], "OKActions": [],
             "InsufficientDataActions": [], "MetricName": "S3BucketEventCount", "Namespace": "CloudTrailMetrics",
             "Statistic": "Sum", "Dimensions": [], "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
             "ComparisonOperator": "GreaterThanOrEqualToThreshold", "StateValue": "OK"}], "CompositeAlarms": []},
        f"{region}/list-subscriptions-by-topic/security-alarms.json": {"Subscriptions": [
            {"SubscriptionArn": f"{topic}:0d6f2a9e-1b7c-4c43-9a52-4a8b2f0c1d11", "Owner": account, "Protocol": "email",
             "Endpoint": "security@example.com", "TopicArn": topic}]},
        "errors.json": {},
    }  # fmt: skip
    for path, value in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def main() -> None:
    (SAMPLES / "main.tf").write_text(MAIN_TF)
    (SAMPLES / "filters.json").write_text(json.dumps(_filters(), indent=4) + "\n")
    (SAMPLES / "audit" / "cwl012.yaml").write_text(_template())
    (SAMPLES / "laughs.yaml").write_text(LAUGHS)
    _damaged_logs(SAMPLES / "logs")
    _snapshot(SAMPLES / "snapshot")


if __name__ == "__main__":
    main()
