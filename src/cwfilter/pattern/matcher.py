"""AST → fast predicate.

Each pattern becomes generated Python source, compiled once: terms become chains of
``in`` tests (on ``bytes`` too, without decoding), JSON expressions one boolean
expression over the parsed object with per-selector getters, OR-chains of exact
string comparisons on one selector a single set-membership test, and space-delimited
patterns a regex tokenizer plus per-slot tests. Nothing walks the AST per event.
The semantics are those of ``reference.py``; tests hold the two in agreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ast
from .glob import glob_test
from .jsoncode import compile_json
from .message import Message, as_bytes, as_text
from .namespace import Namespace
from .regex import compile_search
from .values import is_number, numeric_test


@dataclass(frozen=True, slots=True)
class Matcher:
    """Compiled functions of one pattern."""

    matches: Callable[[Message], bool]
    extract: Callable[[Message], dict[str, str] | None]
    source: str  # the generated Python source, for inspection and debugging
    match_object: Callable[[dict[str, Any]], bool] | None = None  # JSON patterns: test a parsed message
    # JSON patterns: ``matches`` without the raw-text pre-filter (the twin the tests compare it with),
    # and the pre-filter's clauses: a message must contain one needle of every clause to match.
    matches_unfiltered: Callable[[Message], bool] | None = None
    prefilter: tuple[tuple[str, ...], ...] = ()


def compile_pattern(pattern: ast.Pattern, *, json_prefix_scan: bool = False) -> Matcher:
    """Compile an AST into a ``Matcher``. ``json_prefix_scan``: JSON patterns also read an
    object that follows a text prefix (``message.object_after_prefix``)."""
    if isinstance(pattern, ast.MatchAll):
        return Matcher(lambda m: True, lambda m: {}, "True")
    if isinstance(pattern, ast.TermsPattern):
        return _compile_terms(pattern)
    if isinstance(pattern, ast.RegexPattern):
        return _compile_regex(pattern)
    if isinstance(pattern, ast.JsonPattern):
        return _compile_json(pattern, json_prefix_scan)
    assert isinstance(pattern, ast.SpacePattern)
    return _compile_space(pattern)


# ------------------------------------------------------------------ terms and regex


def _compile_terms(pattern: ast.TermsPattern) -> Matcher:
    required = [t.text for t in pattern.terms if t.kind == "required"]
    excluded = [t.text for t in pattern.terms if t.kind == "excluded"]
    optional = [t.text for t in pattern.terms if t.kind == "optional"]

    def expression(encode: Callable[[str], Any]) -> str:
        if optional and not required and not excluded:
            return " or ".join(f"{encode(t)!r} in m" for t in optional)
        parts = [f"{encode(t)!r} in m" for t in required]
        parts += [f"{encode(t)!r} not in m" for t in excluded]
        return " and ".join(parts)

    text_expr = expression(str)
    bytes_expr = expression(lambda t: t.encode("utf-8"))
    source = (
        f"def match_str(m):\n    return {text_expr}\n"
        f"def match_bytes(m):\n    return {bytes_expr}\n"
        "def matches(m):\n"
        "    if type(m) is str:\n        return match_str(m)\n"
        "    return match_bytes(_as_bytes(m))\n"
    )
    ns = Namespace()
    ns.names["_as_bytes"] = as_bytes
    matches = ns.define(source, "matches")
    return Matcher(matches, lambda m: {} if matches(m) else None, source)


def _compile_regex(pattern: ast.RegexPattern) -> Matcher:
    search = compile_search(pattern.regex.source).search

    def matches(m: Message) -> bool:
        return search(m if type(m) is str else as_text(m))

    return Matcher(matches, lambda m: {} if matches(m) else None, f"re2.search({pattern.regex.source!r})")


def _compile_json(pattern: ast.JsonPattern, prefix_scan: bool) -> Matcher:
    f = compile_json(pattern, prefix_scan)
    matches = f.matches
    return Matcher(
        matches, lambda m: {} if matches(m) else None, f.source, f.match_doc, f.matches_unfiltered, f.prefilter
    )


# ------------------------------------------------------------------ space-delimited

_FIELD_RE = re.compile(r'"([^"]*)"?|\[([^\]]*)\]?|([^ \t\r\n"\[][^ \t\r\n]*)')
_SEPARATORS = " \t\r\n"


def split_fields(text: str) -> list[str]:
    """§5.2/§11.2 tokenizer (regex form of ``reference.split_fields``): spaces, tabs, CR and LF separate."""
    return [m.group(m.lastindex) for m in _FIELD_RE.finditer(text)]  # type: ignore[arg-type]


def _fields_for_slots(text: str, slots: int) -> list[str] | None:
    """The fields of ``text`` for a pattern of ``slots`` slots and no ellipsis (§11.2): None when
    there are fewer fields; with more, the last slot's field is the rest of the message (raw,
    trailing separators removed)."""
    found = list(_FIELD_RE.finditer(text))
    if len(found) < slots:
        return None
    if len(found) == slots:
        return [m.group(m.lastindex) for m in found]  # type: ignore[arg-type]
    head = [m.group(m.lastindex) for m in found[: slots - 1]]  # type: ignore[arg-type]
    return [*head, text[found[slots - 1].start() :].rstrip(_SEPARATORS)]


def _field_test(expr: ast.FieldExpr) -> Callable[[str], bool]:
    if isinstance(expr, ast.FieldAnd):
        tests = [_field_test(e) for e in expr.items]
        return lambda f: all(t(f) for t in tests)
    if isinstance(expr, ast.FieldOr):
        tests = [_field_test(e) for e in expr.items]
        return lambda f: any(t(f) for t in tests)
    op, value = expr.op, expr.value
    want = op == "="
    if isinstance(value, ast.NumberValue):
        numeric = numeric_test(op, value.value)
        text = value.text
        if op in ("=", "!="):
            return lambda f: numeric(float(f)) if is_number(f) else (f == text) is want
        return lambda f: is_number(f) and numeric(float(f))
    if isinstance(value, ast.StringValue):
        glob = glob_test(value.text)
        return lambda f: glob(f) is want
    search = compile_search(value.source).search
    return lambda f: search(f) is want


def _compile_space(pattern: ast.SpacePattern) -> Matcher:
    slots = pattern.slots
    if not slots:

        def extract_all(m: Message) -> dict[str, str]:
            return {f"${i}": f for i, f in enumerate(split_fields(as_text(m)), 1)}

        return Matcher(lambda m: True, extract_all, "True")

    ellipsis_at = next((i for i, s in enumerate(slots) if isinstance(s, ast.Ellipsis_)), None)
    fixed = len(slots) - (1 if ellipsis_at is not None else 0)
    # For each non-ellipsis slot: (slot index, key or None for positional, test or None).
    plan: list[tuple[int, str | None, Callable[[str], bool] | None]] = []
    for i, slot in enumerate(slots):
        if isinstance(slot, ast.Field):
            key = f"${slot.name}" if slot.name else None
            plan.append((i, key, _field_test(slot.condition) if slot.condition is not None else None))
    tested = [(i, t) for i, _, t in plan if t is not None]

    def position(slot_index: int, absorbed: int) -> int:
        if ellipsis_at is None or slot_index < ellipsis_at:
            return slot_index
        return slot_index - 1 + absorbed

    def fields_if_match(m: Message) -> tuple[list[str], int] | None:
        text = m if type(m) is str else as_text(m)
        if ellipsis_at is None:
            found = _fields_for_slots(text, fixed)
            if found is None:
                return None
            fields, absorbed = found, 0
        else:
            fields = split_fields(text)
            absorbed = len(fields) - fixed
            if absorbed < 0:
                return None
        for i, test in tested:
            if not test(fields[position(i, absorbed)]):
                return None
        return fields, absorbed

    def matches(m: Message) -> bool:
        return fields_if_match(m) is not None

    def extract(m: Message) -> dict[str, str] | None:
        found = fields_if_match(m)
        if found is None:
            return None
        fields, absorbed = found
        keys: list[str | None] = [None] * len(fields)
        for i, key, _ in plan:
            keys[position(i, absorbed)] = key
        return {k if k else f"${p}": f for p, (k, f) in enumerate(zip(keys, fields), 1)}

    return Matcher(matches, extract, f"space-delimited: {len(slots)} slots, ellipsis at {ellipsis_at}")
