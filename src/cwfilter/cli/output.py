"""How a command hands its result to the user, with the AWS CLI's conventions: ``--output
json|table|text|csv``, ``--query`` (JMESPath, the library the AWS CLI uses) and ``-o/--outfile
FILE`` (written whole through a temporary file, so a failed run never leaves a half file)."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("json", "table", "text", "csv")


class OutputError(Exception):
    """The result cannot be rendered or written as asked (a bad query, an unwritable file)."""


def _format_type(allowed: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value in allowed:
            return value
        hint = " (to write to a file, use -o/--outfile FILE)" if value not in FORMATS else ""
        raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(allowed)}{hint}")

    return parse


def _query_type(value: str) -> str:
    try:
        import jmespath  # imported only for --query: not on every start of the command

        jmespath.compile(value)
    except _jmespath_error() as exc:
        raise argparse.ArgumentTypeError(f"invalid JMESPath expression {value!r}: {exc}") from None
    return value


def add_output_options(parser: argparse.ArgumentParser, formats: Sequence[str], default: str) -> None:
    """``--output`` (``--format`` kept as an alias), ``--query`` and ``-o/--outfile``."""
    kind = _format_type(formats)
    group = parser.add_argument_group("output (as the AWS CLI)")
    group.add_argument("--output", type=kind, default=default, metavar="{" + ",".join(formats) + "}",
                       help=f"output format (default: {default})")  # fmt: skip
    group.add_argument("--format", dest="output", type=kind, help=argparse.SUPPRESS)
    group.add_argument("--query", type=_query_type, metavar="JMESPATH",
                       help="a JMESPath expression applied to the JSON result (checked before any work starts)")  # fmt: skip
    group.add_argument("-o", "--outfile", metavar="FILE", help="write the output to FILE instead of standard output")


def render(
    doc: Any | Callable[[], Any],
    output: str,
    query: str | None,
    *,
    table: Callable[[], str] | None = None,
    csv: Callable[[], str] | None = None,
) -> str:
    """The text to print: ``doc`` (JSON-ready data) as JSON, or the command's own table/CSV.
    With ``--query`` the queried data is printed as JSON, or as tab-separated text for
    ``table``/``text`` (as ``aws ... --output text --query`` does). ``doc`` may be a function
    giving the data, called only when the data is printed."""
    if callable(doc) and (query is not None or output == "json" or (output == "csv" and csv is None)
                          or (output in ("table", "text") and table is None)):  # fmt: skip
        doc = doc()
    if query is not None:
        try:
            import jmespath

            doc = jmespath.search(query, doc)
        except _jmespath_error() as exc:
            raise OutputError(f"--query {query!r}: {exc}") from None
        if output == "csv":
            raise OutputError("--query goes with --output json, table or text")
        return _json(doc) if output == "json" else as_text(doc)
    if output == "json":
        return _json(doc)
    if output == "csv" and csv is not None:
        return csv()
    if output in ("table", "text") and table is not None:
        return table()
    return as_text(doc)


def _json(doc: Any) -> str:
    # The AWS CLI prints JSON with four-space indents and non-ASCII characters as they are.
    return json.dumps(doc, indent=4, ensure_ascii=False) + "\n"


def as_text(doc: Any) -> str:
    """AWS CLI ``text`` style: a scalar per line, a list of scalars or an object's values on one
    tab-separated line, a list of objects one line each."""
    lines: list[str] = []

    def scalar(v: Any) -> str:
        if v is None:
            return "None"
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return str(v)

    def walk(v: Any) -> None:
        if isinstance(v, list):
            if all(not isinstance(x, (dict, list)) for x in v):
                lines.append("\t".join(scalar(x) for x in v))
            else:
                for x in v:
                    walk(x)
        elif isinstance(v, dict):
            lines.append("\t".join(scalar(x) for x in v.values()))
        else:
            lines.append(scalar(v))

    walk(doc)
    return "\n".join(lines) + "\n"


def emit(
    args: argparse.Namespace,
    doc: Any | Callable[[], Any],
    *,
    table: Callable[[], str] | None = None,
    csv: Callable[[], str] | None = None,
) -> int:
    """Render ``doc`` as ``args`` ask (``--output``, ``--query``, ``--outfile``) and write it:
    exit status 0, or 2 after reporting an output error."""
    try:
        write(render(doc, args.output, args.query, table=table, csv=csv), args.outfile)
    except OutputError as exc:
        print(f"cwfilter: {exc}", file=sys.stderr)
        return 2
    return 0


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


def _jmespath_error() -> type[Exception]:
    from jmespath.exceptions import JMESPathError

    error: type[Exception] = JMESPathError
    return error
