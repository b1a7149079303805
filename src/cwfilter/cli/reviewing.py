"""``cwfilter lint``, ``cwfilter compare`` and ``cwfilter explain``: presentation of the
analysis (``cwfilter.analysis``) and of ``FilterPattern.explain``; nothing is computed here."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..analysis import LintFinding, PatternComparison, compare, exit_status, lint
from ..analysis.comparison import events_from_files
from ..pattern.explain import Clause, Explanation
from ..rules import find_rule
from .console import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, compile_or_report, fail
from .output import add_output_options, emit

_WINDOW = 50  # characters shown either side of a finding's span in a long pattern


_EXIT = {
    "lint": "0 clean (notes only), 1 warnings, 2 invalid pattern or bad usage",
    "compare": "0 equivalent or no difference found, 1 different, 2 invalid pattern or bad usage",
    "explain": "0 match, 1 no match, 2 invalid pattern",
}
_ABOUT = {
    "lint": ("warn about pattern mistakes AWS accepts silently",
             "Warnings a reviewer would want, each with a code, the span and a fix where one exists."),
    "compare": ("do two patterns match the same events?",
                "A proof where the analysis reads both patterns, and examples of events matched by one pattern "
                "only, generated from both patterns and read from --events files."),
    "explain": ("why a message does (not) match a pattern: the evaluation tree",
                "The verdict and the evaluation tree: each clause with its selector, the value found in the "
                "message, the operator and its result; the clause that decided the outcome is marked."),
}  # fmt: skip


def add_commands(sub: Any) -> None:
    handlers = {"lint": lint_command, "compare": compare_command, "explain": explain_command}
    parsers = {}
    for name, handler in handlers.items():
        brief, about = _ABOUT[name]
        parsers[name] = p = sub.add_parser(name, help=f"{brief} (exit {_EXIT[name]})",
                                           description=f"{about} Exit status: {_EXIT[name]}.")  # fmt: skip
        p.set_defaults(handler=handler)
    parsers["lint"].add_argument("pattern", metavar="PATTERN")
    parsers["lint"].add_argument(
        "--rule", metavar="ID", help="also check the coverage of a catalogue rule (e.g. CWL-012)"
    )
    parsers["compare"].add_argument("old", metavar="OLD")
    parsers["compare"].add_argument("new", metavar="NEW")
    parsers["compare"].add_argument(
        "--events", metavar="PATH", nargs="+", default=[], help="log files or folders to try too"
    )
    parsers["explain"].add_argument("pattern", metavar="PATTERN")
    parsers["explain"].add_argument("message", metavar="MESSAGE", help="the log event message; - reads standard input")
    for p in parsers.values():
        add_output_options(p, ("table", "json", "text"), "table")


# ------------------------------------------------------------------ lint


def lint_command(args: argparse.Namespace) -> int:
    if args.rule:
        try:
            find_rule(args.rule)
        except KeyError as exc:
            return fail(str(exc.args[0]))
    findings = lint(args.pattern, args.rule)
    status = exit_status(findings)
    doc = {"pattern": args.pattern, "exit_status": status, "findings": [f.to_json() for f in findings]}
    return emit(args, doc, table=lambda: _lint_text(findings)) or status


def _lint_text(findings: list[LintFinding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.severity}[{f.code}]: {f.message}")
        if f.end > f.start:
            lines.append(_window(f))
        if f.fix:
            lines.append(f"  fix: {f.fix}")
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "note")}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    lines.append(summary or "no findings")
    return "\n".join(lines) + "\n"


def _window(f: LintFinding) -> str:
    """The finding's caret, cut to the span's neighbourhood when the pattern is long."""
    line, carets = f.caret.split("\n")
    if len(line) <= 2 * _WINDOW + 20:
        return f"  {line}\n  {carets}"
    lo, hi = max(0, f.start - _WINDOW), min(len(line), f.end + _WINDOW)
    head, tail = ("..." if lo else ""), ("..." if hi < len(line) else "")
    return f"  {head}{line[lo:hi]}{tail}\n  {' ' * len(head)}{carets[lo:hi].rstrip()}"


# ------------------------------------------------------------------ compare


def compare_command(args: argparse.Namespace) -> int:
    old = compile_or_report(args.old, False, api="FilterLogEvents")
    new = compile_or_report(args.new, False, api="FilterLogEvents") if old is not None else None
    if old is None or new is None:
        return EXIT_ERROR
    problems: list[str] = []
    result = compare(old, new, events_from_files(args.events, problems) if args.events else ())
    for problem in problems:
        print(f"cwfilter: {problem}", file=sys.stderr)
    status = EXIT_NO_MATCH if result.verdict == "different" else EXIT_MATCH
    return emit(args, {**result.to_json(), "problems": problems}, table=lambda: _comparison_text(result)) or status


def _comparison_text(result: PatternComparison) -> str:
    lines = [f"{result.verdict}: {result.proof}"]
    for title, examples in (("matched by OLD only", result.only_old), ("matched by NEW only", result.only_new)):
        if examples:
            lines.append(f"{title}:")
            for e in examples:
                lines.extend((f"  {e.message}", f"    ({e.origin})"))
    lines.append(f"{result.events_checked} events checked")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ explain


def explain_command(args: argparse.Namespace) -> int:
    pattern = compile_or_report(args.pattern, False, api="FilterLogEvents")
    if pattern is None:
        return EXIT_ERROR
    message = sys.stdin.read().rstrip("\r\n") if args.message == "-" else args.message
    explanation = pattern.explain(message)
    status = EXIT_MATCH if explanation.matched else EXIT_NO_MATCH
    return emit(args, explanation.to_json(), table=lambda: _explanation_text(explanation)) or status


def _explanation_text(e: Explanation) -> str:
    lines = [f"{'MATCH' if e.matched else 'NO MATCH'}  ({e.family} pattern)"]
    if e.fields:
        lines.append("fields:")
        width = max(len(s) for s, _ in e.fields)
        lines.extend(f"  {slot:<{width}}  {value!r}" for slot, value in e.fields)
    lines.extend(_tree_lines(e.tree, 0))
    return "\n".join(lines) + "\n"


def _tree_lines(c: Clause, depth: int) -> list[str]:
    pad = "  " * depth
    verdict = "true " if c.result else "false"
    if c.kind in ("and", "or", "terms", "slots", "json", "all"):
        head = {"and": "all of (&&)", "or": "any of (||)", "terms": "terms", "slots": "slots"}.get(c.kind, c.text)
        lines = [f"{pad}{verdict} {head}" + ("   <- decided here" if c.decisive else "")]
    else:
        found = "" if c.found is None else f"  {c.found}" if c.kind == "term" else f"  found: {c.found}"
        lines = [f"{pad}{verdict} {c.text}{found}" + ("   <- decided here" if c.decisive else "")]
    if c.note and c.note not in ("and", "or"):
        lines.append(f"{pad}      ({c.note})")
    for child in c.children:
        lines.extend(_tree_lines(child, depth + 1))
    return lines
