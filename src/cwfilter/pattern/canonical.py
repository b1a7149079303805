"""AST → canonical pattern text.

The canonical form quotes every string that is not a plain word, writes one space
around operators, and uses parentheses only where precedence needs them, so
``parse(render(p)) == p`` for every AST and equivalent spellings render alike.
"""

from __future__ import annotations

import re

from . import ast

_WORD_RE = re.compile(r"[A-Za-z0-9_]+")
_NAME_RE = re.compile(r"[A-Za-z0-9_\-]+")


def render(pattern: ast.Pattern) -> str:
    """The canonical text of a pattern."""
    if isinstance(pattern, ast.MatchAll):
        return ""
    if isinstance(pattern, ast.TermsPattern):
        return " ".join(_term(t) for t in pattern.terms)
    if isinstance(pattern, ast.RegexPattern):
        return render_value(pattern.regex)
    if isinstance(pattern, ast.JsonPattern):
        return "{ " + _json(pattern.expr) + " }"
    if isinstance(pattern, ast.SpacePattern):
        return "[" + ", ".join(_slot(s) for s in pattern.slots) + "]"
    raise TypeError(f"not a pattern: {pattern!r}")


def quote(text: str) -> str:
    """A double-quoted string literal with ``"`` and ``\\`` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _term(term: ast.Term) -> str:
    prefix = {"required": "", "optional": "?", "excluded": "-"}[term.kind]
    body = term.text if _WORD_RE.fullmatch(term.text) else quote(term.text)
    return prefix + body


def render_value(value: ast.Value) -> str:
    if isinstance(value, ast.StringValue):
        return quote(value.text)
    if isinstance(value, ast.NumberValue):
        return value.text
    return "%" + value.source + "%"


def render_selector(selector: ast.Selector) -> str:
    """``$`` followed by the steps, e.g. ``$.a[0].*`` or ``$.['cluster.name']``."""
    parts = ["$"]
    for step in selector.steps:
        if isinstance(step, ast.Member):
            parts.append("." + step.name if _NAME_RE.fullmatch(step.name) else ".['" + step.name + "']")
        elif isinstance(step, ast.Index):
            parts.append(f"[{step.index}]")
        else:
            parts.append("[*]" if step.bracket else ".*")
    return "".join(parts)


def _json(expr: ast.JsonExpr) -> str:
    if isinstance(expr, ast.Comparison):
        return f"{render_selector(expr.selector)} {expr.op} {render_value(expr.value)}"
    if isinstance(expr, ast.Check):
        return f"{render_selector(expr.selector)} {expr.kind}"
    if isinstance(expr, ast.And):
        return " && ".join(f"({_json(i)})" if isinstance(i, ast.Or) else _json(i) for i in expr.items)
    return " || ".join(_json(i) for i in expr.items)


def _field(name: str, expr: ast.FieldExpr) -> str:
    if isinstance(expr, ast.FieldComparison):
        return f"{name} {expr.op} {render_value(expr.value)}"
    sep = " && " if isinstance(expr, ast.FieldAnd) else " || "
    return sep.join(_field(name, i) for i in expr.items)


def _slot(slot: ast.Slot) -> str:
    if isinstance(slot, ast.Ellipsis_):
        return "..."
    if slot.condition is not None:
        assert slot.name is not None
        return _field(slot.name, slot.condition)
    return slot.name or ""
