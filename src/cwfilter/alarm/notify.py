"""What an alarm action publishes to SNS (subject and ``default`` message JSON, in AWS's
key order) and the DescribeAlarmHistory items of a transition (alarms.md §4.5, §5, §11.3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .text import INITIAL_REASON, aws_time

if TYPE_CHECKING:
    from .composite import CompositeAlarm
    from .evaluator import Transition
    from .model import Alarm

# Long region names as CloudWatch writes them in SNS messages (observed, then by pattern).
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-north-1": "EU (Stockholm)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "sa-east-1": "South America (Sao Paulo)",
}
_STATISTIC_NAMES = {"Sum": "SUM", "Average": "AVERAGE", "Maximum": "MAXIMUM", "Minimum": "MINIMUM",
                    "SampleCount": "SAMPLE_COUNT"}  # fmt: skip
SUBJECT_LENGTH = 100  # a subject that would reach this many characters is cut to exactly this many (§11.3)
CUT_MARK = "..."  # ends a cut alarm name, inside the quotes


@dataclass
class Notification:
    """One SNS Publish by an alarm action."""

    topic_arn: str
    subject: str
    message: dict[str, Any]
    timestamp: int

    def as_dict(self) -> dict[str, Any]:
        return {"topicArn": self.topic_arn, "subject": self.subject, "message": self.message,
                "timestamp": aws_time(self.timestamp)}  # fmt: skip

    def sns_envelope(self) -> dict[str, Any]:
        """The notification as an SNS subscriber (HTTP, SQS, e-mail-json) receives it, minus the
        signature fields, with a ``MessageId`` derived from the content (deterministic)."""
        import uuid

        body = json.dumps(self.message, ensure_ascii=False)
        return {
            "Type": "Notification",
            "MessageId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.topic_arn + body)),
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
            "Message": body,
            "Timestamp": aws_time(self.timestamp).replace("+0000", "Z"),
        }

    def published_message(self) -> dict[str, str]:
        """The structured message CloudWatch publishes (``default``, ``email``, ``sms``)."""
        return {"default": json.dumps(self.message, ensure_ascii=False), "email": email_body(self), "sms": self.subject}


def region_name(region: str) -> str:
    return REGION_NAMES.get(region, region)


def subject(alarm: Alarm | CompositeAlarm, new_state: str) -> str:
    """``{STATE}: "{name}" in {Region}`` as CloudWatch writes it (alarms.md §5.3, §11.3): each non-ASCII
    character becomes ``_``, and a subject that would reach 100 characters has its alarm name cut and
    ended with ``...`` so that it is exactly 100 characters. The message body keeps the name as is."""
    name = _ascii(alarm.name)
    head, tail = f'{new_state}: "', f'" in {_ascii(region_name(alarm.region or ""))}'
    if len(head) + len(name) + len(tail) >= SUBJECT_LENGTH:
        keep = max(0, SUBJECT_LENGTH - len(head) - len(tail) - len(CUT_MARK))
        name = name[:keep] + CUT_MARK
    return head + name + tail


def _ascii(text: str) -> str:
    """Each non-ASCII character (code point) as ``_``, as SNS subjects must be ASCII."""
    return "".join(c if c.isascii() else "_" for c in text)


def trigger(alarm: Alarm) -> dict[str, Any]:
    """The SNS message's ``Trigger`` (§5.2); a metric-math alarm's has ``Metrics`` instead of the
    metric's keys (§12.2)."""
    if alarm.metrics is not None and (len(alarm.metrics) != 1 or alarm.metrics[0].expression is not None):
        return math_trigger(alarm)
    if alarm.metrics is not None:  # one MetricStat query: the metric's shape, its stat as an ExtendedStatistic
        return _single_query_trigger(alarm)
    t: dict[str, Any] = {"MetricName": alarm.metric_name, "Namespace": alarm.namespace}
    if alarm.extended_statistic:
        t["StatisticType"] = "ExtendedStatistic"
        t["ExtendedStatistic"] = alarm.extended_statistic
    else:
        t["StatisticType"] = "Statistic"
        t["Statistic"] = _STATISTIC_NAMES[alarm.statistic or "Sum"]
    t["Unit"] = alarm.unit
    t["Dimensions"] = [{"value": v, "name": k} for k, v in alarm.dimensions.items()]
    t["Period"] = alarm.period
    t["EvaluationPeriods"] = alarm.evaluation_periods
    if alarm.datapoints_to_alarm is not None:
        t["DatapointsToAlarm"] = alarm.datapoints_to_alarm
    t["ComparisonOperator"] = alarm.comparison_operator
    t["Threshold"] = alarm.threshold
    t["TreatMissingData"] = alarm.treat_missing_data or ""
    t["EvaluateLowSampleCountPercentile"] = alarm.evaluate_low_sample_count_percentile or ""
    return t


