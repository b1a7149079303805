"""Saved AWS API responses (the AWS CLI's JSON outputs) → the account model.

The live reader (``cwfilter.aws``) and the snapshot folder share this layout and this
conversion, so a snapshot audited later gives the live audit's verdicts. Layout (paths are the snapshot's
files; ``errors.json`` maps a path that could not be fetched to the reason)::

    account.json                                   sts get-caller-identity
    regions.json                                   ec2 describe-regions (the audited regions)
    REGION/describe-trails.json                    cloudtrail describe-trails --include-shadow-trails
    HOME/get-trail-status/TRAIL.json               cloudtrail get-trail-status (home region)
    HOME/get-event-selectors/TRAIL.json            cloudtrail get-event-selectors (home region)
    REGION/describe-metric-filters.json            logs describe-metric-filters
    REGION/describe-alarms.json                    cloudwatch describe-alarms
    REGION/list-subscriptions-by-topic/TOPIC.json  sns list-subscriptions-by-topic
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Account, AlarmResource, EventSelectors, Subscription, Topic, Trail
from .requests import filter_from_api

ERRORS = "errors.json"


def trail_path(kind: str, trail: Mapping[str, Any]) -> str:
    """Where a per-trail response lives: in the trail's home region, under its name."""
    return f"{trail.get('HomeRegion', '')}/{kind}/{trail.get('Name', '')}.json"


def topic_path(topic_arn: str) -> str:
    parts = topic_arn.split(":")
    return f"{parts[3] if len(parts) > 5 else ''}/list-subscriptions-by-topic/{parts[-1]}.json"


def topics_of(alarms: Mapping[str, Any]) -> list[str]:
    """The SNS topics among the actions of a describe-alarms output."""
    out: list[str] = []
    for alarm in list(alarms.get("MetricAlarms") or []) + list(alarms.get("CompositeAlarms") or []):
        for action in alarm.get("AlarmActions") or []:
            if isinstance(action, str) and action.startswith("arn:aws:sns:") and action not in out:
                out.append(action)
    return out


# What a reply always holds, even when empty: without it a reply was not read whole, and an
# empty list must not be taken from it (no trail, no filter, no alarm would be a false FAIL).
_REQUIRED = {"describe-trails.json": "trailList", "describe-metric-filters.json": "metricFilters",
             "describe-alarms.json": "MetricAlarms"}  # fmt: skip


class _Reader:
    """Looks responses up by path; a missing one becomes a fault with the recorded reason."""

    def __init__(self, responses: Mapping[str, Any], account: Account) -> None:
        self.responses = responses
        self.errors: Mapping[str, str] = responses.get(ERRORS) or {}
        self.account = account

    def get(self, path: str, fault_key: str, what: str) -> Any:
        value = self.responses.get(path)
        wanted = _REQUIRED.get(path.rsplit("/", 1)[-1]) or ("IsLogging" if "/get-trail-status/" in path else None)
        if isinstance(value, dict) and (wanted is None or wanted in value):
            return value
        reason = self.errors.get(path) or (f"{path}: not a JSON object" if value is not None else f"{path}: missing")
        if isinstance(value, dict):
            reason = f"{path}: the reply has no {wanted!r} (a partial or unreadable reply is not an empty one)"
        self.account.faults.setdefault(fault_key, f"{what}: {reason}")
        return None


def account_from_responses(responses: Mapping[str, Any], source: str) -> Account:
    """The account model from saved responses (keys are the layout's paths)."""
    ident = responses.get("account.json") or {}
    regions = [r["RegionName"] for r in (responses.get("regions.json") or {}).get("Regions") or [] if "RegionName" in r]
    account = Account(str(ident.get("Account", "")), regions, source)
    reader = _Reader(responses, account)
    if not account.account_id:
        reader.get("account.json", "account", "sts GetCallerIdentity")
    for region in regions:
        trails = reader.get(
            f"{region}/describe-trails.json", f"trails:{region}", f"cloudtrail DescribeTrails in {region}"
        )
        if trails is not None:
            account.trails[region] = [_trail(reader, t) for t in trails.get("trailList") or []]
    for region in data_regions(regions, [t for ts in account.trails.values() for t in ts]):
        _read_region(reader, region)
    return account


