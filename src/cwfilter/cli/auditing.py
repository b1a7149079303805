"""``cwfilter audit`` (an account, a template or a snapshot) and ``cwfilter snapshot``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import __version__
from ..rules import Rule, catalogue, find_rule
from .console import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, fail

EXIT_HELP = (
    "exit status: 0 no FAIL (every rule PASS, WARNING or NO_DATA), 1 any FAIL, 2 usage or input error "
    "(bad arguments, unreadable template or snapshot, no AWS identity at all, or no rule could be evaluated)"
)


def add_commands(sub: Any) -> None:
    audit = sub.add_parser(
        "audit", help="audit an account, a template or a snapshot for the CIS CloudWatch rules (CWL-012, ...)",
        description="Follow trail -> log group -> metric filter -> alarm -> SNS subscriber for each rule and region, "
        "running the deployed filter patterns (not comparing their text). Live by default (standard AWS "
        "configuration, including AWS_ENDPOINT_URL), or offline from --template or --snapshot.",
        epilog=EXIT_HELP,
    )  # fmt: skip
    add_source_arguments(audit)
    audit.add_argument("--output", choices=("table", "json", "sarif"), default="table", help="default: table")
    audit.set_defaults(handler=audit_command)

    snap = sub.add_parser("snapshot", help="save what the audit reads from a live account into a folder",
                          description="Write the AWS responses the audit reads (one JSON file per call, the AWS CLI's "
                          "output shape) to DIR; `cwfilter audit --snapshot DIR` audits them later, offline.",
                          epilog="exit status: 0 written (failed calls are recorded in DIR/errors.json), 2 error")  # fmt: skip
    snap.add_argument("folder", metavar="DIR")
    snap.add_argument("--profile", help="AWS profile (default: the standard configuration)")
    snap.add_argument("--region", action="append", help="a region to read (repeatable; default: all enabled regions)")
    snap.set_defaults(handler=snapshot_command)


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rule", action="append", metavar="ID",
                        help="a catalogue rule (CWL-012, CloudWatch.8, ...; repeatable; default: every rule, "
                        "see `cwfilter rules`)")  # fmt: skip
    parser.add_argument("--profile", help="AWS profile (default: the standard configuration)")
    parser.add_argument(
        "--region", action="append", help="a region to audit (repeatable; default: all enabled regions)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", metavar="FILE",
                        help="CloudFormation (JSON/YAML) or Terraform (.tf, .tf.json, `terraform show -json`) file")  # fmt: skip
    source.add_argument("--snapshot", metavar="DIR",
                        help="a folder written by `cwfilter snapshot`, or of plain AWS CLI describe-*/get-* outputs")  # fmt: skip


def selected_rules(names: list[str] | None) -> list[Rule]:
    """The rules asked for (``KeyError`` with the known names if one is unknown)."""
    return [find_rule(n) for n in names] if names else list(catalogue())


def load_account(args: argparse.Namespace) -> Any:
    """The account model from the source the arguments name (raises the readers' errors)."""
    from ..audit import read_live, read_snapshot, read_template

    if args.template:
        return read_template(args.template, *(args.region or [])[:1])
    if args.snapshot:
        return read_snapshot(args.snapshot, *(args.region or [])[:1])
    return read_live(args.region, profile=args.profile)[0]


def audit_command(args: argparse.Namespace) -> int:
    from ..audit import IacError, SnapshotError, audit
    from ..audit.findings import evaluated
    from ..audit.report import as_json, sarif, table

    try:
        rules = selected_rules(args.rule)
        account = load_account(args)
    except KeyError as exc:
        return fail(str(exc.args[0]))
    except (IacError, SnapshotError) as exc:
        return fail(str(exc))
    except ImportError as exc:
        return fail(f"the live audit needs boto3 (pip install 'cwfilter[audit]'): {exc}")
    except Exception as exc:  # noqa: BLE001 - botocore profile/config errors: a message, not a traceback
        return fail(f"cannot read the account: {type(exc).__name__}: {exc}")
    findings = audit(account, rules)
    render = {"table": table, "json": as_json}.get(args.output)
    sys.stdout.write(render(findings) if render else sarif(findings, __version__))
    if "account" in account.faults:
        print(f"cwfilter: {account.faults['account']}", file=sys.stderr)
        return EXIT_ERROR
    if any(f.status == "FAIL" for f in findings):
        return EXIT_NO_MATCH
    if not evaluated(findings):
        causes = sorted({f.message for f in findings})
        print("cwfilter: no rule could be evaluated" + (f": {causes[0]}" if causes else " (no findings)")
              + (f" (and {len(causes) - 1} other cause(s))" if len(causes) > 1 else ""), file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
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
    failed = responses.get("errors.json") or {}
    print(f"wrote {len(written)} files to {args.folder} (account {account.account_id or '?'}, "
          f"{len(account.regions)} region(s); {len(failed)} call(s) failed, see errors.json)")  # fmt: skip
    if "account" in account.faults:
        return fail(account.faults["account"])
    return EXIT_MATCH
