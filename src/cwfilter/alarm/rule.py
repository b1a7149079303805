"""The AlarmRule of a composite alarm (alarms.md §12.1): parsed by ``grammar/alarm_rule.lark``
through the table-driven parser (``pattern/lalr.py`` on ``rule_tables.py``), validated as
PutCompositeAlarm validates it, evaluated over the children's states, and checked for rules that
can never be true.

The rule is a tree of ``StateOf`` (``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``),
``Constant`` (``TRUE``/``FALSE``), ``Not``, ``And`` and ``Or`` nodes."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..pattern.lalr import Parser, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, transform
from . import rule_tables
from .model import AlarmValidationError, constraint_error

MAX_RULE_LENGTH = 10_240  # characters [DOC: PutCompositeAlarm AlarmRule]
MAX_CHILDREN = 100  # alarms one rule may name [DOC: CloudWatch quotas, "composite alarms"]
STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_PARSER = Parser(rule_tables)
# How AWS names what it expected ("must be: ..."); the terminals of grammar/alarm_rule.lark.
_EXPECTED_NAMES = {
    "LPAR": "'('",
    "RPAR": "')'",
    "NOT": "'NOT'",
    "AT_LEAST_CALL": "AT_LEAST",
    "TRUE": "TRUE or FALSE",
    "FALSE": "TRUE or FALSE",
    "STATE": "ALARM, OK, or INSUFFICIENT_DATA",
    "AND": "'AND'",
    "OR": "'OR'",
    "QUOTED_NAME": "an alarm name or ARN",
    "BARE_NAME": "an alarm name or ARN",
    "$END": "the end of the rule",
}


@dataclass(frozen=True)
class StateOf:
    """``STATE(alarm)``: true while the alarm named (or ARN) ``alarm`` is in ``state``."""

    state: str
    alarm: str


@dataclass(frozen=True)
class Constant:
    """``TRUE`` or ``FALSE``."""

    value: bool


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = StateOf | Constant | Not | And | Or


class _Builder:
    """lark-style transformer: the parse tree of grammar/alarm_rule.lark → rule nodes."""

    def alarm_rule(self, c: list[Any]) -> Node:
        return c[0]  # type: ignore[no-any-return]

    def or_expr(self, c: list[Any]) -> Node:
        return Or(tuple(c))

    def and_expr(self, c: list[Any]) -> Node:
        return And(tuple(c))

    def negation(self, c: list[Any]) -> Node:
        return Not(c[0])

    def state_of(self, c: list[Any]) -> Node:
        return StateOf(str(c[0]), c[1])

    def true(self, c: list[Any]) -> Node:
        return Constant(True)

    def false(self, c: list[Any]) -> Node:
        return Constant(False)

    def alarm_ref(self, c: list[Any]) -> str:
        text = str(c[0])
        return text[1:-1] if text.startswith('"') else text

    def at_least(self, c: list[Any]) -> Node:
        raise AlarmValidationError(
            "AlarmRule: AT_LEAST(...) is not emulated by cwfilter", aws_exception=None, code="E_UNSUPPORTED"
        )


def _expected(names: set[str]) -> str:
    """AWS's list of what could come here: ``'(', 'NOT', AT_LEAST, TRUE or FALSE, ALARM, OK, or
    INSUFFICIENT_DATA`` (an order seen in AWS's message)."""
    order = list(_EXPECTED_NAMES)
    shown = list(dict.fromkeys(_EXPECTED_NAMES[n] for n in sorted(names, key=order.index) if n in _EXPECTED_NAMES))
    return ", ".join(shown)


def _syntax_error(text: str, exc: UnexpectedInput) -> AlarmValidationError:
    """``Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']`` — AWS's
    wording [OBS: aws/aws-cdk#13953, #34662]; ``char`` counts from 0."""
    if isinstance(exc, UnexpectedToken):
        pos, token, expected = exc.token.start_pos, str(exc.token), exc.expected
        if exc.token.type == "$END":
            pos, token = len(text), ""
    else:
        assert isinstance(exc, UnexpectedCharacters)
        pos, token, expected = exc.pos_in_stream, text[exc.pos_in_stream], exc.allowed
    must = _expected(expected)
    return AlarmValidationError(
        f"Error in AlarmRule [Unsupported token '{token}' at char {pos}" + (f", must be: {must}]" if must else "]")
    )


def parse_rule(text: str) -> Node:
    """The rule of ``text``; ``AlarmValidationError`` with AWS's message where PutCompositeAlarm
    rejects it (too long, a syntax error, more than 100 alarms), ``code`` ``E_UNSUPPORTED``
    for ``AT_LEAST``."""
    if not isinstance(text, str) or not text:
        raise constraint_error(text, "alarmRule", "Member must have length greater than or equal to 1")
    if len(text) > MAX_RULE_LENGTH:
        raise constraint_error(
            text[:40] + "...", "alarmRule", f"Member must have length less than or equal to {MAX_RULE_LENGTH}"
        )
    try:
        tree = _PARSER.parse(text, "alarm_rule")
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    node: Node = transform(tree, _Builder())
    named = children(node)
    if len(named) > MAX_CHILDREN:
        raise AlarmValidationError(
            f"AlarmRule names {len(named)} alarms; a composite alarm can have at most {MAX_CHILDREN} underlying alarms"
        )
    return node


def walk(node: Node) -> Iterator[Node]:
    """Every node of the rule, depth first, left to right."""
    yield node
    if isinstance(node, Not):
        yield from walk(node.operand)
    elif isinstance(node, (And, Or)):
        for operand in node.operands:
            yield from walk(operand)


def children(node: Node) -> list[str]:
    """The alarms the rule names (names or ARNs as written), in first-mention order."""
    return list(dict.fromkeys(n.alarm for n in walk(node) if isinstance(n, StateOf)))


def evaluate_rule(node: Node, state_of: Callable[[str], str]) -> bool:
    """The rule's truth with each named alarm in ``state_of(alarm)``."""
    if isinstance(node, StateOf):
        return state_of(node.alarm) == node.state
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, Not):
        return not evaluate_rule(node.operand, state_of)
    if isinstance(node, And):
        return all(evaluate_rule(o, state_of) for o in node.operands)
    return any(evaluate_rule(o, state_of) for o in node.operands)


def _partial(node: Node, known: Mapping[str, str]) -> bool | None:
    """Three-valued truth with only ``known`` alarms' states fixed (None: not decided yet)."""
    if isinstance(node, StateOf):
        state = known.get(node.alarm)
        return None if state is None else state == node.state
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, Not):
        inner = _partial(node.operand, known)
        return None if inner is None else not inner
    values = [_partial(o, known) for o in node.operands]
    decisive = isinstance(node, Or)  # True decides an OR, False an AND
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def satisfying_states(node: Node, *, limit: int = 200_000) -> dict[str, str] | None:
    """States of the named alarms under which the rule is true, or None when no such states
    exist (``ALARM(x) AND OK(x)`` can never be true). Backtracking with three-valued pruning;
    ``limit`` bounds the search (``RuntimeError`` beyond it)."""
    names = children(node)
    known: dict[str, str] = {}
    steps = itertools.count()

    def search(i: int) -> bool:
        if next(steps) > limit:
            raise RuntimeError("AlarmRule too large to decide whether it can be true")
        value = _partial(node, known)
        if value is not None:
            return value
        for state in STATES:
            known[names[i]] = state
            if search(i + 1):
                return True
        del known[names[i]]
        return False

    if not search(0):
        return None
    return {name: known.get(name, "OK") for name in names}


