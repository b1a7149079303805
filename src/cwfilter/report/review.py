"""The results of ``cwfilter lint``, ``compare`` and ``explain``: presentation of the analysis
(``cwfilter.analysis``) and of ``FilterPattern.explain``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..analysis import LintFinding, PatternComparison
from ..pattern.explain import Clause, Explanation
from .base import Report

_WINDOW = 50  # characters shown either side of a finding's span in a long pattern


class LintReport(Report):
    """Lint's findings: each with a code, a severity, the span (a caret) and a fix."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")

    def __init__(self, pattern: str, findings: list[LintFinding], status: int) -> None:
        self.pattern, self.findings, self.status = pattern, findings, status

    def data(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "exitStatus": self.status, "findings": [f.to_json() for f in self.findings]}

    def rows(self) -> list[Sequence[Any]]:
        found = [f.to_json() for f in self.findings]
        header = list(dict.fromkeys(k for f in found for k in f)) or ["severity", "code", "message"]
        return [header, *([f.get(k) for k in header] for f in found)]

    def table(self) -> str:
        lines = []
        for f in self.findings:
            lines.append(f"{f.severity}[{f.code}]: {f.message}")
            if f.end > f.start:
                lines.append(_window(f))
            if f.fix:
                lines.append(f"  fix: {f.fix}")
        counts = {s: sum(f.severity == s for f in self.findings) for s in ("error", "warning", "note")}
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


class ComparisonReport(Report):
    """Two patterns compared: the verdict, its proof, examples matched by one side only, and
    the inputs of ``--events`` that could not be read (``problems``)."""

    def __init__(self, result: PatternComparison, problems: list[str]) -> None:
        self.result, self.problems = result, problems

    def data(self) -> dict[str, Any]:
        return {**self.result.to_json(), "problems": self.problems}

    def table(self) -> str:
        result = self.result
        lines = [f"{result.verdict}: {result.proof}"]
        for title, examples in (("matched by OLD only", result.only_old), ("matched by NEW only", result.only_new)):
            if examples:
                lines.append(f"{title}:")
                for e in examples:
                    lines.extend((f"  {e.message}", f"    ({e.origin})"))
        lines.append(f"{result.events_checked} events checked")
        if result.verdict == "no difference found":
            lines.append("cannot decide: neither proven equivalent nor shown different")
        return "\n".join(lines) + "\n"


class ExplanationReport(Report):
    """Why a message does (not) match: the fields read and the evaluation tree."""

    def __init__(self, explanation: Explanation) -> None:
        self.explanation = explanation

    def data(self) -> dict[str, Any]:
        return self.explanation.to_json()

    def table(self) -> str:
        e = self.explanation
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
