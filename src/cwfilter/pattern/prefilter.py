"""The raw-text pre-filter of JSON patterns: string values every matching message must
contain, tested as substrings before a message is parsed."""

from __future__ import annotations

from . import ast
from .namespace import Namespace
from .values import NUMBER_LIKE

# Substring search is not free: each needle scans the message, and nine needles over a 1 KB
# record cost about what orjson needs to parse it (measured: benchmarks/README.md). So the
# pre-filter uses one clause of at most three needles, where a rejection saves most of a parse.
_MAX_PREFILTER_CLAUSES = 1
_MAX_PREFILTER_NEEDLES = 3


def prefilter_clauses(expr: ast.JsonExpr) -> list[frozenset[str]]:
    """String values every matching message must contain, as clauses (all required) of
    alternatives (one required): ``$.a = "x"`` requires the JSON string ``"x"``; ``&&``
    requires the clauses of every side; ``||`` requires one clause of each branch, so a
    branch without one (``!=``, ``NOT EXISTS``, numbers, wildcards in the value, regexes,
    ``IS`` checks) leaves the whole ``||`` without. Only exact string values qualify:
    never ``"key":"value"`` pairs (spacing varies), never number-like text (a string
    operand matches a JSON number's text, which is not quoted)."""
    if isinstance(expr, ast.Comparison):
        v = expr.value
        if (
            expr.op == "="
            and isinstance(v, ast.StringValue)
            and "*" not in v.text
            and not NUMBER_LIKE.fullmatch(v.text)
        ):
            return [frozenset({v.text})]
        return []
    if isinstance(expr, ast.And):
        out: list[frozenset[str]] = []
        for item in expr.items:
            out.extend(c for c in prefilter_clauses(item) if c not in out)
        out = [c for c in out if len(c) <= _MAX_PREFILTER_NEEDLES]
        return sorted(out, key=lambda c: (len(c), -min(map(len, c))))[:_MAX_PREFILTER_CLAUSES]
    if isinstance(expr, ast.Or):
        union: set[str] = set()
        for item in expr.items:
            clauses = prefilter_clauses(item)
            if not clauses:
                return []
            union |= min(clauses, key=len)
        return [frozenset(union)] if len(union) <= _MAX_PREFILTER_NEEDLES else []
    return []


# Characters JSON may escape other than by ``\uXXXX``: a needle free of them is written
# literally whenever the message holds no ``\u`` escape.
_SHORT_ESCAPED = frozenset('"\\/') | frozenset(chr(i) for i in range(32))


def prefilter_source(clauses: list[frozenset[str]], ns: Namespace) -> str:
    """``matches`` with a raw-text pre-filter: False without parsing when a clause has no
    needle in the message. A message with a backslash may spell a needle with escapes, so
    then only needles JSON cannot escape except by ``\\u`` are used, and with a ``\\u``
    escape none: the message is parsed."""

    def test(kind: type, only_plain: bool) -> str:
        parts = []
        for clause in clauses:
            if only_plain and any(_SHORT_ESCAPED & set(n) for n in clause):
                continue
            needles = sorted(clause, key=len, reverse=True)
            encoded = [(f'"{n}"'.encode() if kind is bytes else f'"{n}"') for n in needles]
            parts.append("(" + " or ".join(f"{ns.bind(e, 'needle')} in m" for e in encoded) + ")")
        return " and ".join(parts) or "True"

    return (
        "def matches(m):\n"
        "    t = type(m)\n"
        "    if t is bytes:\n"
        "        if b'\\\\' not in m:\n"
        f"            if not ({test(bytes, False)}): return False\n"
        "        elif b'\\\\u' not in m:\n"
        f"            if not ({test(bytes, True)}): return False\n"
        "    elif t is str:\n"
        "        if '\\\\' not in m:\n"
        f"            if not ({test(str, False)}): return False\n"
        "        elif '\\\\u' not in m:\n"
        f"            if not ({test(str, True)}): return False\n"
        "    return matches_unfiltered(m)\n"
    )