def _single_query_trigger(alarm: Alarm) -> dict[str, Any]:
    """An alarm written with ``Metrics`` holding one ``MetricStat`` query: AWS reports it as a
    metric alarm whose statistic is an ``ExtendedStatistic`` (§12.2 [OBS, one signed capture, 2022:
    ``"StatisticType":"ExtendedStatistic","ExtendedStatistic":"Average"``, no DatapointsToAlarm])."""
    (q,) = alarm.metrics or []
    return {"MetricName": q.metric_name, "Namespace": q.namespace, "StatisticType": "ExtendedStatistic",
            "ExtendedStatistic": q.stat, "Unit": q.unit, "Dimensions": [{"value": v, "name": k} for k, v in q.dimensions.items()],
            "Period": alarm.period, "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator, "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data or "",
            "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or ""}  # fmt: skip


def math_trigger(alarm: Alarm) -> dict[str, Any]:
    """A metric-math alarm's Trigger [OBS, signed 2020 and 2022 captures]: no MetricName, Namespace,
    StatisticType, Statistic, Unit or Dimensions; Period, EvaluationPeriods, (DatapointsToAlarm),
    ComparisonOperator, Threshold, TreatMissingData, EvaluateLowSampleCountPercentile, Metrics."""
    t: dict[str, Any] = {"Period": alarm.period, "EvaluationPeriods": alarm.evaluation_periods}
    if alarm.datapoints_to_alarm is not None:
        t["DatapointsToAlarm"] = alarm.datapoints_to_alarm
    t.update(ComparisonOperator=alarm.comparison_operator, Threshold=alarm.threshold,
             TreatMissingData=alarm.treat_missing_data or "",
             EvaluateLowSampleCountPercentile=alarm.evaluate_low_sample_count_percentile or "",
             Metrics=[q.trigger() for q in alarm.metrics or []])  # fmt: skip
    return t


def notification(alarm: Alarm, tr: Transition, topic_arn: str, configured_at: int) -> Notification:
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": alarm.account_id,
        "AlarmConfigurationUpdatedTimestamp": aws_time(configured_at),
        "NewStateValue": tr.new_state,
        "NewStateReason": tr.reason,
        "StateChangeTime": aws_time(tr.timestamp),
        "Region": region_name(alarm.region or ""),
        "AlarmArn": alarm.arn,
        "OldStateValue": tr.old_state,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
        "Trigger": trigger(alarm),
    }
    return Notification(topic_arn, subject(alarm, tr.new_state), message, tr.timestamp)


def composite_notification(alarm: CompositeAlarm, tr: Transition, topic_arn: str) -> Notification:
    """What a composite alarm's SNS action publishes (§12.1 [OBS, signed 2021 capture]): the
    keys in AWS's order, ``AlarmDescription`` ``""`` when unset, ``AlarmRule`` and
    ``TriggeringChildren`` (``Arn``, ``State`` ``{Value, Timestamp}``) and no ``Trigger``. Held
    actions publish when they run (``tr.actions_at``)."""
    children = [{"Arn": c["arn"], "State": {"Value": c["state"]["value"], "Timestamp": c["state"]["timestamp"]}}
                for c in tr.reason_data.get("triggeringAlarms", [])]  # fmt: skip
    message = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or "",
        "AWSAccountId": alarm.account_id,
        "NewStateValue": tr.new_state,
        "NewStateReason": tr.reason,
        "StateChangeTime": aws_time(tr.timestamp),
        "Region": region_name(alarm.region or ""),
        "AlarmArn": alarm.arn,
        "OldStateValue": tr.old_state,
        "AlarmRule": alarm.alarm_rule,
        "TriggeringChildren": children,
    }
    at = tr.actions_at if tr.actions_at is not None else tr.timestamp
    return Notification(topic_arn, subject(alarm, tr.new_state), message, at)


def state_update_history_item(
    alarm: Alarm | CompositeAlarm, tr: Transition, previous: Transition | None, alarm_type: str = "MetricAlarm"
) -> dict[str, Any]:
    """The DescribeAlarmHistory ``StateUpdate`` item of ``tr``; ``previous`` is the transition
    before it (None: the alarm's initial state). ``oldState`` carries the old state's
    StateReasonData as an object (§12.3 [OBS]); a composite alarm's held actions add
    ``actionsSuppressedBy`` and ``actionsSuppressedReason`` to ``newState`` [INF]."""
    old: dict[str, Any] = {"stateValue": tr.old_state, "stateReason": previous.reason if previous else INITIAL_REASON}
    if previous is not None:
        old["stateReasonData"] = previous.reason_data
    new: dict[str, Any] = {"stateValue": tr.new_state, "stateReason": tr.reason, "stateReasonData": tr.reason_data}
    if tr.suppressed_by:
        new.update(actionsSuppressedBy=tr.suppressed_by, actionsSuppressedReason=tr.suppressed_reason)
    data = {"version": "1.0", "oldState": old, "newState": new}
    return {
        "AlarmName": alarm.name,
        "AlarmType": alarm_type,
        "Timestamp": aws_time(tr.timestamp),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {tr.old_state} to {tr.new_state}",
        "HistoryData": json.dumps(data, ensure_ascii=False),
    }


