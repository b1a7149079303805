"""AWS's filter-pattern regex dialect (spec §3.2) → Python ``re``.

AWS accepts a small character set (no parentheses, ASCII only) and a handful of
escapes. We validate against that set first, then hand the text to ``re`` with
``re.ASCII`` so ``\\d``, ``\\w`` and ``\\s`` mean what AWS documents. Without
groups, nested quantifiers cannot be written, so backtracking stays polynomial.
"""

from __future__ import annotations

import re

from .errors import E_REGEX_CHAR, E_SYNTAX, INVALID_FILTER_PATTERN, PatternError, invalid_characters

_LITERALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_SYMBOLS = frozenset(":_#=@/;,- ")
_OPERATORS = frozenset("^$?[]{}|\\*+.")
ALLOWED = _LITERALS | _SYMBOLS | _OPERATORS
_CLASS_ESCAPES = frozenset("dDsSwW")
_HEX = frozenset("0123456789abcdefABCDEF")


def translate(source: str, *, pattern: str, offset: int) -> re.Pattern[str]:
    """Validate ``source`` (the text between ``%`` delimiters, found at ``offset`` in
    ``pattern``) and compile it; raise ``PatternError`` as AWS would reject it."""
    if not source:
        raise PatternError(
            INVALID_FILTER_PATTERN, pattern=pattern, offset=offset, detail="empty regular expression"
        )
    i = 0
    while i < len(source):
        c = source[i]
        if c not in ALLOWED:
            shown = "?" if ord(c) > 127 else c
            raise PatternError(
                invalid_characters(shown),
                pattern=pattern,
                offset=offset + i,
                code=E_REGEX_CHAR,
                detail=f"{c!r} is not allowed in a regular expression",
            )
        if c == "\\":
            nxt = source[i + 1 : i + 2]
            if nxt in _CLASS_ESCAPES or (nxt and nxt in (_SYMBOLS | _OPERATORS) and nxt != " "):
                i += 2
                continue
            if nxt == "x" and len(source) >= i + 4 and set(source[i + 2 : i + 4]) <= _HEX:
                i += 4
                continue
            raise PatternError(
                INVALID_FILTER_PATTERN,
                pattern=pattern,
                offset=offset + i,
                code=E_REGEX_CHAR,
                detail=f"unsupported escape {source[i:i + 2]!r} (supported: \\d \\D \\s \\S \\w \\W \\xhh"
                " and escaped symbols)",
            )
        i += 1
    try:
        return re.compile(source, re.ASCII)
    except re.error as exc:
        pos = exc.pos if exc.pos is not None else 0
        raise PatternError(
            INVALID_FILTER_PATTERN, pattern=pattern, offset=offset + pos, code=E_SYNTAX, detail=exc.msg
        ) from None
