"""From the audit's view of a region to the fix: SNS topic, e-mail subscription, metric filter on
the trail's log group, alarm, with the rule's values (CWL-012: CloudTrailMetrics/S3BucketEventCount,
Sum, 300 s, 1 of 1, >= 1), reusing what already works (a topic with a confirmed subscriber, a
filter that only lacks an alarm). A trail that does not qualify is not changed: the plan says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..audit.checks import check
from ..audit.findings import FAIL, PASS, Verdict
from ..audit.model import Account, MetricFilterRecord
from ..audit.trails import assess_trail, rule_sources
from ..errors import CwfilterError
from ..rules import Rule

# The names the rule's own remediation uses (cwl012-rule.md); other rules are named after their ID.
NAMES = {
    "s3_bucket_policy_changes": ("S3BucketConfigChanges", "S3BucketConfigChangesAlarm",
                                 "Triggered by AWS S3 Bucket config changes."),
}  # fmt: skip
TOPIC_NAME = "CloudWatchAlarmSNSTopic"
TOPIC_REF = "${TopicArn}"  # stands for the topic created by the plan, until it exists
FIXABLE = {
    "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID", "CLOUDWATCH_ALARMS_NOT_PRESENT",
    "CLOUDWATCH_ALARM_CANNOT_FIRE", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID", "SNS_SUBSCRIPTION_NOT_PRESENT",
}  # fmt: skip


class RemediationError(CwfilterError, ValueError):
    """A fix that cannot be planned from what was given (e.g. a new topic without ``--email``)."""

    code = "E_REMEDIATE"


@dataclass
class Step:
    """One API call of the fix (boto3 operation name and its parameters)."""

    service: str
    operation: str
    params: dict[str, Any]
    why: str


@dataclass
class Plan:
    """The fix for one rule in one region; empty ``steps`` means nothing to do (see ``notes``)."""

    rule: Rule
    region: str
    verdict: Verdict
    log_group: str | None = None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reused: dict[str, str] = field(default_factory=dict)


def plan(account: Account, rule: Rule, region: str, *, email: str | None = None, via: str | None = None) -> Plan:
    """What to create so that ``rule`` passes in ``region``. ``via`` picks the metric naming
    (a Conformity ID such as ``CWL-012`` uses Conformity's metric)."""
    via = via or next((a for a in rule.aliases if a.startswith("CWL-")), None)
    verdict = check(account, rule, region)
    out = Plan(rule, region, verdict)
    if verdict.status == PASS:
        out.notes.append("compliant already: nothing to do")
        return out
    if not (verdict.status == FAIL and verdict.reason in FIXABLE):
        out.notes.append(f"not fixed by cwfilter ({verdict.status} {verdict.reason}): {verdict.message}")
        return out
    trails = [t for t in account.trails.get(region, []) if t.owner == account.account_id]
    trail = next(t for t in trails if assess_trail(account, t, rule_sources(rule.filter_pattern)).status == PASS)
    group_region, group = trail.log_group or (region, "")
    out.region, out.log_group = group_region, group
    topic = _topic(account, group_region, out)
    working = _complete_filter(account, rule, group_region, group)
    if working is not None:
        out.reused["filter"] = working.name
        t = working.transformations[0]
        namespace, metric = t.namespace, t.metric_name
    else:
        namespace, metric = _put_filter(rule, group, via, out)
    if topic is None:
        if not email:
            raise RemediationError(f"{rule.id} in {group_region}: no SNS topic with a confirmed subscriber; "
                                   "pass --email ADDRESS to create one")  # fmt: skip
        topic = _create_topic(group_region, email, out)
    _put_alarm(rule, namespace, metric, topic, out)
    return out


def _topic(account: Account, region: str, out: Plan) -> str | None:
    """An existing topic in ``region`` with a confirmed subscriber (alarm actions must be in
    the alarm's region)."""
    for arn, subs in account.subscriptions.items():
        if arn.split(":")[3:4] == [region] and any(s.confirmed for s in subs):
            out.reused["topic"] = arn
            return arn
    return None


def _complete_filter(account: Account, rule: Rule, region: str, group: str) -> MetricFilterRecord | None:
    """A filter on the group that already matches every required event (it only lacks a working alarm)."""
    from ..analysis import coverage

    for f in account.filters_on(region, group):
        try:
            complete = f.transformations and coverage(f.pattern, rule).covers_all
        except ValueError:
            continue
        if complete:
            return f
    return None


def _put_filter(rule: Rule, group: str, via: str | None, out: Plan) -> tuple[str, str]:
    mf = rule.metric_filter(via=via)
    name = NAMES.get(rule.id, (rule.id,))[0]
    out.steps.append(Step("logs", "PutMetricFilter", {
        "logGroupName": group, "filterName": name, "filterPattern": rule.filter_pattern,
        "metricTransformations": [{"metricName": mf.metric_name, "metricNamespace": mf.namespace, "metricValue": "1"}],
    }, f"metric filter {name} on {group}: the rule's pattern, metric {mf.namespace}/{mf.metric_name}"))  # fmt: skip
    return mf.namespace, mf.metric_name


def _create_topic(region: str, email: str, out: Plan) -> str:
    out.steps.append(Step("sns", "CreateTopic", {"Name": TOPIC_NAME}, f"SNS topic {TOPIC_NAME} in {region}"))
    out.steps.append(Step("sns", "Subscribe", {"TopicArn": TOPIC_REF, "Protocol": "email", "Endpoint": email},
                          f"e-mail subscription {email} (the recipient must confirm it)"))  # fmt: skip
    out.notes.append(f"{email} must confirm the subscription (link in the e-mail) before the alarm can notify anyone")
    return TOPIC_REF


def _put_alarm(rule: Rule, namespace: str, metric: str, topic: str, out: Plan) -> None:
    from ..metric import MetricFilter

    names = NAMES.get(rule.id)
    mf = MetricFilter(rule.filter_pattern, metric_name=metric, namespace=namespace)
    alarm = rule.alarm(mf, name=names[1] if names else f"{rule.id}-alarm", topic_arn="arn:aws:sns:x:1:placeholder")
    request = alarm.as_put_metric_alarm()
    request["AlarmActions"] = [topic]
    request["AlarmDescription"] = names[2] if names else rule.title[:1024]
    out.steps.append(Step("cloudwatch", "PutMetricAlarm", request,
                          f"alarm {request['AlarmName']}: {request['Statistic']} of {namespace}/{metric} over "
                          f"{request['Period']} s, {request['EvaluationPeriods']} of {request['EvaluationPeriods']}, "
                          f">= {request['Threshold']:g}, notifying {'the new topic' if topic == TOPIC_REF else topic}"))  # fmt: skip
