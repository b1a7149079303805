"""Touch only what is ours (issue 28 item 2): before a plan is applied, the resources it would
write are looked up in the audited account by name. A metric filter or alarm of the same name
that differs from what the rule needs, or an SNS topic of the new topic's name that the plan did
not create, is a conflict: the plan says what it would replace, and ``apply`` refuses to run it
unless told to replace (``replace_existing``). What the plan creates is tagged where the service
takes tags (the topic and the alarm: ``created-by=cwfilter``, ``cwfilter-rule=RULE``)."""

from __future__ import annotations

from typing import Any

from ..config.model import Account, AlarmResource, MetricFilterResource

TAG_KEY, TAG_VALUE = "created-by", "cwfilter"


def tags(rule_id: str) -> list[dict[str, str]]:
    """The tags of what a plan creates."""
    return [{"Key": TAG_KEY, "Value": TAG_VALUE}, {"Key": "cwfilter-rule", "Value": rule_id}]


def conflicts(account: Account, region: str, operation: str, params: dict[str, Any]) -> str | None:
    """Why the call would change something the plan did not make, or ``None``."""
    if operation == "PutMetricFilter":
        group, name = params["logGroupName"], params["filterName"]
        found = next((f for f in account.filters_on(region, group) if f.name == name), None)
        if found is not None and not _same_filter(found, params):
            return (f"metric filter {name} on {group} exists with another pattern or metric "
                    f"({_short(found.pattern)}): PutMetricFilter would replace it")  # fmt: skip
    elif operation == "PutMetricAlarm":
        name = params["AlarmName"]
        found_alarm = next((a for a in account.alarms.get(region, []) + account.composites.get(region, [])
                            if a.name == name), None)  # fmt: skip
        if found_alarm is not None and not _same_alarm(found_alarm, params):
            return f"alarm {name} exists with other settings ({_summary(found_alarm)}): PutMetricAlarm would replace it"
    elif operation == "CreateTopic":
        known = [
            arn
            for arn in account.topics
            if arn.split(":")[3:4] == [region] and arn.rsplit(":", 1)[-1] == params["Name"]
        ]
        if known:
            return (f"SNS topic {params['Name']} exists ({known[0]}) and this plan did not create it: CreateTopic would "
                    "return it and the new subscription would be added to it")  # fmt: skip
    return None


def _same_filter(found: MetricFilterResource, params: dict[str, Any]) -> bool:
    wanted = params["metricTransformations"][0]
    have = [(t.metric_name, t.namespace, str(t.value)) for t in found.transformations]
    return found.pattern == params["filterPattern"] and have == [
        (wanted["metricName"], wanted["metricNamespace"], str(wanted["metricValue"]))
    ]


_ALARM_FIELDS = ("Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods", "Threshold",
                 "ComparisonOperator", "DatapointsToAlarm", "TreatMissingData")  # fmt: skip


def _same_alarm(found: AlarmResource, params: dict[str, Any]) -> bool:
    request = found.request
    same = all(_value(request.get(k)) == _value(params.get(k)) for k in _ALARM_FIELDS)
    return same and found.actions_enabled and set(found.alarm_actions) >= {str(a) for a in params["AlarmActions"]}


def _value(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _summary(alarm: AlarmResource) -> str:
    r = alarm.request
    return (f"{r.get('Statistic') or r.get('ExtendedStatistic') or 'math'} of {r.get('Namespace')}/{r.get('MetricName')}, "
            f"{r.get('Period')} s, {r.get('ComparisonOperator')} {r.get('Threshold')}, actions "
            f"{'enabled' if alarm.actions_enabled else 'disabled'}")  # fmt: skip


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
