"""The filter pattern language: text → AST → compiled matcher."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import ast
from .canonical import render
from .errors import DEFAULT_API, PatternError, PatternWarning, generic_message
from .matcher import Matcher, compile_pattern
from .message import Message
from .syntax import analyse, detect_family, parse

if TYPE_CHECKING:
    from .explain import Explanation

# ``ast`` is public too (the tree ``FilterPattern.ast`` is made of); what the other rooms of
# cwfilter may import from pattern's modules besides these is declared in ``internal.py``.
__all__ = ["FilterPattern", "PatternError", "PatternWarning", "ast", "compile", "detect_family", "parse", "render"]


class FilterPattern:
    """A compiled CloudWatch Logs filter pattern.

    ``matches`` and ``extract`` behave as CloudWatch Logs does for one log event's
    message; ``str(p)`` is the canonical text, ``p.text`` the text as given.
    """

    # ``__dict__`` holds the compiled functions bound per instance (they shadow the documented
    # methods below, so a call costs no wrapper).
    __slots__ = ("__dict__", "_matcher", "ast", "json_prefix_scan", "strict", "text", "warnings")

    def __init__(self, text: str, *, strict: bool = False, json_prefix_scan: bool = False) -> None:
        tree, warnings = analyse(text, strict=strict)
        self.text = text
        self.strict = strict
        self.ast: ast.Pattern = tree
        self.warnings: tuple[PatternWarning, ...] = warnings
        self.json_prefix_scan = json_prefix_scan
        self._matcher: Matcher = compile_pattern(tree, json_prefix_scan=json_prefix_scan)
        # Bound straight to the compiled functions: no wrapper call per event.
        self.__dict__["matches"] = self._matcher.matches
        self.__dict__["extract"] = self._matcher.extract
        self.__dict__["matches_object"] = self._matcher.match_object or _not_json

    def matches(self, message: Message) -> bool:  # shadowed per instance by the compiled function
        """Whether CloudWatch Logs would match this log event ``message``: ``str``, UTF-8
        ``bytes`` (``bytearray``, ``memoryview``) or an already parsed JSON object (a ``dict``,
        which term, regex and space-delimited patterns read as its compact JSON text). Any other
        type is a ``TypeError``."""
        return self._matcher.matches(message)

    def extract(self, message: Message) -> dict[str, str] | None:  # shadowed per instance
        """The values TestMetricFilter reports for a matching ``message`` (space-delimited
        fields as ``$name``/``$N``; ``{}`` for other families), or ``None`` for no match."""
        return self._matcher.extract(message)

    def matches_object(self, doc: dict[str, Any]) -> bool:  # shadowed per instance
        """JSON patterns only: test an already parsed record, skipping the parse (one parse
        shared by several patterns). Other families raise ``TypeError``."""
        return (self._matcher.match_object or _not_json)(doc)

    @property
    def family(self) -> ast.Family:
        """``"all"``, ``"terms"``, ``"regex"``, ``"json"`` or ``"space"``."""
        return ast.family_of(self.ast)

    @property
    def source(self) -> str:
        """The generated Python source of the matcher (for the curious and for debugging)."""
        return self._matcher.source

    def explain(self, message: Message) -> Explanation:
        """Why ``message`` does (not) match: the verdict and the evaluation tree (``explain.py``)."""
        from .explain import explain  # on first use: start-up does not pay for it

        return explain(self, message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its text and options; unpickled through ``compile``'s cache, so that a
        process compiles a pattern once however many times it is sent one."""
        return (_compile, (self.text, self.strict, self.json_prefix_scan))

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