def action_history_item(
    alarm: Alarm | CompositeAlarm, tr: Transition, arn: str, note: Notification | None, alarm_type: str = "MetricAlarm"
) -> dict[str, Any]:
    """The ``Action`` history item of running ``arn`` for ``tr`` (at ``tr.actions_at`` when the
    actions were held)."""
    data = {
        "actionState": "Succeeded",
        "stateUpdateTimestamp": tr.timestamp,
        "notificationResource": arn,
        "publishedMessage": json.dumps(note.published_message(), ensure_ascii=False) if note else None,
        "error": None,
    }
    return {
        "AlarmName": alarm.name,
        "AlarmType": alarm_type,
        "Timestamp": aws_time(tr.actions_at if tr.actions_at is not None else tr.timestamp),
        "HistoryItemType": "Action",
        "HistorySummary": f"Successfully executed action {arn}",
        "HistoryData": json.dumps(data, ensure_ascii=False),
    }


def email_body(note: Notification) -> str:
    """The e-mail text SNS e-mail subscribers receive (format per alarms.md §5.4; wording SHOULD).
    A composite alarm's names its rule instead of a threshold and metric [INF]."""
    m = note.message
    region = next((code for code, name in REGION_NAMES.items() if name == m["Region"]), m["Region"])
    from urllib.parse import quote

    lines = [
        f'You are receiving this email because your Amazon CloudWatch Alarm "{m["AlarmName"]}" in the '
        f'{m["Region"]} region has entered the {m["NewStateValue"]} state, because "{m["NewStateReason"]}" '
        f'at "{m["StateChangeTime"]}".',
        "",
        "View this alarm in the AWS Management Console:",
        f"https://{region}.console.aws.amazon.com/cloudwatch/deeplink.js?region={region}#alarmsV2:alarm/{quote(m['AlarmName'])}",
        "",
        "Alarm Details:",
        f"- Name:                       {m['AlarmName']}",
        f"- Description:                {m['AlarmDescription'] or ''}",
        f"- State Change:               {m['OldStateValue']} -> {m['NewStateValue']}",
        f"- Reason for State Change:    {m['NewStateReason']}",
        f"- Timestamp:                  {m['StateChangeTime']}",
        f"- AWS Account:                {m['AWSAccountId']}",
        f"- Alarm Arn:                  {m['AlarmArn']}",
        "",
    ]
    if "AlarmRule" in m:
        lines += ["Alarm Rule:", f"- {m['AlarmRule']}"]
    else:
        lines += _threshold_lines(m["Trigger"])
    if "AlarmActions" in m:
        lines += [
            "",
            "State Change Actions:",
            f"- OK: {m['OKActions']}",
            f"- ALARM: {m['AlarmActions']}",
            f"- INSUFFICIENT_DATA: {m['InsufficientDataActions']}",
        ]
    return "\n".join(lines)


def _threshold_lines(t: dict[str, Any]) -> list[str]:
    """The e-mail's Threshold and Monitored Metric(s) sections."""
    lines = [
        "Threshold:",
        f"- The alarm is in the ALARM state when the metric is {t['ComparisonOperator']} {t['Threshold']} for at least "
        f"{t.get('DatapointsToAlarm', t['EvaluationPeriods'])} of the last {t['EvaluationPeriods']} period(s) of "
        f"{t['Period']} seconds.",
        "",
    ]
    if "Metrics" in t:
        lines.append("Monitored Metrics:")
        for q in t["Metrics"]:
            stat = q.get("MetricStat")
            what = q.get("Expression") or f"{stat['Metric']['Namespace']} {stat['Metric']['MetricName']} {stat['Stat']}"
            lines.append(f"- {q['Id']}: {what}")
    else:
        dims = " ".join(f"[{d['name']} = {d['value']}]" for d in t["Dimensions"])
        statistic = t.get("Statistic") or t.get("ExtendedStatistic")
        lines += [
            "Monitored Metric:",
            f"- MetricNamespace:                     {t['Namespace']}",
            f"- MetricName:                          {t['MetricName']}",
            f"- Dimensions:                          {dims}",
            f"- Period:                              {t['Period']} seconds",
            f"- Statistic:                           {statistic}",
            f"- Unit:                                {t['Unit'] or 'not specified'}",
        ]
    if t["TreatMissingData"]:
        lines.append(f"- TreatMissingData:                    {t['TreatMissingData']}")
    return lines
