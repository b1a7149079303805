"""A finding: one rule's verdict for one account and region, its reason code and evidence.

Reason codes follow Security Hub's CloudWatch.1–14 taxonomy where it has one; the codes
marked (cwfilter) name a cause Security Hub folds into a broader code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config.model import AlarmResource, Location, MetricFilterResource, Trail

PASS, FAIL, WARNING, NO_DATA = "PASS", "FAIL", "WARNING", "NO_DATA"
STATUSES = (PASS, WARNING, NO_DATA, FAIL)  # best first, when several trails are candidates

REASONS: dict[str, str] = {
    "COMPLIANT": "a qualifying trail, metric filter, alarm and confirmed SNS subscriber are in place",
    "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT": "no multi-region CloudTrail trail",
    "CLOUDTRAIL_NOT_LOGGING": "(cwfilter) the multi-region trail is not logging",
    "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_LOGGED": "(cwfilter) the trail's event selectors do not log all management events",
    "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT": "(cwfilter) the trail does not deliver to CloudWatch Logs",
    "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT": "no metric filter on the trail's log group",
    "CLOUDTRAIL_METRIC_FILTER_NOT_VALID": "the metric filters do not match every record of every required event "
    "(an event missed, or matched only under extra conditions)",
    "CLOUDWATCH_ALARMS_NOT_PRESENT": "no alarm on the metric filter's metric",
    "CLOUDWATCH_ALARM_CANNOT_FIRE": "(cwfilter) the alarm does not go to ALARM on one matching event",
    "CLOUDWATCH_ALARM_METRIC_MATH": "(cwfilter) a metric-math alarm: cwfilter cannot evaluate whether it fires",
    "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID": "the alarm has no enabled SNS alarm action",
    "SNS_SUBSCRIPTION_NOT_PRESENT": "the alarm's SNS topic has no confirmed subscriber",
    "CLOUDTRAIL_TRAIL_OF_ANOTHER_ACCOUNT": "the trail (an organization trail) is owned by another account; "
    "its log group, filters and alarms are not visible from this account",
    "UNRESOLVED_REFERENCE": "(cwfilter) a template value the check needs refers to something not in the file",
    "AWS_CALL_FAILED": "(cwfilter) data needed by the check could not be read",
    "COVERAGE_NOT_AVAILABLE": "(cwfilter) semantic coverage analysis (cwfilter.analysis) is not installed",
}

# A chain stops at its first broken link; the later the link, the closer to compliant.
STAGES = (
    "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
    "CLOUDTRAIL_NOT_LOGGING",
    "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_LOGGED",
    "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
    "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
    "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
    "CLOUDWATCH_ALARMS_NOT_PRESENT",
    "CLOUDWATCH_ALARM_CANNOT_FIRE",
    "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID",
    "SNS_SUBSCRIPTION_NOT_PRESENT",
)


@dataclass
class Chain:
    """The objects a verdict's chain found, link by link (``None``/empty: not reached): the
    trail, the log group it delivers to (region, name), the metric filters on it that match
    some of the rule's events, one of them that alone matches every required event, the alarm
    on their metric and the SNS topic it notifies. Remediation starts from these."""

    trail: Trail | None = None
    log_group: tuple[str, str] | None = None
    filters: list[MetricFilterResource] = field(default_factory=list)
    complete: MetricFilterResource | None = None
    alarm: AlarmResource | None = None
    topic: str | None = None


@dataclass
class Finding:
    """The verdict of ``rule`` for ``account`` in ``region``; ``evidence`` names the trail,
    log group, filters, missed events (and why), alarms and topics the verdict rests on."""

    rule: str
    account: str
    region: str
    status: str
    reason: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    aliases: tuple[str, ...] = ()
    chain: Chain = field(default_factory=Chain)

    @property
    def resource(self) -> tuple[str, str]:
        """(ASFF resource type, ARN) of the object at the chain's broken link (the last one for a
        PASS): the alarm for the alarm and SNS links, the trail's log group for the filter links,
        the trail for the trail links, else the account (``AWS::::Account:ID``, ASFF's form)."""
        chain, region, account = self.chain, self.region, self.account
        stage = STAGES.index(self.reason) if self.reason in STAGES else len(STAGES)
        if chain.alarm is not None and stage >= STAGES.index("CLOUDWATCH_ALARM_CANNOT_FIRE"):
            arn = (
                chain.alarm.request.get("AlarmArn") or f"arn:aws:cloudwatch:{region}:{account}:alarm:{chain.alarm.name}"
            )
            return "AwsCloudWatchAlarm", str(arn)
        if chain.log_group is not None and stage >= STAGES.index("CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT"):
            group_region, name = chain.log_group
            return "AwsLogsLogGroup", f"arn:aws:logs:{group_region}:{account}:log-group:{name}"
        if chain.trail is not None and chain.trail.arn:
            return "AwsCloudTrailTrail", chain.trail.arn
        return "AwsAccount", f"AWS::::Account:{account}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule, "aliases": list(self.aliases), "account": self.account, "region": self.region,
            "status": self.status, "reason": self.reason, "message": self.message, "evidence": self.evidence,
        }  # fmt: skip
        if self.location is not None:
            out["location"] = {"file": self.location.file, "line": self.location.line}
        return out


@dataclass
class Verdict:
    """An intermediate verdict of one link of the chain."""

    status: str
    reason: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    chain: Chain = field(default_factory=Chain)

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key, best first: by status, then by how far along the chain it got."""
        stage = STAGES.index(self.reason) if self.reason in STAGES else -1
        return STATUSES.index(self.status), -stage


def best(verdicts: list[Verdict]) -> Verdict:
    return min(verdicts, key=lambda v: v.rank)


def evaluated(findings: list[Finding]) -> bool:
    """Whether any rule could be evaluated: some finding is not NO_DATA (a CLI exits 2 when
    none is, naming the failed calls)."""
    return any(f.status != NO_DATA for f in findings)
