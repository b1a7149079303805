"""``cwfilter rules`` (the built-in catalogue) and ``cwfilter rules show NAME`` (one rule)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from ..rules import Rule, catalogue, find_rule
from .console import fail
from .output import add_output_options, emit

_COMPARISON = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def add_commands(sub: Any) -> None:
    rules = sub.add_parser(
        "rules",
        help="the built-in CIS / Security Hub / Conformity rules",
        description="List the built-in rules (their names for --rule, the metric each counts into and the "
        "alarm it expects), or show one with `rules show NAME`. Any name of a rule works: CWL-012, "
        "CloudWatch.8, CIS-1.4.0-4.8, s3_bucket_policy_changes.",
    )
    rules.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    rules.add_argument("name", nargs="?", metavar="NAME", help="with show: the rule (any of its names)")
    add_output_options(rules, ("table", "json", "text"), "table")
    rules.set_defaults(handler=rules_command)


def rules_command(args: argparse.Namespace) -> int:
    if args.action == "show" or args.name:
        if not args.name:
            return fail("rules show NAME: name a rule (see `cwfilter rules`)")
        try:
            rule = find_rule(args.name)
        except KeyError as exc:
            return fail(str(exc.args[0]))
        return emit(args, rule.to_json(via=args.name), table=lambda: _details(rule, args.name))
    return emit(args, {"rules": [r.to_json() for r in catalogue()]}, table=_listing)


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
