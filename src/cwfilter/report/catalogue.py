"""The rule catalogue (``cwfilter rules``) and one rule (``cwfilter rules show NAME``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from ..rules import Rule, catalogue
from .base import Report

_COMPARISON = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


class CatalogueReport(Report):
    """Every built-in rule: its names, CIS controls, the metric it counts into, its alarm."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")

    def data(self) -> dict[str, Any]:
        return {"rules": [r.to_json() for r in catalogue()]}

    def rows(self) -> list[Sequence[Any]]:
        return [["id", "names", "cis", "metric", "alarm", "title"],
                *([r.id, _names(r), cis_controls(r), f"{r.namespace}/{r.metric_name}", _alarm(r), r.title]
                  for r in catalogue())]  # fmt: skip

    def table(self) -> str:
        return _listing()


class RuleReport(Report):
    """One rule, as named ``via`` (a Conformity name picks its own metric)."""

    def __init__(self, rule: Rule, via: str) -> None:
        self.rule, self.via = rule, via

    def data(self) -> dict[str, Any]:
        return self.rule.to_json(via=self.via)

    def table(self) -> str:
        return _details(self.rule, self.via)


def cis_controls(rule: Rule) -> str:
    """The CIS benchmark controls, grouped: ``3.8 (v1.2.0), 4.8 (v1.3.0-v5.0.0), 5.8 (v6.0.0)``."""
    groups: dict[str, list[str]] = {}
    for alias in rule.aliases:
        m = re.fullmatch(r"CIS-(\d+\.\d+\.\d+)-(\d+\.\d+)", alias)
        if m:
            groups.setdefault(m.group(2), []).append(m.group(1))
    return ", ".join(
        f"{control} (v{versions[0]}" + (f"-v{versions[-1]})" if len(versions) > 1 else ")")
        for control, versions in groups.items()
    )


def _names(rule: Rule) -> str:
    """The short names people type: Security Hub and Conformity IDs."""
    return ", ".join(a for a in rule.aliases[1:] if re.fullmatch(r"CWL-\d+|CloudWatch\.\d+", a)) or "-"


def _alarm(rule: Rule) -> str:
    a = rule.alarm_spec
    op = _COMPARISON.get(a["comparison_operator"], a["comparison_operator"])
    return f"{a['statistic']} {op} {a['threshold']:g} over {a['period']} s, {a['evaluation_periods']} of {a['evaluation_periods']}"


def _listing() -> str:
    rules = catalogue()
    alarms = {_alarm(r) for r in rules}
    rows = [("RULE", "NAMES", "CIS", "METRIC" if len(alarms) == 1 else "METRIC, ALARM")]
    for rule in rules:
        metric = f"{rule.namespace}/{rule.metric_name}"
        for name in rule.conformity_ids:
            if rule.metric(via=name) != (rule.namespace, rule.metric_name):
                metric += f" ({name}: {'/'.join(rule.metric(via=name))})"
        rows.append(
            (
                rule.id,
                _names(rule),
                cis_controls(rule) or "-",
                metric if len(alarms) == 1 else f"{metric}, {_alarm(rule)}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3] for r in rows]
    lines.append("")
    if len(alarms) == 1:
        lines.append(f"Every rule's alarm: {alarms.pop()}.")
    lines.append(
        "`cwfilter rules show NAME` shows one rule; every name above (and each CIS-<version>-<control>) works with --rule."
    )
    return "\n".join(lines) + "\n"


def _details(rule: Rule, via: str) -> str:
    namespace, metric = rule.metric(via=via)
    others = [a for a in rule.aliases if not a.startswith("CIS-")]
    lines = [
        f"rule            {rule.id}",
        f"title           {rule.title}",
        f"names           {', '.join(others)}",
        f"CIS controls    {cis_controls(rule) or '-'}",
        f"filter pattern  {rule.filter_pattern}",
        f"metric          {namespace}/{metric}  value=1"
        + (f"  (as {via})" if (namespace, metric) != (rule.namespace, rule.metric_name) else ""),
        f"alarm           {_alarm(rule)}, with an SNS alarm action",
    ]
    return "\n".join(lines) + "\n"
