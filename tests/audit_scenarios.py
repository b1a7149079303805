"""The audit scenarios of issue 14 ("Done when"), each with its expected status and reason,
and how to build one: in a moto account (live), or as CloudFormation or Terraform text.

One description per scenario feeds every builder, so the live, snapshot and IaC audits are
compared on the same setups."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

CIS = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
    "($.eventName = DeleteBucketReplication)) }"
)
NINE = ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"]  # fmt: skip


def _ors(names: list[str], quote: bool = False) -> str:
    q = '"' if quote else ""
    return " || ".join(f"($.eventName = {q}{n}{q})" for n in names)


SECURITY_HUB = "{($.eventSource=s3.amazonaws.com)&&(" + "||".join(f"($.eventName={n})" for n in NINE) + ")}"
QUOTED = '{ ($.eventSource = "s3.amazonaws.com") && (' + _ors(NINE, quote=True) + ") }"
REORDERED = "{ (" + _ors(list(reversed(NINE))) + ") && ($.eventSource = s3.amazonaws.com) }"
WILDCARD = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucket*) || ($.eventName = DeleteBucket*)) }"
NO_SOURCE = "{ " + _ors(NINE) + " }"
HALF_A = "{ ($.eventSource = s3.amazonaws.com) && (" + _ors(NINE[:5]) + ") }"
HALF_B = "{ ($.eventSource = s3.amazonaws.com) && (" + _ors(NINE[5:]) + ") }"
ONE_MISSING = "{ ($.eventSource = s3.amazonaws.com) && (" + _ors(NINE[:-1]) + ") }"
TYPO = CIS.replace("PutBucketAcl", "PutBucketACL")
ALL_AND = "{ ($.eventSource = s3.amazonaws.com) && " + " && ".join(f"($.eventName = {n})" for n in NINE) + " }"
IMPOSSIBLE = CIS[:-1] + "&& ($.eventSource = ec2.amazonaws.com) }"
ROOT_ONLY = CIS[:-1] + "&& ($.userIdentity.type = Root) }"

CLASSIC_ALL = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]
CLASSIC_READ = [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]
ADVANCED_MGMT = [{"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]


@dataclass(frozen=True)
class AlarmSpec:
    metric: str = "S3BucketEventCount"
    namespace: str = "CloudTrailMetrics"
    statistic: str = "Sum"
    period: int = 300
    evaluation_periods: int = 1
    datapoints: int | None = None
    threshold: float = 1
    operator: str = "GreaterThanOrEqualToThreshold"
    actions_enabled: bool = True
    topic: bool = True
    math: bool = False


@dataclass(frozen=True)
class Scenario:
    name: str
    expect: tuple[str, str]
    filters: tuple[tuple[str, str], ...] = ((CIS, "S3BucketEventCount"),)
    alarms: tuple[AlarmSpec, ...] = (AlarmSpec(),)
    multi_region: bool = True
    logging: bool = True
    selectors: list[dict[str, Any]] | None = field(default_factory=lambda: CLASSIC_ALL)
    advanced: list[dict[str, Any]] | None = None
    cw_logs: bool = True
    home: str = "us-east-1"
    subscription: str = "confirmed"  # confirmed | pending | none
    iac: bool = True  # expressible in a template


OK = ("PASS", "COMPLIANT")
NOT_VALID = ("FAIL", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID")
BASE = Scenario("compliant (CIS text)", OK)

SCENARIOS = [
    BASE,
    replace(BASE, name="Security Hub compact text", filters=((SECURITY_HUB, "S3BucketEventCount"),)),
    replace(BASE, name="values quoted", filters=((QUOTED, "S3BucketEventCount"),)),
    replace(BASE, name="clauses reordered", filters=((REORDERED, "S3BucketEventCount"),)),
    replace(BASE, name="PutBucket*/DeleteBucket*", filters=((WILDCARD, "S3BucketEventCount"),)),
    replace(BASE, name="no eventSource term", filters=((NO_SOURCE, "S3BucketEventCount"),)),
    replace(
        BASE,
        name="split over two filters, two alarms",
        filters=((HALF_A, "S3A"), (HALF_B, "S3B")),
        alarms=(AlarmSpec(metric="S3A"), AlarmSpec(metric="S3B")),
    ),
    replace(BASE, name="one event missing", expect=NOT_VALID, filters=((ONE_MISSING, "S3BucketEventCount"),)),
    replace(BASE, name="typo PutBucketACL", expect=NOT_VALID, filters=((TYPO, "S3BucketEventCount"),)),
    replace(BASE, name="all terms &&-ed", expect=NOT_VALID, filters=((ALL_AND, "S3BucketEventCount"),)),
    replace(BASE, name="impossible extra condition", expect=NOT_VALID, filters=((IMPOSSIBLE, "S3BucketEventCount"),)),
    replace(
        BASE,
        name="narrowed to $.userIdentity.type = Root",
        expect=NOT_VALID,
        filters=((ROOT_ONLY, "S3BucketEventCount"),),
    ),
    replace(
        BASE, name="single-region trail", expect=("FAIL", "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT"), multi_region=False
    ),
    replace(BASE, name="trail not logging", expect=("FAIL", "CLOUDTRAIL_NOT_LOGGING"), logging=False),
    replace(
        BASE,
        name="read-only selectors",
        expect=("FAIL", "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_LOGGED"),
        selectors=CLASSIC_READ,
    ),
    replace(BASE, name="advanced selectors", selectors=None, advanced=ADVANCED_MGMT),
    replace(
        BASE, name="no CloudWatch Logs delivery", expect=("FAIL", "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT"), cw_logs=False
    ),
    replace(
        BASE,
        name="alarm in another namespace",
        expect=("FAIL", "CLOUDWATCH_ALARMS_NOT_PRESENT"),
        alarms=(AlarmSpec(namespace="CISBenchmark"),),
    ),
    replace(
        BASE,
        name="alarm without actions",
        expect=("FAIL", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID"),
        alarms=(AlarmSpec(topic=False),),
    ),
    replace(
        BASE,
        name="alarm actions disabled",
        expect=("FAIL", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID"),
        alarms=(AlarmSpec(actions_enabled=False),),
    ),
    replace(
        BASE,
        name="threshold one event cannot reach",
        expect=("FAIL", "CLOUDWATCH_ALARM_CANNOT_FIRE"),
        alarms=(AlarmSpec(threshold=5),),
    ),
    replace(
        BASE,
        name="metric-math alarm",
        expect=("WARNING", "CLOUDWATCH_ALARM_METRIC_MATH"),
        alarms=(AlarmSpec(math=True),),
    ),
    replace(
        BASE, name="topic without subscriber", expect=("FAIL", "SNS_SUBSCRIPTION_NOT_PRESENT"), subscription="none"
    ),
    replace(
        BASE,
        name="pending subscription only",
        expect=("FAIL", "SNS_SUBSCRIPTION_NOT_PRESENT"),
        subscription="pending",
        iac=False,
    ),
    replace(
        BASE, name="no filter at all", expect=("FAIL", "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT"), filters=(), alarms=()
    ),
    replace(BASE, name="trail homed in another region", home="eu-west-1", iac=False),
]
ORG_TRAIL = ("NO_DATA", "CLOUDTRAIL_TRAIL_OF_ANOTHER_ACCOUNT")  # member view: test_audit_live, via Stubber
AUDITED_REGION = "us-east-1"
TOPIC = "cwfilter-audit-alarms"
LOG_GROUP = "CloudTrail/audit"


def put_alarm_request(a: AlarmSpec, index: int, topic_arn: str) -> dict[str, Any]:
    """The PutMetricAlarm request of an alarm spec (``Metrics`` for a metric-math alarm)."""
    req: dict[str, Any] = {
        "AlarmName": f"audit-alarm-{index}", "ActionsEnabled": a.actions_enabled,
        "AlarmActions": [topic_arn] if a.topic else [], "EvaluationPeriods": a.evaluation_periods,
        "Threshold": a.threshold, "ComparisonOperator": a.operator,
    }  # fmt: skip
    if a.datapoints is not None:
        req["DatapointsToAlarm"] = a.datapoints
    if a.math:
        stat = {"Metric": {"Namespace": a.namespace, "MetricName": a.metric}, "Period": a.period, "Stat": a.statistic}
        req["Metrics"] = [
            {"Id": "m1", "MetricStat": stat, "ReturnData": False},
            {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True},
        ]
    else:
        req.update(MetricName=a.metric, Namespace=a.namespace, Statistic=a.statistic, Period=a.period)
    return req


def build_in_moto(session: Any, endpoint: str, sc: Scenario, account: str) -> None:
    """Create the scenario's resources in ``account`` of the moto server."""
    home = sc.home

    def client(service: str, region: str = home) -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint)

    logs, s3 = client("logs"), client("s3")
    logs.create_log_group(logGroupName=LOG_GROUP)
    bucket = f"trail-{account}"
    s3.create_bucket(
        Bucket=bucket, **({} if home == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": home}})
    )
    trail: dict[str, Any] = {"Name": "audit-trail", "S3BucketName": bucket, "IsMultiRegionTrail": sc.multi_region}
    if sc.cw_logs:
        trail["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{home}:{account}:log-group:{LOG_GROUP}:*"
        trail["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{account}:role/CloudTrail_CloudWatchLogs"
    ct = client("cloudtrail")
    ct.create_trail(**trail)
    if sc.logging:
        ct.start_logging(Name="audit-trail")
    if sc.selectors is not None:
        ct.put_event_selectors(TrailName="audit-trail", EventSelectors=sc.selectors)
    if sc.advanced is not None:
        ct.put_event_selectors(TrailName="audit-trail", AdvancedEventSelectors=sc.advanced)
    for i, (pattern, metric) in enumerate(sc.filters):
        logs.put_metric_filter(
            logGroupName=LOG_GROUP, filterName=f"audit-filter-{i}", filterPattern=pattern,
            metricTransformations=[{"metricName": metric, "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}],
        )  # fmt: skip
    topic = client("sns").create_topic(Name=TOPIC)["TopicArn"]
    if sc.subscription != "none":
        client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    cw = client("cloudwatch")
    for i, a in enumerate(sc.alarms):
        cw.put_metric_alarm(**put_alarm_request(a, i, topic))


def to_cloudformation(sc: Scenario) -> dict[str, Any]:
    """The scenario as a CloudFormation template (dump it as JSON or YAML)."""
    trail: dict[str, Any] = {"TrailName": "audit-trail", "S3BucketName": "trail-bucket", "IsLogging": sc.logging,
                             "IsMultiRegionTrail": sc.multi_region}  # fmt: skip
    if sc.cw_logs:
        trail["CloudWatchLogsLogGroupArn"] = {"Fn::GetAtt": ["TrailLogs", "Arn"]}
        trail["CloudWatchLogsRoleArn"] = "arn:aws:iam::123456789012:role/CloudTrail_CloudWatchLogs"
    if sc.selectors is not None:
        trail["EventSelectors"] = sc.selectors
    if sc.advanced is not None:
        trail["AdvancedEventSelectors"] = sc.advanced
    resources: dict[str, Any] = {
        "TrailLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": LOG_GROUP}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": trail},
        "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": TOPIC}},
    }
    if sc.subscription != "none":
        resources["AlarmSubscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email", "Endpoint": "security@example.com"}}  # fmt: skip
    for i, (pattern, metric) in enumerate(sc.filters):
        resources[f"Filter{i}"] = {"Type": "AWS::Logs::MetricFilter", "Properties": {
            "FilterName": f"audit-filter-{i}", "LogGroupName": {"Ref": "TrailLogs"}, "FilterPattern": pattern,
            "MetricTransformations": [{"MetricName": metric, "MetricNamespace": "CloudTrailMetrics", "MetricValue": "1"}],
        }}  # fmt: skip
    for i, a in enumerate(sc.alarms):
        props = put_alarm_request(a, i, "TOPIC")
        props["AlarmActions"] = [{"Ref": "AlarmTopic"}] if a.topic else []
        resources[f"Alarm{i}"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": props}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def _hcl(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(kind: str, body: dict[str, Any], indent: str = "  ") -> str:
    lines = [f"{indent}{kind} {{"]
    for key, value in body.items():
        if isinstance(value, tuple):  # nested blocks
            lines += [_block(key, b, indent + "  ") for b in value]
        else:
            lines.append(f"{indent}  {key} = {_hcl(value)}")
    return "\n".join([*lines, f"{indent}}}"])


def _resource(rtype: str, name: str, body: dict[str, Any]) -> str:
    return _block(f'resource "{rtype}" "{name}"', body, "")


def to_terraform(sc: Scenario) -> str:
    """The scenario as Terraform HCL."""
    trail: dict[str, Any] = {"name": "audit-trail", "s3_bucket_name": "trail-bucket", "enable_logging": sc.logging,
                             "is_multi_region_trail": sc.multi_region}  # fmt: skip
    if sc.cw_logs:
        trail["cloud_watch_logs_group_arn"] = "${aws_cloudwatch_log_group.trail.arn}:*"
    if sc.selectors is not None:
        trail["event_selector"] = tuple({"read_write_type": s["ReadWriteType"],
                                         "include_management_events": s["IncludeManagementEvents"]} for s in sc.selectors)  # fmt: skip
    if sc.advanced is not None:
        trail["advanced_event_selector"] = tuple({"name": s["Name"], "field_selector": tuple(
            {"field": f["Field"], "equals": f["Equals"]} for f in s["FieldSelectors"])} for s in sc.advanced)  # fmt: skip
    out = [_resource("aws_cloudwatch_log_group", "trail", {"name": LOG_GROUP}),
           _resource("aws_cloudtrail", "trail", trail), _resource("aws_sns_topic", "alarms", {"name": TOPIC})]  # fmt: skip
    if sc.subscription != "none":
        out.append(_resource("aws_sns_topic_subscription", "email", {
            "topic_arn": "${aws_sns_topic.alarms.arn}", "protocol": "email", "endpoint": "security@example.com"}))  # fmt: skip
    for i, (pattern, metric) in enumerate(sc.filters):
        out.append(_resource("aws_cloudwatch_log_metric_filter", f"f{i}", {
            "name": f"audit-filter-{i}", "log_group_name": "${aws_cloudwatch_log_group.trail.name}", "pattern": pattern,
            "metric_transformation": ({"name": metric, "namespace": "CloudTrailMetrics", "value": "1"},)}))  # fmt: skip
    for i, a in enumerate(sc.alarms):
        body: dict[str, Any] = {"alarm_name": f"audit-alarm-{i}", "actions_enabled": a.actions_enabled,
                                "alarm_actions": ["${aws_sns_topic.alarms.arn}"] if a.topic else [],
                                "evaluation_periods": a.evaluation_periods, "threshold": a.threshold,
                                "comparison_operator": a.operator}  # fmt: skip
        if a.math:
            body["metric_query"] = (
                {"id": "m1", "return_data": False, "metric": ({"metric_name": a.metric, "namespace": a.namespace,
                                                               "period": a.period, "stat": a.statistic},)},
                {"id": "e1", "expression": "m1 * 2", "return_data": True})  # fmt: skip
        else:
            body.update(metric_name=a.metric, namespace=a.namespace, statistic=a.statistic, period=a.period)
        out.append(_resource("aws_cloudwatch_metric_alarm", f"a{i}", body))
    return "\n\n".join(out) + "\n"
