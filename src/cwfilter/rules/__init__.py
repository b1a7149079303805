"""The built-in rule catalogue: the CIS / Security Hub / Conformity CloudWatch controls,
each with its filter pattern, metric and default alarm (generated from the specification
by ``scripts/generate_rules.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..metric import MetricFilter


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    aliases: tuple[str, ...]
    filter_pattern: str
    metric_name: str
    namespace: str
    alarm: dict[str, Any]
    conformity_metric: dict[str, str] | None = None

    def metric_filter(self, *, via: str | None = None) -> MetricFilter:
        """The rule's metric filter. Selected by its Conformity ID (``via="CWL-012"``), the
        metric is the one Conformity's remediation names (``CloudTrailMetrics/S3BucketEventCount``)."""
        name, namespace = self.metric_name, self.namespace
        if via and self.conformity_metric and via.upper().startswith("CWL-"):
            name, namespace = self.conformity_metric["metric_name"], self.conformity_metric["namespace"]
        return MetricFilter(self.filter_pattern, metric_name=name, namespace=namespace, value="1", name=self.id)


@lru_cache(maxsize=1)
def catalogue() -> tuple[Rule, ...]:
    data = json.loads(resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8"))
    return tuple(
        Rule(
            r["id"], r["title"], tuple(r["aliases"]), r["filter_pattern"], r["metric_name"], r["namespace"],
            r["alarm"], r.get("conformity_metric"),
        )  # fmt: skip
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
