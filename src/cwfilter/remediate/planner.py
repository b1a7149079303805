"""From the audit's verdicts to the fix: SNS topic, e-mail subscription, metric filter on the
trail's log group, alarm, with the rule's values (CWL-012: CloudTrailMetrics/S3BucketEventCount,
Sum, 300 s, 1 of 1, >= 1), reusing what the verdict's chain found working (a filter that only
lacks an alarm) and a topic with a confirmed subscriber. One new topic and subscription serve
every rule of a region. A trail that does not qualify is not changed: the plan says so.

Names and ARNs that a template declares are kept as ``Reference`` values, so the printed
CloudFormation and Terraform refer to the template's own resources instead of literal ARNs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..audit import FAIL, PASS, Finding
from ..config.model import Account, Location
from ..errors import CwfilterError
from ..rules import Rule, find_rule
from .ownership import conflicts, tags

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
    """The fix for one rule in one region of one account; empty ``steps`` means nothing to do
    (see ``notes``). ``finding`` is the audit's verdict it starts from."""

    rule: Rule
    region: str
    finding: Finding
    log_group: str | None = None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reused: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # what applying would replace that the plan did not make

    @property
    def verdict(self) -> Finding:
        """The audit's verdict the plan starts from (``finding``; its status, reason, message)."""
        return self.finding


class Reference(str):
    """A name or ARN the input declares: the value itself, and ``address`` where the template
    declares it (a CloudFormation logical ID, a Terraform ``type.name``)."""

    address: str

    def __new__(cls, value: str, address: str) -> Reference:
        self = super().__new__(cls, value)
        self.address = address
        return self


def _declared(value: str, where: Location | None) -> str:
    return Reference(value, where.address) if where is not None and where.address else value


def plan(account: Account, findings: Finding | Iterable[Finding], *, email: str | None = None,
         via: str | Mapping[str, str] | None = None) -> list[Plan]:  # fmt: skip
    """What to create so that each finding's rule passes in its region. One new SNS topic and
    subscription per region serve every plan that needs one. ``via`` (a name, or one per rule
    ID) picks the metric naming: a Conformity ID such as ``CWL-012`` uses Conformity's metric."""
    topics: dict[str, str] = {}
    out = []
    for finding in [findings] if isinstance(findings, Finding) else findings:
        named = via.get(finding.rule) if isinstance(via, Mapping) else via
        out.append(_plan(account, finding, topics, email, named))
    return out


def _plan(account: Account, finding: Finding, topics: dict[str, str], email: str | None, via: str | None) -> Plan:
    rule = find_rule(finding.rule)
    via = via or next((a for a in rule.aliases if a.startswith("CWL-")), None)
    out = Plan(rule, finding.region, finding)
    if finding.status == PASS:
        out.notes.append("compliant already: nothing to do")
        return out
    chain = finding.chain
    if not (finding.status == FAIL and finding.reason in FIXABLE) or chain.log_group is None:
        out.notes.append(f"not fixed by cwfilter ({finding.status} {finding.reason}): {finding.message}")
        return out
    group_region, name = chain.log_group
    declared = account.log_group(group_region, name)
    group = _declared(name, declared.location if declared else None)
    out.region, out.log_group = group_region, group
    if chain.complete is not None:
        out.reused["filter"] = chain.complete.name
        t = chain.complete.transformations[0]
        namespace, metric = t.namespace, t.metric_name
    else:
        namespace, metric = _put_filter(rule, group, via, out)
    topic = _topic(account, group_region, out) or topics.get(group_region)
    if topic is None:
        if not email:
            raise RemediationError(f"{rule.id} in {group_region}: no SNS topic with a confirmed subscriber; "
                                   "pass --email ADDRESS to create one")  # fmt: skip
        topic = topics[group_region] = _create_topic(group_region, email, out)
    _put_alarm(rule, namespace, metric, topic, out)
    out.conflicts = [c for s in out.steps if (c := conflicts(account, out.region, s.operation, s.params))]
    out.notes += [f"{c} (not applied unless --replace-existing)" for c in out.conflicts]
    return out


def _topic(account: Account, region: str, out: Plan) -> str | None:
    """An existing topic in ``region`` with a confirmed subscriber (alarm actions must be in
    the alarm's region)."""
    for arn, subs in account.subscriptions.items():
        if arn.split(":")[3:4] == [region] and any(s.confirmed for s in subs):
            out.reused["topic"] = arn
            declared = account.topics.get(arn)
            return _declared(arn, declared.location if declared else None)
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
    out.steps.append(Step("sns", "CreateTopic", {"Name": TOPIC_NAME, "Tags": tags(out.rule.id)},
                          f"SNS topic {TOPIC_NAME} in {region}"))  # fmt: skip
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
    request["Tags"] = tags(rule.id)
    out.steps.append(Step("cloudwatch", "PutMetricAlarm", request,
                          f"alarm {request['AlarmName']}: {request['Statistic']} of {namespace}/{metric} over "
                          f"{request['Period']} s, {request['EvaluationPeriods']} of {request['EvaluationPeriods']}, "
                          f">= {request['Threshold']:g}, notifying {'the new topic' if topic == TOPIC_REF else topic}"))  # fmt: skip
