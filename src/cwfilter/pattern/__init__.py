"""The filter pattern language: text → AST → compiled matcher."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import ast
from .compile import Matcher, compile_pattern
from .errors import DEFAULT_API, PatternError, PatternWarning, generic_message
from .message import Message
from .render import render
from .syntax import analyse, detect_family, parse

__all__ = ["FilterPattern", "PatternError", "PatternWarning", "compile", "detect_family", "parse", "render"]


class FilterPattern:
    """A compiled CloudWatch Logs filter pattern.

    ``matches`` and ``extract`` behave as CloudWatch Logs does for one log event's
    message; ``str(p)`` is the canonical text, ``p.text`` the text as given.
    """

    __slots__ = ("_matcher", "ast", "extract", "json_prefix_scan", "matches", "matches_object", "text", "warnings")

    def __init__(self, text: str, *, strict: bool = False, json_prefix_scan: bool = False) -> None:
        tree, warnings = analyse(text, strict=strict)
        self.text = text
        self.ast: ast.Pattern = tree
        self.warnings: tuple[PatternWarning, ...] = warnings
        self.json_prefix_scan = json_prefix_scan
        self._matcher: Matcher = compile_pattern(tree, json_prefix_scan=json_prefix_scan)
        # Bound straight to the compiled functions: no wrapper call per event.
        self.matches: Callable[[Message], bool] = self._matcher.matches
        self.extract: Callable[[Message], dict[str, str] | None] = self._matcher.extract
        # JSON patterns only: test an already parsed message (one parse shared by several users).
        self.matches_object: Callable[[dict[str, Any]], bool] = self._matcher.match_object or _not_json

    @property
    def family(self) -> ast.Family:
        """``"all"``, ``"terms"``, ``"regex"``, ``"json"`` or ``"space"``."""
        return ast.family_of(self.ast)

    @property
    def source(self) -> str:
        """The generated Python source of the matcher (for the curious and for debugging)."""
        return self._matcher.source

    def __str__(self) -> str:
        return render(self.ast)

    def __repr__(self) -> str:
        return f"cwfilter.compile({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilterPattern) and other.ast == self.ast

    def __hash__(self) -> int:
        return hash(self.ast)


def _not_json(doc: dict[str, Any]) -> bool:
    raise TypeError("matches_object() is for JSON patterns; use matches(message)")


def compile(
    text: str, *, strict: bool = False, json_prefix_scan: bool = False, api: str = DEFAULT_API
) -> FilterPattern:
    """Parse, validate and compile a filter pattern (cached by text and options).

    Raises ``PatternError`` (a ``ValueError``) where AWS would reject the pattern, worded as
    ``api`` words it (§11.3: ``"FilterLogEvents"``, the default, says ``Invalid filter
    pattern``; ``"PutMetricFilter"`` and ``"TestMetricFilter"`` say ``Invalid metric filter
    pattern``; ``"PutSubscriptionFilter"`` says ``Invalid subscription filter pattern``).
    ``strict=True`` also rejects unquoted characters AWS does not document (§2.4).
    ``json_prefix_scan=True`` lets JSON patterns read an object after a text prefix, as in
    Lambda's ``<time> <request id> INFO {...}`` lines; AWS's behaviour there is unresolved
    (§4.3, Q6), so it is off by default: such messages do not match.
    """
    generic_message(api)  # an unknown API is the caller's error, whatever the pattern
    try:
        return _compile(text, strict, json_prefix_scan)
    except PatternError as exc:
        raise exc.for_api(api) from None


@lru_cache(maxsize=1024)
def _compile(text: str, strict: bool, json_prefix_scan: bool) -> FilterPattern:
    return FilterPattern(text, strict=strict, json_prefix_scan=json_prefix_scan)
