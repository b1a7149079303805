"""Can an alarm tell someone about one matching event? Its metric is the filter's, it goes to
ALARM on one event (decided by the project's alarm evaluator on a one-event timeline, not by
hand rules), its actions are enabled and include an SNS topic with a confirmed subscriber."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ..alarm import Alarm, AlarmValidationError, evaluate, parse_rule, satisfying_states
from ..alarm.rule import Node, children, notifies_for
from ..config.model import Account, AlarmResource, Location, MetricStat, Transformation, unresolved
from ..metric import Datapoints, MetricKey
from .findings import FAIL, NO_DATA, PASS, WARNING, Verdict

_EVENT_AT = datetime(2024, 1, 1, 12, 0, 30, tzinfo=timezone.utc)


def watches(stat: MetricStat, t: Transformation) -> bool:
    """The alarm's metric is the one the transformation publishes: same namespace and name, and
    the dimension set the filter publishes (by name; values come from the event)."""
    return (stat.namespace, stat.metric_name) == (t.namespace, t.metric_name) and set(stat.dimensions) == set(
        t.dimensions
    )


def alarms_for(account: Account, region: str, t: Transformation) -> list[AlarmResource]:
    """The region's alarms on the transformation's metric (DescribeAlarms is filtered here,
    client-side, as DescribeAlarmsForMetric would)."""
    return [a for a in account.alarms.get(region, []) if any(watches(s, t) for s in a.metrics)]


def fires_on_one_event(record: AlarmResource, t: Transformation) -> tuple[bool, str]:
    """Run the alarm evaluator on a timeline with one matching event; (fires, why)."""
    fields = {
        k: v for k, v in record.request.items() if k not in ("AlarmActions", "OKActions", "InsufficientDataActions")
    }
    try:
        alarm = Alarm.from_put_metric_alarm(fields)
    except (AlarmValidationError, TypeError, ValueError) as exc:
        return False, f"alarm {record.name} is not a valid alarm: {exc}"
    try:
        value = float(t.value)
    except ValueError:  # a $.selector: whether it is a number on the rule's events is the catalogue's
        value = 1.0  # question (checks._counting); one event counts as 1 here
    points = Datapoints()
    dims = tuple(sorted(alarm.dimensions.items()))
    points.add(MetricKey(t.namespace, t.metric_name, dims, t.unit), int(_EVENT_AT.timestamp() * 1000), value)
    span = timedelta(seconds=alarm.period * (alarm.evaluation_periods + 2))
    try:
        timeline = evaluate(alarm, points, _EVENT_AT - span, _EVENT_AT + span, initial_state="OK")
    except ValueError as exc:
        return False, f"alarm {record.name} cannot be evaluated: {exc}"
    if timeline.episodes("ALARM"):
        return True, f"alarm {record.name} goes to ALARM on one event"
    return False, (
        f"alarm {record.name} stays {timeline.final_state} on one event: {alarm.stat} over {alarm.period} s, "
        f"{alarm.m} of {alarm.evaluation_periods}, {alarm.comparison_operator} {alarm.threshold:g}"
    )


def assess_alarm(account: Account, record: AlarmResource, t: Transformation) -> Verdict:
    """PASS when the alarm notifies a confirmed subscriber on one event; else the first broken link."""
    evidence: dict[str, Any] = {"alarm": record.name, "region": record.region}
    where = record.location
    if record.math:
        fires, why = True, f"alarm {record.name} is a metric-math alarm"
    else:
        fires, why = fires_on_one_event(record, t)
    if not fires:
        return Verdict(FAIL, "CLOUDWATCH_ALARM_CANNOT_FIRE", why, evidence, where)
    unknown = [a for a in record.alarm_actions if unresolved(a)]
    if unknown and record.actions_enabled:
        return Verdict(NO_DATA, "UNRESOLVED_REFERENCE",
                       f"alarm {record.name}: action {unknown[0]} cannot be resolved offline", evidence, where)  # fmt: skip
    topics = _sns(record)
    parents = composites_firing_on(account, record)
    if parents:
        evidence["composites"] = [c.name for c in parents]
        topics += [t for c in parents for t in _sns(c) if t not in topics]
    never = never_true_composites(account, record)
    if never:
        evidence["compositesNeverTrue"] = never
    if not topics:
        why = "its actions are disabled" if not record.actions_enabled else "it has no SNS alarm action"
        why += " (nor has a composite alarm it triggers)" if parents else ""
        why += f"; composite alarm {', '.join(never)} can never be true" if never else ""
        return Verdict(FAIL, "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID", f"alarm {record.name}: {why}", evidence, where)
    evidence["topics"] = topics
    verdict = _subscribers(account, topics, evidence, record)
    if verdict.status == PASS and parents and not _sns(record):  # the notification goes through a composite
        verdict.message += f" through composite alarm {', '.join(c.name for c in parents)}"
    if verdict.status == PASS and record.math:
        return Verdict(WARNING, "CLOUDWATCH_ALARM_METRIC_MATH",
                       f"{why}: cwfilter cannot evaluate whether it fires on one event", evidence, where)  # fmt: skip
    return verdict


def _sns(record: AlarmResource) -> list[str]:
    """The SNS topics an alarm notifies when it goes to ALARM (none when its actions are disabled)."""
    return [a for a in record.alarm_actions if a.startswith("arn:aws:sns:")] if record.actions_enabled else []


def composites_firing_on(account: Account, record: AlarmResource) -> list[AlarmResource]:
    """The composite alarms of the region that go to ALARM when ``record`` does while the other
    alarms they name rest (OK or INSUFFICIENT_DATA): their rule, parsed as AWS parses it, names
    it (by name or ARN) and its ALARM turns the rule true (``alarm.rule.notifies_for``).
    ``ALARM(x) AND NOT ALARM(maintenance)`` counts; ``ALARM(x) AND ALARM(y)`` and rules that
    cannot be parsed do not."""
    return [c for c, rule in _composites_naming(account, record) if notifies_for(rule, _names(record))]


def never_true_composites(account: Account, record: AlarmResource) -> list[str]:
    """The composite alarms naming ``record`` whose rule can never be true (``ALARM(x) AND OK(x)``)."""
    return [c.name for c, rule in _composites_naming(account, record) if satisfying_states(rule) is None]


def _names(record: AlarmResource) -> Callable[[str], bool]:
    arn = f"arn:aws:cloudwatch:{record.region}:"
    return lambda ref: ref == record.name or (ref.startswith(arn) and ref.endswith(f":alarm:{record.name}"))


def _composites_naming(account: Account, record: AlarmResource) -> list[tuple[AlarmResource, Node]]:
    out = []
    named = _names(record)
    for c in account.composites.get(record.region, []):
        try:
            rule = parse_rule(str(c.request.get("AlarmRule", "")))
        except AlarmValidationError:
            continue
        if any(named(child) for child in children(rule)):
            out.append((c, rule))
    return out


def _subscribers(account: Account, topics: list[str], evidence: dict[str, Any], record: AlarmResource) -> Verdict:
    faults = []
    pending = 0
    for topic in topics:
        subs = account.subscriptions.get(topic)
        if subs is None:
            faults.append(account.fault(f"subscriptions:{topic}") or f"subscriptions of {topic} unknown")
            continue
        confirmed = [s for s in subs if s.confirmed]
        pending += len(subs) - len(confirmed)
        if confirmed:
            evidence["subscribers"] = [f"{s.protocol}:{s.endpoint}" for s in confirmed]
            return Verdict(PASS, "COMPLIANT", f"alarm {record.name} notifies {topic}", evidence, record.location)
    if faults:
        return Verdict(NO_DATA, "AWS_CALL_FAILED", "; ".join(faults), evidence, record.location)
    why = f" ({pending} pending confirmation)" if pending else ""
    missing = [t for t in topics if (found := account.topics.get(t)) is not None and found.missing]
    if missing:
        why += f"; {', '.join(missing)} does not exist"
    return Verdict(FAIL, "SNS_SUBSCRIPTION_NOT_PRESENT",
                   f"alarm {record.name}: no confirmed subscriber on {', '.join(topics)}{why}", evidence,
                   _topic_location(account, topics[0]) or record.location)  # fmt: skip


def _topic_location(account: Account, arn: str) -> Location | None:
    topic = account.topics.get(arn)
    return topic.location if topic else None
