"""Pattern text → AST: family detection (§1.3), the parse (lark's tables, ``lalr.py``), and validation.

The grammar in ``grammar/filter_pattern.lark`` only shapes tokens into a tree; this
module turns that tree into typed nodes and applies AWS's rules that a context-free
grammar cannot say: character sets, quotas, one field per slot, numeric operands.
"""

from __future__ import annotations

import re
from typing import Any

from . import ast, lalr
from . import lalr_tables as tables
from .build import Builder
from .errors import (
    E_JSON_UNCLOSED,
    E_LENGTH,
    E_REGEX_LIMIT,
    E_TERM_CHAR,
    E_WILDCARD_LIMIT,
    INVALID_FILTER_PATTERN,
    PatternError,
    PatternWarning,
    invalid_characters,
)

MAX_LENGTH = 1024
MAX_REGEX = 2
MAX_WILDCARD_SELECTORS = 3
_ASCII_WS = " \t\n\r\f\v"

_EXPECTED_NAMES = {
    "SELECTOR": "a selector such as $.name",
    "CMP_OP": "a comparison operator (= != < <= > >=)",
    "QUOTED": 'a "quoted string"',
    "REGEX": "a %regex%",
    "BARE_VALUE": "a value",
    "FIELD_NAME": "a field name",
    "ELLIPSIS": "...",
    "BARE_TERM": "a term",
    "TERM_PREFIX": "? or -",
    "LPAR": "(",
    "RPAR": ")",
    "LBRACE": "{",
    "RBRACE": "}",
    "LSQB": "[",
    "RSQB": "]",
    "COMMA": ",",
    "IS": "IS",
    "NOT": "NOT",
    "NULL": "NULL",
    "TRUE": "TRUE",
    "FALSE": "FALSE",
    "EXISTS": "EXISTS",
    "$END": "the end of the pattern",
    "<END-OF-FILE>": "the end of the pattern",
}


def detect_family(text: str) -> ast.Family:
    """The family a pattern text belongs to, by its first character (spec §1.3)."""
    t = text.strip(_ASCII_WS)
    if not t:
        return "all"
    if t[0] == "{":
        return "json"
    if t[0] == "[":
        return "space"
    if len(t) >= 2 and t[0] == "%" and t[-1] == "%":
        return "regex"
    return "terms"


def parse(text: str, *, strict: bool = False) -> ast.Pattern:
    """Parse a filter pattern; raise ``PatternError`` where AWS would reject it."""
    return analyse(text, strict=strict)[0]


def analyse(text: str, *, strict: bool = False) -> tuple[ast.Pattern, tuple[PatternWarning, ...]]:
    """Parse a filter pattern and also return the warnings of lenient mode."""
    if len(text) > MAX_LENGTH:
        raise PatternError(
            f"1 validation error detected: Value '{text}' at 'filterPattern' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_LENGTH}",
            pattern=text,
            offset=MAX_LENGTH,
            code=E_LENGTH,
        )
    family = detect_family(text)
    if family == "all":
        return ast.MatchAll(), ()
    t = text.strip(_ASCII_WS)
    if family == "json" and not t.endswith("}"):
        raise PatternError(
            "If a filter pattern starts with '{' it must end with '}'",
            pattern=text,
            offset=len(text.rstrip(_ASCII_WS)),
            code=E_JSON_UNCLOSED,
        )
    if family == "space" and not t.endswith("]"):
        raise PatternError(
            INVALID_FILTER_PATTERN,
            pattern=text,
            offset=len(text.rstrip(_ASCII_WS)),
            detail="a pattern that starts with '[' must end with ']'",
        )
    _reject_non_ascii(text)
    try:
        tree = lalr.parse(text, f"{family}_pattern")
    except (lalr.UnexpectedCharacters, lalr.UnexpectedToken) as exc:
        raise _syntax_error(text, exc) from None
    builder = Builder(text, strict)
    pattern = lalr.transform(tree, builder)
    _check_quotas(text, pattern, builder)
    return pattern, tuple(builder.warnings)


def parse_selector(text: str) -> ast.Selector:
    """A standalone JSON selector such as ``$.a.b[0]`` (a metric value or dimension reference)."""
    m = re.fullmatch(tables.TERMINALS["SELECTOR"], text)
    if not m:
        raise PatternError(INVALID_FILTER_PATTERN, pattern=text, offset=0, detail="not a selector such as $.name")
    return Builder(text, strict=False).selector_token(lalr.Token("SELECTOR", text, start_pos=0))


