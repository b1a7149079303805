"""Immutable AST of a CloudWatch Logs filter pattern.

Nodes hold meaning, not spelling: quoting, spacing and redundant parentheses are
dropped by the parser, so two patterns that AWS treats identically by
construction (``ERROR`` and ``"ERROR"``) have equal ASTs, and
``parse(render(ast)) == ast`` holds for every tree.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

Family = Literal["all", "terms", "regex", "json", "space"]
ComparisonOp = Literal["=", "!=", "<", "<=", ">", ">="]
ORDERING_OPS: frozenset[str] = frozenset({"<", "<=", ">", ">="})

# §4.1 number grammar: optional sign, integer or decimal, optional exponent.
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


# ------------------------------------------------------------------ nodes

_N = TypeVar("_N")

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True)
    def node(cls: type[_N]) -> type[_N]:
        """A frozen, slotted dataclass to the type checker."""

else:

    def node(cls):
        """What ``@dataclass(frozen=True, slots=True)`` makes of ``cls`` (fields from its
        annotations, defaults, ``==``, ``hash``, ``repr``, immutability, pickling), with the
        methods shared from ``_Node`` instead of generated: building 22 dataclasses was a
        tenth of the command's start-up."""
        names = tuple(cls.__annotations__)
        body = {k: v for k, v in vars(cls).items() if k not in names and k not in ("__dict__", "__weakref__")}
        body.update(__slots__=names, __match_args__=names, _fields=names)
        body["_defaults"] = {n: vars(cls)[n] for n in names if n in vars(cls)}
        made = type(cls.__name__, (_Node,), body)
        made.__qualname__ = cls.__qualname__
        return made


class _FieldsSignature:
    """A node class's ``__signature__``: its fields, as a dataclass's ``__init__`` shows them
    (for ``help`` and ``inspect``; built when asked for)."""

    def __get__(self, obj: object, cls: type[_Node]) -> Any:
        import inspect

        empty, kind = inspect.Parameter.empty, inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature([inspect.Parameter(n, kind, default=cls._defaults.get(n, empty)) for n in cls._fields])


class _Node:
    """The methods every AST node shares (see ``node``)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    __signature__ = _FieldsSignature()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(self._fields):
            raise TypeError(f"{type(self).__name__}() takes {len(self._fields)} positional arguments")
        values = dict(zip(self._fields, args))
        for name, value in kwargs.items():
            if name not in self._fields or name in values:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated argument {name!r}")
            values[name] = value
        for name in self._fields:
            if name in values:
                object.__setattr__(self, name, values[name])
            elif name in self._defaults:
                object.__setattr__(self, name, self._defaults[name])
            else:
                raise TypeError(f"{type(self).__name__}() missing argument {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self._fields)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._values())


# ------------------------------------------------------------------ operands


@node
class StringValue:
    """A quoted or bare string operand; a leading/trailing ``*`` is a wildcard (§4.5)."""

    text: str


@node
class NumberValue:
    """A numeric literal, kept as written (``10e3``, ``+1000``) because ``=`` against a
    JSON string compares with the literal's source text (§4.6)."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@node
class RegexValue:
    """A ``%...%`` regular expression; ``source`` is the text between the delimiters."""

    source: str


Value = StringValue | NumberValue | RegexValue


# ------------------------------------------------------------------ match-all, terms, regex


@node
class MatchAll:
    """The empty (or whitespace-only) pattern: every event matches (§1.3)."""


TermKind = Literal["required", "optional", "excluded"]


@node
class Term:
    """One term: ``text`` must (``required``), may (``optional``, ``?``) or must not
    (``excluded``, ``-``) occur as a substring of the message (§2)."""

    text: str
    kind: TermKind = "required"


@node
class TermsPattern:
    terms: tuple[Term, ...]


@node
class RegexPattern:
    """A standalone ``%regex%`` pattern searched over the whole message (§3)."""

    regex: RegexValue


# ------------------------------------------------------------------ JSON


@node
class Member:
    """``.name`` or ``.['name']``: a property of an object."""

    name: str


@node
class Index:
    """``[n]``: the n-th (zero-based) element of an array."""

    index: int


@node
class Wildcard:
    """``.*`` (``bracket=False``) or ``[*]`` (``bracket=True``): every child."""

    bracket: bool


Step = Member | Index | Wildcard


@node
class Selector:
    steps: tuple[Step, ...]

    @property
    def wildcards(self) -> int:
        return sum(isinstance(s, Wildcard) for s in self.steps)


@node
class Comparison:
    selector: Selector
    op: ComparisonOp
    value: Value


CheckKind = Literal["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]


@node
class Check:
    """``IS NULL``, ``IS TRUE``, ``IS FALSE`` or ``NOT EXISTS`` on a selector."""

    selector: Selector
    kind: CheckKind


@node
class And:
    """Conjunction of two or more items, none of which is itself an ``And``."""

    items: tuple[JsonExpr, ...]


@node
class Or:
    """Disjunction of two or more items, none of which is itself an ``Or``."""

    items: tuple[JsonExpr, ...]


JsonExpr = Comparison | Check | And | Or


@node
class JsonPattern:
    expr: JsonExpr


# ------------------------------------------------------------------ space-delimited


@node
class FieldComparison:
    """``<field> op value`` inside a slot; the field name is the slot's."""

    op: ComparisonOp
    value: Value


@node
class FieldAnd:
    """Two or more comparisons on the slot's field, all true (``&&`` binds tighter)."""

    items: tuple[FieldComparison, ...]


@node
class FieldOr:
    """Two or more alternatives; there are no parentheses inside a slot."""

    items: tuple[FieldComparison | FieldAnd, ...]


FieldExpr = FieldComparison | FieldAnd | FieldOr


@node
class Field:
    """One slot matching one message field. ``name=None`` is an unnamed (empty) slot;
    ``condition=None`` accepts any field."""

    name: str | None = None
    condition: FieldExpr | None = None


@node
class Ellipsis_:
    """``...``: absorbs zero or more consecutive fields."""


Slot = Field | Ellipsis_


@node
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
