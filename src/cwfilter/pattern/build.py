"""Parse tree → AST: typed nodes built from the parse of ``grammar/filter_pattern.lark``,
with the token-level rules a context-free grammar cannot say checked on the way: character
sets (§2.4, §4.5), regexes (§3, via ``regex.translate``), one field per slot, numeric operands."""

from __future__ import annotations

import re
from typing import Any

from . import ast
from .errors import (
    E_SD_MIXED_FIELDS,
    E_SYNTAX,
    E_TERM_CHAR,
    E_WILDCARD_LIMIT,
    INVALID_FILTER_PATTERN,
    PatternError,
    PatternWarning,
    invalid_characters,
)
from .lalr import Token
from .regex import translate

# §2.4: characters proven to be rejected in an unquoted term; other non-word characters
# are unknown (§10 Q5): accepted with a warning, rejected in strict mode.
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TERM_INVALID = frozenset("@():,[\\`")
# §4.5: a bare JSON / space-delimited value; quoting is required for @ $ \ and quotes.
_BARE_VALUE_OK = _WORD | frozenset(".:/*-")
_BARE_VALUE_INVALID = frozenset("'@$\\`")

_STEP_RE = re.compile(r"\.([A-Za-z0-9_\-]+)|\.(\*)|\[([0-9]+)\]|\[(\*)\]|\.\['([^']*)'\]")


def unquote(token: str) -> str:
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


class Builder:
    """Builds AST nodes from the parse tree (a method per rule, applied bottom-up by
    ``lalr.transform`` as a lark Transformer would be), validating tokens as it goes."""

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.warnings: list[PatternWarning] = []
        self.regex_count = 0
        self.wildcard_selectors = 0

    # -- shared helpers
    def _error(self, message: str, tok: Token, *, code: str = E_SYNTAX, detail: str | None = None) -> PatternError:
        return PatternError(message, pattern=self.text, offset=tok.start_pos or 0, code=code, detail=detail)

    def _warn_unknown(self, tok: Token, documented: frozenset[str], what: str) -> None:
        """``_unknown_chars`` for the characters of ``tok`` outside ``documented``, if any."""
        unknown = "".join(sorted({c for c in str(tok) if c not in documented}))
        if unknown:
            self._unknown_chars(tok, unknown, what)

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
            text = unquote(str(tok))
            if not text:
                raise self._error(invalid_characters('""'), tok, code=E_TERM_CHAR, detail="empty quoted term")
            return ast.Term(text, kind)
        word = str(tok)
        bad = [c for c in word if c in _TERM_INVALID]
        if bad:
            raise self._error(
                invalid_characters(bad[0]), tok, code=E_TERM_CHAR, detail=f'double-quote the term: "{word}"'
            )
        self._warn_unknown(tok, _WORD, "unquoted term")
        return ast.Term(word, kind)

    # -- regex
    def regex_pattern(self, toks: list[Token]) -> ast.RegexPattern:
        return ast.RegexPattern(self._regex(toks[0]))

    # -- values
    def value(self, toks: list[Token]) -> tuple[ast.Value, Token]:
        tok = toks[0]
        if tok.type == "QUOTED":
            return ast.StringValue(unquote(str(tok))), tok
        if tok.type == "REGEX":
            return self._regex(tok), tok
        word = str(tok)
        if ast.NUMBER_RE.fullmatch(word):
            return ast.NumberValue(word), tok
        bad = [c for c in word if c in _BARE_VALUE_INVALID]
        if bad:
            detail = _quote_hint(word, bad[0])
            raise self._error(invalid_characters(word), tok, code=E_TERM_CHAR, detail=detail)
        self._warn_unknown(tok, _BARE_VALUE_OK, "unquoted value")
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

    def selector_token(self, tok: Token) -> ast.Selector:
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
        return ast.Comparison(self.selector_token(sel_tok), op, v)

    def json_is_null(self, items: list[Token]) -> ast.Check:
        return ast.Check(self.selector_token(items[0]), "IS NULL")

    def json_is_true(self, items: list[Token]) -> ast.Check:
        return ast.Check(self.selector_token(items[0]), "IS TRUE")

    def json_is_false(self, items: list[Token]) -> ast.Check:
        return ast.Check(self.selector_token(items[0]), "IS FALSE")

    def json_not_exists(self, items: list[Token]) -> ast.Check:
        return ast.Check(self.selector_token(items[0]), "NOT EXISTS")

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


def _quote_hint(word: str, bad: str) -> str:
    """How to write a bare value holding ``bad``: single quotes are not quotes in a filter
    pattern, so ``'Root'`` becomes ``"Root"`` (not ``"'Root'"``, which would never match)."""
    if len(word) >= 2 and word[0] == word[-1] == "'":
        return f'single quotes are not quotes in a filter pattern: write "{word[1:-1]}"'
    return f'{bad!r} needs a double-quoted value: "{word}"'