def render_rule(node: Node) -> str:
    """The rule as text (names quoted), parenthesised where precedence needs it."""
    if isinstance(node, StateOf):
        return f'{node.state}("{node.alarm}")'
    if isinstance(node, Constant):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, Not):
        inner = render_rule(node.operand)
        return f"NOT ({inner})" if isinstance(node.operand, (And, Or)) else f"NOT {inner}"
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [
        f"({render_rule(o)})" if isinstance(o, Or) or (isinstance(node, And) and isinstance(o, And)) else render_rule(o)
        for o in node.operands
    ]
    return joiner.join(parts)


def substitute(node: Node, is_alarm: Callable[[str], bool], state: str) -> Node:
    """The rule with every ``STATE(x)`` naming the alarm (``is_alarm(x)``) decided for ``state``."""
    if isinstance(node, StateOf):
        return Constant(node.state == state) if is_alarm(node.alarm) else node
    if isinstance(node, Not):
        return Not(substitute(node.operand, is_alarm, state))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(substitute(o, is_alarm, state) for o in node.operands))
    return node


def notifies_for(node: Node, is_alarm: Callable[[str], bool]) -> bool:
    """Whether the alarm's going to ALARM turns the rule from false to true while every other alarm
    it names rests (in OK or INSUFFICIENT_DATA): a composite over it then notifies for it.
    ``ALARM(x) AND NOT ALARM(maintenance)`` and ``ALARM(x) OR ALARM(y)`` do; ``ALARM(x) AND
    ALARM(y)`` needs y in ALARM too, and ``ALARM(x) AND OK(x)`` is never true."""
    resting = tuple(Not(StateOf("ALARM", other)) for other in children(node) if not is_alarm(other))
    fires = substitute(node, is_alarm, "ALARM")
    return any(
        satisfying_states(And((fires, Not(substitute(node, is_alarm, before)), *resting))) is not None
        for before in ("OK", "INSUFFICIENT_DATA")
    )
