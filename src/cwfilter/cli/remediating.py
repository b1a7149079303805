"""``cwfilter remediate``: print the fix (AWS CLI, CloudFormation, Terraform) or apply it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..report.remediation import PLAN_FORMATS, PlanReport
from .auditing import add_source_arguments, load_account, selected_rules
from .common import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, add_command, add_output_options, emit
from .console import fail


def add_commands(sub: Any) -> None:
    rem = add_command(
        sub, "remediate", help="print (or --apply) the SNS topic, subscription, metric filter and alarm a rule needs",
        description="Plan the fix of each failing rule from a fresh audit: an SNS topic and e-mail subscription "
        "(unless a topic with a confirmed subscriber exists), the rule's metric filter on the trail's log group "
        "(unless a filter already matches every required event), and the rule's alarm (CWL-012: "
        "CloudTrailMetrics/S3BucketEventCount, Sum, 300 s, 1 of 1, >= 1). Trail problems are reported, not changed.",
        exits={0: "nothing left to fix (or the fix was applied)",
               1: "a plan was printed, or some rule cannot be fixed by cwfilter"},
    )  # fmt: skip
    add_source_arguments(rem)
    rem.add_argument("--plan-format", choices=PLAN_FORMATS, default="cli",
                     help="the plan as AWS CLI commands (default), a CloudFormation or a Terraform template; "
                     "printed by --output table, the default (--output json gives the plan as data)")  # fmt: skip
    rem.add_argument("--format", dest="old_format", choices=PLAN_FORMATS, help=argparse.SUPPRESS)  # deprecated
    add_output_options(rem, PlanReport.formats, "table", format_alias=False)
    rem.add_argument("--email", metavar="ADDR", help="e-mail endpoint of a new SNS subscription")
    rem.add_argument("--apply", action="store_true", help="perform the plan with boto3 (live accounts only)")
    rem.set_defaults(handler=remediate_command)


def remediate_command(args: argparse.Namespace) -> int:
    from ..audit import IacError, SnapshotError
    from ..remediate import RemediationError, apply, plan

    if args.old_format:
        print("cwfilter: warning: remediate --format is deprecated: use --plan-format (--output is the output "
              "format, as in every command)", file=sys.stderr)  # fmt: skip
        args.plan_format = args.old_format
    if args.apply and (args.template or args.snapshot):
        return fail("--apply changes a live account; it cannot be combined with --template or --snapshot")
    try:
        rules = selected_rules(args.rule)
        named = dict(zip((r.id for r in rules), args.rule or []))  # the name the user gave picks the metric
        account = load_account(args)
        plans = [plan(account, r, region, email=args.email, via=named.get(r.id))
                 for r in rules for region in account.regions]  # fmt: skip
    except KeyError as exc:
        return fail(str(exc.args[0]))
    except (IacError, SnapshotError, RemediationError) as exc:
        return fail(str(exc))
    except ImportError as exc:
        return fail(f"a live account needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    if "account" in account.faults:
        return fail(account.faults["account"])
    if args.apply:
        return _apply(args, plans, apply)
    if emit(args, PlanReport(plans, args.plan_format)):
        return EXIT_ERROR
    for p in plans:
        for note in p.notes:
            print(f"cwfilter: {p.rule.id} {p.region}: {note}", file=sys.stderr)
    return EXIT_NO_MATCH if any(p.steps or p.verdict.status != "PASS" for p in plans) else EXIT_MATCH


def _apply(args: argparse.Namespace, plans: list[Any], apply: Any) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from ..audit.live import session_clients

    client, _ = session_clients(args.profile)
    try:
        done = apply([p for p in plans if p.steps], client)
    except (BotoCoreError, ClientError) as exc:
        return fail(f"remediation stopped: {exc}")
    for step in done:
        print(f"{step.region}: {step.operation} {step.target}")
    for p in plans:
        for note in p.notes:
            print(f"cwfilter: {p.rule.id} {p.region}: {note}", file=sys.stderr)
    unfixed = [p for p in plans if not p.steps and p.verdict.status != "PASS"]
    return EXIT_NO_MATCH if unfixed else EXIT_MATCH