# ------------------------------------------------------------------ lexical checks


_PROTECTED_SPANS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\['[^']*'\]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_non_ascii(text: str) -> None:
    """Non-ASCII characters are only allowed inside double quotes (and bracketed JSON keys)
    (§1.4); AWS shows them as '?'. A lone surrogate (an undecodable byte of a command-line
    argument) is not text AWS could receive at all."""
    if text.isascii():
        return
    lone = _SURROGATE.search(text)
    if lone:
        code = ord(lone.group())
        what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"lone surrogate U+{code:04X}"
        raise PatternError(
            INVALID_FILTER_PATTERN, pattern=text, offset=lone.start(), detail=f"{what} is not valid UTF-8 text"
        )
    protected = [m.span() for m in _PROTECTED_SPANS.finditer(text)]
    for i, c in enumerate(text):
        if ord(c) > 127 and not any(a <= i < b for a, b in protected):
            raise PatternError(
                invalid_characters("?"),
                pattern=text,
                offset=i,
                code=E_TERM_CHAR,
                detail=f'{c!r} is not ASCII; only double quotes (") delimit strings',
            )


def _syntax_error(text: str, exc: lalr.UnexpectedCharacters | lalr.UnexpectedToken) -> PatternError:
    if isinstance(exc, lalr.UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        c = text[pos]
        if c == '"':
            return PatternError(INVALID_FILTER_PATTERN, pattern=text, offset=pos, detail="unterminated quoted string")
        if c == "%":
            return PatternError(INVALID_FILTER_PATTERN, pattern=text, offset=pos, detail="unterminated %regex%")
        if c == "'":
            return PatternError(
                invalid_characters(c),
                pattern=text,
                offset=pos,
                code=E_TERM_CHAR,
                detail="single quotes do not delimit strings; use double quotes",
            )
        return PatternError(
            invalid_characters(c),
            pattern=text,
            offset=pos,
            code=E_TERM_CHAR,
            detail=_expected_detail(exc.allowed, f"unexpected {c!r}"),
        )
    tok = exc.token
    at_end = tok.type == "$END"
    pos = len(text.rstrip(_ASCII_WS)) if at_end else tok.start_pos
    what = "end of pattern" if at_end else repr(str(tok))
    if str(tok) == ",":
        return PatternError(
            invalid_characters(","),
            pattern=text,
            offset=pos or 0,
            code=E_TERM_CHAR,
            detail="join conditions with && or ||",
        )
    return PatternError(
        INVALID_FILTER_PATTERN,
        pattern=text,
        offset=pos or 0,
        detail=_expected_detail(exc.expected, f"unexpected {what}"),
    )


def _expected_detail(expected: Any, lead: str) -> str:
    names = sorted({_EXPECTED_NAMES.get(e, e) for e in (expected or ()) if not e.startswith("__")})
    if not names:
        return lead
    return f"{lead}; expected {' or '.join(names)}"


def _check_quotas(text: str, pattern: ast.Pattern, builder: Builder) -> None:
    if isinstance(pattern, (ast.JsonPattern, ast.SpacePattern)) and builder.regex_count > MAX_REGEX:
        raise PatternError(
            INVALID_FILTER_PATTERN,
            pattern=text,
            offset=_nth_regex_offset(text, MAX_REGEX + 1),
            code=E_REGEX_LIMIT,
            detail=f"at most {MAX_REGEX} regular expressions are allowed in one pattern",
        )
    if builder.wildcard_selectors > MAX_WILDCARD_SELECTORS:
        raise PatternError(
            INVALID_FILTER_PATTERN,
            pattern=text,
            offset=_nth_wildcard_selector_offset(text, MAX_WILDCARD_SELECTORS + 1),
            code=E_WILDCARD_LIMIT,
            detail=f"at most {MAX_WILDCARD_SELECTORS} selectors with a wildcard are allowed in one pattern",
        )


def _nth_regex_offset(text: str, n: int) -> int:
    regexes = [m for m in re.finditer(r'"(?:[^"\\]|\\.)*"|%[^%]*%', text) if m.group().startswith("%")]
    if len(regexes) >= n:
        return regexes[n - 1].start()
    return 0  # pragma: no cover


def _nth_wildcard_selector_offset(text: str, n: int) -> int:
    for m in re.finditer(r"\$[^\s=!<>]*\*", text):
        n -= 1
        if n == 0:
            return m.start()
    return 0  # pragma: no cover
