"""Immutable AST of a CloudWatch Logs filter pattern.

Nodes hold meaning, not spelling: quoting, spacing and redundant parentheses are
dropped by the parser, so two patterns that AWS treats identically by
construction (``ERROR`` and ``"ERROR"``) have equal ASTs, and
``parse(render(ast)) == ast`` holds for every tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Family = Literal["all", "terms", "regex", "json", "space"]
ComparisonOp = Literal["=", "!=", "<", "<=", ">", ">="]
ORDERING_OPS: frozenset[str] = frozenset({"<", "<=", ">", ">="})

# §4.1 number grammar: optional sign, integer or decimal, optional exponent.
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


# ------------------------------------------------------------------ operands


@dataclass(frozen=True, slots=True)
class StringValue:
    """A quoted or bare string operand; a leading/trailing ``*`` is a wildcard (§4.5)."""

    text: str


@dataclass(frozen=True, slots=True)
class NumberValue:
    """A numeric literal, kept as written (``10e3``, ``+1000``) because ``=`` against a
    JSON string compares with the literal's source text (§4.6)."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True, slots=True)
class RegexValue:
    """A ``%...%`` regular expression; ``source`` is the text between the delimiters."""

    source: str


Value = StringValue | NumberValue | RegexValue


# ------------------------------------------------------------------ match-all, terms, regex


@dataclass(frozen=True, slots=True)
class MatchAll:
    """The empty (or whitespace-only) pattern: every event matches (§1.3)."""


TermKind = Literal["required", "optional", "excluded"]


@dataclass(frozen=True, slots=True)
class Term:
    """One term: ``text`` must (``required``), may (``optional``, ``?``) or must not
    (``excluded``, ``-``) occur as a substring of the message (§2)."""

    text: str
    kind: TermKind = "required"


@dataclass(frozen=True, slots=True)
class TermsPattern:
    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class RegexPattern:
    """A standalone ``%regex%`` pattern searched over the whole message (§3)."""

    regex: RegexValue


# ------------------------------------------------------------------ JSON


@dataclass(frozen=True, slots=True)
class Member:
    """``.name`` or ``.['name']``: a property of an object."""

    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """``[n]``: the n-th (zero-based) element of an array."""

    index: int


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``.*`` (``bracket=False``) or ``[*]`` (``bracket=True``): every child."""

    bracket: bool


Step = Member | Index | Wildcard


@dataclass(frozen=True, slots=True)
class Selector:
    steps: tuple[Step, ...]

    @property
    def wildcards(self) -> int:
        return sum(isinstance(s, Wildcard) for s in self.steps)


@dataclass(frozen=True, slots=True)
class Comparison:
    selector: Selector
    op: ComparisonOp
    value: Value


CheckKind = Literal["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]


@dataclass(frozen=True, slots=True)
class Check:
    """``IS NULL``, ``IS TRUE``, ``IS FALSE`` or ``NOT EXISTS`` on a selector."""

    selector: Selector
    kind: CheckKind


@dataclass(frozen=True, slots=True)
class And:
    """Conjunction of two or more items, none of which is itself an ``And``."""

    items: tuple[JsonExpr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Disjunction of two or more items, none of which is itself an ``Or``."""

    items: tuple[JsonExpr, ...]


JsonExpr = Comparison | Check | And | Or


@dataclass(frozen=True, slots=True)
class JsonPattern:
    expr: JsonExpr


# ------------------------------------------------------------------ space-delimited


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """``<field> op value`` inside a slot; the field name is the slot's."""

    op: ComparisonOp
    value: Value


@dataclass(frozen=True, slots=True)
class FieldAnd:
    """Two or more comparisons on the slot's field, all true (``&&`` binds tighter)."""

    items: tuple[FieldComparison, ...]


@dataclass(frozen=True, slots=True)
class FieldOr:
    """Two or more alternatives; there are no parentheses inside a slot."""

    items: tuple[FieldComparison | FieldAnd, ...]


FieldExpr = FieldComparison | FieldAnd | FieldOr


@dataclass(frozen=True, slots=True)
class Field:
    """One slot matching one message field. ``name=None`` is an unnamed (empty) slot;
    ``condition=None`` accepts any field."""

    name: str | None = None
    condition: FieldExpr | None = None


@dataclass(frozen=True, slots=True)
class Ellipsis_:
    """``...``: absorbs zero or more consecutive fields."""


Slot = Field | Ellipsis_


@dataclass(frozen=True, slots=True)
class SpacePattern:
    """``[slot, ...]``; ``slots == ()`` is ``[]``, which matches any message (§5.1)."""

    slots: tuple[Slot, ...]


Pattern = MatchAll | TermsPattern | RegexPattern | JsonPattern | SpacePattern


def family_of(pattern: Pattern) -> Family:
    """The family name of a parsed pattern."""
    return _FAMILIES[type(pattern)]


_FAMILIES: dict[type, Family] = {
    MatchAll: "all",
    TermsPattern: "terms",
    RegexPattern: "regex",
    JsonPattern: "json",
    SpacePattern: "space",
}
