"""The run-time parser (``pattern/lalr.py`` on ``lalr_tables.py``) is lark's parser for the
grammar: the committed tables are what lark builds from ``grammar/filter_pattern.lark`` today,
and on every pattern tried (the conformance cases, generated patterns, arbitrary text) both
give the same tree or the same error at the same place with the same expected terminals."""

from __future__ import annotations

import json
from typing import Any

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwfilter.pattern import lalr, render
from cwfilter.pattern.syntax import detect_family
from tools import tablegen

from . import strategies as S
from .shared import SPEC

_LARK = tablegen.build_lark(tablegen.grammar_text())


def test_the_committed_tables_are_what_lark_builds_from_the_grammar() -> None:
    current = tablegen.TABLES.read_text(encoding="utf-8")
    assert current == tablegen.source(tablegen.grammar_text()), "stale parser tables: run `make parser`"


def _plain(node: Any) -> Any:
    """A tree of either parser as plain values (tokens with their type and place)."""
    if isinstance(node, (lark.Tree, lalr.Tree)):
        return (node.data, [_plain(c) for c in node.children])
    return (node.type, str(node), node.start_pos)


def _outcome(parse: Any, characters: type[Exception], token: type[Exception], text: str, start: str) -> Any:
    """One parser's tree, or its error as plain values."""
    try:
        return _plain(parse(text, start))
    except characters as exc:
        return ("characters", exc.pos_in_stream, sorted(exc.allowed))  # type: ignore[attr-defined]
    except token as exc:
        tok = exc.token  # type: ignore[attr-defined]
        return ("token", tok.type, str(tok), None if tok.type == "$END" else tok.start_pos, sorted(exc.expected))  # type: ignore[attr-defined]


def _outcome_lark(text: str, start: str) -> Any:
    errors = lark.exceptions
    return _outcome(
        lambda t, s: _LARK.parse(t, start=s), errors.UnexpectedCharacters, errors.UnexpectedToken, text, start
    )


def _outcome_ours(text: str, start: str) -> Any:
    return _outcome(lalr.parse, lalr.UnexpectedCharacters, lalr.UnexpectedToken, text, start)


def _same(text: str, start: str | None = None) -> None:
    for rule in [start] if start else tablegen.START:
        assert _outcome_ours(text, rule) == _outcome_lark(text, rule), (text, rule)


def _case_patterns() -> list[str]:
    cases = json.loads((SPEC / "conformance-cases.json").read_text(encoding="utf-8"))
    return sorted({c["pattern"] for c in cases})


def test_every_conformance_pattern_parses_alike_from_every_start_rule() -> None:
    patterns = _case_patterns()
    assert len(patterns) > 100
    for text in patterns:
        _same(text)


@given(S.patterns)
@settings(max_examples=300, deadline=None)
def test_generated_patterns_parse_alike(pattern: Any) -> None:
    text = render(pattern)
    family = detect_family(text)
    _same(text, None if family == "all" else f"{family}_pattern")


_PIECES = st.sampled_from(
    ['{', '}', '[', ']', '(', ')', ',', ' ', '\n', '$.a', '$.b[0]', "$.['k']", '$.*', '=', '!=', '<=', '>', '&&',
     '||', 'IS', 'NULL', 'TRUE', 'FALSE', 'NOT', 'EXISTS', '"q"', '"', '%r%', '%', '...', 'x', '-', '?', '1', 'w-1',
     '\\', "'", '&', '|', '!', '*', '.', ':', '@']
)  # fmt: skip


@given(st.lists(_PIECES, max_size=14).map("".join))
@settings(max_examples=800, deadline=None)
def test_arbitrary_text_parses_or_fails_alike(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text", ["", " ", "{", "{ $.a = 1 } }", "[a,,b]", "[...]", "x \t y", '"open', "%", "'a'"])
def test_edge_texts_parse_or_fail_alike(text: str) -> None:
    _same(text)
