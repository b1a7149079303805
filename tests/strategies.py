"""Hypothesis strategies: pattern ASTs of every family, and messages likely to exercise them.

ASTs are generated in normal form (no ``And`` directly inside ``And``, no single-item
groups) and within AWS's quotas, so every generated tree renders to valid text.
"""

from __future__ import annotations

import string
from typing import Any

import orjson
from hypothesis import strategies as st

from cwfilter.pattern import ast

KEYS = ["a", "b", "eventName", "detail-type", "x.y", "n"]
WORDS = [
    "x",
    "PutBucketAcl",
    "400",
    "404",
    "1.5",
    "1e3",
    "-7",
    "",
    " ",
    "ab*c",
    "GET /a.html",
    "true",
    "null",
    "abab",
    "111.111.111.111",
]

# ------------------------------------------------------------------ operands

word_text = st.sampled_from(WORDS) | st.text(
    alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=6
)
free_text = st.text(max_size=8)  # any unicode, quotes and backslashes included


# Short pieces that recur in GLOB_SUBJECTS, so that first-occurrence placement (§11.1) matters.
GLOB_PIECES = ["a", "ab", "b", "111", ".111", "1", "x", "-", ""]
GLOB_SUBJECTS = ["abab", "aab", "ab-ab-b", "111.111.111.111", "1x1x1", "a-b", "bab", "-", "12.34", "123"]


@st.composite
def glob_text(draw: Any) -> str:
    """A string operand: a core with ``*`` at either end, or (§11.1) ``*`` anywhere."""
    if draw(st.booleans()):
        core = draw(word_text | free_text)
    else:
        core = "*".join(draw(st.lists(st.sampled_from(GLOB_PIECES) | word_text, min_size=2, max_size=4)))
    return draw(st.sampled_from(["", "*"])) + core + draw(st.sampled_from(["", "*"]))


number_text = st.from_regex(ast.NUMBER_RE, fullmatch=True).filter(lambda t: abs(float(t)) < 1e300)


@st.composite
def regex_source(draw: Any) -> str:
    atoms = st.sampled_from(
        ["a", "b", "x", "4", "0", ".", "\\d", "\\w", "\\s", "[a-c]", "[^x]", "\\.", "\\x3A", " ", "/"]
    )
    quant = st.sampled_from(["", "", "?", "*", "+", "{1,2}", "{2}"])
    pieces = draw(st.lists(st.tuples(atoms, quant), min_size=1, max_size=4))
    body = "".join(a + q for a, q in pieces)
    if draw(st.booleans()):
        body = "^" + body
    if draw(st.booleans()):
        body += "$"
    if draw(st.integers(0, 3)) == 0:
        body += "|" + draw(st.sampled_from(["b", "4\\d", "x+"]))
    return body


string_value = st.builds(ast.StringValue, glob_text())
number_value = st.builds(ast.NumberValue, number_text)
regex_value = st.builds(ast.RegexValue, regex_source())
equality_value = st.one_of(string_value, number_value, regex_value)


@st.composite
def comparison_parts(draw: Any) -> tuple[str, ast.Value]:
    op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]))
    if op in ast.ORDERING_OPS:
        return op, draw(number_value)
    return op, draw(equality_value)


# ------------------------------------------------------------------ terms and regex

term_text = (word_text | free_text).filter(bool)
terms_pattern = st.builds(
    ast.TermsPattern,
    st.lists(
        st.builds(ast.Term, term_text, st.sampled_from(["required", "optional", "excluded"])), min_size=1, max_size=4
    ).map(tuple),
)
regex_pattern = st.builds(ast.RegexPattern, regex_value)

# ------------------------------------------------------------------ JSON

member = st.builds(
    ast.Member,
    st.sampled_from(KEYS)
    | st.text(alphabet=string.printable.replace("'", "").replace("\x0b", "").replace("\x0c", ""), max_size=5),
)
plain_step = st.one_of(member, st.builds(ast.Index, st.integers(0, 3)))


