"""``cwfilter check`` and ``cwfilter match``: one pattern against lines of text."""

from __future__ import annotations

import argparse
import sys
from typing import Any, BinaryIO

import orjson

from ..pattern import FilterPattern, PatternError, compile
from ..pattern.errors import GENERIC_MESSAGES
from .console import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, compile_or_report, numbered_lines
from .output import add_output_options, emit


def add_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="validate a pattern; print its family and canonical text")
    check.add_argument("pattern", metavar="PATTERN")
    check.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")
    check.add_argument(
        "--api",
        choices=sorted(GENERIC_MESSAGES),
        default="PutMetricFilter",
        help="word errors as this API does (spec §11.3; default: PutMetricFilter, 'Invalid metric filter pattern')",
    )

    match = sub.add_parser(
        "match",
        help="print the lines (log event messages) a pattern matches; exit 1 when none does, like grep",
    )
    match.add_argument("pattern", metavar="PATTERN")
    match.add_argument("file", metavar="FILE", nargs="?", default="-", help="text or JSON-lines file; - for stdin")
    match.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")
    match.add_argument("-c", "--count", action="store_true", help="print only the number of matching lines")
    match.add_argument(
        "--json-prefix-scan",
        action="store_true",
        help="JSON patterns also read an object after a text prefix (Lambda `... INFO {...}` lines); "
        "AWS's behaviour there is unresolved, so this is off by default",
    )
    match.add_argument(
        "--extract",
        action="store_true",
        help="print each match as JSON with its line number and extracted values",
    )
    add_output_options(check, ("table", "json", "text"), "table")
    check.set_defaults(handler=check_command)
    match.set_defaults(handler=match_command)


def check_command(args: argparse.Namespace) -> int:
    """Validate a pattern: its family and canonical text, or AWS's error with a caret (exit 2).
    With ``--output json`` the verdict is a JSON document on standard output either way."""
    if args.output == "table":
        checked = compile_or_report(args.pattern, args.strict, api=args.api)
        if checked is None:
            return EXIT_ERROR
        shown: FilterPattern = checked
        return emit(args, {}, table=lambda: f"family: {shown.family}\ncanonical: {shown}\n")
    try:
        pattern = compile(args.pattern, strict=args.strict, api=args.api)
    except PatternError as exc:
        error = {"message": exc.message, "detail": exc.detail, "offset": exc.offset, "code": exc.code,
                 "exception": exc.aws_exception}  # fmt: skip
        status = emit(args, {"valid": False, "pattern": args.pattern, "error": error})
        return status if status != EXIT_MATCH else EXIT_ERROR
    warnings = [{"message": w.message, "offset": w.offset} for w in pattern.warnings]
    return emit(args, {"valid": True, "pattern": args.pattern, "family": pattern.family,
                       "canonical": str(pattern), "warnings": warnings})  # fmt: skip


def match_command(args: argparse.Namespace) -> int:
    pattern = compile_or_report(args.pattern, args.strict, args.json_prefix_scan, api="FilterLogEvents")
    if pattern is None:
        return EXIT_ERROR
    try:
        stream: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"cwfilter: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    out = sys.stdout.buffer
    matched = 0
    with stream:
        for number, line in numbered_lines(stream):
            if args.extract:
                values = pattern.extract(line)
                if values is None:
                    continue
                matched += 1
                record = {"line": number, "message": line.decode("utf-8", "replace"), "extractedValues": values}
                out.write(orjson.dumps(record) + b"\n")
            elif pattern.matches(line):
                matched += 1
                if not args.count:
                    out.write(line + b"\n")
    if args.count:
        out.write(f"{matched}\n".encode())
    out.flush()
    return EXIT_MATCH if matched else EXIT_NO_MATCH
