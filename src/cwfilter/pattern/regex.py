"""AWS's filter-pattern regex dialect (spec §3.2), matched in linear time by RE2.

AWS accepts a small character set (no parentheses, ASCII only) and a handful of
escapes. We validate against that set, let Python's own regex parser read the text
(so what is accepted, and what each construct means, is exactly what ``re`` with
``re.ASCII`` gives), and emit RE2 syntax for the parsed tree (``_Emitter``). RE2
runs in time linear in the message, so no pattern a user pastes can stall a replay
(``%a*a*a*a*a*a*b%`` took minutes under ``re``; issue 13).

Python ``re`` is kept for one construct only, where RE2 cannot say it: a ``$`` that is
followed by more of its branch and by a ``^`` (``%a$^%``), whose verdict depends on the
message being at most one character long; ``re`` then runs on messages of at most one
character, so it is bounded by a constant. Possessive quantifiers (``a*+``, which only
Python 3.11+ parses, RE2 and Python 3.10 reject, and AWS does not document) and counted
repetitions too large for RE2's program budget are rejected, the latter with AWS's
message for expensive expressions (§8.2).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

from .errors import E_REGEX_CHAR, E_REGEX_LIMIT, E_SYNTAX, INVALID_FILTER_PATTERN, PatternError, invalid_characters

try:  # Python 3.11+
    from re import _compiler as _sre_compile  # type: ignore[attr-defined,unused-ignore]
    from re import _constants as _sre  # type: ignore[attr-defined,unused-ignore]
    from re import _parser as _sre_parse  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef,unused-ignore]
    import sre_constants as _sre  # type: ignore[no-redef,unused-ignore]
    import sre_parse as _sre_parse  # type: ignore[no-redef,unused-ignore]

_LITERALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_SYMBOLS = frozenset(":_#=@/;,- ")
_OPERATORS = frozenset("^$?[]{}|\\*+.")
ALLOWED = _LITERALS | _SYMBOLS | _OPERATORS
_CLASS_ESCAPES = frozenset("dDsSwW")
_HEX = frozenset("0123456789abcdefABCDEF")

EXPENSIVE = "Regular expression evaluation time exceeded allowed limit"
"""AWS's message for an expression too expensive to evaluate (spec §3.2, §8.2 [OBS])."""
MAX_REPEAT_TOTAL = 3_000
"""Most single-character repetitions (the sum of the counts in ``{m,n}``) one regex may
spell out: RE2 counts to 1000 per operator, so larger counts are chained; past a few
thousand RE2's DFA outgrows its memory and falls back to a slower (still linear) NFA, so
this bound keeps the worst case on a 100 KB message near 0.2 s."""
_MAX_MEM = 64 << 20
_UNICODE_MAX = 0x10FFFF
# Python's ASCII-mode classes (``re.ASCII``): note \s includes \v, which RE2's \s lacks.
_CATEGORIES: dict[Any, list[tuple[int, int]]] = {
    _sre.CATEGORY_DIGIT: [(0x30, 0x39)],
    _sre.CATEGORY_SPACE: [(0x09, 0x0D), (0x20, 0x20)],
    _sre.CATEGORY_WORD: [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_NEGATED = {
    _sre.CATEGORY_NOT_DIGIT: _sre.CATEGORY_DIGIT,
    _sre.CATEGORY_NOT_SPACE: _sre.CATEGORY_SPACE,
    _sre.CATEGORY_NOT_WORD: _sre.CATEGORY_WORD,
}
_WIDE = re.compile("[^\x00-\xff]")  # characters beyond Latin-1, lone surrogates included
_TOP = "\\x{10ffff}"


class _TooLarge(Exception):
    """RE2 could not build the program (its memory budget)."""


class Regex:
    """A validated ``%…%`` regex compiled for RE2; ``search`` is ``re.search(...) is not None``
    with ``re.ASCII`` semantics, in time linear in the subject.

    RE2 runs in Latin-1 mode, one byte a character: every character above U+00FF is
    replaced by a byte the regex never names (``placeholder``), which no AWS construct
    can tell apart from it (they name only code points up to ``\\xff``). A regex that
    names all 256 leaves no such byte and runs in UTF-8 mode instead.
    """

    __slots__ = ("_match", "_placeholder", "_short", "_unanchored", "re2_source", "source")

    def __init__(
        self, source: str, re2_source: str, named: list[tuple[int, int]], short: re.Pattern[str] | None
    ) -> None:
        self._placeholder = _free_character(named)
        from re2 import _re2  # on first use: a pattern without a regex does not load RE2

        options = _re2.RE2.Options()
        options.max_mem = _MAX_MEM
        options.log_errors = False
        if self._placeholder is not None:
            options.encoding = _re2.RE2.Options.Encoding.LATIN1
            re2_source = re2_source.replace(_TOP, "\\x{ff}")
        program = _re2.RE2(re2_source.encode("latin-1"), options)
        if not program.ok():
            error = program.error().decode("utf-8", "replace")
            if "too large" in error:
                raise _TooLarge(error)
            raise RuntimeError(f"cwfilter bug: RE2 rejects the translation {re2_source!r} of %{source}%: {error}")
        self.source = source
        self.re2_source = re2_source
        self._match = program.Match
        self._unanchored = _re2.RE2.Anchor.UNANCHORED
        self._short = short

    def search(self, subject: str) -> bool:
        """Whether the regex occurs anywhere in ``subject`` (an unanchored search, §3.2)."""
        if self._short is not None and len(subject) <= 1:
            return self._short.search(subject) is not None
        data = self._data(subject)
        return bool(self._match(self._unanchored, data, 0, len(data))[0][0] >= 0)

    def found(self, subject: str) -> str | None:
        """The text of the leftmost match, as ``re.search(...).group()`` gives it except that a
        match ending at a ``$`` before a final newline includes that newline; ``None`` without one."""
        if self._short is not None and len(subject) <= 1:
            m = self._short.search(subject)
            return None if m is None else m.group()
        data = self._data(subject)
        start, end = self._match(self._unanchored, data, 0, len(data))[0]
        if start < 0:
            return None
        if self._placeholder is None:  # UTF-8: byte offsets to character offsets
            start, end = len(data[:start].decode("utf-8")), len(data[:end].decode("utf-8"))
        return subject[start:end]

    def _data(self, subject: str) -> bytes:
        if self._placeholder is None:
            # Lone surrogates cannot be encoded; like every character above U+00FF they are
            # matched by ``.``, negated classes and \\D \\S \\W only, as U+FFFD is.
            return _WIDE.sub("\ufffd", subject).encode("utf-8")
        try:
            return subject.encode("latin-1")
        except UnicodeEncodeError:
            return _WIDE.sub(self._placeholder, subject).encode("latin-1")

    def __repr__(self) -> str:
        return f"Regex({self.source!r})"


def _free_character(named: list[tuple[int, int]]) -> str | None:
    """A character up to U+00FF that no literal, range or class of the regex names (never
    the newline, which ``.`` and ``$`` name without a node of their own)."""
    taken = bytearray(256)
    taken[10] = 1
    for lo, hi in named:
        taken[lo : min(hi, 255) + 1] = b"\x01" * (min(hi, 255) + 1 - lo)
    free = taken.rfind(0)
    return None if free < 0 else chr(free)


def translate(source: str, *, pattern: str, offset: int) -> Regex:
    """Validate ``source`` (the text between ``%`` delimiters, found at ``offset`` in
    ``pattern``) and compile it; raise ``PatternError`` as AWS would reject it."""
    if not source:
        raise PatternError(INVALID_FILTER_PATTERN, pattern=pattern, offset=offset, detail="empty regular expression")
    _check_characters(source, pattern=pattern, offset=offset)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" for "[[]": a note for Python authors
            parsed = _sre_parse.parse(source, re.ASCII)
    except re.error as exc:
        pos = exc.pos if exc.pos is not None else 0
        raise PatternError(
            INVALID_FILTER_PATTERN, pattern=pattern, offset=offset + pos, code=E_SYNTAX, detail=exc.msg
        ) from None
    except OverflowError:
        raise _expensive(pattern, offset, "a repetition count above 4294967294") from None
    if _repeat_total(list(parsed)) > MAX_REPEAT_TOTAL:
        raise _expensive(pattern, offset, f"more than {MAX_REPEAT_TOTAL} counted repetitions")
    try:
        emitter = _Emitter(parsed, pattern=pattern, offset=offset)
        emitted, short = emitter.regex()
        return Regex(source, emitted, emitter.named, short)
    except _TooLarge as exc:  # RE2's program budget
        raise _expensive(pattern, offset, f"RE2: {exc}") from None


@lru_cache(maxsize=64)
def compile_search(source: str) -> Regex:
    """The compiled form of an already validated regex source (``ast.RegexValue.source``)."""
    return translate(source, pattern=f"%{source}%", offset=1)


def _check_characters(source: str, *, pattern: str, offset: int) -> None:
    i = 0
    while i < len(source):
        c = source[i]
        if c not in ALLOWED:
            shown = "?" if ord(c) > 127 else c
            raise PatternError(
                invalid_characters(shown),
                pattern=pattern,
                offset=offset + i,
                code=E_REGEX_CHAR,
                detail=f"{c!r} is not allowed in a regular expression",
            )
        if c == "\\":
            nxt = source[i + 1 : i + 2]
            if nxt in _CLASS_ESCAPES or (nxt and nxt in (_SYMBOLS | _OPERATORS) and nxt != " "):
                i += 2
                continue
            if nxt == "x" and len(source) >= i + 4 and set(source[i + 2 : i + 4]) <= _HEX:
                i += 4
                continue
            raise PatternError(
                INVALID_FILTER_PATTERN,
                pattern=pattern,
                offset=offset + i,
                code=E_REGEX_CHAR,
                detail=f"unsupported escape {source[i : i + 2]!r} (supported: \\d \\D \\s \\S \\w \\W \\xhh"
                " and escaped symbols)",
            )
        i += 1


def _expensive(pattern: str, offset: int, why: str) -> PatternError:
    return PatternError(EXPENSIVE, pattern=pattern, offset=offset, code=E_REGEX_LIMIT, detail=why)


def _repeat_total(items: list[tuple[Any, Any]]) -> int:
    """The number of atoms the counted repetitions of ``items`` spell out."""
    total = 0
    for op, av in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            lo, hi, sub = av
            total += max(lo, 0 if hi == _sre.MAXREPEAT else hi) + _repeat_total(list(sub))
        elif op is _sre.BRANCH:
            total += sum(_repeat_total(list(b)) for b in av[1])
    return total


class _Emitter:
    """RE2 syntax for a tree from Python's regex parser (the AWS subset: no groups)."""

    def __init__(self, parsed: Any, *, pattern: str, offset: int) -> None:
        self.parsed = parsed
        self.pattern = pattern
        self.offset = offset
        self.short = False  # a branch needs ``re`` on messages of at most one character
        self.named: list[tuple[int, int]] = []  # code points the regex names (literals, ranges, classes)

    def regex(self) -> tuple[str, re.Pattern[str] | None]:
        items = list(self.parsed)
        if items and items[-1][0] is _sre.BRANCH:  # Python hoists a prefix the branches share
            branches = [items[:-1] + list(b) for b in items[-1][1][1]]
        else:
            branches = [items]
        text = "|".join(self.branch(b) for b in branches)
        short = _compiled(self.parsed, items) if self.short else None
        return text, short

    def branch(self, items: list[tuple[Any, Any]]) -> str:
        """One alternative. Python's ``$`` (no MULTILINE) holds at the end and before a final
        newline; RE2's only at the end, so ``L$R`` becomes ``L\\z`` and/or ``L\\n\\z`` by what
        the rest ``R`` accepts there (decided once, by ``re`` on two tiny probes)."""
        at = next((i for i, (op, av) in enumerate(items) if op is _sre.AT and av is _sre.AT_END), None)
        if at is None:
            return "".join(self.item(op, av) for op, av in items)
        head, rest = "".join(self.item(op, av) for op, av in items[:at]), items[at + 1 :]
        if not rest:
            return f"{head}\\n?\\z"
        probe = _compiled(self.parsed, rest)
        ends = [tail for tail, text in (("\\z", "x"), ("\\n\\z", "x\n")) if probe.match(text, 1)]
        self.short = self.short or any(op is _sre.AT and av is _sre.AT_BEGINNING for op, av in rest)
        if not ends:
            return f"[^\\x00-{_TOP}]"  # this branch can never match
        return "|".join(f"{head}{tail}" for tail in ends)

    def item(self, op: Any, av: Any) -> str:
        if op is _sre.LITERAL:
            self.named.append((av, av))
            return _char(av)
        if op is _sre.NOT_LITERAL:
            self.named.append((av, av))
            return f"[^{_char(av)}]"
        if op is _sre.ANY:
            self.named.append((10, 10))
            return "[^\\n]"
        if op is _sre.IN:
            return self.charset(av)
        if op is _sre.AT and av is _sre.AT_BEGINNING:
            return "^"
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):  # lazy stays lazy: the same leftmost match
            lo, hi, sub = av
            atom = "".join(self.item(o, a) for o, a in sub)
            return _repeat(atom, lo, None if hi == _sre.MAXREPEAT else hi, lazy=op is _sre.MIN_REPEAT)
        if op is getattr(_sre, "POSSESSIVE_REPEAT", None):
            raise PatternError(
                INVALID_FILTER_PATTERN,
                pattern=self.pattern,
                offset=self.offset + _possessive_offset(self.pattern[self.offset :]),
                code=E_SYNTAX,
                detail="multiple repeat: a possessive quantifier (*+, ++, ?+, }+) is not part of AWS's regex dialect",
            )
        raise PatternError(
            INVALID_FILTER_PATTERN, pattern=self.pattern, offset=self.offset, detail=f"unsupported construct {op}"
        )

    def charset(self, members: list[tuple[Any, Any]]) -> str:
        negate = bool(members) and members[0][0] is _sre.NEGATE
        parts: list[str] = []
        for op, av in members[1:] if negate else members:
            ranges = [(av, av)] if op is _sre.LITERAL else [av] if op is _sre.RANGE else _category(av)
            # \\S names what \\s names: a wide character (and so the placeholder) is in \\S
            self.named.extend(_CATEGORIES[_NEGATED.get(av, av)] if op is _sre.CATEGORY else ranges)
            parts.extend(f"{_char(a)}-{_char(b)}" for a, b in ranges)
        return f"[{'^' if negate else ''}{''.join(parts)}]"


def _possessive_offset(source: str) -> int:
    """Where the ``+`` of the first possessive quantifier is (outside classes and escapes)."""
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # skip the class: a ']' first (after an optional '^') is literal
            i += 2 if source[i + 1 : i + 2] == "^" else 1
            i += 1 if source[i : i + 1] == "]" else 0
            while i < len(source) and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c in "*+?}" and source[i + 1 : i + 2] == "+":
            return i + 1
        i += 1
    return 0


def _category(code: Any) -> list[tuple[int, int]]:
    if code in _CATEGORIES:
        return _CATEGORIES[code]
    ranges, start = [], 0
    for a, b in _CATEGORIES[_NEGATED[code]]:
        if a > start:
            ranges.append((start, a - 1))
        start = b + 1
    return [*ranges, (start, _UNICODE_MAX)]


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _repeat(atom: str, lo: int, hi: int | None, *, lazy: bool) -> str:
    """``atom{lo,hi}`` with counts RE2 accepts (at most 1000 per operator): chained."""
    mark = "?" if lazy else ""
    pieces = []
    while lo > 1000:
        pieces.append(f"(?:{atom}){{1000}}")
        lo -= 1000
        hi = None if hi is None else hi - 1000
    while hi is not None and hi > 1000:
        pieces.append(f"(?:{atom}){{{lo},1000}}{mark}")
        hi -= 1000
        lo = 0
    pieces.append(f"(?:{atom}){{{lo},}}{mark}" if hi is None else f"(?:{atom}){{{lo},{hi}}}{mark}")
    return "".join(pieces)


def _compiled(parsed: Any, items: list[tuple[Any, Any]]) -> re.Pattern[str]:
    """Python's compiled pattern for part of a parsed tree (the ``$`` probes)."""
    compiled: re.Pattern[str] = _sre_compile.compile(_sre_parse.SubPattern(parsed.state, items), re.ASCII)
    return compiled
