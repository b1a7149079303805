"""``cwfilter remediate``: print the fix (AWS CLI, CloudFormation, Terraform) or apply it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .auditing import add_source_arguments, load_account, selected_rules
from .console import EXIT_MATCH, EXIT_NO_MATCH, fail


def add_commands(sub: Any) -> None:
    rem = sub.add_parser(
        "remediate", help="print (or --apply) the SNS topic, subscription, metric filter and alarm a rule needs",
        description="Plan the fix of each failing rule from a fresh audit: an SNS topic and e-mail subscription "
        "(unless a topic with a confirmed subscriber exists), the rule's metric filter on the trail's log group "
        "(unless a filter already matches every required event), and the rule's alarm (CWL-012: "
        "CloudTrailMetrics/S3BucketEventCount, Sum, 300 s, 1 of 1, >= 1). Trail problems are reported, not changed.",
        epilog="exit status: 0 nothing left to fix (with --apply: the audit run after the fix passes), 1 a plan was "
        "printed or some rule still does not pass (a new e-mail subscription awaits confirmation, or cwfilter cannot "
        "fix it), 2 usage or input error",
    )  # fmt: skip
    add_source_arguments(rem)
    rem.add_argument("--format", choices=("cli", "cloudformation", "terraform"), default="cli", help="default: cli")
    rem.add_argument("--email", metavar="ADDR", help="e-mail endpoint of a new SNS subscription")
    rem.add_argument("--apply", action="store_true", help="perform the plan with boto3 (live accounts only)")
    rem.set_defaults(handler=remediate_command)


def remediate_command(args: argparse.Namespace) -> int:
    from ..audit import IacError, SnapshotError, audit
    from ..remediate import RemediationError, apply, as_cli, as_cloudformation, as_terraform, plan

    if args.apply and (args.template or args.snapshot):
        return fail("--apply changes a live account; it cannot be combined with --template or --snapshot")
    try:
        rules = selected_rules(args.rule)
        named = dict(zip((r.id for r in rules), args.rule or []))  # the name the user gave picks the metric
        account = load_account(args)
        plans = plan(account, audit(account, rules), email=args.email, via=named)
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
    render = {"cli": as_cli, "cloudformation": as_cloudformation, "terraform": as_terraform}[args.format]
    sys.stdout.write(render([p for p in plans if p.steps]) if any(p.steps for p in plans) else "")
    for p in plans:
        for note in p.notes:
            print(f"cwfilter: {p.rule.id} {p.region}: {note}", file=sys.stderr)
    return EXIT_NO_MATCH if any(p.steps or p.finding.status != "PASS" for p in plans) else EXIT_MATCH


def _apply(args: argparse.Namespace, plans: list[Any], apply: Any) -> int:
    """Apply the plans, printing each call as it is made, then audit again and print its verdict."""
    from ..audit import audit
    from ..audit.report import table
    from ..aws import session_clients
    from ..remediate import RemediationError

    client, _ = session_clients(args.profile)
    try:
        apply(
            [p for p in plans if p.steps], client, lambda step: print(f"{step.region}: {step.operation} {step.target}")
        )
    except RemediationError as exc:
        return fail(str(exc))
    for p in plans:
        for note in p.notes:
            print(f"cwfilter: {p.rule.id} {p.region}: {note}", file=sys.stderr)
    if not any(p.steps for p in plans):
        return EXIT_NO_MATCH if any(p.finding.status != "PASS" for p in plans) else EXIT_MATCH
    findings = audit(load_account(args), list({p.rule.id: p.rule for p in plans}.values()))
    sys.stdout.write("\naudit after the fix:\n" + table(findings))
    return EXIT_NO_MATCH if any(f.status != "PASS" for f in findings) else EXIT_MATCH
