"""The built-in rule catalogue: the CIS / Security Hub / Conformity CloudWatch controls,
each with its filter pattern, metric and default alarm (generated from the specification
by ``scripts/generate_rules.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..alarm import Alarm
from ..metric import MetricFilter

DEFAULT_TOPIC = "arn:aws:sns:us-east-1:123456789012:cwfilter-alarms"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    aliases: tuple[str, ...]
    filter_pattern: str
    metric_name: str
    namespace: str
    alarm_spec: dict[str, Any]
    conformity_metric: dict[str, str] | None = None

    def metric_filter(self, *, via: str | None = None) -> MetricFilter:
        """The rule's metric filter. Selected by its Conformity ID (``via="CWL-012"``), the
        metric is the one Conformity's remediation names (``CloudTrailMetrics/S3BucketEventCount``)."""
        name, namespace = self.metric_name, self.namespace
        if via and self.conformity_metric and via.upper().startswith("CWL-"):
            name, namespace = self.conformity_metric["metric_name"], self.conformity_metric["namespace"]
        return MetricFilter(self.filter_pattern, metric_name=name, namespace=namespace, value="1", name=self.id)

    def alarm(self, metric_filter: MetricFilter, *, name: str | None = None, topic_arn: str = DEFAULT_TOPIC) -> Alarm:
        """The rule's default alarm on ``metric_filter``'s metric (CIS: Sum over 300 s, 1 period,
        >= 1) with one SNS alarm action; TreatMissingData left unset, as CIS remediations do."""
        a = self.alarm_spec
        return Alarm(
            name=name or f"{metric_filter.metric_name}-alarm",
            namespace=metric_filter.namespace,
            metric_name=metric_filter.metric_name,
            statistic=a["statistic"],
            period=a["period"],
            evaluation_periods=a["evaluation_periods"],
            threshold=a["threshold"],
            comparison_operator=a["comparison_operator"],
            description=self.title,
            alarm_actions=[topic_arn],
        )


@lru_cache(maxsize=1)
def catalogue() -> tuple[Rule, ...]:
    data = json.loads(resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8"))
    return tuple(
        Rule(
            r["id"],
            r["title"],
            tuple(r["aliases"]),
            r["filter_pattern"],
            r["metric_name"],
            r["namespace"],
            r["alarm"],
            r.get("conformity_metric"),
        )
        for r in data["rules"]
    )


def find_rule(name: str) -> Rule:
    """A rule by any of its names (``CWL-012``, ``CloudWatch.8``, ``CIS-1.4.0-4.8``, ``s3_bucket_policy_changes``)."""
    wanted = name.strip().lower()
    for rule in catalogue():
        if any(alias.lower() == wanted for alias in rule.aliases):
            return rule
    known = ", ".join(r.aliases[1] if len(r.aliases) > 1 else r.id for r in catalogue())
    raise KeyError(f"no rule named {name!r}; known rules include: {known}")
