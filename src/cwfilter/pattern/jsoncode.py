"""JSON patterns → generated Python: one boolean expression over the parsed object with
per-selector getters, OR-chains of exact string comparisons on one selector folded into one
set-membership test. ``JsonCodegen`` is the generator; the replay fast path subclasses it to
read records decoded as Structs instead of dicts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from . import ast
from .message import Message, refused_object
from .namespace import Namespace
from .prefilter import prefilter_clauses, prefilter_source
from .values import NUMBER_LIKE, json_value_test

MISSING = object()  # the "absent" sentinel generated code compares against (also a msgspec default)


@dataclass(frozen=True, slots=True)
class JsonFunctions:
    """What ``compile_json`` generates for one pattern."""

    matches: Callable[[Message], bool]
    match_doc: Callable[[dict[str, Any]], bool]
    matches_unfiltered: Callable[[Message], bool]
    source: str
    prefilter: tuple[tuple[str, ...], ...]


def getter_source(
    steps: tuple[ast.Step, ...],
    name: str,
    root: dict[str, str] | None = None,
    fix: bool = False,
    nested: dict[str, dict[str, str]] | None = None,
) -> str:
    """A function returning the node at a wildcard-free selector, or ``MISSING``.

    ``root`` (record codegen): the selector starts at a record Struct whose attribute
    ``root[name]`` holds top-level member ``name``; ``nested[name]``, where given, maps that
    member's own keys to the attributes of a nested Struct (``None`` or ``MISSING`` when the
    member is null or absent); ``fix``: pass the leaf through ``_fix``."""
    lines = [f"def {name}(v):"]
    inner = None
    for i, step in enumerate(steps):
        if root is not None and i == 0:
            if not isinstance(step, ast.Member):  # ``$[n]``: the root is an object, never an array
                lines.append("    return MISSING")
                break
            lines.append(f"    v = v.{root[step.name]}")
            inner = (nested or {}).get(step.name)
        elif i == 1 and inner is not None:
            assert isinstance(step, ast.Member)
            lines.append(f"    v = getattr(v, {inner[step.name]!r}, MISSING)")
        elif isinstance(step, ast.Member):
            lines.append("    if type(v) is not dict: return MISSING")
            lines.append(f"    v = v.get({step.name!r}, MISSING)")
        else:
            assert isinstance(step, ast.Index)
            lines.append(f"    if type(v) is not list or len(v) <= {step.index}: return MISSING")
            lines.append(f"    v = v[{step.index}]")
    if fix:
        lines.append("    return _fix(v)")
    else:
        lines.append("    return v")
    return "\n".join(lines) + "\n"


def children(node: Any) -> list[Any]:
    if type(node) is dict:
        return list(node.values())
    if type(node) is list:
        return node
    return []


def candidates_source(
    steps: tuple[ast.Step, ...],
    name: str,
    root: dict[str, str] | None = None,
    nested: dict[str, dict[str, str]] | None = None,
) -> str:
    """A function returning the list of nodes at a selector with one wildcard."""
    at = next(i for i, s in enumerate(steps) if isinstance(s, ast.Wildcard))
    if root is not None and at == 0:
        raise ValueError("a wildcard on the root needs the whole record")
    before, after = steps[:at], steps[at + 1 :]
    src = getter_source(before, f"{name}_head", root, nested=nested)
    src += getter_source(after, f"{name}_tail", fix=root is not None)
    src += (
        f"def {name}(d):\n"
        f"    out = []\n"
        f"    for c in children({name}_head(d)):\n"
        f"        c = {name}_tail(c)\n"
        f"        if c is not MISSING: out.append(c)\n"
        f"    return out\n"
    )
    return src


class JsonCodegen:
    def __init__(self) -> None:
        self.ns = Namespace()
        self.ns.names.update(MISSING=MISSING, children=children)
        self.defs: list[str] = []
        self.getters: dict[ast.Selector, str] = {}
        self.temps = 0

    def getter(self, selector: ast.Selector) -> str:
        """Name of the function resolving ``selector`` (a list of candidates under a wildcard)."""
        if selector not in self.getters:
            name = f"_sel{len(self.getters)}"
            self.defs.append(self.getter_source(selector, name))
            self.getters[selector] = name
        return self.getters[selector]

    def getter_source(self, selector: ast.Selector, name: str) -> str:
        if selector.wildcards:
            return candidates_source(selector.steps, name)
        return getter_source(selector.steps, name)

    def node(self, selector: ast.Selector) -> str:
        """An expression for the node at a wildcard-free selector."""
        steps = selector.steps
        if len(steps) == 1 and isinstance(steps[0], ast.Member):
            return f"d.get({steps[0].name!r}, MISSING)"
        return f"{self.getter(selector)}(d)"

    def temp(self) -> str:
        self.temps += 1
        return f"_v{self.temps}"

    def expr(self, e: ast.JsonExpr) -> str:
        if isinstance(e, ast.And):
            return "(" + " and ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, ast.Or):
            return "(" + " or ".join(self.or_items(e.items)) + ")"
        if isinstance(e, ast.Check):
            return self.check(e)
        return self.comparison(e)

    def or_items(self, items: tuple[ast.JsonExpr, ...]) -> list[str]:
        """Fold exact string equalities on one selector into one set-membership test."""
        groups: dict[ast.Selector, list[str]] = {}
        for it in items:
            if is_exact_string_eq(it):
                groups.setdefault(it.selector, []).append(it.value.text)  # type: ignore[union-attr]
        out: list[str] = []
        done: set[ast.Selector] = set()
        for it in items:
            if is_exact_string_eq(it) and len(groups[it.selector]) > 1:  # type: ignore[union-attr]
                sel = it.selector  # type: ignore[union-attr]
                if sel not in done:
                    done.add(sel)
                    members = self.ns.bind(frozenset(groups[sel]), "set")
                    v = self.temp()
                    out.append(f"(type({v} := {self.node(sel)}) is str and {v} in {members})")
                continue
            out.append(self.expr(it))
        return out

    def check(self, e: ast.Check) -> str:
        wanted = {"IS NULL": "None", "IS TRUE": "True", "IS FALSE": "False"}.get(e.kind)
        if e.selector.wildcards:
            cands = f"{self.getter(e.selector)}(d)"
            if wanted is None:
                return f"(not {cands})"
            return f"any(c is {wanted} for c in {cands})"
        node = self.node(e.selector)
        if wanted is None:
            return f"({node} is MISSING)"
        return f"({node} is {wanted})"

    def comparison(self, e: ast.Comparison) -> str:
        if is_exact_string_eq(e):
            return f"({self.node(e.selector)} == {e.value.text!r})"  # type: ignore[union-attr]
        test = self.ns.bind(json_value_test(e.op, e.value), "test")
        if e.selector.wildcards:
            return f"any(map({test}, {self.getter(e.selector)}(d)))"
        return f"{test}({self.node(e.selector)})"


def is_exact_string_eq(e: ast.JsonExpr) -> bool:
    """``$.sel = "literal"`` with no wildcard anywhere and a literal no number prints as."""
    return (
        isinstance(e, ast.Comparison)
        and e.op == "="
        and isinstance(e.value, ast.StringValue)
        and not e.selector.wildcards
        and "*" not in e.value.text
        and not NUMBER_LIKE.fullmatch(e.value.text)
    )


def compile_json(pattern: ast.JsonPattern, prefix_scan: bool = False) -> JsonFunctions:
    """The generated functions of a JSON pattern: ``matches`` (with the raw-text pre-filter),
    ``match_doc`` (a parsed object), ``matches_unfiltered``, their source and the pre-filter's clauses."""
    gen = JsonCodegen()
    body = gen.expr(pattern.expr)
    clauses = prefilter_clauses(pattern.expr)
    source = "".join(gen.defs) + f"def match_doc(d):\n    return {body}\n"
    source += (
        "def matches_unfiltered(m):\n"
        "    try:\n        d = _loads(m)\n"
        "    except _JSONDecodeError as e:\n"
        "        d = _refused(m, e)\n"
        "    return type(d) is dict and match_doc(d)\n"
    )
    source += prefilter_source(clauses, gen.ns) if clauses else "matches = matches_unfiltered\n"
    gen.ns.names.update(
        _loads=orjson.loads,
        _JSONDecodeError=orjson.JSONDecodeError,
        _refused=functools.partial(refused_object, prefix_scan=prefix_scan),
    )
    matches = gen.ns.define(source, "matches")
    clause_tuples = tuple(tuple(sorted(c)) for c in clauses)
    return JsonFunctions(matches, gen.ns.names["match_doc"], gen.ns.names["matches_unfiltered"], source, clause_tuples)


def selector_getter(selector: ast.Selector) -> Callable[[dict[str, Any]], list[Any]]:
    """A function returning the nodes a selector finds in a parsed message (none, one, or
    several under a wildcard), for metric values and dimensions."""
    gen = JsonCodegen()
    name = gen.getter(selector)
    get = gen.ns.define("".join(gen.defs), name)
    if selector.wildcards:
        return get  # type: ignore[no-any-return]

    def one(doc: dict[str, Any]) -> list[Any]:
        node = get(doc)
        return [] if node is MISSING else [node]

    return one
