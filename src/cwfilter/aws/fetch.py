"""Read an account live with boto3 into the saved-responses layout of ``config.responses``.

Credentials, region and endpoint come from the standard AWS configuration (profiles,
environment, ``AWS_ENDPOINT_URL``). A failing call is recorded in ``errors.json`` with the
call's name and AWS's error, and the audit goes on: only the checks that need it become
NO_DATA. Throttling is retried by botocore (adaptive retry mode, ``clients.py``)."""

from __future__ import annotations

from typing import Any

from ..config.model import DEFAULT_REGION, Account
from ..config.responses import ERRORS, account_from_responses, topic_path, topics_of, trail_path
from .clients import AwsCallError, ClientFactory, call, session_clients


class Fetcher:
    """Calls the APIs the audit needs and keeps each response under its snapshot path."""

    def __init__(self, client: ClientFactory) -> None:
        self.client = client
        self.responses: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.responses[ERRORS] = self.errors

    def call(self, path: str, service: str, region: str, operation: str, **params: Any) -> dict[str, Any] | None:
        """One API call (all pages); on failure the reason is recorded under ``path``."""
        try:
            saved = call(self.client, service, region, operation, **params)
        except AwsCallError as exc:
            self.errors[path] = str(exc)
            return None
        self.responses[path] = saved
        return saved

    def fetch(self, regions: list[str] | None, default_region: str | None) -> dict[str, Any]:
        home = default_region or (regions[0] if regions else DEFAULT_REGION)
        ident = self.call("account.json", "sts", home, "GetCallerIdentity")
        if ident is None:
            self.responses["regions.json"] = {"Regions": [{"RegionName": r} for r in regions or [home]]}
            return self.responses  # no identity: every other call would fail the same way
        if regions:
            self.responses["regions.json"] = {"Regions": [{"RegionName": r} for r in regions]}
        elif self.call("regions.json", "ec2", home, "DescribeRegions") is None:
            self.responses["regions.json"] = {"Regions": [{"RegionName": home}]}
        account = ident.get("Account", "")
        regions = [r["RegionName"] for r in self.responses["regions.json"]["Regions"]]
        groups = []
        for region in regions:
            groups += self._trails(region, account)
        for region in regions + sorted(set(groups) - set(regions)):
            self._region(region)
        return self.responses

    def _trails(self, region: str, account: str) -> list[str]:
        """Reads the trails seen in ``region``; the regions of our trails' log groups."""
        groups = []
        trails = self.call(
            f"{region}/describe-trails.json", "cloudtrail", region, "DescribeTrails", includeShadowTrails=True
        )
        for trail in (trails or {}).get("trailList") or []:
            arn, home = trail.get("TrailARN", ""), trail.get("HomeRegion", region)
            done = trail_path("get-trail-status", trail)
            if arn.split(":")[4:5] != [account] or done in self.responses or done in self.errors:
                continue
            group = (trail.get("CloudWatchLogsLogGroupArn") or "").split(":")
            if len(group) > 3:
                groups.append(group[3])
            self.call(trail_path("get-trail-status", trail), "cloudtrail", home, "GetTrailStatus", Name=arn)
            self.call(trail_path("get-event-selectors", trail), "cloudtrail", home, "GetEventSelectors", TrailName=arn)
        return groups

    def _region(self, region: str) -> None:
        self.call(f"{region}/describe-metric-filters.json", "logs", region, "DescribeMetricFilters")
        alarms = self.call(f"{region}/describe-alarms.json", "cloudwatch", region, "DescribeAlarms")
        for topic in topics_of(alarms or {}):
            path = topic_path(topic)
            if path not in self.responses and path not in self.errors:
                self.call(path, "sns", topic.split(":")[3], "ListSubscriptionsByTopic", TopicArn=topic)


def read_live(
    regions: list[str] | None = None,
    *,
    profile: str | None = None,
    session: Any = None,
    client: ClientFactory | None = None,
) -> tuple[Account, dict[str, Any]]:
    """The account model of the live account, and the responses it was read from (what
    ``cwfilter snapshot`` saves)."""
    default_region: str | None = None
    if client is None:
        client, default_region = session_clients(profile, session)
    responses = Fetcher(client).fetch(regions, default_region)
    return account_from_responses(responses, "live"), responses
