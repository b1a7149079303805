"""What every command shares: exit codes (defined here only), registration with the exit
codes in ``--help``, the AWS CLI's output options, validated numbers, and writing the result.

A command that prints a result (see ``cli/rules.py`` for a small one):

    def add_commands(sub):
        p = add_command(sub, "watch", help="...", description="...", exits={0: "...", 1: "..."})
        add_output_options(p, WatchReport.formats, default="table")     # --output, --query, -o
        p.add_argument("--period", type=integer(60, multiple=60), ...)   # the range in its error
        p.set_defaults(handler=watch_command)

    def watch_command(args):
        ...
        return emit(args, WatchReport(...)) or status                   # 2 if it cannot be written

``--output`` picks a method of the ``cwfilter.report.Report`` (``table``, ``json``, ``text``,
``csv``, or one the report adds), ``--query`` is JMESPath over ``Report.data()`` and
``-o/--outfile FILE`` writes the whole text through a temporary file. Exit status 2 (bad
arguments, unreadable input) and 130 (interrupted) are listed for every command."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from ..report import Report

EXIT_OK = 0  # success: matched, clean, no FAIL, everything read
EXIT_FOUND = 1  # the answer is "no" / "something to look at": no match, a FAIL, a difference, a plan
EXIT_ERROR = 2  # bad arguments or input, nothing could be evaluated
EXIT_PARTIAL = 3  # a result, but some inputs failed or were read only in part
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + the signal's number for others)
EXIT_MATCH, EXIT_NO_MATCH = EXIT_OK, EXIT_FOUND  # grep's words for 0 and 1

_ALWAYS = {EXIT_ERROR: "usage or input error (the message names the cause)", EXIT_INTERRUPTED: "interrupted"}
OUTPUT_FORMATS = ("table", "json", "text", "csv")  # and what a command adds (sarif, lines, html, ...)


class _Formatter(argparse.HelpFormatter):
    """Wraps each paragraph of a description, keeps the epilog's lines (the exit codes)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        lines = []
        for line in text.splitlines():
            body = " ".join(line.split())
            lead = indent + line[: len(line) - len(line.lstrip())]
            hang = lead + "    " if lead != indent else lead  # an indented line (an exit code) hangs
            lines.append(textwrap.fill(body, width, initial_indent=lead, subsequent_indent=hang) if body else "")
        return "\n".join(lines)


def exit_codes(exits: dict[int, str]) -> str:
    """The ``--help`` epilog: each exit status the command can end with, and its meaning."""
    codes = {**exits, **{k: v for k, v in _ALWAYS.items() if k not in exits}}
    return "exit status:\n" + "\n".join(f"  {code:<3} {codes[code]}" for code in sorted(codes))


def add_command(sub: Any, name: str, *, help: str, description: str, exits: dict[int, str]) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` ends with its exit codes (2 and 130 added)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=description, epilog=exit_codes(exits), formatter_class=_Formatter
    )
    return parser


def _format_type(allowed: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value in allowed:
            return value
        hint = " (to write to a file, use -o/--outfile FILE)" if value not in OUTPUT_FORMATS else ""
        raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(allowed)}{hint}")

    return parse


def _query_type(value: str) -> str:
    import jmespath  # imported only for --query: not on every start of the command
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(value)
    except JMESPathError as exc:
        raise argparse.ArgumentTypeError(f"invalid JMESPath expression {value!r}: {exc}") from None
    return value


def add_output_options(
    parser: argparse.ArgumentParser, formats: Sequence[str], default: str, *, format_alias: bool = True
) -> None:
    """``--output`` (``--format`` kept as a hidden alias unless ``format_alias`` is false),
    ``--query`` and ``-o/--outfile``."""
    kind = _format_type(formats)
    group = parser.add_argument_group("output (as the AWS CLI)")
    group.add_argument("--output", type=kind, default=default, metavar="{" + ",".join(formats) + "}",
                       help=f"output format (default: {default}); text is tab-separated")  # fmt: skip
    if format_alias:
        group.add_argument("--format", dest="output", type=kind, help=argparse.SUPPRESS)
    group.add_argument("--query", type=_query_type, metavar="JMESPATH",
                       help="a JMESPath expression applied to the JSON result (checked before any work starts)")  # fmt: skip
    group.add_argument("-o", "--outfile", metavar="FILE", help="write the output to FILE instead of standard output")


def integer(low: int, high: int | None = None, *, multiple: int | None = None) -> Callable[[str], int]:
    """An argument type: an integer from ``low`` (to ``high``; a multiple of ``multiple``),
    refused with a message naming the allowed range."""
    allowed = f"an integer from {low:,}" + (f" to {high:,}" if high is not None else " up")
    if multiple:
        allowed = f"a multiple of {multiple} from {low:,}" + (f" to {high:,}" if high is not None else " up")

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer; expected {allowed}") from None
        if value < low or (high is not None and value > high) or (multiple and value % multiple):
            raise argparse.ArgumentTypeError(f"{value} is out of range; expected {allowed}")
        return value

    return parse


_REGION = r"[a-z]{2}(-[a-z]+)+-\d{1,2}"


def region(text: str) -> str:
    """An argument type: an AWS Region name (``us-east-1``, ``us-gov-west-1``), refused with the
    expected form (an unknown name would be read as a region with nothing in it)."""
    import re

    if not re.fullmatch(_REGION, text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS Region name such as us-east-1 or eu-west-3")
    return text


def emit(args: argparse.Namespace, report: Report) -> int:
    """Render ``report`` as ``args`` ask (``--output``, ``--query``, ``--outfile``) and write it:
    exit status 0, or 2 after naming what could not be rendered or written."""
    from ..report import RenderError, render

    try:
        write(render(report, args.output, args.query), args.outfile)
    except (RenderError, OutputError) as exc:
        print(f"cwfilter: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


class OutputError(Exception):
    """The output cannot be written (an unwritable file)."""


def _file_mode(target: Path) -> int:
    """The mode ``open(target, "w")`` would give: the existing file's, else 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _regular_or_new(target: Path) -> bool:
    """Whether ``target`` is a regular file (through links) or does not exist yet."""
    try:
        return stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        return True


def write(text: str, outfile: str | None) -> None:
    """Print ``text``, or write it to ``outfile`` whole (a regular file: through a temporary
    file and a rename, so a failed run never leaves half a file; a device or FIFO such as
    ``/dev/null`` is written in place, never replaced)."""
    if outfile is None:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a lone surrogate from an undecodable argument or file name
            encoding = sys.stdout.encoding or "utf-8"
            sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()
        return
    import tempfile  # only with -o: start-up does not pay for these
    from pathlib import Path

    target = Path(outfile)
    try:
        if not _regular_or_new(target):  # /dev/null, a FIFO, a terminal: written in place, never replaced
            with open(target, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
            return
        target = target.resolve()  # through a symbolic link: the file it names is replaced, not the link
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
            os.chmod(tmp, _file_mode(target))  # mkstemp makes it 0600: give it what open() would
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {outfile}: {exc.strerror or exc}") from None
