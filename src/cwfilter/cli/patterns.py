"""``cwfilter check`` and ``cwfilter match``: one pattern against log events: lines of text,
or the records of CloudTrail files (``.json.gz``, ``{"Records": [...]}``) read as replay reads them."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, BinaryIO

import orjson

from ..pattern import FilterPattern, PatternError, compile
from ..pattern.errors import GENERIC_MESSAGES
from ..pattern.message import as_bytes
from ..report.patterns import CheckReport, MatchReport
from ..sources import lenient
from ..sources.bounded import bounded_lines, open_regular, too_long_line
from .common import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, add_command, add_output_options, emit
from .console import compile_or_report


def add_commands(sub: Any) -> None:
    check = add_command(
        sub, "check", help="validate a pattern; print its family and canonical text",
        description="Validate a pattern: its family and canonical text, or AWS's error with a caret.",
        exits={0: "the pattern is valid", 2: "it is not (AWS's message and a caret), or bad usage"},
    )  # fmt: skip
    check.add_argument("pattern", metavar="PATTERN")
    check.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")
    check.add_argument(
        "--api",
        choices=sorted(GENERIC_MESSAGES),
        default="PutMetricFilter",
        help="word errors as this API does (spec §11.3; default: PutMetricFilter, 'Invalid metric filter pattern')",
    )
    match = add_command(
        sub, "match", help="print the log events a pattern matches; exit 1 when none does, like grep",
        description="Print the log events PATTERN matches. Text and JSON-lines files are read line by line and "
        'matching lines printed as they are; CloudTrail files (.json.gz, {"Records": [...]} documents, CloudWatch '
        "Logs exports and payloads), directories and s3:// prefixes are read as replay reads them and each matching "
        "record is printed as one line of JSON. --output json/table/text/csv gives the matches as data (the file, "
        "line or record number and message of each), as FilterLogEvents lists events.",
        exits={0: "something matched", 1: "nothing matched",
               2: "an error: an invalid pattern, or an input that could not be read (reported; the others are still "
               "read)"},
    )  # fmt: skip
    match.add_argument("pattern", metavar="PATTERN")
    match.add_argument("files", metavar="FILE", nargs="*", default=["-"],
                       help="files, directories, s3:// prefixes; - (the default) for standard input")  # fmt: skip
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
        help="with each match its line number and extracted values (as JSON lines in the default output)",
    )
    add_output_options(check, CheckReport.formats, "table")
    add_output_options(match, MatchReport.formats, "lines")
    check.set_defaults(handler=check_command)
    match.set_defaults(handler=match_command)


def check_command(args: argparse.Namespace) -> int:
    """Validate a pattern: its family and canonical text, or AWS's error with a caret (exit 2).
    With ``--output json`` the verdict is a JSON document on standard output either way."""
    if args.output == "table" and args.query is None:
        checked = compile_or_report(args.pattern, args.strict, api=args.api)
        if checked is None:
            return EXIT_ERROR
        return emit(args, CheckReport({"valid": True, "family": checked.family, "canonical": str(checked)}))
    try:
        pattern = compile(args.pattern, strict=args.strict, api=args.api)
    except PatternError as exc:
        error = {"message": exc.message, "detail": exc.detail, "offset": exc.offset, "code": exc.code,
                 "exception": exc.aws_exception}  # fmt: skip
        emit(args, CheckReport({"valid": False, "pattern": args.pattern, "error": error}))
        return EXIT_ERROR
    warnings = [{"message": w.message, "offset": w.offset} for w in pattern.warnings]
    return emit(args, CheckReport({"valid": True, "pattern": args.pattern, "family": pattern.family,
                                   "canonical": str(pattern), "warnings": warnings}))  # fmt: skip


def match_command(args: argparse.Namespace) -> int:
    pattern = compile_or_report(args.pattern, args.strict, args.json_prefix_scan, api="FilterLogEvents")
    if pattern is None:
        return EXIT_ERROR
    streaming = args.output == "lines" and args.query is None and args.outfile is None
    tally = _Tally(sys.stdout.buffer if streaming else None, pattern, args.extract, args.count)
    for name in args.files:
        if _reads_records(name):
            _match_records(name, tally)
        else:
            _match_lines(name, tally, named=len(args.files) > 1)
    if streaming:
        if args.count:
            tally.out.write(f"{tally.matched}\n".encode())  # type: ignore[union-attr]
        tally.out.flush()  # type: ignore[union-attr]
    elif emit(args, MatchReport(tally.events, tally.matched, count_only=args.count)):
        return EXIT_ERROR
    if tally.errors:
        return EXIT_ERROR
    return EXIT_MATCH if tally.matched else EXIT_NO_MATCH


class _Tally:
    """Where matches go (streamed to ``out``, else kept in ``events``) and how many there
    were (and whether an input failed)."""

    def __init__(self, out: BinaryIO | None, pattern: FilterPattern, extract: bool, count: bool) -> None:
        self.out, self.pattern, self.extract, self.count = out, pattern, extract, count
        self.matched = 0
        self.errors = 0
        self.events: list[dict[str, Any]] = []

    def error(self, message: str) -> None:
        self.errors += 1
        print(f"cwfilter: {message}", file=sys.stderr)

    def event(self, message: Any, shown: bytes, where: dict[str, Any]) -> None:
        """Test one log event; ``shown`` is what a match prints, ``where`` locates it."""
        values = None
        if self.extract:
            values = self.pattern.extract(message)
            if values is None:
                return
        elif not self.pattern.matches(message):
            return
        self.matched += 1
        if self.count:
            return
        entry = {**where, "message": shown.decode("utf-8", "replace")}
        if values is not None:
            entry["extractedValues"] = values
        if self.out is None:
            self.events.append(entry)
        else:
            self.out.write(orjson.dumps(entry) + b"\n" if values is not None else shown + b"\n")


_GZIP_MAGIC = b"\x1f\x8b"


def _reads_records(name: str) -> bool:
    """Whether ``name`` holds records to read as replay does, rather than lines: directories,
    S3, gzip, and JSON documents (``{"Records": [...]}``, arrays, pretty-printed or CloudWatch
    Logs payloads). JSON lines and text stay lines, printed as they are."""
    if name.startswith("s3://") or os.path.isdir(name):
        return True
    try:
        if name == "-":
            head = sys.stdin.buffer.peek(1 << 16)[: 1 << 16]  # type: ignore[union-attr,attr-defined,unused-ignore]
        else:
            with open_regular(name) as f:
                head = f.read(1 << 16)
    except (OSError, AttributeError, ValueError):
        return False  # reported when read as lines
    if head.startswith(_GZIP_MAGIC):
        return True
    text = head.lstrip()
    if not text.startswith((b"{", b"[")):
        return False
    first = text.split(b"\n", 1)[0]
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:
        return True  # a document over several lines
    return isinstance(doc, list) or (isinstance(doc, dict) and ("Records" in doc or "logEvents" in doc))


def _match_lines(name: str, tally: _Tally, *, named: bool) -> None:
    try:
        stream: BinaryIO = sys.stdin.buffer if name == "-" else open_regular(name)
    except OSError as exc:
        tally.error(f"cannot read {name}: {exc.strerror or exc}")
        return
    with stream:
        for number, line in bounded_lines(stream):
            if line is None:
                tally.error(f"{name}: {too_long_line(number)}")
                continue
            tally.event(line, line, {"file": name, "line": number} if named else {"line": number})


def _match_records(name: str, tally: _Tally) -> None:
    from ..sources import Item, Problem, Skip, discover, read_items

    files, not_read = discover([name])
    for n in not_read:
        if n.kind.failed:
            tally.error(f"{n.source}: {n.reason}")
    for ref in files:
        for item in read_items(ref):
            if isinstance(item, Item):
                shown = lenient.dumps(item.record) if item.message is None else as_bytes(item.message)
                message = item.record if item.message is None else item.message
                tally.event(message, shown, {"file": ref.name, "record": item.index})
            elif isinstance(item, Problem):
                where = ref.name if item.index is None else f"{ref.name} record {item.index}"
                tally.error(f"{where}: {item.reason}")
            elif isinstance(item, Skip):
                print(f"cwfilter: {ref.name}: skipped ({item.reason})", file=sys.stderr)