def data_regions(regions: list[str], trails: list[Trail]) -> list[str]:
    """Where filters and alarms are read: the audited regions and the regions of the log
    groups our trails deliver to (a trail homed elsewhere delivers to its home region)."""
    out = list(regions)
    for trail in trails:
        if trail.log_group and trail.log_group[0] not in out:
            out.append(trail.log_group[0])
    return out


def _read_region(reader: _Reader, region: str) -> None:
    account = reader.account
    filters = reader.get(
        f"{region}/describe-metric-filters.json", f"filters:{region}", f"logs DescribeMetricFilters in {region}"
    )
    if filters is not None:
        account.filters[region] = [filter_from_api(f, region) for f in filters.get("metricFilters") or []
                                   if isinstance(f, Mapping)]  # fmt: skip
    alarms = reader.get(f"{region}/describe-alarms.json", f"alarms:{region}", f"cloudwatch DescribeAlarms in {region}")
    if alarms is not None:
        account.alarms[region] = [AlarmResource(a.get("AlarmName", ""), region, a)
                                  for a in alarms.get("MetricAlarms") or []]  # fmt: skip
        account.composites[region] = [AlarmResource(a.get("AlarmName", ""), region, {"AlarmRule": "", **a})
                                      for a in alarms.get("CompositeAlarms") or []]  # fmt: skip
        for topic in topics_of(alarms):
            if topic not in account.topics:
                _subscriptions(reader, topic)


def _subscriptions(reader: _Reader, topic: str) -> None:
    """The topic's subscriptions; a topic AWS says does not exist (``NotFound``) has none and is
    marked missing: the alarm cannot notify anyone (a FAIL, not a read failure)."""
    key = f"subscriptions:{topic}"
    if ": NotFound:" in str(reader.errors.get(topic_path(topic), "")):
        reader.account.subscriptions[topic] = []
        reader.account.topics[topic] = Topic(topic, missing=True)
        return
    found = reader.get(topic_path(topic), key, f"sns ListSubscriptionsByTopic {topic}")
    if found is not None:
        reader.account.subscriptions[topic] = [
            Subscription(
                s.get("TopicArn", topic), s.get("Protocol", ""), s.get("Endpoint", ""), s.get("SubscriptionArn", "")
            )
            for s in found.get("Subscriptions") or []
        ]
    reader.account.topics.setdefault(topic, Topic(topic))


def _trail(reader: _Reader, raw: Mapping[str, Any]) -> Trail:
    trail = Trail(
        name=raw.get("Name", ""),
        arn=raw.get("TrailARN", ""),
        home_region=raw.get("HomeRegion", ""),
        multi_region=bool(raw.get("IsMultiRegionTrail")),
        organization=bool(raw.get("IsOrganizationTrail")),
        log_group_arn=raw.get("CloudWatchLogsLogGroupArn") or None,
    )
    if trail.owner != reader.account.account_id:
        return trail  # another account's trail: its status and selectors are not ours to read
    status = reader.get(
        trail_path("get-trail-status", raw), f"status:{trail.arn}", f"cloudtrail GetTrailStatus {trail.name}"
    )
    if status is not None:
        trail.logging = bool(status.get("IsLogging"))
    selectors = reader.get(
        trail_path("get-event-selectors", raw), f"selectors:{trail.arn}", f"cloudtrail GetEventSelectors {trail.name}"
    )
    if selectors is not None:
        trail.selectors = EventSelectors(
            list(selectors.get("EventSelectors") or []), list(selectors.get("AdvancedEventSelectors") or [])
        )
    return trail
