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
    source.add_argument("--snapshot", metavar="DIR", help="a folder written by `cwfilter snapshot`")


def selected_rules(names: list[str] | None) -> list[Rule]:
    """The rules asked for (``KeyError`` with the known names if one is unknown)."""
    return [find_rule(n) for n in names] if names else list(catalogue())


def load_account(args: argparse.Namespace) -> Any:
    """The account model from the source the arguments name (raises the readers' errors)."""
    from ..audit import read_live, read_snapshot, read_template

    if args.template:
        plain_text_file("--template", args.template)
        return read_template(args.template, region=(args.region or ["us-east-1"])[0])
    if args.snapshot:
        return read_snapshot(args.snapshot)
    return read_live(args.region, profile=args.profile)[0]


def audit_command(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..audit import NO_DATA, IacError, SnapshotError, audit
    from ..report.findings import FindingsReport

    try:
        rules = selected_rules(args.rule)
        account = load_account(args)
    except KeyError as exc:
        return fail(str(exc.args[0]))
    except (IacError, SnapshotError, InputError) as exc:
        return fail(str(exc))
    except ImportError as exc:
        return fail(f"the live audit needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    except Exception as exc:  # noqa: BLE001 - botocore profile/config errors: a message, not a traceback
        return fail(f"cannot read the account: {type(exc).__name__}: {exc}")
    findings = audit(account, rules)
    if emit(args, FindingsReport(findings, __version__)):
        return EXIT_ERROR
    if "account" in account.faults:
        return fail(account.faults["account"])
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