@st.composite
def selector(draw: Any) -> ast.Selector:
    steps = draw(st.lists(plain_step, min_size=1, max_size=3))
    if draw(st.integers(0, 4)) == 0:
        steps.insert(draw(st.integers(0, len(steps))), ast.Wildcard(draw(st.booleans())))
    return ast.Selector(tuple(steps))


@st.composite
def comparison(draw: Any) -> ast.Comparison:
    op, value = draw(comparison_parts())
    return ast.Comparison(draw(selector()), op, value)  # type: ignore[arg-type]


check = st.builds(ast.Check, selector(), st.sampled_from(["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]))
condition = st.one_of(comparison(), check)


def _json_expr(depth: int) -> st.SearchStrategy[ast.JsonExpr]:
    if depth == 0:
        return condition
    inner = _json_expr(depth - 1)
    and_items = st.one_of(condition, inner.filter(lambda e: isinstance(e, ast.Or)))
    or_items = st.one_of(condition, inner.filter(lambda e: isinstance(e, ast.And)))
    return st.one_of(
        condition,
        st.lists(and_items, min_size=2, max_size=3).map(lambda xs: ast.And(tuple(xs))),
        st.lists(or_items, min_size=2, max_size=3).map(lambda xs: ast.Or(tuple(xs))),
    )


def _within_quotas(p: ast.Pattern) -> bool:
    regexes = wildcard_selectors = 0

    def walk(node: Any) -> None:
        nonlocal regexes, wildcard_selectors
        if isinstance(node, (ast.And, ast.Or, ast.FieldAnd, ast.FieldOr)):
            for i in node.items:
                walk(i)
        elif isinstance(node, (ast.Comparison, ast.Check)):
            wildcard_selectors += node.selector.wildcards > 0
            if isinstance(node, ast.Comparison):
                walk(node.value)
        elif isinstance(node, ast.FieldComparison):
            walk(node.value)
        elif isinstance(node, ast.RegexValue):
            regexes += 1

    if isinstance(p, ast.JsonPattern):
        walk(p.expr)
    elif isinstance(p, ast.SpacePattern):
        for s in p.slots:
            if isinstance(s, ast.Field) and s.condition is not None:
                walk(s.condition)
    return regexes <= 2 and wildcard_selectors <= 3


json_pattern = st.builds(ast.JsonPattern, _json_expr(2)).filter(_within_quotas)

# ------------------------------------------------------------------ space-delimited

field_name = st.sampled_from(["ip", "status", "w1", "bytes"]) | st.text(
    alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=5
)


@st.composite
def field_comparison(draw: Any) -> ast.FieldComparison:
    op, value = draw(comparison_parts())
    return ast.FieldComparison(op, value)  # type: ignore[arg-type]


field_and = st.lists(field_comparison(), min_size=2, max_size=3).map(lambda xs: ast.FieldAnd(tuple(xs)))
field_or = st.lists(st.one_of(field_comparison(), field_and), min_size=2, max_size=3).map(
    lambda xs: ast.FieldOr(tuple(xs))
)
field_expr = st.one_of(field_comparison(), field_and, field_or)
field_slot = st.one_of(
    st.just(ast.Field()),
    st.builds(ast.Field, field_name),
    st.builds(ast.Field, field_name, field_expr),
)


@st.composite
def space_pattern(draw: Any) -> ast.SpacePattern:
    slots: list[ast.Slot] = draw(st.lists(field_slot, max_size=5))
    if draw(st.booleans()):
        slots.insert(draw(st.integers(0, len(slots))), ast.Ellipsis_())
    if slots == [ast.Field()]:
        slots = []
    return ast.SpacePattern(tuple(slots))


space = space_pattern().filter(_within_quotas)

patterns = st.one_of(st.just(ast.MatchAll()), terms_pattern, regex_pattern, json_pattern, space)

# ------------------------------------------------------------------ messages

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 100000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(WORDS),
    st.text(max_size=6),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
    ),
    max_leaves=8,
)
json_objects = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)
json_messages = json_objects.map(lambda d: orjson.dumps(d).decode())

