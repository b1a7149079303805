"""The ``cwfilter`` command: argument parsing and presentation only; the library computes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from ..version import package_version
from .common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_MATCH,
    EXIT_MEANINGS,
    EXIT_NO_MATCH,
    Formatter,
    check_arguments,
    exit_codes,
)
from .redact import redacted_stderr

# The module that registers each command. Only the one asked for is imported (with what it
# needs): a command's start-up does not pay for every other command's dependencies.
COMMANDS = {
    "check": "patterns", "match": "patterns", "test": "testing", "replay": "replaying", "rules": "rules",
    "explain": "reviewing", "lint": "reviewing", "compare": "reviewing", "audit": "auditing", "snapshot": "auditing",
    "remediate": "remediating", "watch": "watching", "tune": "tuning",
}  # fmt: skip
_ORDER = ("patterns", "testing", "replaying", "tuning", "rules", "reviewing", "auditing", "remediating",
          "watching")  # fmt: skip

__all__ = ["EXIT_ERROR", "EXIT_MATCH", "EXIT_NO_MATCH", "main"]


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a command, only that command's module is loaded."""
    parser = argparse.ArgumentParser(
        prog="cwfilter", description="Amazon CloudWatch Logs filter patterns, evaluated offline as AWS does.",
        epilog=f"{exit_codes(EXIT_MEANINGS)}\nEach command's --help says what they mean for it; every command that "
        "prints a result takes --output, --query and -o/--outfile.",
        formatter_class=Formatter,
    )  # fmt: skip
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    args = sys.argv[1:] if argv is None else list(argv)
    chosen = COMMANDS.get(args[0]) if args else None
    for name in (chosen,) if chosen else _ORDER:
        import_module(f".{name}", __name__).add_commands(sub)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    chosen: argparse.ArgumentParser = sub.choices[command]
    return chosen


class _Version(argparse.Action):
    """``--version``, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(f"cwfilter {package_version()}\n")  # on standard output, as argparse's own
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cwfilter`` command; returns the exit status."""
    parser = _parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse would blame the top level: the command's own usage says what it takes
        _subparser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    problem = check_arguments(args)
    if problem:
        _subparser(parser, args.command).error(problem)
    try:
        with redacted_stderr():
            return int(args.handler(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_MATCH


if __name__ == "__main__":
    sys.exit(main())
