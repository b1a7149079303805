"""``cwfilter remediate``: print the fix (AWS CLI, CloudFormation, Terraform) or apply it."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import Any

from ..report.remediation import PLAN_FORMATS, PlanReport
from .auditing import add_source_arguments, load_accounts, selected_rules
from .common import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, InputError, add_command, add_output_options, emit
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
    rem.add_argument("--replace-existing", action="store_true",
                     help="let --apply replace a metric filter or alarm of the same name that differs from the rule's, "
                     "or use an SNS topic of the new topic's name that cwfilter did not create (refused otherwise)")  # fmt: skip
    rem.set_defaults(handler=remediate_command)


def remediate_command(args: argparse.Namespace) -> int:
    from ..audit import IacError, SnapshotError, audit
    from ..remediate import RemediationError, plan

    if args.old_format:
        print("cwfilter: warning: remediate --format is deprecated: use --plan-format (--output is the output "
              "format, as in every command)", file=sys.stderr)  # fmt: skip
        args.plan_format = args.old_format
    if args.apply and (args.template or args.snapshot):
        return fail("--apply changes a live account; it cannot be combined with --template or --snapshot")
    try:
        rules = selected_rules(args.rule)
        named = dict(zip((r.id for r in rules), args.rule or []))  # the name the user gave picks the metric
        entered = load_accounts(args)
        unreadable = [e.account for e in entered if "account" in e.account.faults]
        planned = [(e, plan(e.account, audit(e.account, rules), email=args.email, via=named))
                   for e in entered if "account" not in e.account.faults]  # fmt: skip
    except KeyError as exc:
        return fail(str(exc.args[0]))
    except (IacError, SnapshotError, RemediationError, InputError) as exc:
        return fail(str(exc))
    except ImportError as exc:
        return fail(f"a live account needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    cannot = "; ".join(f"{a.account_id or 'the account'}: {a.faults['account']}" for a in unreadable)
    if args.apply and planned:
        status = _apply(args, planned)
        return fail(cannot) if cannot else status
    plans = [p for _, ps in planned for p in ps]
    if not planned or emit(args, PlanReport(plans, args.plan_format)):
        return fail(cannot) if cannot else EXIT_ERROR
    for p in plans:
        for note in p.notes:
            print(f"cwfilter: {p.rule.id} {p.region}: {note}", file=sys.stderr)
    if cannot:
        return fail(cannot)
    return EXIT_NO_MATCH if any(p.steps or p.finding.status != "PASS" for p in plans) else EXIT_MATCH


def _apply(args: argparse.Namespace, planned: list[tuple[Any, list[Any]]]) -> int:
    """Apply each account's plans with its clients, printing each call as it is made; a failed
    call stops that account (named), not the others. Then audit again and print the verdict."""
    from ..audit import audit
    from ..aws import session_clients
    from ..remediate import RemediationError, apply
    from ..report.findings import table

    several = len(planned) > 1
    stopped = []
    for entered, plans in planned:
        who = f"{entered.account.account_id} " if several else ""
        client = entered.client or session_clients(args.profile)[0]
        try:
            apply([p for p in plans if p.steps], client, partial(_say, who), replace_existing=args.replace_existing)
        except RemediationError as exc:
            stopped.append(f"{who}{exc}")
        for p in plans:
            for note in p.notes:
                print(f"cwfilter: {who}{p.rule.id} {p.region}: {note}", file=sys.stderr)
    plans = [p for _, ps in planned for p in ps]
    if not any(p.steps for p in plans):
        return EXIT_NO_MATCH if any(p.finding.status != "PASS" for p in plans) else EXIT_MATCH
    rules = list({p.rule.id: p.rule for p in plans}.values())
    findings = [f for e in load_accounts(args) for f in audit(e.account, rules)]
    sys.stdout.write("\naudit after the fix:\n" + table(findings))
    if stopped:
        return fail("remediation stopped: " + "; ".join(stopped))
    return EXIT_NO_MATCH if any(f.status != "PASS" for f in findings) else EXIT_MATCH


def _say(who: str, step: Any) -> None:
    """A call of the fix, as it is made."""
    print(f"{who}{step.region}: {step.operation} {step.target}", flush=True)
