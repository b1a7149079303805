"""Pattern text → AST: family detection (§1.3), the lark parse, and validation.

The grammar in ``grammar/filter_pattern.lark`` only shapes tokens into a tree; this
module turns that tree into typed nodes and applies AWS's rules that a context-free
grammar cannot say: character sets, quotas, one field per slot, numeric operands.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .errors import (
    E_JSON_UNCLOSED,
    E_LENGTH,
    E_REGEX_LIMIT,
    E_SD_MIXED_FIELDS,
    E_SYNTAX,
    E_TERM_CHAR,
    E_WILDCARD_LIMIT,
    INVALID_FILTER_PATTERN,
    PatternError,
    PatternWarning,
    invalid_characters,
)
from .regex import translate

MAX_LENGTH = 1024
MAX_REGEX = 2
MAX_WILDCARD_SELECTORS = 3
_ASCII_WS = " \t\n\r\f\v"

# §2.4: characters proven to be rejected in an unquoted term; other non-word characters
# are unknown (§10 Q5): accepted with a warning, rejected in strict mode.
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TERM_INVALID = frozenset("@():,[\\`")
# §4.5: a bare JSON / space-delimited value; quoting is required for @ $ \ and quotes.
_BARE_VALUE_OK = _WORD | frozenset(".:/*-")
_BARE_VALUE_INVALID = frozenset("'@$\\`")

_STEP_RE = re.compile(r"\.([A-Za-z0-9_\-]+)|\.(\*)|\[([0-9]+)\]|\[(\*)\]|\.\['([^']*)'\]")

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


def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, from ``grammar/``."""
    packaged = resources.files("cwfilter").joinpath("grammar").joinpath("filter_pattern.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parents[3] / "grammar" / "filter_pattern.lark"
    return source_tree.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        start=["terms_pattern", "regex_pattern", "json_pattern", "space_pattern"],
        maybe_placeholders=False,
    )


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
        tree = _parser().parse(text, start=f"{family}_pattern")
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    builder = _Builder(text, strict)
    try:
        pattern = builder.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, PatternError):
            raise exc.orig_exc from None
        raise
    _check_quotas(text, pattern, builder)
    return pattern, tuple(builder.warnings)


def parse_selector(text: str) -> ast.Selector:
    """A standalone JSON selector such as ``$.a.b[0]`` (a metric value or dimension reference)."""
    m = re.fullmatch(_parser().get_terminal("SELECTOR").pattern.to_regexp(), text)
    if not m:
        raise PatternError(INVALID_FILTER_PATTERN, pattern=text, offset=0, detail="not a selector such as $.name")
    return _Builder(text, strict=False)._selector(Token("SELECTOR", text, start_pos=0))


# ------------------------------------------------------------------ lexical checks


_PROTECTED_SPANS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\['[^']*'\]")


def _reject_non_ascii(text: str) -> None:
    """Non-ASCII characters are only allowed inside double quotes (and bracketed JSON keys)
    (§1.4); AWS shows them as '?'."""
    if text.isascii():
        return
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


def _syntax_error(text: str, exc: UnexpectedInput) -> PatternError:
    if isinstance(exc, UnexpectedCharacters):
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
    if isinstance(exc, UnexpectedToken):
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
    if isinstance(exc, UnexpectedEOF):
        return PatternError(
            INVALID_FILTER_PATTERN,
            pattern=text,
            offset=len(text),
            detail=_expected_detail(exc.expected, "unexpected end of pattern"),
        )
    return PatternError(INVALID_FILTER_PATTERN, pattern=text, offset=0)  # pragma: no cover


def _expected_detail(expected: Any, lead: str) -> str:
    names = sorted({_EXPECTED_NAMES.get(e, e) for e in (expected or ()) if not e.startswith("__")})
    if not names:
        return lead
    return f"{lead}; expected {' or '.join(names)}"


