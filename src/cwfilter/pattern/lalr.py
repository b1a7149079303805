"""The filter-pattern parser at run time: lark's LALR(1) parser and contextual lexer for
``grammar/filter_pattern.lark``, run from the tables ``tools/tablegen.py`` had lark write into
``lalr_tables.py``, so that a command's start-up does not import lark (about half of
``cwfilter check``'s start-up did). It gives what lark gives: the same tree (``Tree``,
``Token``), the same errors (``UnexpectedCharacters``, ``UnexpectedToken`` with the same
position and expected terminals); tests run both parsers side by side.

``Parser`` runs any grammar's tables the same way (the alarm grammars, ``alarm/*_tables.py``);
``parse`` is the filter-pattern grammar's."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import lalr_tables

__all__ = [
    "Parser",
    "Token",
    "Tree",
    "UnexpectedCharacters",
    "UnexpectedInput",
    "UnexpectedToken",
    "parse",
    "transform",
]


class Token(str):
    """A terminal of the input: its text (the ``str``), ``type`` (the terminal's name) and
    where it starts and ends in the pattern."""

    __slots__ = ("end_pos", "start_pos", "type")
    type: str
    start_pos: int
    end_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int = 0, end_pos: int | None = None) -> Token:
        token = super().__new__(cls, value)
        token.type = type_
        token.start_pos = start_pos
        token.end_pos = start_pos + len(value) if end_pos is None else end_pos
        return token

    @property
    def value(self) -> str:
        """The token's text."""
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Tree:
    """A rule's node: the rule's name (or its alias) and its children, as lark builds them."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Node]) -> None:
        self.data = data
        self.children = children

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tree) and (self.data, self.children) == (other.data, other.children)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


Node = Tree | Token


class UnexpectedInput(Exception):
    """The pattern is not in the grammar."""


class UnexpectedCharacters(UnexpectedInput):
    """No terminal the parser could take here starts at ``pos_in_stream``; ``allowed``: the
    terminals the parser could take."""

    def __init__(self, pos: int, allowed: tuple[str, ...]) -> None:
        super().__init__(f"no terminal matches at {pos}")
        self.pos_in_stream = pos
        self.allowed = set(allowed)


class UnexpectedToken(UnexpectedInput):
    """``token`` (type ``$END`` at the end) is a terminal, but not one the parser could take
    here (``expected``)."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token.type} at {token.start_pos}")
        self.token = token
        self.expected = expected


class _Lexer:
    """One of lark's BasicLexers: its terminals tried in its order, the first that matches
    taken (what its alternation of the terminals does); string terminals by ``startswith``."""

    __slots__ = ("allowed", "ignore", "regex", "terminals", "unless")

    def __init__(self, spec: Any, regex: Callable[[str], re.Pattern[str]], ignore: tuple[str, ...]) -> None:
        self.terminals, self.allowed, self.unless = spec
        self.regex = regex
        self.ignore = ignore

    def _match(self, text: str, pos: int) -> tuple[str, int] | None:
        for name, literal in self.terminals:
            if literal is None:
                m = self.regex(name).match(text, pos)
                if m is not None:
                    return name, m.end()
            elif text.startswith(literal, pos):
                return name, pos + len(literal)
        return None

    def next_token(self, text: str, pos: int) -> Token | None:
        """The next token from ``pos`` (ignored terminals skipped); None at the end."""
        while pos < len(text):
            found = self._match(text, pos)
            if found is None:
                raise UnexpectedCharacters(pos, self.allowed)
            kind, end = found
            value = text[pos:end]
            ignored = kind in self.ignore  # decided before the retyping, as lark does
            if kind in self.unless:
                kind = self.unless[kind].get(value, kind)
            if not ignored:
                return Token(kind, value, pos, end)
            pos = end
        return None


