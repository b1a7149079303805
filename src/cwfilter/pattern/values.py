"""Tests of one value against an operand (§4.4, §5.3), shared by the compiled JSON and
space-delimited matchers."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from . import ast
from .glob import glob_test, is_wildcard_only
from .message import number_text
from .regex import compile_search

Predicate = Callable[[Any], bool]
# A string operand that no JSON number can print as: exact equality needs no number branch.
NUMBER_LIKE = re.compile(r"[-+0-9.eE]+|-?inf|nan")


def numeric_test(op: str, number: float) -> Callable[[float], bool]:
    """A comparison of one number with ``number``."""
    cmp = {
        "=": operator.eq,
        "!=": operator.ne,
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
    }[op]
    return lambda x: cmp(x, number)


def is_number(text: str) -> bool:
    """Whether a string is a number as the pattern language reads one."""
    return ast.NUMBER_RE.fullmatch(text) is not None


def json_value_test(op: str, value: ast.Value) -> Predicate:
    """A test of one resolved JSON node (or ``MISSING``) per §4.4."""
    if isinstance(value, ast.NumberValue):
        numeric = numeric_test(op, value.value)
        text = value.text
        if op in ("=", "!="):
            want = op == "="

            def number_eq(v: Any) -> bool:
                t = type(v)
                if t is str:
                    return (v == text) is want
                if t is int or t is float:
                    return numeric(v)
                return False

            return number_eq

        def number_order(v: Any) -> bool:
            t = type(v)
            if t is int or t is float:
                return numeric(v)
            if t is str and is_number(v):
                return numeric(float(v))
            return False

        return number_order

    if isinstance(value, ast.StringValue):
        subject_test = glob_test(value.text)
        null_ok = op == "=" and is_wildcard_only(value.text)
    else:
        subject_test = compile_search(value.source).search
        null_ok = False
    want = op == "="

    def string_test(v: Any) -> bool:
        t = type(v)
        if t is str:
            return bool(subject_test(v)) is want
        if t is int or t is float:
            return bool(subject_test(number_text(v))) is want
        return null_ok and v is None

    return string_test