def _unquote(token: str) -> str:
    """Decode a double-quoted string: ``\\"`` and ``\\\\`` are escapes; other backslashes stay."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------ tree → AST


class _Builder(Transformer):  # type: ignore[type-arg]
    """Builds AST nodes from the lark tree, validating tokens as it goes."""

    def __init__(self, text: str, strict: bool) -> None:
        super().__init__()
        self.text = text
        self.strict = strict
        self.warnings: list[PatternWarning] = []
        self.regex_count = 0
        self.wildcard_selectors = 0

    # -- shared helpers
    def _error(self, message: str, tok: Token, *, code: str = E_SYNTAX, detail: str | None = None) -> PatternError:
        return PatternError(message, pattern=self.text, offset=tok.start_pos or 0, code=code, detail=detail)

    def _unknown_chars(self, tok: Token, chars: str, what: str) -> None:
        msg = f"{what} {str(tok)!r} contains {chars!r}; AWS documents only letters, digits and _ unquoted"
        if self.strict:
            raise self._error(invalid_characters(str(tok)), tok, code=E_TERM_CHAR, detail=msg + " (strict mode)")
        self.warnings.append(PatternWarning(msg + "; quote it to be safe", tok.start_pos or 0))

    def _regex(self, tok: Token) -> ast.RegexValue:
        source = str(tok)[1:-1]
        translate(source, pattern=self.text, offset=(tok.start_pos or 0) + 1)
        self.regex_count += 1
        return ast.RegexValue(source)

    # -- terms
    def terms_pattern(self, items: list[ast.Term]) -> ast.TermsPattern:
        return ast.TermsPattern(tuple(items))

    def term(self, toks: list[Token]) -> ast.Term:
        kind: ast.TermKind = "required"
        if toks[0].type == "TERM_PREFIX":
            kind = "optional" if toks[0] == "?" else "excluded"
        tok = toks[-1]
        if tok.type == "QUOTED":
            text = _unquote(str(tok))
            if not text:
                raise self._error(invalid_characters('""'), tok, code=E_TERM_CHAR, detail="empty quoted term")
            return ast.Term(text, kind)
        word = str(tok)
        bad = [c for c in word if c in _TERM_INVALID]
        if bad:
            raise self._error(
                invalid_characters(bad[0]),
                tok,
                code=E_TERM_CHAR,
                detail=f'double-quote the term: "{word}"',
            )
        unknown = "".join(sorted({c for c in word if c not in _WORD}))
        if unknown:
            self._unknown_chars(tok, unknown, "unquoted term")
        return ast.Term(word, kind)

    # -- regex
    def regex_pattern(self, toks: list[Token]) -> ast.RegexPattern:
        return ast.RegexPattern(self._regex(toks[0]))

    # -- values
    def value(self, toks: list[Token]) -> tuple[ast.Value, Token]:
        tok = toks[0]
        if tok.type == "QUOTED":
            return ast.StringValue(_unquote(str(tok))), tok
        if tok.type == "REGEX":
            return self._regex(tok), tok
        word = str(tok)
        if ast.NUMBER_RE.fullmatch(word):
            return ast.NumberValue(word), tok
        bad = [c for c in word if c in _BARE_VALUE_INVALID]
        if bad:
            raise self._error(
                invalid_characters(word),
                tok,
                code=E_TERM_CHAR,
                detail=f'{bad[0]!r} needs a double-quoted value: "{word}"',
            )
        unknown = "".join(sorted({c for c in word if c not in _BARE_VALUE_OK}))
        if unknown:
            self._unknown_chars(tok, unknown, "unquoted value")
        return ast.StringValue(word), tok

    def _comparison_parts(self, op_tok: Token, value: tuple[ast.Value, Token]) -> tuple[ast.ComparisonOp, ast.Value]:
        v, tok = value
        op = str(op_tok)
        if op in ast.ORDERING_OPS and not isinstance(v, ast.NumberValue):
            raise self._error(
                INVALID_FILTER_PATTERN, tok, detail=f"'{op}' needs a numeric value; only = and != compare strings"
            )
        return op, v  # type: ignore[return-value]

    # -- JSON
    def json_pattern(self, items: list[ast.JsonExpr]) -> ast.JsonPattern:
        return ast.JsonPattern(items[0])

    def json_or(self, items: list[ast.JsonExpr]) -> ast.Or:
        flat: list[ast.JsonExpr] = []
        for it in items:
            flat.extend(it.items if isinstance(it, ast.Or) else (it,))
        return ast.Or(tuple(flat))

    def json_and(self, items: list[ast.JsonExpr]) -> ast.And:
        flat: list[ast.JsonExpr] = []
        for it in items:
            flat.extend(it.items if isinstance(it, ast.And) else (it,))
        return ast.And(tuple(flat))

    def _selector(self, tok: Token) -> ast.Selector:
        steps: list[ast.Step] = []
        for m in _STEP_RE.finditer(str(tok), 1):
            name, star, index, bracket_star, quoted_key = m.groups()
            if name is not None:
                steps.append(ast.Member(name))
            elif star is not None:
                steps.append(ast.Wildcard(bracket=False))
            elif index is not None:
                steps.append(ast.Index(int(index)))
            elif bracket_star is not None:
                steps.append(ast.Wildcard(bracket=True))
            else:
                steps.append(ast.Member(quoted_key))
        selector = ast.Selector(tuple(steps))
        if selector.wildcards > 1:
            raise self._error(
                INVALID_FILTER_PATTERN, tok, code=E_WILDCARD_LIMIT, detail="at most one wildcard per selector"
            )
        if selector.wildcards:
            self.wildcard_selectors += 1
        return selector

    def json_comparison(self, items: list[Any]) -> ast.Comparison:
        sel_tok, op_tok, value = items
        op, v = self._comparison_parts(op_tok, value)
        return ast.Comparison(self._selector(sel_tok), op, v)

    def json_is_null(self, items: list[Token]) -> ast.Check:
        return ast.Check(self._selector(items[0]), "IS NULL")

    def json_is_true(self, items: list[Token]) -> ast.Check:
        return ast.Check(self._selector(items[0]), "IS TRUE")

    def json_is_false(self, items: list[Token]) -> ast.Check:
        return ast.Check(self._selector(items[0]), "IS FALSE")

    def json_not_exists(self, items: list[Token]) -> ast.Check:
        return ast.Check(self._selector(items[0]), "NOT EXISTS")

    # -- space-delimited: conditions carry (field-name tokens, expression) until the slot
    def field_condition(self, items: list[Any]) -> tuple[list[Token], ast.FieldExpr]:
        name_tok, op_tok, value = items
        op, v = self._comparison_parts(op_tok, value)
        return [name_tok], ast.FieldComparison(op, v)

    def field_and(self, items: list[tuple[list[Token], ast.FieldExpr]]) -> tuple[list[Token], ast.FieldExpr]:
        names = [n for ns, _ in items for n in ns]
        flat: list[ast.FieldExpr] = []
        for _, e in items:
            flat.extend(e.items if isinstance(e, ast.FieldAnd) else (e,))
        return names, ast.FieldAnd(tuple(flat))  # type: ignore[arg-type]  # the grammar puts only comparisons here

    def field_or(self, items: list[tuple[list[Token], ast.FieldExpr]]) -> tuple[list[Token], ast.FieldExpr]:
        names = [n for ns, _ in items for n in ns]
        flat: list[ast.FieldExpr] = []
        for _, e in items:
            flat.extend(e.items if isinstance(e, ast.FieldOr) else (e,))
        return names, ast.FieldOr(tuple(flat))  # type: ignore[arg-type]  # no parentheses: no Or inside Or

    def condition_slot(self, items: list[tuple[list[Token], ast.FieldExpr]]) -> ast.Field:
        names, expr = items[0]
        first = str(names[0])
        for tok in names[1:]:
            if str(tok) != first:
                raise self._error(
                    INVALID_FILTER_PATTERN,
                    tok,
                    code=E_SD_MIXED_FIELDS,
                    detail=f"conditions in one slot must all test field '{first}', not '{tok}'",
                )
        return ast.Field(first, expr)

    def named_slot(self, items: list[Token]) -> ast.Field:
        return ast.Field(str(items[0]))

    def empty_slot(self, items: list[Any]) -> ast.Field:
        return ast.Field()

    def ellipsis_slot(self, items: list[Token]) -> tuple[ast.Ellipsis_, Token]:
        return ast.Ellipsis_(), items[0]

    def space_pattern(self, items: list[Any]) -> ast.SpacePattern:
        if items == [ast.Field()]:
            return ast.SpacePattern(())
        slots: list[ast.Slot] = []
        seen_ellipsis = False
        for it in items:
            if isinstance(it, tuple):
                if seen_ellipsis:
                    raise self._error(INVALID_FILTER_PATTERN, it[1], detail="only one ... is allowed")
                seen_ellipsis = True
                slots.append(it[0])
            else:
                slots.append(it)
        return ast.SpacePattern(tuple(slots))


def _check_quotas(text: str, pattern: ast.Pattern, builder: _Builder) -> None:
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