class Parser:
    """lark's LALR(1) parser and contextual lexer for one grammar, from the tables
    ``tablegen.py`` wrote for it (a module: ``TERMINALS``, ``IGNORE``, ``STARTS``, ``RULES``,
    ``ACTIONS``, ``LEXERS``, ``STATE_LEXER``, ``ROOT_LEXER``)."""

    def __init__(self, tables: ModuleType) -> None:
        self.tables = tables
        self._compiled: dict[str, re.Pattern[str]] = {}  # each regex terminal, compiled when first tried
        ignore = tuple(tables.IGNORE)
        self._lexers: list[_Lexer] = [_Lexer(spec, self._regex, ignore) for spec in tables.LEXERS]
        self._root = _Lexer(tables.ROOT_LEXER, self._regex, ignore)

    def _regex(self, name: str) -> re.Pattern[str]:
        regex = self._compiled.get(name)
        if regex is None:
            regex = self._compiled[name] = re.compile(self.tables.TERMINALS[name])
        return regex

    def _next_token(self, text: str, pos: int, state: int) -> Token | None:
        """The state's lexer; where it finds nothing, lark's contextual lexer asks the lexer of
        all terminals, to say which terminal came where the state expected others."""
        lexer: _Lexer = self._lexers[self.tables.STATE_LEXER[state]]
        try:
            return lexer.next_token(text, pos)
        except UnexpectedCharacters as exc:
            try:
                token = self._root.next_token(text, exc.pos_in_stream)
            except UnexpectedCharacters:
                raise exc from None
            if token is None:  # pragma: no cover - the state's lexer skips what the root would skip
                raise
            raise UnexpectedToken(token, set(lexer.allowed)) from None

    def _reduce(self, rule: int, states: list[int], values: list[Node]) -> None:
        """Pop a rule's children, push its node built as lark builds it (filtered tokens dropped,
        ``_rule`` children spliced, a ``?rule`` with one child replaced by the child) and go to
        the state the rule leads to."""
        spec: tuple[str, int, str, tuple[tuple[int, bool], ...] | None, bool] = self.tables.RULES[rule]
        origin, size, name, shape, expand1 = spec
        children = values[len(values) - size :]
        del values[len(values) - size :], states[len(states) - size :]
        if shape is not None:
            kept: list[Node] = []
            for i, splice in shape:
                child = children[i]
                if splice:
                    kept += child.children  # type: ignore[union-attr]
                else:
                    kept.append(child)
            children = kept
        values.append(children[0] if expand1 and len(children) == 1 else Tree(name, children))
        states.append(self.tables.ACTIONS[states[-1]][origin])

    def parse(self, text: str, start: str) -> Node:
        """The tree of ``text`` from the start rule ``start``; raises ``UnexpectedInput``."""
        state_start, state_end = self.tables.STARTS[start]
        actions = self.tables.ACTIONS
        states = [state_start]
        values: list[Node] = []
        pos = 0
        last: Token | None = None
        while True:
            token = self._next_token(text, pos, states[-1])
            if token is None:
                token = Token("$END", "", last.start_pos if last else 0, last.end_pos if last else 0)
            while True:
                row = actions[states[-1]]
                action = row.get(token.type)
                if action is None:
                    raise UnexpectedToken(token, {s for s in row if s.isupper()})
                if action >= 0:  # shift
                    states.append(action)
                    values.append(token)
                    break
                self._reduce(~action, states, values)
                if token.type == "$END" and states[-1] == state_end:
                    return values[-1]
            last, pos = token, token.end_pos


parse = Parser(lalr_tables).parse  # the filter-pattern grammar's


def transform(node: Node, builder: Any) -> Any:
    """Apply ``builder`` bottom-up as a lark ``Transformer`` does: each tree's children first,
    then the builder's method named after the tree (a tree without one stays a tree);
    tokens pass as they are."""
    if not isinstance(node, Tree):
        return node
    children = [transform(c, builder) for c in node.children]
    method: Callable[[list[Any]], Any] | None = getattr(builder, node.data, None)
    return method(children) if method is not None else Tree(node.data, children)
