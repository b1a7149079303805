"""Metric math expressions (alarms.md §12.2; CloudWatch User Guide, "Using metric math"), parsed
by ``grammar/metric_math.lark`` through the table-driven parser and evaluated over time series
that are lists of values or ``None`` (missing), oldest first, one per period.

Semantics, from the function table of the User Guide [DOC] unless marked:
arithmetic ``+ - * / ^`` and comparisons between two series treat a value missing in one of
them as 0 where the other has one; a series with a scalar keeps its gaps [INF]; division by zero
drops the point; ``AND``/``OR``/``&&``/``||`` on non-zero truth; ``FILL(x, value | series |
REPEAT | LINEAR)``; ``SUM``/``AVG``/``MIN``/``MAX`` of a series give a scalar over the points
retrieved, of an array a series (AVG counts a missing value as 0); ``ABS``, ``CEIL``, ``FLOOR``;
``IF(cond, a[, b])`` as the User Guide's tables; ``RATE`` and ``DIFF`` against the previous point
with a value; ``PERIOD(m)``; ``METRICS([text])``. Other functions are refused by name
(``E_UNSUPPORTED``)."""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..pattern.lalr import Parser, UnexpectedInput, UnexpectedToken, transform
from . import math_tables
from .model import AlarmValidationError

Series = list[float | None]
# A value: a scalar (float, or None when missing), a series (``Series``) or an array of series.
Value = Any
_PARSER = Parser(math_tables)
SUPPORTED = frozenset({"FILL", "SUM", "AVG", "MIN", "MAX", "ABS", "CEIL", "FLOOR", "IF", "RATE", "DIFF", "PERIOD",
                       "METRICS"})  # fmt: skip
KEYWORDS = frozenset({"REPEAT", "LINEAR"})


@dataclass(frozen=True)
class Expr:
    """A node: ``kind`` (number, id, call, keyword, array, string, neg, binary) and its parts."""

    kind: str
    value: Any = None
    args: tuple[Expr, ...] = ()


def expression_error(expression: str, detail: str) -> AlarmValidationError:
    """A math expression AWS would refuse [wording INF: AWS's exact text is not published]."""
    return AlarmValidationError(f"Invalid metrics list: error in expression '{expression}': {detail}")


class _Builder:
    """lark-style transformer: the parse tree of grammar/metric_math.lark → ``Expr`` nodes."""

    def expression(self, c: list[Any]) -> Expr:
        node: Expr = c[0]
        return node

    def number(self, c: list[Any]) -> Expr:
        return Expr("number", float(c[0]))

    def query_id(self, c: list[Any]) -> Expr:
        return Expr("id", str(c[0]))

    def keyword(self, c: list[Any]) -> Expr:
        return Expr("keyword", str(c[0]))

    def string(self, c: list[Any]) -> Expr:
        return Expr("string", str(c[0])[1:-1])

    def call(self, c: list[Any]) -> Expr:
        return Expr("call", str(c[0]), tuple(c[1].args) if len(c) > 1 else ())

    def arguments(self, c: list[Any]) -> Expr:
        return Expr("arguments", None, tuple(c))

    def array(self, c: list[Any]) -> Expr:
        return Expr("array", None, tuple(c[0].args))

    def negative(self, c: list[Any]) -> Expr:
        return Expr("neg", None, (c[1],))

    def power(self, c: list[Any]) -> Expr:
        return Expr("binary", "^", (c[0], c[1]))

    def _chain(self, c: list[Any]) -> Expr:
        node: Expr = c[0]
        for op, right in zip(c[1::2], c[2::2]):
            node = Expr("binary", str(op), (node, right))
        return node

    or_expr = and_expr = comparison = sum = product = _chain


def parse_expression(text: str) -> Expr:
    """The expression's tree; ``AlarmValidationError`` for a syntax error or a function cwfilter
    does not evaluate (``E_UNSUPPORTED``, naming it)."""
    try:
        node: Expr = transform(_PARSER.parse(text, "expression"), _Builder())
    except UnexpectedInput as exc:
        pos = exc.token.start_pos if isinstance(exc, UnexpectedToken) else getattr(exc, "pos_in_stream", 0)
        raise expression_error(text, f"unexpected input at char {pos}") from None
    for n in walk(node):
        if n.kind == "call" and n.value not in SUPPORTED:
            raise AlarmValidationError(
                f"metric math function {n.value} is not emulated by cwfilter (in '{text}')",
                aws_exception=None,
                code="E_UNSUPPORTED",
            )
        if n.kind == "keyword" and n.value not in KEYWORDS:
            raise expression_error(text, f"unknown name {n.value}")
    return node


