"""The plain reference interpreter: walks the AST for every message, written to read
like the spec's tables (§2.3, §4.4–4.6, §5.2–5.5). It is the oracle the tests compare
the compiled matcher against; it is never used on the hot path."""

from __future__ import annotations

from typing import Any

from . import ast
from .message import Message, as_text, load_object, number_text
from .regex import compile_search

_MISSING = object()


def matches(pattern: ast.Pattern, message: Message, *, json_prefix_scan: bool = False) -> bool:
    """Whether ``message`` matches ``pattern``."""
    return extract(pattern, message, json_prefix_scan=json_prefix_scan) is not None


def extract(pattern: ast.Pattern, message: Message, *, json_prefix_scan: bool = False) -> dict[str, str] | None:
    """The extracted values of a match (``{}`` for all but space-delimited), or ``None``."""
    if isinstance(pattern, ast.MatchAll):
        return {}
    if isinstance(pattern, ast.TermsPattern):
        return {} if terms_match(pattern, as_text(message)) else None
    if isinstance(pattern, ast.RegexPattern):
        return {} if regex_search(pattern.regex, as_text(message)) else None
    if isinstance(pattern, ast.JsonPattern):
        doc = load_object(message, prefix_scan=json_prefix_scan)
        return {} if doc is not None and _json(pattern.expr, doc) else None
    assert isinstance(pattern, ast.SpacePattern)
    return _space(pattern, as_text(message))


# ------------------------------------------------------------------ shared value rules


def glob(operand: str, subject: str) -> bool:
    """§11.1: a ``*`` anywhere is a wildcard. Cut the operand at each ``*``; the first piece
    is a prefix of the subject; each following piece is found at its first occurrence after
    the previous one (no backtracking); without a final ``*`` the last piece so placed must
    end at the end of the subject. No ``*``: whole-value equality."""
    if "*" not in operand:
        return subject == operand
    pieces = operand.split("*")
    if not subject.startswith(pieces[0]):
        return False
    pos = len(pieces[0])
    for piece in pieces[1:-1]:
        found = subject.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    last = pieces[-1]
    if last == "":
        return True
    found = subject.find(last, pos)
    return found >= 0 and found + len(last) == len(subject)


def regex_search(regex: ast.RegexValue, subject: str) -> bool:
    return compile_search(regex.source).search(subject)


def _order(op: str, a: float, b: float) -> bool:
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def _is_number_text(text: str) -> bool:
    return ast.NUMBER_RE.fullmatch(text) is not None


# ------------------------------------------------------------------ terms


def terms_match(pattern: ast.TermsPattern, text: str) -> bool:
    required = [t.text for t in pattern.terms if t.kind == "required"]
    excluded = [t.text for t in pattern.terms if t.kind == "excluded"]
    optional = [t.text for t in pattern.terms if t.kind == "optional"]
    if optional and not required and not excluded:
        return any(t in text for t in optional)
    return all(t in text for t in required) and not any(t in text for t in excluded)


# ------------------------------------------------------------------ JSON


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return list(node)
    return []


def resolve(selector: ast.Selector, doc: dict[str, Any]) -> list[Any]:
    """Candidate nodes of a selector: none (missing), one, or many under a wildcard."""
    nodes = [doc]
    for step in selector.steps:
        nxt: list[Any] = []
        for node in nodes:
            if isinstance(step, ast.Member):
                if isinstance(node, dict) and step.name in node:
                    nxt.append(node[step.name])
            elif isinstance(step, ast.Index):
                if isinstance(node, list) and step.index < len(node):
                    nxt.append(node[step.index])
            else:
                nxt.extend(_children(node))
        nodes = nxt
    return nodes


def _json(expr: ast.JsonExpr, doc: dict[str, Any]) -> bool:
    if isinstance(expr, ast.And):
        return all(_json(e, doc) for e in expr.items)
    if isinstance(expr, ast.Or):
        return any(_json(e, doc) for e in expr.items)
    candidates = resolve(expr.selector, doc)
    if isinstance(expr, ast.Check):
        if expr.kind == "NOT EXISTS":
            return not candidates
        wanted = {"IS NULL": None, "IS TRUE": True, "IS FALSE": False}[expr.kind]
        return any(c is wanted for c in candidates)
    return any(json_compare(expr.op, expr.value, c) for c in candidates)


