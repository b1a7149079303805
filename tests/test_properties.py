"""Properties: parse ∘ render round-trips, the compiled matcher agrees with the reference
interpreter, and no input makes the parser or the matcher raise anything unexpected."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.pattern import ast, compile_pattern, parse, reference, render
from cwfilter.pattern.matcher import split_fields

from . import strategies as S

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(S.patterns)
def test_parse_of_render_is_identity(pattern: ast.Pattern) -> None:
    text = render(pattern)
    assert parse(text) == pattern, text


@SETTINGS
@given(S.patterns, st.data())
def test_compiled_matcher_agrees_with_reference(pattern: ast.Pattern, data: st.DataObject) -> None:
    matcher = compile_pattern(pattern)
    family_messages = {
        ast.JsonPattern: S.json_messages,
        ast.SpacePattern: S.space_messages,
    }.get(type(pattern), S.messages)
    for message in data.draw(st.lists(family_messages | S.messages, min_size=1, max_size=6)):
        expected = reference.extract(pattern, message)
        assert matcher.extract(message) == expected, (render(pattern), message)
        assert matcher.matches(message) is (expected is not None), (render(pattern), message)
        assert matcher.matches(message.encode("utf-8")) is (expected is not None), (render(pattern), message)


@SETTINGS
@given(S.json_pattern, st.data())
def test_json_matcher_agrees_on_messages_built_for_the_pattern(pattern: ast.JsonPattern, data: st.DataObject) -> None:
    """Messages that hold values at the pattern's selectors, so conditions hit as often as they miss."""
    matcher = compile_pattern(pattern)
    for message in data.draw(st.lists(S.json_message_for(pattern), min_size=1, max_size=4)):
        expected = reference.matches(pattern, message)
        assert matcher.matches(message) is expected, (render(pattern), message)
        assert matcher.matches(message.encode("utf-8")) is expected, (render(pattern), message)


@SETTINGS
@given(S.space, st.lists(S.space_messages, min_size=1, max_size=6))
def test_space_matcher_agrees_with_reference(pattern: ast.SpacePattern, messages: list[str]) -> None:
    """Space-delimited patterns alone, so surplus fields (the last slot takes the rest, §11.2)
    and CR/LF separators are met often."""
    matcher = compile_pattern(pattern)
    for message in messages:
        expected = reference.extract(pattern, message)
        assert matcher.extract(message) == expected, (render(pattern), message)
        assert matcher.matches(message.encode("utf-8")) is (expected is not None), (render(pattern), message)


@SETTINGS
@given(S.space_messages)
def test_field_splitters_agree(message: str) -> None:
    assert split_fields(message) == reference.split_fields(message)


PATTERN_ALPHABET = string.ascii_letters[:6] + string.digits[:3] + " {}[]()$.*%\"'=!<>&|?-,\\:_@é\t"


def _compile_or_pattern_error(text: str) -> None:
    try:
        p = cwfilter.compile(text)
    except cwfilter.PatternError as exc:
        assert 0 <= exc.offset <= len(text)
        assert exc.caret.count("\n") == 1
        return
    # Whatever compiles renders to canonical text that parses back to the same tree.
    assert parse(str(p)) == p.ast


@SETTINGS
@given(st.text(alphabet=PATTERN_ALPHABET, max_size=40) | st.text(max_size=40))
def test_compile_raises_only_pattern_error(text: str) -> None:
    _compile_or_pattern_error(text)


@st.composite
def structured_text(draw: st.DrawFn) -> str:
    """Texts near the grammar: fragments of valid patterns glued together."""
    parts = st.sampled_from(
        [
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            "$.a",
            "$.b[0]",
            "$.*",
            "$.['k.l']",
            " = ",
            " != ",
            " > ",
            " IS NULL",
            " NOT EXISTS",
            " IS TRUE",
            " && ",
            " || ",
            '"x"',
            "4*",
            "%a+%",
            "...",
            ", ",
            "w1",
            "-",
            "?",
            "ERROR",
            " ",
        ]
    )
    return "".join(draw(st.lists(parts, max_size=12)))


@SETTINGS
@given(structured_text())
def test_compile_near_grammar_raises_only_pattern_error(text: str) -> None:
    _compile_or_pattern_error(text)


MATCH_PATTERNS = [
    "",
    "ERROR -WARN ?x",
    "%a+b|^x%",
    "{ $.a = * && $.b[*] != 4* || $.c.d > 10 }",
    "{ $.* = %x% || $.a IS NULL || $.b NOT EXISTS }",
    "[ip, ..., status = 4* || status = %5..%, bytes > 100]",
    "[]",
]


@SETTINGS
@given(st.sampled_from(MATCH_PATTERNS), st.text() | st.binary() | S.messages)
def test_matching_never_raises(text: str, message: str | bytes) -> None:
    p = cwfilter.compile(text)
    result = p.matches(message)
    assert isinstance(result, bool)
    extracted = p.extract(message)
    assert (extracted is not None) is result
    assume(isinstance(message, str))
    assert reference.matches(p.ast, message) is result


@SETTINGS
@given(S.json_pattern, st.data())
def test_prefix_scan_agrees_with_reference(pattern: ast.JsonPattern, data: st.DataObject) -> None:
    matcher = compile_pattern(pattern, json_prefix_scan=True)
    prefix = data.draw(st.sampled_from(["", "INFO ", "2023-01-01T00:00:00Z\tid\tINFO\t", "{", "x}"]))
    for message in data.draw(st.lists(S.json_message_for(pattern), min_size=1, max_size=3)):
        text = prefix + message
        expected = reference.matches(pattern, text, json_prefix_scan=True)
        assert matcher.matches(text) is expected, (render(pattern), text)
        assert matcher.matches(text.encode()) is expected
