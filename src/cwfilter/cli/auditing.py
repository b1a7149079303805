"""``cwfilter audit`` (an account, a template or a snapshot) and ``cwfilter snapshot``."""

from __future__ import annotations

import argparse
from typing import Any

from ..rules import Rule, catalogue, find_rule
from .common import (
    EXIT_ERROR,
    EXIT_MATCH,
    EXIT_NO_MATCH,
    InputError,
    add_command,
    add_output_options,
    emit,
    integer,
    plain_text_file,
    region,
)
from .console import fail

AUDIT_EXITS = {
    0: "no FAIL (every rule PASS or WARNING; NO_DATA where some rule could be evaluated)",
    1: "any FAIL",
    2: "usage or input error (bad arguments, an unreadable, compressed or empty template or snapshot, no AWS "
    "identity at all), or no rule could be evaluated (every finding NO_DATA)",
}


def add_commands(sub: Any) -> None:
    from ..report.findings import FindingsReport
    from ..report.snapshot import SnapshotReport

    audit = add_command(
        sub, "audit", help="audit an account, a template or a snapshot for the CIS CloudWatch rules (CWL-012, ...)",
        description="Follow trail -> log group -> metric filter -> alarm -> SNS subscriber for each rule and region, "
        "running the deployed filter patterns (not comparing their text). Live by default (standard AWS "
        "configuration, including AWS_ENDPOINT_URL), or offline from --template or --snapshot.",
        exits=AUDIT_EXITS,
    )  # fmt: skip
    add_source_arguments(audit)
    add_output_options(audit, FindingsReport.formats, "table")
    audit.set_defaults(handler=audit_command)

    snap = add_command(sub, "snapshot", help="save what the audit reads from a live account into a folder",
                       description="Write the AWS responses the audit reads (one JSON file per call, the AWS CLI's "
                       "output shape) to DIR; `cwfilter audit --snapshot DIR` audits them later, offline.",
                       exits={0: "written (failed calls are recorded in DIR/errors.json)"})  # fmt: skip
    snap.add_argument("folder", metavar="DIR")
    snap.add_argument("--profile", help="AWS profile (default: the standard configuration)")
    snap.add_argument(
        "--region", action="append", type=region, help="a region to read (repeatable; default: all enabled regions)"
    )
    add_output_options(snap, SnapshotReport.formats, "table")
    snap.set_defaults(handler=snapshot_command)


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", action="append", metavar="ID",
                        help="a catalogue rule (CWL-012, CloudWatch.8, ...; repeatable; default: every rule, "
                        "see `cwfilter rules`)")  # fmt: skip
    parser.add_argument("--profile", help="AWS profile (default: the standard configuration)")
    parser.add_argument(
        "--region", action="append", type=region, help="a region to audit (repeatable; default: all enabled regions)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", metavar="FILE",
                        help="CloudFormation (JSON/YAML) or Terraform (.tf, .tf.json, `terraform show -json`) file")  # fmt: skip
    source.add_argument("--snapshot", metavar="DIR",
                        help="a folder written by `cwfilter snapshot`, or of plain AWS CLI describe-*/get-* outputs")  # fmt: skip
    many = parser.add_argument_group("many accounts (live)")
    many.add_argument("--organization", action="store_true",
                      help="every active account of the organization the credentials manage (management or "
                      "delegated-administrator account)")  # fmt: skip
    many.add_argument("--account", action="append", metavar="ID", help="an account to read (repeatable)")
    many.add_argument("--role-name", default="OrganizationAccountAccessRole",
                      help="the role assumed in each account (default: OrganizationAccountAccessRole)")  # fmt: skip
    many.add_argument("--external-id", help="the external id the role's trust policy asks for")
    many.add_argument("--max-workers", type=integer(1, 64), default=8,
                      help="accounts and regions read at once (1 to 64; default: 8)")  # fmt: skip


def load_accounts(args: argparse.Namespace) -> list[Any]:
    """The accounts the arguments name, each as ``cwfilter.aws.Entered`` (model, responses,
    clients: ``None`` for the one account of the standard configuration); one account unless
    --organization or --account is given."""
    import sys

    from ..aws import Entered, read_organization

    if not (args.organization or args.account):
        return [Entered(load_account(args), {}, None)]
    if args.template or args.snapshot:
        raise InputError("--organization and --account read live accounts; not with --template or --snapshot")
    ids = None if args.organization else list(dict.fromkeys(args.account))
    return read_organization(ids, regions=args.region, profile=args.profile, role_name=args.role_name,
                             external_id=args.external_id, max_workers=args.max_workers,
                             progress=lambda line: print(f"cwfilter: {line}", file=sys.stderr))  # fmt: skip


def selected_rules(names: list[str] | None) -> list[Rule]:
    """The rules asked for (``KeyError`` with the known names if one is unknown)."""
    return [find_rule(n) for n in names] if names else list(catalogue())


def load_account(args: argparse.Namespace) -> Any:
    """The account model from the source the arguments name (raises the readers' errors)."""
    from ..audit import read_live, read_snapshot, read_template

    if args.template:
        plain_text_file("--template", args.template)
        return read_template(args.template, *(args.region or [])[:1])
    if args.snapshot:
        return read_snapshot(args.snapshot, *(args.region or [])[:1])
    return read_live(args.region, profile=args.profile)[0]


def audit_command(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..audit import NO_DATA, IacError, SnapshotError, audit
    from ..report.findings import FindingsReport

    try:
        rules = selected_rules(args.rule)
        accounts = [entered.account for entered in load_accounts(args)]
    except KeyError as exc:
        return fail(str(exc.args[0]))
    except (IacError, SnapshotError, InputError) as exc:
        return fail(str(exc))
    except ImportError as exc:
        return fail(f"the live audit needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    except Exception as exc:  # noqa: BLE001 - botocore profile/config errors: a message, not a traceback
        return fail(f"cannot read the account: {type(exc).__name__}: {exc}")
    findings = [f for account in accounts for f in audit(account, rules)]
    if emit(args, FindingsReport(findings, __version__)):
        return EXIT_ERROR
    unreadable = [a for a in accounts if "account" in a.faults]
    if unreadable:
        return fail("; ".join(f"{a.account_id or 'the account'}: {a.faults['account']}" for a in unreadable))
    if any(f.status == "FAIL" for f in findings):
        return EXIT_NO_MATCH
    if not findings or all(f.status == NO_DATA for f in findings):
        causes = sorted({f.message for f in findings})[:3]
        return fail("no rule could be evaluated (every finding is NO_DATA)" + "".join(f"\n  {c}" for c in causes))
    return EXIT_MATCH


def snapshot_command(args: argparse.Namespace) -> int:
    from ..audit import read_live, write_snapshot

    try:
        account, responses = read_live(args.region, profile=args.profile)
        written = write_snapshot(responses, args.folder)
    except ImportError as exc:
        return fail(f"`snapshot` needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    except OSError as exc:
        return fail(f"cannot write {args.folder}: {exc}")
    except Exception as exc:  # noqa: BLE001 - botocore profile/config errors
        return fail(f"cannot read the account: {type(exc).__name__}: {exc}")
    from ..report.snapshot import SnapshotReport

    failed = responses.get("errors.json") or {}
    files = [str(p) for p in written]
    if emit(args, SnapshotReport(args.folder, files, account.account_id, list(account.regions), failed)):
        return EXIT_ERROR
    if "account" in account.faults:
        return fail(account.faults["account"])
    return EXIT_MATCH
