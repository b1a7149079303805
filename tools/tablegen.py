"""Build-time tool: lark reads ``grammar/filter_pattern.lark`` and this module writes what its
LALR parser and contextual lexer consist of (parse table, rules, each state's lexer) into
``lalr_tables.py``, which ``lalr.py`` runs without importing lark.

Why: importing lark and loading its parser was about half of ``cwfilter check``'s start-up.
The grammar stays the one source; ``make parser`` (``python tools/tablegen.py``) regenerates
the tables in the source tree, and a test fails while the committed tables differ from what lark
builds from the grammar (and runs both parsers side by side on generated patterns).
Needs lark (the ``test`` extra); the package does not import this module, nor lark.
"""

from __future__ import annotations

import sys
from pathlib import Path
from pprint import pformat
from typing import Any

START = ("terms_pattern", "regex_pattern", "json_pattern", "space_pattern")
ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "src" / "cwfilter" / "pattern" / "lalr_tables.py"  # in the source tree, not an installed copy
_ALARM = ROOT / "src" / "cwfilter" / "alarm"
# Every grammar of grammar/ whose tables a runtime module reads: (its start rules, the tables' file).
GRAMMARS: dict[str, tuple[tuple[str, ...], Path]] = {
    "filter_pattern": (START, TABLES),
    "alarm_rule": (("alarm_rule",), _ALARM / "rule_tables.py"),
    "metric_math": (("expression",), _ALARM / "math_tables.py"),
}


def grammar_text(name: str = "filter_pattern") -> str:
    """A grammar, ``grammar/{name}.lark`` of this checkout."""
    return (ROOT / "grammar" / f"{name}.lark").read_text(encoding="utf-8")


def build_lark(grammar: str, start: tuple[str, ...] = START) -> Any:
    """The lark parser the tables are read from (and the tests' reference parser)."""
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="contextual", start=list(start), maybe_placeholders=False)


def _tree_shape(rule: Any) -> tuple[tuple[int, bool], ...] | None:
    """Which children a rule's tree keeps, and which it splices (``_rule``s), as lark's
    ``maybe_create_child_filter`` decides without placeholders; None: all, as they are."""
    if rule.options.keep_all_tokens:
        return None
    include = tuple(
        (i, not sym.is_term and sym.name.startswith("_"))
        for i, sym in enumerate(rule.expansion)
        if not (sym.is_term and sym.filter_out)
    )
    if len(include) == len(rule.expansion) and not any(expand for _, expand in include):
        return None
    return include


def _rule(rule: Any) -> tuple[str, int, str, tuple[tuple[int, bool], ...] | None, bool]:
    """A rule as ``lalr.py`` reduces it: what it reduces to, how many symbols it pops, the
    name of its tree, which children the tree keeps, whether a single child replaces it."""
    name = str(rule.alias or rule.origin.name)
    expand1 = bool(rule.options.expand1 and not rule.alias)  # lark's ExpandSingleChild
    return str(rule.origin.name), len(rule.expansion), name, _tree_shape(rule), expand1


def _literal(terminal: Any) -> str | None:
    """A string terminal's text (tried with ``startswith``), None for a regex terminal
    (its regex is in ``TERMINALS``)."""
    pattern = terminal.pattern
    return str(pattern.value) if type(pattern).__name__ == "PatternStr" and not pattern.flags else None


def _lexer(lexer: Any) -> tuple[tuple[tuple[str, str | None], ...], tuple[str, ...], dict[str, dict[str, str]]]:
    """One BasicLexer: its terminals in the order its alternation tries them, the names it
    reports as allowed when nothing matches, and its "unless" retyping (a string terminal a
    regex terminal also matches)."""
    scanner = lexer.scanner  # built on first use: this also fills ``lexer.callback``
    if lexer.g_regex_flags or any(type(c).__name__ != "UnlessCallback" for c in lexer.callback.values()):
        raise ValueError("the tables support no global regex flags and no lexer callbacks but lark's 'unless'")
    unless: dict[str, dict[str, str]] = {}
    for name, callback in sorted(lexer.callback.items()):
        retype: dict[str, str] = {}
        for term in callback.scanner.terminals:
            if type(term.pattern).__name__ != "PatternStr" or term.pattern.flags:
                raise ValueError(f"'unless' terminal {term.name} is not a plain string")
            retype.setdefault(term.pattern.value, str(term.name))  # the first full match wins, as in lark
        unless[str(name)] = retype
    terminals = tuple((str(t.name), _literal(t)) for t in scanner.terminals)
    allowed = tuple(sorted(str(n) for n in scanner.allowed_types - lexer.ignore_types)) or ("<END-OF-FILE>",)
    return terminals, allowed, unless


