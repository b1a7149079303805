"""A lint finding: a code, a severity, a message, the offending span of the pattern and a fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class LintFinding:
    """One thing a reviewer would want to know about a pattern.

    ``start``/``end`` are 0-based offsets into ``pattern`` (``end`` exclusive; an empty span,
    ``end <= start``, is about the whole pattern); ``fix`` is a replacement suggestion (a
    corrected pattern or a value), or None."""

    code: str
    severity: Severity
    message: str
    start: int = 0
    end: int = 0
    fix: str | None = None
    pattern: str = field(default="", repr=False)

    @property
    def caret(self) -> str:
        """Two lines: the pattern on one line and carets under the span."""
        line = self.pattern.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        width = max(1, self.end - self.start)
        return f"{line}\n{' ' * self.start}{'^' * width}"

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {
            "code": self.code, "severity": self.severity, "message": self.message,
            "start": self.start, "end": self.end, "fix": self.fix,
        }  # fmt: skip


def exit_status(findings: list[LintFinding]) -> int:
    """0 clean (notes only), 1 warnings, 2 an invalid pattern."""
    if any(f.severity == "error" for f in findings):
        return 2
    return 1 if any(f.severity == "warning" for f in findings) else 0