field_token = st.one_of(
    st.sampled_from(WORDS[:11] + GLOB_SUBJECTS),
    st.text(alphabet="ab4. -x", min_size=1, max_size=5).map(lambda t: f'"{t}"'),
    st.text(alphabet="ab4: -x", min_size=1, max_size=5).map(lambda t: f"[{t}]"),
    st.text(alphabet='ab4x"[]', min_size=1, max_size=4),
)
# Separators include CR and LF (§11.2), trailing ones too, as in Lambda's "REPORT ...\t\n" lines.
space_messages = st.builds(
    lambda lead, toks, seps: lead + "".join(t + s for t, s in zip(toks, seps)),
    st.sampled_from(["", "", " ", "\n"]),
    st.lists(field_token, max_size=7),
    st.lists(st.sampled_from([" ", "  ", "\t", " \t", "\n", "\r\n", "\t\n", "\r"]), min_size=7, max_size=7),
)
text_messages = st.text(alphabet='abxPutBucketAcl4 "\\é-?', max_size=20) | st.text(max_size=20)
messages = st.one_of(json_messages, space_messages, text_messages)


# ------------------------------------------------------------------ messages built for a JSON pattern


def _conditions(expr: ast.JsonExpr) -> list[ast.Comparison | ast.Check]:
    if isinstance(expr, (ast.And, ast.Or)):
        return [c for item in expr.items for c in _conditions(item)]
    return [expr]


def _near_values(cond: ast.Comparison | ast.Check) -> list[Any]:
    """Values likely to make a condition true or nearly so."""
    out: list[Any] = [None, True, False, {"a": 1}, [1, "x"]]
    if isinstance(cond, ast.Comparison):
        v = cond.value
        if isinstance(v, ast.StringValue):
            core = v.text.strip("*")
            pieces = v.text.split("*")
            # Subjects that place the pieces, once or twice (first-occurrence placement, §11.1).
            out += [core, v.text, "pre" + core, core + "post", core.upper(), "".join(pieces), "-".join(pieces)]
            out += ["".join(p + p for p in pieces), "x".join(pieces + pieces[-1:]), *GLOB_SUBJECTS[:4]]
        elif isinstance(v, ast.NumberValue):
            n = v.value
            out += [n, int(n) if n.is_integer() and abs(n) < 1e15 else n, v.text, n + 1, n - 1, str(n)]
        else:
            out += ["a", "x4", "0", "ab", "4"]
    return out


def _place(doc: dict[str, Any], steps: tuple[ast.Step, ...], value: Any, draw: Any) -> None:
    node: Any = doc
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        child: Any = value if last else ({} if isinstance(steps[i + 1], ast.Member) else [])
        if isinstance(step, ast.Member):
            if not isinstance(node, dict):
                return
            node = node.setdefault(step.name, child)
        elif isinstance(step, ast.Index):
            if not isinstance(node, list):
                return
            while len(node) <= step.index:
                node.append(draw(scalars))
            if last or not isinstance(node[step.index], (dict, list)):
                node[step.index] = child
            node = node[step.index]
        else:  # wildcard: a container holding the child among other members
            if isinstance(node, dict):
                node[draw(st.sampled_from(KEYS))] = child
            elif isinstance(node, list):
                node.append(child)
            node = child


@st.composite
def json_message_for(draw: Any, pattern: ast.JsonPattern) -> str:
    doc: dict[str, Any] = draw(st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2))
    for cond in _conditions(pattern.expr):
        if draw(st.integers(0, 9)) < 8:
            _place(doc, cond.selector.steps, draw(st.sampled_from(_near_values(cond))), draw)
    return orjson.dumps(doc).decode()