def _canonical_order(table: Any, start: tuple[str, ...]) -> list[int]:
    """lark's states in the order a breadth-first walk from the start states meets them
    (symbols in sorted order): the same numbering on every run."""
    order: list[int] = []
    seen: set[int] = set()
    queue = [table.start_states[s] for s in start]
    while queue:
        state = queue.pop(0)
        if state in seen:
            continue
        seen.add(state)
        order.append(state)
        queue += [arg for _, (action, arg) in sorted(table.states[state].items()) if action.name == "Shift"]
    if seen != set(table.states):
        raise ValueError("a state of lark's table cannot be reached from the start states")
    return order


def tables(grammar: str, start: tuple[str, ...] = START) -> dict[str, Any]:
    """Everything ``lalr.py`` needs, as plain Python values."""
    import lark

    parser = build_lark(grammar, start)
    table = parser.parser.parser._parse_table
    rules = parser.rules
    rule_index = {id(r): i for i, r in enumerate(rules)}
    order = _canonical_order(table, start)  # lark numbers its states differently from run to run
    number = {state: i for i, state in enumerate(order)}
    actions: list[dict[str, int]] = []
    for state in order:
        row: dict[str, int] = {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            row[str(symbol)] = number[arg] if action.name == "Shift" else ~rule_index[id(arg)]
        actions.append(row)
    contextual = parser.parser.lexer
    lexers: list[Any] = []
    index: dict[int, int] = {}
    state_lexer = []
    for state in order:
        lexer = contextual.lexers[state]
        if id(lexer) not in index:
            index[id(lexer)] = len(lexers)
            lexers.append(_lexer(lexer))
        state_lexer.append(index[id(lexer)])
    return {
        "LARK_VERSION": lark.__version__,
        "IGNORE": tuple(sorted(str(n) for n in parser.ignore_tokens)),
        "TERMINALS": {str(t.name): t.pattern.to_regexp() for t in parser.terminals},
        "STARTS": {s: (number[table.start_states[s]], number[table.end_states[s]]) for s in start},
        "RULES": [_rule(r) for r in rules],
        "ACTIONS": actions,
        "LEXERS": lexers,
        "STATE_LEXER": state_lexer,
        "ROOT_LEXER": _lexer(contextual.root_lexer),
    }


_TYPES = {
    "LARK_VERSION": "str",
    "IGNORE": "tuple[str, ...]",
    "TERMINALS": "dict[str, str]",
    "STARTS": "dict[str, tuple[int, int]]",
    "RULES": "list[tuple[str, int, str, tuple[tuple[int, bool], ...] | None, bool]]",
    "ACTIONS": "list[dict[str, int]]",
    "LEXERS": "list[Lexer]",
    "STATE_LEXER": "list[int]",
    "ROOT_LEXER": "Lexer",
}


def source(grammar: str, start: tuple[str, ...] = START, name: str = "filter_pattern") -> str:
    """The text of ``lalr_tables.py`` (or another grammar's tables) for ``grammar``."""
    parts = [
        '"""Generated by ``tools/tablegen.py`` (``make parser``) from\n'
        f"``grammar/{name}.lark``: lark's LALR tables and contextual lexer for ``lalr.py``.\n"
        'Do not edit; a test fails while this file differs from what lark builds from the grammar."""\n\n'
        "# fmt: off\n"
        "# ruff: noqa\n"
        "# Lexer: (terminals in the order tried: (name, the text of a string terminal or None)),\n"
        "# names reported as allowed,\n"
        "# {regex terminal: {string value: the string terminal it becomes}}.\n"
        "Lexer = tuple[tuple[tuple[str, str | None], ...], tuple[str, ...], dict[str, dict[str, str]]]\n\n"
    ]
    for key, value in tables(grammar, start).items():
        parts.append(f"{key}: {_TYPES[key]} = {pformat(value, width=110, sort_dicts=False)}\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def main() -> int:
    """Regenerate every grammar's tables; ``--check`` only says whether they are current."""
    stale = 0
    for name, (start, path) in GRAMMARS.items():
        text = source(grammar_text(name), start, name)
        if "--check" in sys.argv[1:]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            print("up to date" if current == text else f"{path} is stale: run make parser")
            stale += current != text
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
