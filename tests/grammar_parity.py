"""What the alarm grammars' tests share: the committed tables are what lark builds from the grammar,
and the table-driven parser (``pattern/lalr.py``) gives lark's tree or lark's error on any text."""

from __future__ import annotations

from typing import Any

import lark

from cwfilter.pattern import lalr
from tools import tablegen


class Twins:
    """lark's parser and ours for the grammar ``grammar/{name}.lark`` (tables: ``tables``)."""

    def __init__(self, name: str, tables: Any) -> None:
        self.name = name
        self.start, self.path = tablegen.GRAMMARS[name]
        self.lark = tablegen.build_lark(tablegen.grammar_text(name), self.start)
        self.ours = lalr.Parser(tables)

    def tables_are_current(self) -> bool:
        current = self.path.read_text(encoding="utf-8")
        return current == tablegen.source(tablegen.grammar_text(self.name), self.start, self.name)

    def outcome(self, text: str, ours: bool) -> Any:
        """One parser's tree, or its error, as plain values."""
        errors = lark.exceptions
        start = self.start[0]
        try:
            return _plain(self.ours.parse(text, start) if ours else self.lark.parse(text, start=start))
        except (lalr.UnexpectedCharacters, errors.UnexpectedCharacters) as exc:
            return ("characters", exc.pos_in_stream, sorted(exc.allowed))
        except (lalr.UnexpectedToken, errors.UnexpectedToken) as exc:
            tok = exc.token
            return ("token", tok.type, str(tok), None if tok.type == "$END" else tok.start_pos, sorted(exc.expected))

    def agree(self, text: str) -> bool:
        return bool(self.outcome(text, True) == self.outcome(text, False))


def _plain(node: Any) -> Any:
    if isinstance(node, (lark.Tree, lalr.Tree)):
        return (node.data, [_plain(c) for c in node.children])
    return (node.type, str(node), node.start_pos)
