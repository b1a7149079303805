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

EXIT_MEANINGS = {
    EXIT_OK: "success: matched, clean, no FAIL, every input read",
    EXIT_FOUND: 'the answer is "no" or "look": no match, a FAIL, a difference, a plan to apply',
    EXIT_PARTIAL: "replay: a result, but some inputs failed or were read only in part",
}
_ALWAYS = {EXIT_ERROR: "usage or input error (the message names the cause)", EXIT_INTERRUPTED: "interrupted"}
OUTPUT_FORMATS = ("table", "json", "text", "csv")  # and what a command adds (sarif, lines, html, ...)


class Formatter(argparse.HelpFormatter):
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
        name, help=help, description=description, epilog=exit_codes(exits), formatter_class=Formatter
    )
    return parser


def _format_type(allowed: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value in allowed:
            return value
        hint = " (to write to a file, use -o/--outfile FILE)" if value not in OUTPUT_FORMATS else ""
        raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(allowed)}{hint}")

    return parse


MAX_QUERY = 10_000  # characters of a --query expression (JMESPath's parser recurses on nesting and pipes)


def _query_type(value: str) -> str:
    import jmespath  # imported only for --query: not on every start of the command
    from jmespath.exceptions import JMESPathError

    if len(value) > MAX_QUERY:
        raise argparse.ArgumentTypeError(f"a JMESPath expression of {len(value):,} characters: at most {MAX_QUERY:,}")
    try:
        jmespath.compile(value)
    except JMESPathError as exc:
        raise argparse.ArgumentTypeError(f"invalid JMESPath expression {value!r}: {exc}") from None
    except RecursionError:
        raise argparse.ArgumentTypeError("the JMESPath expression is nested too deeply to read") from None
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


class InputError(Exception):
    """An input file the readers would misread (compressed, empty), named with what to do."""


_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"PK\x03\x04": "zip", b"\xfd7zXZ": "xz", b"\x28\xb5\x2f\xfd": "zstd"}


def plain_text_file(option: str, path: str) -> None:
    """Refuse a configuration file (template, filter, alarm, request) that is compressed or
    empty, naming it and the option (the readers would say "'utf-8' codec can't decode byte
    0x8b" or "no Resources section"). A file that cannot be opened is left to the reader."""
    from ..sources.bounded import open_regular

    try:
        with open_regular(path) as f:  # a FIFO or a device: the reader says so
            head = f.read(8)
    except OSError:
        return
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"{option} {path}: a {kind}-compressed file; decompress it first")
    if not head.strip():
        raise InputError(f"{option} {path}: the file is empty")


# Arguments that name files or hold log text or a pattern: an undecodable byte there is kept (a
# file name) or reported where it is read (a pattern's caret, U+FFFD in a message). Every other
# text argument (names, ARNs, units, regions, expressions) must be UTF-8, as AWS requires.
_BYTES_KEPT = frozenset({
    "paths", "files", "folder", "template", "snapshot", "metric_filter", "alarm", "matches", "outfile",
    "notifications_dir", "notifications_jsonl", "messages_file", "events", "pattern", "filter_pattern", "old",
    "new", "message", "log_event_messages", "cli_input_json",
})  # fmt: skip


def _texts(value: Any) -> list[str]:
    return (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def check_arguments(args: argparse.Namespace) -> str | None:
    """What no option's own type can see, as a usage error: text that is not UTF-8 (a lone
    surrogate from an undecodable byte), and ``-o`` naming one of the command's inputs (it
    would be replaced). ``-o -`` is standard output."""
    if getattr(args, "outfile", None) == "-":
        args.outfile = None
    for dest, value in vars(args).items():
        for text in _texts(value) if dest not in _BYTES_KEPT else ():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                byte = os.fsencode(text[exc.start])[0]
                return f"argument --{dest.replace('_', '-')}: byte 0x{byte:02x} is not valid UTF-8 text"
    outfile = getattr(args, "outfile", None)
    if outfile is None or not os.path.exists(outfile):
        return None
    for dest, value in vars(args).items():
        for text in _texts(value) if dest != "outfile" else ():
            try:
                same = os.path.samefile(outfile, text.removeprefix("file://"))
            except (OSError, ValueError):
                continue
            if same:
                return f"-o {outfile} is also an input of this command ({text}): write the output to another file"
    return None


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
    if outfile is None or outfile == "-":
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
