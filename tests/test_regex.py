"""The RE2 translation of AWS's regex subset (pattern/regex.py): it accepts what Python's
``re`` (``re.ASCII``) accepts and finds a match exactly where ``re.search`` does, in time
linear in the message (issue 13)."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import cwfilter
from cwfilter.pattern import reference
from cwfilter.pattern.errors import E_REGEX_LIMIT, PatternError
from cwfilter.pattern.regex import (
    EXPENSIVE,
    MAX_REPEAT_TOTAL,
    _sre_parse,  # Python's own regex parser, whichever version
    translate,
)
from cwfilter.replayer import plan as fastpath

from .shared import fuzz_settings

# ------------------------------------------------------------------ generated regexes and messages

_ATOMS = [
    "a", "b", "A", "0", "9", "_", " ", ":", "-", "=", "/", ".",
    "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\.", "\\-", "\\^", "\\$", "\\[", "\\]", "\\{", "\\|", "\\*",
    "\\x41", "\\x0a", "\\x0b", "\\x7f", "\\xe9", "\\xff", "\\x28",
    "{", "}", "]", "[", "|", "^", "$", "$", "^",
]  # fmt: skip
_CLASS_ITEMS = [
    "a",
    "b-d",
    "0-9",
    "\\d",
    "\\s",
    "\\S",
    "\\W",
    "\\w",
    "\\xe9",
    "\\x00-\\x1f",
    "\\x80-\\xff",
    "-",
    "^",
    "]",
    ".",
]
_QUANTIFIERS = [
    "",
    "",
    "",
    "?",
    "*",
    "+",
    "*?",
    "+?",
    "??",
    "{2}",
    "{0,1}",
    "{1,}",
    "{,2}",
    "{2,3}",
    "{3,2}",
    "{1",
    "{,}",
]
_MESSAGE_CHARS = "aAbcd09_ :-./$^[]{}|*\n\x0b\t\r\x7f\xe9\xff()€😀\ud800" + "aaab"


@st.composite
def _class(draw: Any) -> str:
    items = draw(st.lists(st.sampled_from(_CLASS_ITEMS), min_size=1, max_size=3))
    return "[" + ("^" if draw(st.booleans()) else "") + "".join(items) + "]"


@st.composite
def aws_regex(draw: Any) -> str:
    """A regex in AWS's character set (§3.2), valid or not for Python's parser."""
    atom = st.one_of(st.sampled_from(_ATOMS), _class())
    pieces = draw(st.lists(st.tuples(atom, st.sampled_from(_QUANTIFIERS)), min_size=1, max_size=5))
    return "".join(a + q for a, q in pieces)


def _python_accepts(source: str) -> bool:
    """Whether ``re`` parses ``source``, less our one documented divergence: Python 3.11's
    possessive quantifiers, which the translation rejects."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = _sre_parse.parse(source, re.ASCII)
    except (re.error, OverflowError):
        return False
    return "POSSESSIVE_REPEAT" not in repr(tree)


