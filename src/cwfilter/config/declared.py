"""Templates → the account model: which reader a file needs (Terraform: ``.tf``, ``.tf.json``,
``terraform show -json``; CloudFormation: JSON or YAML), and the collector both readers fill,
one region of a notional account (``model.DEFAULT_REGION``/``DEFAULT_ACCOUNT`` unless given),
each resource with its file, line and address.

A declared SNS subscription counts as a subscriber: whether the recipient will confirm it
cannot be known from a template (the live audit and a snapshot do check it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import ConfigError, IacError
from .model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    Account,
    AlarmResource,
    Location,
    LogGroup,
    MetricFilterResource,
    Subscription,
    Topic,
    Trail,
    unresolved,
)


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
    """Collects declared resources into the account model of one region."""

    def __init__(self, source: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> None:
        self.region, self.account_id = region, account
        self.account = Account(account, [region], source)
        for kind in ("trails", "log_groups", "filters", "alarms", "composites"):
            getattr(self.account, kind)[region] = []

    def trail(self, trail: Trail) -> None:
        self.account.trails[self.region].append(trail)

    def log_group(self, name: str, where: Location | None) -> None:
        self.account.log_groups[self.region].append(LogGroup(name, self.region, where))

    def metric_filter(self, record: MetricFilterResource) -> None:
        self.account.filters[self.region].append(record)

    def alarm(self, record: AlarmResource) -> None:
        kinds = self.account.composites if record.kind == "composite" else self.account.alarms
        kinds[self.region].append(record)

    def topic(self, arn: str, where: Location | None) -> None:
        self.account.topics[arn] = Topic(arn, where)
        self.account.subscriptions.setdefault(arn, [])

    def subscription(self, topic: str, protocol: str, endpoint: str) -> None:
        subs = self.account.subscriptions.setdefault(topic, [])
        subs.append(Subscription(topic, protocol, endpoint, f"{topic}:declared-{len(subs) + 1}"))


def read_text(path: str | Path) -> tuple[Path, str]:
    """The file's path and text (the bounded reader), an ``IacError`` naming it if unreadable."""
    from .files import read_config_text

    try:
        return read_config_text(path)
    except ConfigError as exc:
        raise IacError(str(exc)) from None


def read_template(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Account:
    """The account model a template declares (one region of a notional account)."""
    return declared(path, region, account).account


def declared(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Declared:
    """The resources a CloudFormation or Terraform file declares, the format told by name or content."""
    from .files import config_json

    p, text = read_text(path)
    try:
        if p.suffix == ".tf" or p.name.endswith(".tf.json"):
            return _terraform(p, text, region, account)
        doc = config_json(p, text) if p.suffix == ".json" else None
        if isinstance(doc, dict) and "Resources" not in doc and {"resource", "values", "planned_values"} & set(doc):
            return _terraform(p, text, region, account)
        return _cloudformation(p, text, region, account)
    except IacError:
        raise
    except ConfigError as exc:
        message = str(exc)
        raise IacError(message if message.startswith(str(p)) else f"{p}: {message}") from None


def _terraform(p: Path, text: str, region: str, account: str) -> Declared:
    from .terraform import load_terraform
    from .terraform_resources import declare_terraform

    out = Declared(f"Terraform {p}", region, account)
    declare_terraform(load_terraform(text, str(p), region=region, account_id=account), out, str(p))
    return out


def _cloudformation(p: Path, text: str, region: str, account: str) -> Declared:
    from .cloudformation import load_template
    from .cloudformation_resources import declare_cloudformation

    out = Declared(f"CloudFormation {p}", region, account)
    declare_cloudformation(load_template(text, str(p)), out, file=str(p), text=text)
    return out
