"""How the command line talks to the user: error display (a pattern's caret), input lines."""

from __future__ import annotations

import os
import sys

from ..pattern import FilterPattern, PatternError, compile
from .common import EXIT_ERROR


class Reported(Exception):
    """An error already shown to the user."""


def compile_or_report(
    text: str, strict: bool, json_prefix_scan: bool = False, *, api: str = "PutMetricFilter"
) -> FilterPattern | None:
    """The compiled pattern, or ``None`` after showing the error with a caret, worded as
    ``api`` words it (§11.3); warnings shown too."""
    try:
        pattern = compile(text, strict=strict, json_prefix_scan=json_prefix_scan, api=api)
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


def fail(message: str) -> int:
    print(f"cwfilter: {message}", file=sys.stderr)
    return EXIT_ERROR


def argument_text(value: str) -> str:
    """A command-line argument read as a file's line is: an undecodable byte (which Python
    hands over as a lone surrogate) becomes U+FFFD."""
    return os.fsencode(value).decode("utf-8", "replace")
