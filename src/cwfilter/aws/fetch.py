"""Read an account live with boto3 into the saved-responses layout of ``config.responses``.

Credentials, region and endpoint come from the standard AWS configuration (profiles,
environment, ``AWS_ENDPOINT_URL``). A failing call is recorded in ``errors.json`` with the
call's name and AWS's error, and the audit goes on: only the checks that need it become
NO_DATA. Throttling is retried by botocore (adaptive retry mode, ``clients.py``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any, TypeVar

from ..config.model import DEFAULT_REGION, Account
from ..config.responses import ERRORS, account_from_responses, topic_path, topics_of, trail_path
from .clients import AwsCallError, ClientFactory, call, session_clients


class Fetcher:
    """Calls the APIs the audit needs for one account and keeps each response under its
    snapshot path. ``fetch`` reads it all; ``identify``, ``trails`` and ``region`` are its
    steps, which a pool may run concurrently (each region's calls are independent)."""

    def __init__(self, client: ClientFactory) -> None:
        self.client = client
        self.responses: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.responses[ERRORS] = self.errors
        self.account_id = ""
        self.regions: list[str] = []
        self._claimed: set[str] = set()
        self._lock = threading.Lock()

    def call(self, path: str, service: str, region: str, operation: str, **params: Any) -> dict[str, Any] | None:
        """One API call (all pages); on failure the reason is recorded under ``path``."""
        try:
            saved = call(self.client, service, region, operation, **params)
        except AwsCallError as exc:
            self.errors[path] = str(exc)
            return None
        self.responses[path] = saved
        return saved

    def fetch(
        self, regions: list[str] | None, default_region: str | None, pool: Executor | None = None
    ) -> dict[str, Any]:
        """Every response the audit reads (the regions on ``pool`` when given)."""
        if self.identify(regions, default_region):
            groups = [g for found in _map(pool, self.trails, self.regions) for g in found]
            list(_map(pool, self.region, self.regions + sorted(set(groups) - set(self.regions))))
        return self.responses

    def identify(self, regions: list[str] | None, default_region: str | None) -> bool:
        """Who the account is and which regions to read; ``False`` when there is no identity
        (every other call would fail the same way)."""
        home = default_region or (regions[0] if regions else DEFAULT_REGION)
        ident = self.call("account.json", "sts", home, "GetCallerIdentity")
        if ident is None:
            self.responses["regions.json"] = {"Regions": [{"RegionName": r} for r in regions or [home]]}
            return False
        if regions:
            self.responses["regions.json"] = {"Regions": [{"RegionName": r} for r in regions]}
        elif self.call("regions.json", "ec2", home, "DescribeRegions") is None:
            self.responses["regions.json"] = {"Regions": [{"RegionName": home}]}
        self.account_id = str(ident.get("Account", ""))
        self.regions = [r["RegionName"] for r in self.responses["regions.json"]["Regions"]]
        return True

    def _claim(self, path: str) -> bool:
        """Whether this thread is the first to ask for ``path`` (a shadow trail is seen in every region)."""
        with self._lock:
            if path in self._claimed:
                return False
            self._claimed.add(path)
            return True

    def trails(self, region: str) -> list[str]:
        """Reads the trails seen in ``region``; the regions of our trails' log groups."""
        groups = []
        trails = self.call(
            f"{region}/describe-trails.json", "cloudtrail", region, "DescribeTrails", includeShadowTrails=True
        )
        for trail in (trails or {}).get("trailList") or []:
            arn, home = trail.get("TrailARN", ""), trail.get("HomeRegion", region)
            if arn.split(":")[4:5] != [self.account_id]:
                continue
            group = (trail.get("CloudWatchLogsLogGroupArn") or "").split(":")
            if len(group) > 3:
                groups.append(group[3])
            if not self._claim(trail_path("get-trail-status", trail)):
                continue
            self.call(trail_path("get-trail-status", trail), "cloudtrail", home, "GetTrailStatus", Name=arn)
            self.call(trail_path("get-event-selectors", trail), "cloudtrail", home, "GetEventSelectors", TrailName=arn)
        return groups

    def region(self, region: str) -> None:
        """The region's metric filters, alarms and the subscriptions of the alarms' topics."""
        self.call(f"{region}/describe-metric-filters.json", "logs", region, "DescribeMetricFilters")
        alarms = self.call(f"{region}/describe-alarms.json", "cloudwatch", region, "DescribeAlarms")
        for topic in topics_of(alarms or {}):
            path = topic_path(topic)
            if self._claim(path):
                self.call(path, "sns", topic.split(":")[3], "ListSubscriptionsByTopic", TopicArn=topic)


T = TypeVar("T")
R = TypeVar("R")


def _map(pool: Executor | None, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``fn`` over ``items``, on ``pool`` when given, results in order."""
    return list(pool.map(fn, items) if pool is not None else map(fn, items))


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
