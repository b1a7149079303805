"""The ``cwfilter`` command: argument parsing and presentation only."""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO, Sequence

import orjson

from . import __version__
from .pattern import FilterPattern, PatternError, compile

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwfilter", description="Amazon CloudWatch Logs filter patterns, evaluated offline as AWS does."
    )
    parser.add_argument("--version", action="version", version=f"cwfilter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate a pattern; print its family and canonical text")
    check.add_argument("pattern", metavar="PATTERN")
    check.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")

    match = sub.add_parser(
        "match",
        help="print the lines (log event messages) a pattern matches; exit 1 when none does, like grep",
    )
    match.add_argument("pattern", metavar="PATTERN")
    match.add_argument("file", metavar="FILE", nargs="?", default="-", help="text or JSON-lines file; - for stdin")
    match.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")
    match.add_argument("-c", "--count", action="store_true", help="print only the number of matching lines")
    match.add_argument(
        "--extract",
        action="store_true",
        help="print each match as JSON with its line number and extracted values",
    )
    return parser


def _compile(text: str, strict: bool) -> FilterPattern | None:
    try:
        pattern = compile(text, strict=strict)
    except PatternError as exc:
        print(f"cwfilter: invalid filter pattern: {exc.message}", file=sys.stderr)
        if exc.detail:
            print(f"  {exc.detail}", file=sys.stderr)
        print(_indent(exc.caret), file=sys.stderr)
        return None
    for warning in pattern.warnings:
        print(f"cwfilter: {warning}", file=sys.stderr)
    return pattern


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _check(args: argparse.Namespace) -> int:
    pattern = _compile(args.pattern, args.strict)
    if pattern is None:
        return EXIT_ERROR
    print(f"family: {pattern.family}")
    print(f"canonical: {pattern}")
    return EXIT_MATCH


def _lines(stream: BinaryIO):  # type: ignore[no-untyped-def]
    for number, raw in enumerate(stream, 1):
        yield number, raw.rstrip(b"\r\n")


def _match(args: argparse.Namespace) -> int:
    pattern = _compile(args.pattern, args.strict)
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
        for number, line in _lines(stream):
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cwfilter`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"check": _check, "match": _match}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_MATCH


if __name__ == "__main__":
    sys.exit(main())
