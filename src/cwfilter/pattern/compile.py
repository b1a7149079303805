"""AST → fast predicate.

Each pattern becomes generated Python source, compiled once: terms become chains of
``in`` tests (on ``bytes`` too, without decoding), JSON expressions one boolean
expression over the parsed object with per-selector getters, OR-chains of exact
string comparisons on one selector a single set-membership test, and space-delimited
patterns a regex tokenizer plus per-slot tests. Nothing walks the AST per event.
The semantics are those of ``reference.py``; tests hold the two in agreement.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable

import orjson

from . import ast
from .glob import glob_source, glob_test, is_wildcard_only
from .message import Message, as_bytes, as_text, number_text, unparsed_object
from .regex import compile_search

_MISSING = object()
MISSING = _MISSING  # public name: the "absent" sentinel generated code compares against (also a msgspec default)
_NUMBER_TYPES = (int, float)
# A string operand that no JSON number can print as: exact equality needs no number branch.
_NUMBER_LIKE = re.compile(r"[-+0-9.eE]+|-?inf|nan")

Predicate = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Compiled functions of one pattern."""

    matches: Callable[[Message], bool]
    extract: Callable[[Message], "dict[str, str] | None"]
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


class _Namespace:
    """Constants referenced by generated code, each bound to a fresh name."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}

    def bind(self, value: Any, hint: str = "k") -> str:
        name = f"_{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def define(self, source: str, name: str) -> Any:
        code = compile(source, f"<cwfilter pattern {name}>", "exec")
        exec(code, self.names)  # noqa: S102 - our own generated source
        return self.names[name]


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
    ns = _Namespace()
    ns.names["_as_bytes"] = as_bytes
    matches = ns.define(source, "matches")
    return Matcher(matches, lambda m: {} if matches(m) else None, source)


def _compile_regex(pattern: ast.RegexPattern) -> Matcher:
    search = compile_search(pattern.regex.source).search

    def matches(m: Message) -> bool:
        return search(m if type(m) is str else as_text(m))

    return Matcher(matches, lambda m: {} if matches(m) else None, f"re2.search({pattern.regex.source!r})")


# ------------------------------------------------------------------ value tests (one candidate)


def _numeric_test(op: str, number: float) -> Callable[[float], bool]:
    import operator

    cmp = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]
    return lambda x: cmp(x, number)


def _is_number(text: str) -> bool:
    return ast.NUMBER_RE.fullmatch(text) is not None


def json_value_test(op: str, value: ast.Value) -> Predicate:
    """A test of one resolved JSON node (or ``_MISSING``) per §4.4."""
    if isinstance(value, ast.NumberValue):
        numeric = _numeric_test(op, value.value)
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
            if t is str and _is_number(v):
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


# ------------------------------------------------------------------ JSON


def _getter_source(
    steps: tuple[ast.Step, ...],
    name: str,
    root: dict[str, str] | None = None,
    fix: bool = False,
    nested: dict[str, dict[str, str]] | None = None,
) -> str:
    """A function returning the node at a wildcard-free selector, or ``_MISSING``.

    ``root`` (record codegen): the selector starts at a record Struct whose attribute
    ``root[name]`` holds top-level member ``name``; ``nested[name]``, where given, maps that
    member's own keys to the attributes of a nested Struct (``None`` or ``_MISSING`` when the
    member is null or absent); ``fix``: pass the leaf through ``_fix``."""
    lines = [f"def {name}(v):"]
    inner = None
    for i, step in enumerate(steps):
        if root is not None and i == 0:
            if not isinstance(step, ast.Member):  # ``$[n]``: the root is an object, never an array
                lines.append("    return _MISSING")
                break
            lines.append(f"    v = v.{root[step.name]}")
            inner = (nested or {}).get(step.name)
        elif i == 1 and inner is not None:
            assert isinstance(step, ast.Member)
            lines.append(f"    v = getattr(v, {inner[step.name]!r}, _MISSING)")
        elif isinstance(step, ast.Member):
            lines.append("    if type(v) is not dict: return _MISSING")
            lines.append(f"    v = v.get({step.name!r}, _MISSING)")
        else:
            assert isinstance(step, ast.Index)
            lines.append(f"    if type(v) is not list or len(v) <= {step.index}: return _MISSING")
            lines.append(f"    v = v[{step.index}]")
    if fix:
        lines.append("    return _fix(v)")
    else:
        lines.append("    return v")
    return "\n".join(lines) + "\n"


def _children(node: Any) -> list[Any]:
    if type(node) is dict:
        return list(node.values())
    if type(node) is list:
        return node
    return []


def _candidates_source(
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
    src = _getter_source(before, f"{name}_head", root, nested=nested)
    src += _getter_source(after, f"{name}_tail", fix=root is not None)
    src += (
        f"def {name}(d):\n"
        f"    out = []\n"
        f"    for c in _children({name}_head(d)):\n"
        f"        c = {name}_tail(c)\n"
        f"        if c is not _MISSING: out.append(c)\n"
        f"    return out\n"
    )
    return src


class _JsonCodegen:
    def __init__(self) -> None:
        self.ns = _Namespace()
        self.ns.names.update(_MISSING=_MISSING, _children=_children)
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
            return _candidates_source(selector.steps, name)
        return _getter_source(selector.steps, name)

    def node(self, selector: ast.Selector) -> str:
        """An expression for the node at a wildcard-free selector."""
        steps = selector.steps
        if len(steps) == 1 and isinstance(steps[0], ast.Member):
            return f"d.get({steps[0].name!r}, _MISSING)"
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
            if _is_exact_string_eq(it):
                groups.setdefault(it.selector, []).append(it.value.text)  # type: ignore[union-attr]
        out: list[str] = []
        done: set[ast.Selector] = set()
        for it in items:
            if _is_exact_string_eq(it) and len(groups[it.selector]) > 1:  # type: ignore[union-attr]
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
            return f"({node} is _MISSING)"
        return f"({node} is {wanted})"

    def comparison(self, e: ast.Comparison) -> str:
        if _is_exact_string_eq(e):
            return f"({self.node(e.selector)} == {e.value.text!r})"  # type: ignore[union-attr]
        test = self.ns.bind(json_value_test(e.op, e.value), "test")
        if e.selector.wildcards:
            return f"any(map({test}, {self.getter(e.selector)}(d)))"
        return f"{test}({self.node(e.selector)})"


def _is_exact_string_eq(e: ast.JsonExpr) -> bool:
    """``$.sel = "literal"`` with no wildcard anywhere and a literal no number prints as."""
    return (
        isinstance(e, ast.Comparison)
        and e.op == "="
        and isinstance(e.value, ast.StringValue)
        and not e.selector.wildcards
        and "*" not in e.value.text
        and not _NUMBER_LIKE.fullmatch(e.value.text)
    )


def _compile_json(pattern: ast.JsonPattern, prefix_scan: bool = False) -> Matcher:
    gen = _JsonCodegen()
    body = gen.expr(pattern.expr)
    clauses = prefilter_clauses(pattern.expr)
    source = "".join(gen.defs) + f"def match_doc(d):\n    return {body}\n"
    source += (
        "def matches_unfiltered(m):\n"
        "    try:\n        d = _loads(m)\n"
        "    except _JSONDecodeError:\n"
        "        d = _unparsed(m)\n"
        "    return type(d) is dict and match_doc(d)\n"
    )
    source += _prefilter_source(clauses, gen.ns) if clauses else "matches = matches_unfiltered\n"
    gen.ns.names.update(
        _loads=orjson.loads,
        _JSONDecodeError=orjson.JSONDecodeError,
        _unparsed=functools.partial(unparsed_object, prefix_scan=prefix_scan),
    )
    matches = gen.ns.define(source, "matches")
    return Matcher(
        matches,
        lambda m: {} if matches(m) else None,
        source,
        gen.ns.names["match_doc"],
        gen.ns.names["matches_unfiltered"],
        tuple(tuple(sorted(c)) for c in clauses),
    )


# ------------------------------------------------------------------ raw-text pre-filter (JSON)

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
            and not _NUMBER_LIKE.fullmatch(v.text)
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


def _prefilter_source(clauses: list[frozenset[str]], ns: _Namespace) -> str:
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


# ------------------------------------------------------------------ JSON records decoded with a schema


def _fix_wide_int(v: Any) -> Any:
    """An integer beyond 64 bits as orjson reads it (a float); msgspec keeps it exact."""
    if type(v) is int and not -9223372036854775808 <= v <= 18446744073709551615:
        return float(v)
    return v


class _RecordCodegen(_JsonCodegen):
    """JSON codegen over a record Struct (fastpath.py) instead of a dict: top-level member
    ``name`` is attribute ``attrs[name]`` (``MISSING`` when absent); below it, plain dicts
    and lists. Leaves pass through ``_fix_wide_int`` where a comparison reads them."""

    def __init__(self, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__()
        self.attrs = attrs
        self.nested = nested or {}
        self.ns.names["_fix"] = _fix_wide_int

    def getter_source(self, selector: ast.Selector, name: str) -> str:
        if selector.wildcards:
            return _candidates_source(selector.steps, name, self.attrs, self.nested)
        return _getter_source(selector.steps, name, self.attrs, nested=self.nested)  # ``comparison`` fixes

    def node(self, selector: ast.Selector) -> str:
        """Inline for a top-level member (an attribute) and for a key of a nested Struct (the
        attribute of an attribute, ``getattr`` so a null or absent member gives ``_MISSING``)."""
        steps = selector.steps
        first = steps[0]
        if isinstance(first, ast.Member):
            if len(steps) == 1:
                return f"d.{self.attrs[first.name]}"
            inner = self.nested.get(first.name)
            if len(steps) == 2 and inner is not None and isinstance(steps[1], ast.Member):
                return f"getattr(d.{self.attrs[first.name]}, {inner[steps[1].name]!r}, _MISSING)"
        return f"{self.getter(selector)}(d)"

    def comparison(self, e: ast.Comparison) -> str:
        if _is_exact_string_eq(e) or e.selector.wildcards:
            return super().comparison(e)
        test = self.ns.bind(json_value_test(e.op, e.value), "test")
        node = self.node(e.selector)
        if isinstance(e.value, ast.StringValue):
            # A string is tested inline, an absent key is False (as ``string_test`` says), and
            # only numbers and null call the test.
            v = self.temp()
            glob = glob_source(e.value.text, v, self.ns.bind)
            on_string = glob if e.op == "=" else f"not ({glob})"
            return f"(({on_string}) if type({v} := {node}) is str else ({v} is not _MISSING and {test}(_fix({v}))))"
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
    gen = _RecordCodegen(attrs, nested)
    body = gen.expr(pattern.expr)
    source = "".join(gen.defs) + f"def match_record(d):\n    return {body}\n"
    return gen.ns.define(source, "match_record"), source


def compile_record_selector(
    pattern: ast.JsonPattern, attrs: dict[str, str], nested: dict[str, dict[str, str]] | None = None
) -> Callable[[list[Any]], list[Any]]:
    """``compile_record_matcher`` applied to a list of records at once: the records that match,
    in order, the test inlined in one list comprehension (no call per record)."""
    gen = _RecordCodegen(attrs, nested)
    body = gen.expr(pattern.expr)
    source = "".join(gen.defs) + f"def select_records(records):\n    return [d for d in records if {body}]\n"
    return gen.ns.define(source, "select_records")  # type: ignore[no-any-return]


def selector_getter(selector: ast.Selector) -> Callable[[dict[str, Any]], list[Any]]:
    """A function returning the nodes a selector finds in a parsed message (none, one, or
    several under a wildcard), for metric values and dimensions."""
    gen = _JsonCodegen()
    name = gen.getter(selector)
    get = gen.ns.define("".join(gen.defs), name)
    if selector.wildcards:
        return get  # type: ignore[no-any-return]

    def one(doc: dict[str, Any]) -> list[Any]:
        node = get(doc)
        return [] if node is _MISSING else [node]

    return one


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
    return head + [text[found[slots - 1].start() :].rstrip(_SEPARATORS)]


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
        numeric = _numeric_test(op, value.value)
        text = value.text
        if op in ("=", "!="):
            return lambda f: numeric(float(f)) if _is_number(f) else (f == text) is want
        return lambda f: _is_number(f) and numeric(float(f))
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
