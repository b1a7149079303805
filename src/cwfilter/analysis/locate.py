"""Where each condition of a JSON pattern is in its text (the AST keeps meaning, not offsets).

The conditions are found by a small scanner that reads quoted strings and ``%regex%`` whole,
so a ``$.`` inside a value is never taken for a selector; the parser keeps conditions in
text order, so the n-th condition found is the n-th leaf of the AST.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..pattern import ast
from .normal_form import Atom, leaves

_TOKEN = re.compile(
    r"""(?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<regex>%[^%]*%)
      | (?P<selector>\$(?:\.[A-Za-z0-9_\-]+|\.\*|\[[0-9]+\]|\[\*\]|\.\['[^']*'\])+)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<keyword>IS\s+(?:NULL|TRUE|FALSE)|NOT\s+EXISTS)
      | (?P<bare>[^\s"(){}\[\],&|=!<>%]+)
      | (?P<other>\S)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Span:
    """Offsets (start inclusive, end exclusive) of a condition, its selector and its value."""

    start: int
    end: int
    selector: tuple[int, int]
    value: tuple[int, int] | None = None


def _scan(text: str) -> Iterator[Span]:
    tokens = [(m.lastgroup, m.start(), m.end()) for m in _TOKEN.finditer(text)]
    for i, (kind, start, end) in enumerate(tokens):
        if kind != "selector" or i + 1 >= len(tokens):
            continue
        nxt = tokens[i + 1]
        if nxt[0] == "keyword":
            yield Span(start, nxt[2], (start, end))
        elif nxt[0] == "op" and i + 2 < len(tokens) and tokens[i + 2][0] in ("quoted", "regex", "bare"):
            value = tokens[i + 2]
            yield Span(start, value[2], (start, end), (value[1], value[2]))


def atom_spans(text: str, pattern: ast.JsonPattern) -> dict[Atom, Span]:
    """The span of the first occurrence of each condition (empty when the scan disagrees with the parse)."""
    atoms = list(leaves(pattern.expr))
    spans = list(_scan(text))
    if len(atoms) != len(spans):
        return {}
    out: dict[Atom, Span] = {}
    for atom, span in zip(atoms, spans):
        out.setdefault(atom, span)
    return out
