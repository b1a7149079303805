"""The ``cwfilter`` command: argument parsing and presentation only; the library computes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..version import __version__
from . import auditing, patterns, remediating, replaying, reviewing, rules, testing
from .console import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH

__all__ = ["EXIT_ERROR", "EXIT_MATCH", "EXIT_NO_MATCH", "main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwfilter", description="Amazon CloudWatch Logs filter patterns, evaluated offline as AWS does."
    )
    parser.add_argument("--version", action="version", version=f"cwfilter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (patterns, testing, replaying, rules, reviewing, auditing, remediating):
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cwfilter`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_MATCH


if __name__ == "__main__":
    sys.exit(main())