def _python(source: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "possible nested set": a note for Python authors
        return re.compile(source, re.ASCII)


@fuzz_settings(400)
@given(aws_regex(), st.lists(st.text(_MESSAGE_CHARS, max_size=14), min_size=1, max_size=4))
@example("a$", ["a\n", "a\n\n", "a"])
@example("a$\\x0a", ["a\n", "a"])
@example("$^|x$^", ["", "\n", "x", "x\n"])
@example("\\s", ["\x0b"])
@example("[^\\x00-\\xff]", ["€", "\ud800", "\xff"])
def test_re2_agrees_with_re(source: str, messages: list[str]) -> None:
    """Same acceptance, and ``search`` finds a match exactly where ``re.search`` does."""
    if not _python_accepts(source):
        with pytest.raises(PatternError):
            translate(source, pattern=f"%{source}%", offset=1)
        return
    regex = translate(source, pattern=f"%{source}%", offset=1)
    python = _python(source)
    for message in messages:
        m = python.search(message)
        assert regex.search(message) is (m is not None), (regex.re2_source, message)
        found = regex.found(message)  # what `cwfilter explain` shows
        assert (found is None) is (m is None)
        if m is not None and "$" not in source:
            assert found == m.group(), (regex.re2_source, message)


@fuzz_settings(200)
@given(aws_regex(), st.text(_MESSAGE_CHARS, max_size=12))
def test_every_path_agrees_with_re(source: str, value: str) -> None:
    """Standalone, JSON value and space-delimited field: the plain matcher, the fast path and
    the reference interpreter all search as ``re`` does."""
    assume(_python_accepts(source))
    want = _python(source).search(value) is not None
    standalone = cwfilter.compile(f"%{source}%")
    assert standalone.matches(value) is want
    assert reference.matches(standalone.ast, value) is want
    if "\ud800" in value:
        return  # orjson rejects a lone surrogate's escape: not JSON, so never a JSON match
    json_pattern = cwfilter.compile(f"{{ $.v = %{source}% }}")
    message = json.dumps({"v": value})
    assert json_pattern.matches(message) is want
    assert reference.matches(json_pattern.ast, message) is want
    assert fastpath.matches_message(json_pattern.ast, message) in (None, want)
    if re.fullmatch(r'[^\s"\[\]]+', value):  # one plain field: the whole message
        field_pattern = cwfilter.compile(f"[f = %{source}%]")
        assert field_pattern.matches(value) is want
        assert reference.matches(field_pattern.ast, value) is want


# ------------------------------------------------------------------ Python's meaning, kept


@pytest.mark.parametrize(
    ("source", "subject", "found"),
    [
        ("a$", "xa\n", True),  # Python's $ also holds before a final newline
        ("a$", "xa\n\n", False),
        ("a$\\x0a", "a\n", True),
        ("a$b", "a\nb", False),
        ("$^", "", True),
        ("$^", "\n", True),
        ("$^", "x", False),
        (".", "\n", False),  # . is not a newline
        ("^b", "a\nb", False),  # ^ is the start of the message only
        ("\\s", "\x0b", True),  # Python's \s has \v, RE2's does not
        ("[\\S]", "\x0b", False),
        ("Error", "error", False),  # case-sensitive
        ("a{,2}b", "b", True),  # {,n} is 0..n in Python, a literal in RE2
        ("a{3", "a{3", True),  # an unfinished count is literal text
        ("x{1500,2500}", "x" * 1499, False),  # chained: RE2 counts to 1000 per operator
        ("x{1500,2500}", "x" * 1500, True),
        ("^x{1500,2500}$", "x" * 2501, False),
        ("\\xe9", "caf\xe9", True),
        ("\\W", "\ud800", True),  # a lone surrogate is a character like any other
        ("[^\\x00-\\xff]", "\u20ac", True),  # every code point named: UTF-8 mode
        ("[\\x00-\\x09\\x0b-\\xff]a$", "\x05a\u20ac", False),  # all but the newline named: still not \n
        ("\\d", "\u0663", False),  # ASCII digits only
        ("^starting|^initializing|^shutting down", "shutting down now", True),  # a hoisted common prefix
    ],
)
def test_python_semantics_kept(source: str, subject: str, found: bool) -> None:
    assert (re.search(source, subject, re.ASCII) is not None) is found
    assert translate(source, pattern=f"%{source}%", offset=1).search(subject) is found


@pytest.mark.parametrize("source", ["a*+", "a++b", "\\d?+", "a{1,2}+", "[*+]x\\++y++"])
def test_possessive_quantifiers_rejected(source: str) -> None:
    """Python 3.10 and RE2 reject them and AWS documents none; 3.11's ``re`` would accept them."""
    with pytest.raises(PatternError, match=r"possessive|multiple repeat") as info:
        cwfilter.compile(f"%{source}%")
    assert info.value.pattern[info.value.offset] == "+"  # the caret under the quantifier's '+'


@pytest.mark.parametrize(
    "source", ["a{5000000000}", f"a{{{MAX_REPEAT_TOTAL + 1}}}", "a{0,4294967294}", "\\w{2000}b{1001}"]
)
def test_huge_counts_rejected_as_aws_does(source: str) -> None:
    """No ``OverflowError``: AWS's message for an expression too expensive to evaluate."""
    with pytest.raises(PatternError) as info:
        cwfilter.compile(f"%{source}%")
    assert info.value.message == EXPENSIVE and info.value.code == E_REGEX_LIMIT


# ------------------------------------------------------------------ adversarial shapes finish

ADVERSARIAL = [
    "%a*a*a*a*a*a*b%",
    "%a*a*b%",
    "{ $.userAgent = %.*.*.*.*.*zzz% }",
    "[ip, agent = %\\w*\\w*\\w*\\w*\\w*!%]".replace("!", "\\x21"),
    "%^\\s*\\s*\\s*\\s*\\s*$x%",
    "%a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?aaaaaaaaaaaaaaaaaaaa{5}z%",
    "%[a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}0%",
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_catastrophic_shapes_finish_on_100_kb(text: str) -> None:
    """Each ran for minutes or more under backtracking ``re`` (issue 13); none matches here.
    No timing is asserted: that is the benchmark's job (benchmarks/test_bench_regex.py)."""
    p = cwfilter.compile(text)
    body = "a" * 100_000
    if p.family == "json":
        message = '{"userAgent": "' + body + '"}'
        assert fastpath.matches_message(p.ast, message) in (None, False)
    elif p.family == "space":
        message = "127.0.0.1 " + body
    else:
        message = body
    assert p.matches(message) is False
    assert reference.matches(p.ast, message) is False
