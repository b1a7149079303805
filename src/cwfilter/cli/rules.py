"""``cwfilter rules`` (the built-in catalogue) and ``cwfilter rules show NAME`` (one rule)."""

from __future__ import annotations

import argparse
from typing import Any

from ..report.catalogue import CatalogueReport, RuleReport
from ..rules import find_rule
from .common import add_command, add_output_options, emit
from .console import fail


def add_commands(sub: Any) -> None:
    rules = add_command(
        sub, "rules", help="the built-in CIS / Security Hub / Conformity rules",
        description="List the built-in rules (their names for --rule, the metric each counts into and the "
        "alarm it expects), or show one with `rules show NAME`. Any name of a rule works: CWL-012, "
        "CloudWatch.8, CIS-1.4.0-4.8, s3_bucket_policy_changes.",
        exits={0: "listed or shown", 2: "unknown rule or bad usage"},
    )  # fmt: skip
    rules.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    rules.add_argument("name", nargs="?", metavar="NAME", help="with show: the rule (any of its names)")
    add_output_options(rules, CatalogueReport.formats, "table")
    rules.set_defaults(handler=rules_command)


def rules_command(args: argparse.Namespace) -> int:
    if args.action == "show" or args.name:
        if not args.name:
            return fail("rules show NAME: name a rule (see `cwfilter rules`)")
        try:
            rule = find_rule(args.name)
        except KeyError as exc:
            return fail(str(exc.args[0]))
        return emit(args, RuleReport(rule, args.name))
    return emit(args, CatalogueReport())