def walk(node: Expr) -> list[Expr]:
    """Every node, depth first."""
    out = [node]
    for a in node.args:
        out += walk(a)
    return out


def ids(node: Expr) -> list[str]:
    """The query ids the expression names (``METRICS()`` not included), in order."""
    return list(dict.fromkeys(n.value for n in walk(node) if n.kind == "id"))


@dataclass
class Context:
    """What an expression is evaluated over: each query id's series (oldest first), the metric
    (MetricStat) ids in request order with their periods, and the slots' start times (ms)."""

    series: Mapping[str, Series]
    metric_periods: Mapping[str, int]
    times: Sequence[int]


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow,
    "==": lambda a, b: float(a == b), "!=": lambda a, b: float(a != b), "<": lambda a, b: float(a < b),
    ">": lambda a, b: float(a > b), "<=": lambda a, b: float(a <= b), ">=": lambda a, b: float(a >= b),
    "AND": lambda a, b: float(bool(a) and bool(b)), "&&": lambda a, b: float(bool(a) and bool(b)),
    "OR": lambda a, b: float(bool(a) or bool(b)), "||": lambda a, b: float(bool(a) or bool(b)),
}  # fmt: skip


def _apply(op: str, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    try:
        out = _ARITHMETIC[op](a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None  # a division by zero drops the point [DOC]
    return out if isinstance(out, float) and math.isfinite(out) else None


def _binary(op: str, left: Value, right: Value) -> Value:
    if isinstance(left, list) and left and isinstance(left[0], list):
        return [_binary(op, s, right) for s in left]
    if isinstance(right, list) and right and isinstance(right[0], list):
        return [_binary(op, left, s) for s in right]
    if isinstance(left, list) and isinstance(right, list):  # two series: a gap in one side counts as 0
        return [None if a is None and b is None else _apply(op, a or 0.0, b or 0.0) for a, b in zip(left, right)]
    if isinstance(left, list):
        return [_apply(op, a, right) for a in left]
    if isinstance(right, list):
        return [_apply(op, left, b) for b in right]
    return _apply(op, left, right)


def _each(value: Value, fn: Callable[[float], float]) -> Value:
    if isinstance(value, list):
        return [_each(v, fn) for v in value]
    return None if value is None else fn(value)


def evaluate_expression(node: Expr, ctx: Context) -> Value:
    """The expression's value over ``ctx``."""
    kind = node.kind
    if kind == "number":
        return float(node.value)
    if kind == "id":
        return list(ctx.series[node.value])
    if kind == "neg":
        return _each(evaluate_expression(node.args[0], ctx), operator.neg)
    if kind == "binary":
        return _binary(node.value, evaluate_expression(node.args[0], ctx), evaluate_expression(node.args[1], ctx))
    if kind == "array":
        out: list[Series] = []
        for item in node.args:
            v = evaluate_expression(item, ctx)
            out += v if _is_array(v) else [_as_series(v, ctx)]
        return out
    if kind == "call":
        return _call(node, ctx)
    raise AlarmValidationError(f"{kind} {node.value!r} is not a value here")


def _is_array(v: Value) -> bool:
    return isinstance(v, list) and bool(v) and isinstance(v[0], list)


def _as_series(v: Value, ctx: Context) -> Series:
    if isinstance(v, list):
        return v
    return [v for _ in ctx.times]


def _call(node: Expr, ctx: Context) -> Value:
    name, args = node.value, node.args
    if name == "METRICS":
        text = args[0].value if args and args[0].kind == "string" else None
        return [list(ctx.series[i]) for i in ctx.metric_periods if text is None or text in i]
    if name == "PERIOD":
        if len(args) != 1 or args[0].kind != "id" or args[0].value not in ctx.metric_periods:
            raise AlarmValidationError("PERIOD takes the id of a metric (not of an expression)")
        return float(ctx.metric_periods[args[0].value])
    if name == "FILL":
        return _fill(args, ctx)
    if name == "IF":
        return _if([evaluate_expression(a, ctx) for a in args], ctx)
    values = [evaluate_expression(a, ctx) for a in args]
    if len(values) != 1:
        raise AlarmValidationError(f"{name} takes one argument")
    (v,) = values
    if name in ("ABS", "CEIL", "FLOOR"):
        return _each(v, _ROUNDING[name])
    if name in ("RATE", "DIFF"):
        return (
            [_delta(s, ctx, name == "RATE") for s in v]
            if _is_array(v)
            else _delta(_as_series(v, ctx), ctx, name == "RATE")
        )
    return _aggregate(name, v)


_ROUNDING: dict[str, Callable[[float], float]] = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor}
_COLUMN: dict[str, Callable[[list[float]], float]] = {"SUM": sum, "MIN": min, "MAX": max}


def _aggregate(name: str, v: Value) -> Value:
    """SUM/AVG/MIN/MAX: of a series, a scalar over its points; of an array, a series."""
    if _is_array(v):
        columns = list(zip(*v))
        out: Series = []
        for col in columns:
            real = [x for x in col if x is not None]
            if not real:
                out.append(None)
            elif name == "AVG":
                out.append(sum(real) / len(col))  # missing values count as 0 [DOC]
            else:
                out.append(_COLUMN[name](real))
        return out
    real = [x for x in v if x is not None] if isinstance(v, list) else ([v] if v is not None else [])
    if not real:
        return None
    return {"SUM": sum(real), "AVG": sum(real) / len(real), "MIN": min(real), "MAX": max(real)}[name]


def _delta(s: Series, ctx: Context, rate: bool) -> Series:
    out: Series = []
    last: tuple[int, float] | None = None
    for t, v in zip(ctx.times, s):
        if v is None:
            out.append(None)
            continue
        out.append(None if last is None else (v - last[1]) / ((t - last[0]) / 1000 if rate else 1))
        last = (t, v)
    return out


def _fill(args: tuple[Expr, ...], ctx: Context) -> Value:
    if len(args) != 2:
        raise AlarmValidationError("FILL takes a series and a value, REPEAT or LINEAR")
    target = evaluate_expression(args[0], ctx)
    how = args[1]
    if _is_array(target):
        return [_fill_one(s, how, ctx) for s in target]
    return _fill_one(_as_series(target, ctx), how, ctx)


def _fill_one(s: Series, how: Expr, ctx: Context) -> Series:
    if how.kind == "keyword" and how.value == "REPEAT":  # the most recent value before the gap [DOC]
        out: Series = []
        last = None
        for v in s:
            last = v if v is not None else last
            out.append(last)
        return out
    if how.kind == "keyword" and how.value == "LINEAR":  # interpolated across each inner gap [DOC]
        known = [(i, v) for i, v in enumerate(s) if v is not None]
        out = list(s)
        for (i, a), (j, b) in itertools.pairwise(known):
            for k in range(i + 1, j):
                out[k] = a + (b - a) * (k - i) / (j - i)
        return out
    filler = _as_series(evaluate_expression(how, ctx), ctx)
    return [v if v is not None else f for v, f in zip(s, filler)]


def _if(values: list[Value], ctx: Context) -> Value:
    """IF(cond, a[, b]) per the User Guide's tables: a missing condition drops the point; a true
    one takes ``a`` (a gap in a series ``a`` as 0); a false one ``b`` (a gap, or no ``b``: dropped)."""
    if len(values) not in (2, 3):
        raise AlarmValidationError("IF takes a condition, a value if true and optionally a value if false")
    cond, yes = values[0], values[1]
    no = values[2] if len(values) == 3 else None
    if not isinstance(cond, list):
        return (
            _as_series(yes, ctx) if cond else (_as_series(no, ctx) if len(values) == 3 else [None for _ in ctx.times])
        )
    yes_s, no_s = _as_series(yes, ctx), _as_series(no, ctx)
    return [None if c is None else ((y if y is not None else 0.0) if c else n) for c, y, n in zip(cond, yes_s, no_s)]
