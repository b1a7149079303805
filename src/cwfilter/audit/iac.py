"""What the two IaC readers share: declared resources become the account model of one
region of a notional account, with the file and line of each resource for SARIF.

A declared SNS subscription counts as a subscriber: whether the recipient will confirm it
cannot be known from a template (the live audit and a snapshot do check it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..config import ConfigError, read_config_text
from .model import Account, AlarmRecord, Location, MetricFilterRecord, Subscription, Trail, unresolved

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class IacError(ConfigError):
    """A template or Terraform file that cannot be read, with the file and why."""

    code = "E_TEMPLATE"


def read_text(path: str | Path) -> tuple[Path, str]:
    """The file's path and text (the project's reader), an ``IacError`` naming it if unreadable."""
    try:
        return read_config_text(path)
    except ConfigError as exc:
        raise IacError(str(exc)) from None


def line_of(text: str, pattern: str) -> int | None:
    """The 1-based line of the first match of ``pattern`` (a regex, multiline) in ``text``."""
    m = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def log_group_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}:*"


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def unresolved_flags(props: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """Which of a resource's boolean properties could not be resolved offline, if any."""
    found = [f"{n} = {props[n]}" for n in names if unresolved(props.get(n))]
    return ", ".join(found) + " cannot be resolved offline" if found else None


class Declared:
    """Collects declared resources and builds the account model."""

    def __init__(self, source: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> None:
        self.region, self.account_id = region, account
        self.account = Account(account, [region], source)
        self.account.trails[region] = []
        self.account.filters[region] = []
        self.account.alarms[region] = []
        self.account.composites[region] = []

    def trail(self, trail: Trail) -> None:
        self.account.trails[self.region].append(trail)

    def metric_filter(self, record: MetricFilterRecord) -> None:
        self.account.filters[self.region].append(record)

    def alarm(self, record: AlarmRecord) -> None:
        self.account.alarms[self.region].append(record)

    def composite(self, record: AlarmRecord) -> None:
        self.account.composites[self.region].append(record)

    def topic(self, arn: str, where: Location | None) -> None:
        self.account.topics[arn] = where
        self.account.subscriptions.setdefault(arn, [])

    def subscription(self, topic: str, protocol: str, endpoint: str) -> None:
        subs = self.account.subscriptions.setdefault(topic, [])
        subs.append(Subscription(topic, protocol, endpoint, f"{topic}:declared-{len(subs) + 1}"))
