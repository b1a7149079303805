"""String operands with ``*`` wildcards, matched as AWS matches them (spec §11.1).

A ``*`` anywhere in a string operand is a wildcard. AWS's glob does not backtrack: the
operand is cut at each ``*`` into pieces; the first piece must be a prefix of the value,
each following piece is taken at its *first* occurrence after the previous one, and the
last piece of an operand that does not end in ``*`` must then end exactly at the end of
the value. So ``"*111.111.111"`` does not match ``111.111.111.111`` (the first occurrence
ends early) while ``"*.111.111.111"`` does.

The compiled matchers use ``glob_test`` (a closure) or ``glob_source`` (an inline
expression for generated code); the reference interpreter has its own plain reading of
the rule, and the property tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable


def pieces_of(operand: str) -> tuple[str, ...]:
    """The operand cut at each ``*``: ``(first, middle..., last)``; empty middle pieces
    (from ``**``) are dropped because they can never fail."""
    parts = operand.split("*")
    if len(parts) <= 2:
        return tuple(parts)
    middle = [p for p in parts[1:-1] if p]
    return (parts[0], *middle, parts[-1])


def match_pieces(pieces: tuple[str, ...], value: str) -> bool:
    """Whether ``value`` matches an operand already cut by ``pieces_of`` (at least two pieces)."""
    first, last = pieces[0], pieces[-1]
    if not value.startswith(first):
        return False
    pos = len(first)
    for piece in pieces[1:-1]:
        found = value.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    if not last:
        return True
    found = value.find(last, pos)
    return found >= 0 and found + len(last) == len(value)


def _kind(pieces: tuple[str, ...]) -> str:
    """The cheapest equivalent test for an operand's pieces."""
    if len(pieces) == 1:
        return "equals"
    if not any(pieces):
        return "any"
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 2:
        if not last:
            return "prefix"
        if not first:
            return "suffix"
    if len(pieces) == 3 and not first and not last:
        return "contains"
    return "pieces"


def glob_test(operand: str) -> Callable[[str], bool]:
    """A test of one string against a string operand (``*`` wildcards, §11.1)."""
    pieces = pieces_of(operand)
    kind = _kind(pieces)
    if kind == "equals":
        return lambda s: s == operand
    if kind == "any":
        return lambda s: True
    if kind == "prefix":
        first = pieces[0]
        return lambda s: s.startswith(first)
    if kind == "suffix":
        last = pieces[1]
        # The first occurrence of the last piece must be the one at the end.
        return lambda s: s.endswith(last) and s.find(last) == len(s) - len(last)
    if kind == "contains":
        core = pieces[1]
        return lambda s: core in s
    return lambda s: match_pieces(pieces, s)


def glob_source(operand: str, v: str, bind: Callable[[object, str], str]) -> str:
    """``glob_test(operand)(v)`` as an inline expression on the string variable ``v``;
    ``bind`` names a constant for the generated code (the general case's pieces)."""
    pieces = pieces_of(operand)
    kind = _kind(pieces)
    if kind == "equals":
        return f"{v} == {operand!r}"
    if kind == "any":
        return "True"
    if kind == "prefix":
        return f"{v}.startswith({pieces[0]!r})"
    if kind == "suffix":
        last = pieces[1]
        return f"({v}.endswith({last!r}) and {v}.find({last!r}) == len({v}) - {len(last)})"
    if kind == "contains":
        return f"{pieces[1]!r} in {v}"
    return f"{bind(match_pieces, 'glob')}({bind(pieces, 'pieces')}, {v})"


def is_wildcard_only(operand: str) -> bool:
    """``*``, ``**``, ...: matches any scalar, and ``= *`` also matches ``null`` (§4.4)."""
    return operand != "" and set(operand) == {"*"}
