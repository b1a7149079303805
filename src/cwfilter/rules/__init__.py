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

    def metric(self, *, via: str | None = None) -> tuple[str, str]:
        """``(namespace, metric name)`` the rule counts into when named ``via``: by its
        Conformity ID (``CWL-012``), the metric Conformity's remediation names
        (``CloudTrailMetrics/S3BucketEventCount``); by any other name, the CIS metric."""
        if via and self.conformity_metric and via.upper().startswith("CWL-"):
            return self.conformity_metric["namespace"], self.conformity_metric["metric_name"]
        return self.namespace, self.metric_name

    def metric_filter(self, *, via: str | None = None) -> MetricFilter:
        """The rule's metric filter, counting into ``metric(via=via)`` with value 1."""
        namespace, name = self.metric(via=via)
        return MetricFilter(self.filter_pattern, metric_name=name, namespace=namespace, value="1", name=self.id)

    @property
    def conformity_ids(self) -> tuple[str, ...]:
        """The rule's Trend Micro Conformity IDs (``CWL-012``), the names with a metric of their own."""
        return tuple(a for a in self.aliases if a.upper().startswith("CWL-"))

    def to_json(self, *, via: str | None = None) -> dict[str, Any]:
        """The rule as data (``cwfilter rules --output json``); ``metric`` is the one used when
        the rule is named ``via``, ``metricByName`` lists the names that count elsewhere."""
        namespace, name = self.metric(via=via)
        by_name = {
            n: "/".join(self.metric(via=n)) for n in self.conformity_ids if self.metric(via=n) != (namespace, name)
        }
        if via and self.metric(via=via) != (self.namespace, self.metric_name):
            by_name["(other names)"] = f"{self.namespace}/{self.metric_name}"
        return {
            "id": self.id,
            "title": self.title,
            "names": list(self.aliases[1:]),
            "filterPattern": self.filter_pattern,
            "metric": {"namespace": namespace, "metricName": name, "metricValue": "1"},
            "metricByName": by_name,
            "alarm": {
                "statistic": self.alarm_spec["statistic"],
                "period": self.alarm_spec["period"],
                "evaluationPeriods": self.alarm_spec["evaluation_periods"],
                "threshold": self.alarm_spec["threshold"],
                "comparisonOperator": self.alarm_spec["comparison_operator"],
            },
        }

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
    """Every built-in rule, in the catalogue's order (read once from ``catalogue.json``)."""
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
