"""The fast decoder's code generator: a JSON pattern compiled against a record Struct that
msgspec decoded with only the keys the pattern reads (``plan.py``), with the semantics of the
pattern's ``match_doc`` on the whole parsed record (``pattern/jsoncode.py``, the generator
this one extends; tests hold the two in agreement)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..metric import MetricFilter, Observation
from ..pattern import ast
from ..pattern.glob import glob_source
from ..pattern.jsoncode import MISSING, JsonCodegen, candidates_source, getter_source, is_exact_string_eq
from ..pattern.syntax import parse_selector
from ..pattern.values import json_value_test


def fix_wide_int(v: Any) -> Any:
    """An integer beyond 64 bits as orjson reads it (a float, an infinity beyond a double, as
    ``sources.lenient`` reads it); msgspec keeps it exact."""
    if type(v) is int and not -9223372036854775808 <= v <= 18446744073709551615:
        try:
            return float(v)
        except OverflowError:
            return float("inf") if v > 0 else float("-inf")
    return v


class RecordCodegen(JsonCodegen):
    """JSON codegen over a record Struct (``plan.py``) instead of a dict: top-level member
    ``name`` is attribute ``attrs[name]`` (``MISSING`` when absent); below it, plain dicts
    and lists. Leaves pass through ``fix_wide_int`` where a comparison reads them."""

    def __init__(self, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__()
        self.attrs = attrs
        self.nested = nested or {}
        self.ns.names["_fix"] = fix_wide_int

    def getter_source(self, selector: ast.Selector, name: str) -> str:
        if selector.wildcards:
            return candidates_source(selector.steps, name, self.attrs, self.nested)
        return getter_source(selector.steps, name, self.attrs, nested=self.nested)  # ``comparison`` fixes

    def node(self, selector: ast.Selector) -> str:
        """Inline for a top-level member (an attribute) and for a key of a nested Struct (the
        attribute of an attribute, ``getattr`` so a null or absent member gives ``MISSING``)."""
        steps = selector.steps
        first = steps[0]
        if isinstance(first, ast.Member):
            if len(steps) == 1:
                return f"d.{self.attrs[first.name]}"
            inner = self.nested.get(first.name)
            if len(steps) == 2 and inner is not None and isinstance(steps[1], ast.Member):
                return f"getattr(d.{self.attrs[first.name]}, {inner[steps[1].name]!r}, MISSING)"
        return f"{self.getter(selector)}(d)"

    def comparison(self, e: ast.Comparison) -> str:
        if is_exact_string_eq(e) or e.selector.wildcards:
            return super().comparison(e)
        test = self.ns.bind(json_value_test(e.op, e.value), "test")
        node = self.node(e.selector)
        if isinstance(e.value, ast.StringValue):
            # A string is tested inline, an absent key is False (as ``string_test`` says), and
            # only numbers and null call the test.
            v = self.temp()
            glob = glob_source(e.value.text, v, self.ns.bind)
            on_string = glob if e.op == "=" else f"not ({glob})"
            return f"(({on_string}) if type({v} := {node}) is str else ({v} is not MISSING and {test}(_fix({v}))))"
        return f"{test}(_fix({node}))"


def top_level_members(pattern: ast.JsonPattern) -> set[str] | None:
    """The top-level keys a JSON pattern reads, or ``None`` when it needs the whole record
    (a wildcard on the root: ``$.*``, ``$[*]``)."""
    names: set[str] = set()

    def walk(e: ast.JsonExpr) -> bool:
        if isinstance(e, (ast.And, ast.Or)):
            return all(walk(i) for i in e.items)
        first = e.selector.steps[0]
        if isinstance(first, ast.Wildcard):
            return False
        if isinstance(first, ast.Member):
            names.add(first.name)
        return True

    return names if walk(pattern.expr) else None


def compile_record_matcher(
    pattern: ast.JsonPattern, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None
) -> tuple[Callable[[Any], bool], str]:
    """``match_doc`` for a record Struct holding the pattern's top-level members as
    attributes (``attrs``: key → attribute name; ``nested``: members decoded as Structs of
    their own keys), with the semantics of ``match_doc`` on the parsed record. Raises
    ``ValueError`` for a pattern with a wildcard on the root."""
    gen = RecordCodegen(attrs, nested)
    body = gen.expr(pattern.expr)
    source = "".join(gen.defs) + f"def match_record(d):\n    return {body}\n"
    return gen.ns.define(source, "match_record"), source


def compile_record_selector(
    pattern: ast.JsonPattern, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None
) -> Callable[[list[Any]], list[Any]]:
    """``compile_record_matcher`` applied to a list of records at once: the records that match,
    in order, the test inlined in one list comprehension (no call per record)."""
    gen = RecordCodegen(attrs, nested)
    body = gen.expr(pattern.expr)
    source = "".join(gen.defs) + f"def select_records(records):\n    return [d for d in records if {body}]\n"
    return gen.ns.define(source, "select_records")  # type: ignore[no-any-return]


def compile_hit_observer(
    mf: MetricFilter, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None
) -> Callable[[Any], Observation]:
    """A matched record Struct's observation: ``mf``'s metric value and dimensions read from the
    record by getters generated with the plan's matcher (the record is not matched again, nor
    turned into a dict), with the semantics of ``MetricFilter.observe_object`` on the parsed
    record: the first node a reference finds, wide integers read as orjson reads them."""
    observation = mf.matched_observation
    if not mf.references:  # a constant value and no dimensions
        constant = observation()
        return lambda record: constant
    gen = RecordCodegen(attrs, nested)
    value = mf.value if mf.value.startswith(("$.", "$[")) else None
    reads = []
    for text in (value, *mf.dimensions.values()):
        selector = parse_selector(text) if text is not None else None
        if selector is None:
            reads.append("None")
        elif selector.wildcards:  # candidates, their leaves fixed: the first, if any
            reads.append(f"next(iter({gen.getter(selector)}(d)), None)")
        else:
            reads.append(f"_found({gen.getter(selector)}(d))")
    gen.ns.names.update(_observation=observation, _found=_found)
    value_read, dimension_reads = reads[0], reads[1:]
    dimensions = "".join(f"{read}, " for read in dimension_reads)
    source = "".join(gen.defs) + f"def observe_hit(d):\n    return _observation({value_read}, ({dimensions}))\n"
    return gen.ns.define(source, "observe_hit")  # type: ignore[no-any-return]


def _found(node: Any) -> Any:
    """A node a wildcard-free reference found: ``None`` for nothing, wide integers fixed."""
    return None if node is MISSING else fix_wide_int(node)
