"""Why a message does (not) match a pattern: the verdict and the evaluation tree.

Each clause carries its selector (or term, or slot), the value found in the message
(``missing`` when absent), the operator, the operand and its result. The *decisive* clause
is the one after which, evaluating left to right with short-circuits as ``&&`` and ``||``
do, the outcome was known. Leaves are evaluated with the reference interpreter's rules,
and the tests hold ``explain(...).matched`` equal to ``matches()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from . import ast
from .canonical import render, render_selector, render_value
from .message import Message, as_text, load_object
from .reference import SEPARATORS, field_compare, field_spans, json_compare, regex_search, resolve, terms_match
from .regex import compile_search

if TYPE_CHECKING:
    from . import FilterPattern

Kind = Literal["all", "and", "or", "comparison", "check", "term", "regex", "terms", "slots", "slot", "json"]
MISSING = "missing"


@dataclass(frozen=True)
class Clause:
    """One node of the evaluation tree.

    ``subject``: the selector, term, regex or slot field name; ``found``: what the message
    holds there (JSON text, ``"missing"``, or the field's text); ``operator``/``operand``: the
    test; ``decisive``: this clause decided the outcome."""

    kind: Kind
    text: str
    result: bool
    subject: str | None = None
    found: str | None = None
    operator: str | None = None
    operand: str | None = None
    decisive: bool = False
    note: str = ""
    children: tuple[Clause, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "result": self.result}
        for key in ("subject", "found", "operator", "operand", "note"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.decisive:
            out["decisive"] = True
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


@dataclass(frozen=True)
class Explanation:
    """The verdict of ``pattern`` on ``message`` and the evaluation tree; ``fields``: for
    space-delimited patterns, each slot's label and the field it took."""

    pattern: str
    message: str
    matched: bool
    family: ast.Family
    tree: Clause
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def decisive(self) -> Clause | None:
        """The clause that decided the outcome."""
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node.decisive:
                return node
            stack.extend(reversed(node.children))
        return None

    def to_json(self) -> dict[str, Any]:
        out = {"pattern": self.pattern, "message": self.message, "matched": self.matched, "family": self.family,
               "tree": self.tree.to_json()}  # fmt: skip
        if self.fields:
            out["fields"] = [{"slot": s, "field": f} for s, f in self.fields]
        return out


def explain(pattern: FilterPattern, message: Message) -> Explanation:
    """The explanation of ``pattern.matches(message)``."""
    tree = pattern.ast
    text = as_text(message)
    fields: tuple[tuple[str, str], ...] = ()
    if isinstance(tree, ast.MatchAll):
        node = Clause("all", "", True, decisive=True, note="the empty pattern matches every event")
    elif isinstance(tree, ast.TermsPattern):
        node = _terms_clause(tree, text)
    elif isinstance(tree, ast.RegexPattern):
        node = _regex_clause(tree.regex, text)
    elif isinstance(tree, ast.JsonPattern):
        node = _json_root(tree, message, pattern.json_prefix_scan)
    else:
        node, fields = _space_clause(tree, text)
    return Explanation(pattern.text, text, node.result, ast.family_of(tree), node, fields)


def _mark(clause: Clause) -> Clause:
    """``clause`` with its decisive leaf marked: the leaf after which, evaluating left to right,
    the outcome was known (an ``or`` is decided by its first true child, the others by their
    first false one, else by their last child). Ignored children (optional terms) never decide."""
    if not clause.children:
        return replace(clause, decisive=True)
    live = [i for i, c in enumerate(clause.children) if not c.note.startswith("ignored")]
    want = clause.kind == "or"
    at = next((i for i in live if clause.children[i].result is want), live[-1] if live else 0)
    children = list(clause.children)
    children[at] = _mark(children[at])
    return replace(clause, children=tuple(children))


# ------------------------------------------------------------------ terms and regex


def _terms_clause(tree: ast.TermsPattern, text: str) -> Clause:
    only_optional = all(t.kind == "optional" for t in tree.terms)
    children = []
    for term in tree.terms:
        present = term.text in text
        ignored = term.kind == "optional" and not only_optional
        result = present if term.kind != "excluded" else not present
        note = "ignored: the pattern has required or excluded terms" if ignored else ""
        shown = {"required": "", "optional": "?", "excluded": "-"}[term.kind] + term.text
        children.append(Clause("term", shown, result, term.text, "in the message" if present else "not in the message",
                               term.kind, note=note))  # fmt: skip
    matched = terms_match(tree, text)
    kind = "or" if only_optional else "terms"
    return _mark(Clause(kind, render(tree), matched, children=tuple(children)))  # type: ignore[arg-type]


def _regex_clause(regex: ast.RegexValue, text: str) -> Clause:
    result = regex_search(regex, text)
    m = compile_search(regex.source).found(text) if result else None  # RE2: linear, as matching is
    found = m if m is not None else "no match"
    return Clause("regex", render_value(regex), result, "message", found, "=~", render_value(regex), decisive=True)


# ------------------------------------------------------------------ JSON


def _json_root(tree: ast.JsonPattern, message: Message, prefix_scan: bool) -> Clause:
    doc = load_object(message, prefix_scan=prefix_scan)
    if doc is None:
        return Clause("json", render(tree), False, decisive=True,
                      note="the message is not a JSON object, so no JSON pattern matches it")  # fmt: skip
    return _mark(_json_clause(tree.expr, doc))


def _json_clause(expr: ast.JsonExpr, doc: dict[str, Any]) -> Clause:
    text = render(ast.JsonPattern(expr))[2:-2]
    if isinstance(expr, (ast.And, ast.Or)):
        children = tuple(_json_clause(e, doc) for e in expr.items)
        combine = all if isinstance(expr, ast.And) else any
        return Clause("and" if isinstance(expr, ast.And) else "or", text, combine(c.result for c in children),
                      children=children)  # fmt: skip
    candidates = resolve(expr.selector, doc)
    found = _found(candidates, expr.selector)
    subject = render_selector(expr.selector)
    if isinstance(expr, ast.Check):
        if expr.kind == "NOT EXISTS":
            result = not candidates
        else:
            wanted = {"IS NULL": None, "IS TRUE": True, "IS FALSE": False}[expr.kind]
            result = any(c is wanted for c in candidates)
        return Clause("check", text, result, subject, found, expr.kind)
    result = any(json_compare(expr.op, expr.value, c) for c in candidates)
    note = "false: the field is missing" if not candidates else ""
    return Clause("comparison", text, result, subject, found, expr.op, render_value(expr.value), note=note)


def _found(candidates: list[Any], selector: ast.Selector) -> str:
    if not candidates:
        return MISSING
    from ..sources.lenient import dumps  # writes 1e400 back as 1e400, not null

    return dumps(candidates if selector.wildcards else candidates[0]).decode()


# ------------------------------------------------------------------ space-delimited


def _space_clause(tree: ast.SpacePattern, text: str) -> tuple[Clause, tuple[tuple[str, str], ...]]:
    spans = field_spans(text)
    values = [f for _, f in spans]
    slots = tree.slots
    shown = render(tree)
    if not slots:
        numbered = tuple((f"${i}", f) for i, f in enumerate(values, 1))
        return Clause("slots", shown, True, decisive=True, note="[] matches every message"), numbered
    expanded, note = _expand(slots, values, spans, text)
    if expanded is None:
        needed = sum(isinstance(s, ast.Field) for s in slots)
        return Clause("slots", shown, False, decisive=True, note=f"{note}: the message has {len(values)} fields, "
                      f"the pattern needs {'at least ' if len(slots) > needed else ''}{needed}"), ()  # fmt: skip
    pairs, fields = expanded
    children = []
    labelled = []
    for position, (slot, value) in enumerate(zip(pairs, fields), 1):
        label = f"${slot.name}" if slot.name else f"${position}"
        labelled.append((label, value))
        if slot.condition is not None:
            children.append(Clause("slot", label, field_compare(slot.condition, value), label, value,
                                   children=(_field_clause(slot.condition, label, value),)))  # fmt: skip
    result = all(c.result for c in children)
    clause = Clause("slots", shown, result, note=note, children=tuple(children))
    return (_mark(clause) if children else replace(clause, decisive=True)), tuple(labelled)


def _expand(
    slots: tuple[ast.Slot, ...], values: list[str], spans: list[tuple[int, str]], text: str
) -> tuple[tuple[list[ast.Field], list[str]] | None, str]:
    """The slots (an ellipsis expanded into unnamed slots) and the fields they take, as §5 and
    §11.2 say; None when there are too few fields."""
    if any(isinstance(s, ast.Ellipsis_) for s in slots):
        absorbed = len(values) - (len(slots) - 1)
        if absorbed < 0:
            return None, "too few fields"
        out: list[ast.Field] = []
        for slot in slots:
            out.extend([ast.Field()] * absorbed if isinstance(slot, ast.Ellipsis_) else [slot])
        return (out, values), f"the ... takes {absorbed} field(s)"
    fixed = [s for s in slots if isinstance(s, ast.Field)]
    if len(values) < len(fixed):
        return None, "too few fields"
    if len(values) > len(fixed):
        last = len(fixed) - 1
        rest = text[spans[last][0] :].rstrip(SEPARATORS)
        return (fixed, [*values[:last], rest]), "the last slot takes the rest of the message (spec §11.2)"
    return (fixed, values), ""


def _field_clause(expr: ast.FieldExpr, label: str, value: str) -> Clause:
    if isinstance(expr, (ast.FieldAnd, ast.FieldOr)):
        children = tuple(_field_clause(e, label, value) for e in expr.items)
        kind: Kind = "and" if isinstance(expr, ast.FieldAnd) else "or"
        combine = all if kind == "and" else any
        text = (" && " if kind == "and" else " || ").join(c.text for c in children)
        return Clause(kind, text, combine(c.result for c in children), children=children)
    operand = render_value(expr.value)
    result = field_compare(expr, value)
    return Clause("comparison", f"{label[1:]} {expr.op} {operand}", result, label, value, expr.op, operand)