def json_compare(op: str, value: ast.Value, node: Any) -> bool:
    """One row of the §4.4 table for one candidate node."""
    if isinstance(node, (dict, list, bool)):
        return False
    if node is None:
        return op == "=" and isinstance(value, ast.StringValue) and value.text != "" and set(value.text) == {"*"}
    if isinstance(value, ast.NumberValue):
        if isinstance(node, str):
            if op in ("=", "!="):
                return (node == value.text) == (op == "=")
            if not _is_number_text(node):
                return False
            return _order(op, float(node), value.value)
        return _order(op, float(node), value.value)
    subject = node if isinstance(node, str) else number_text(node)
    if isinstance(value, ast.StringValue):
        hit = glob(value.text, subject)
    else:
        hit = regex_search(value, subject)
    return hit if op == "=" else not hit


# ------------------------------------------------------------------ space-delimited


SEPARATORS = " \t\r\n"


def split_fields(text: str) -> list[str]:
    """§5.2/§11.2: fields separated by runs of spaces, tabs, CRs and LFs; "..." and [...]
    are one field each, without their delimiters; an unterminated one runs to the end."""
    return [field for _, field in field_spans(text)]


def field_spans(text: str) -> list[tuple[int, str]]:
    """Each field of ``text`` with the offset where its token starts (at a quote or bracket
    for a delimited field)."""
    fields: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in SEPARATORS:
            i += 1
            continue
        if c in '"[':
            close = '"' if c == '"' else "]"
            end = text.find(close, i + 1)
            if end < 0:
                fields.append((i, text[i + 1 :]))
                break
            fields.append((i, text[i + 1 : end]))
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in SEPARATORS:
            j += 1
        fields.append((i, text[i:j]))
        i = j
    return fields


def field_compare(expr: ast.FieldExpr, field: str) -> bool:
    if isinstance(expr, ast.FieldAnd):
        return all(field_compare(e, field) for e in expr.items)
    if isinstance(expr, ast.FieldOr):
        return any(field_compare(e, field) for e in expr.items)
    value, op = expr.value, expr.op
    if isinstance(value, ast.NumberValue):
        numeric = _is_number_text(field)
        if op in ("=", "!="):
            equal = float(field) == value.value if numeric else field == value.text
            return equal == (op == "=")
        return numeric and _order(op, float(field), value.value)
    if isinstance(value, ast.StringValue):
        hit = glob(value.text, field)
    else:
        hit = regex_search(value, field)
    return hit if op == "=" else not hit


def _space(pattern: ast.SpacePattern, text: str) -> dict[str, str] | None:
    spans = field_spans(text)
    fields = [f for _, f in spans]
    slots = pattern.slots
    if not slots:
        return {f"${i}": f for i, f in enumerate(fields, 1)}
    expanded: list[ast.Field] = []
    if any(isinstance(s, ast.Ellipsis_) for s in slots):
        # Expand the ellipsis into as many unnamed, unconditioned slots as it absorbs.
        for slot in slots:
            if isinstance(slot, ast.Ellipsis_):
                absorbed = len(fields) - (len(slots) - 1)
                if absorbed < 0:
                    return None
                expanded.extend([ast.Field()] * absorbed)
            else:
                expanded.append(slot)
    else:
        expanded = [s for s in slots if isinstance(s, ast.Field)]
        if len(fields) < len(expanded):
            return None
        if len(fields) > len(expanded):
            # §11.2: the last slot takes the rest of the message, raw, trailing separators removed.
            last = len(expanded) - 1
            fields = [*fields[:last], text[spans[last][0] :].rstrip(SEPARATORS)]
    if len(expanded) != len(fields):
        return None
    out: dict[str, str] = {}
    for position, (slot, field) in enumerate(zip(expanded, fields), 1):
        if slot.condition is not None and not field_compare(slot.condition, field):
            return None
        out[f"${slot.name}" if slot.name else f"${position}"] = field
    return out
