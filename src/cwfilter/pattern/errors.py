"""Pattern errors and warnings, with AWS's message where it is known (spec §8.2)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import CwfilterError

# Stable error codes (spec §8.2): ``PatternError.code``; ``aws_exception`` is what the service raises.
E_LENGTH = "E_LENGTH"
E_JSON_UNCLOSED = "E_JSON_UNCLOSED"
E_SYNTAX = "E_SYNTAX"
E_TERM_CHAR = "E_TERM_CHAR"
E_REGEX_CHAR = "E_REGEX_CHAR"
E_REGEX_LIMIT = "E_REGEX_LIMIT"
E_WILDCARD_LIMIT = "E_WILDCARD_LIMIT"
E_SD_MIXED_FIELDS = "E_SD_MIXED_FIELDS"

INVALID_FILTER_PATTERN = "Invalid filter pattern"

# §11.3: the generic invalid-pattern text depends on the API that rejects the pattern; the
# specific texts (``Invalid character(s) in term ...``) do not.
GENERIC_MESSAGES: dict[str, str] = {
    "FilterLogEvents": INVALID_FILTER_PATTERN,
    "StartLiveTail": INVALID_FILTER_PATTERN,
    "TestMetricFilter": "Invalid metric filter pattern",
    "PutMetricFilter": "Invalid metric filter pattern",
    "PutSubscriptionFilter": "Invalid subscription filter pattern",
}
DEFAULT_API = "FilterLogEvents"


def generic_message(api: str) -> str:
    """AWS's generic invalid-pattern text for ``api`` (a key of ``GENERIC_MESSAGES``)."""
    try:
        return GENERIC_MESSAGES[api]
    except KeyError:
        known = ", ".join(GENERIC_MESSAGES)
        raise ValueError(f"unknown API {api!r} for filter pattern errors; known: {known}") from None


def invalid_characters(fragment: str) -> str:
    """AWS's message for a character a term, value or regex may not hold."""
    return f"Invalid character(s) in term '{fragment}'"


class PatternError(CwfilterError, ValueError):
    """An invalid filter pattern, as ``InvalidParameterException`` would reject it.

    ``message`` is AWS's text where the spec knows it, ``detail`` our explanation,
    ``offset`` the 0-based character position in ``pattern``.
    """

    aws_exception = "InvalidParameterException"

    def __init__(
        self,
        message: str,
        *,
        pattern: str,
        offset: int,
        code: str = E_SYNTAX,
        detail: str | None = None,
    ) -> None:
        self.message = message
        self.pattern = pattern
        self.offset = max(0, min(offset, len(pattern)))
        self.code = code
        self.detail = detail
        super().__init__(self.__str__())

    def for_api(self, api: str) -> PatternError:
        """This error as ``api`` words it (§11.3): the generic text replaced by that API's,
        specific texts kept."""
        wanted = generic_message(api)
        if self.message not in GENERIC_MESSAGES.values() or self.message == wanted:
            return self
        return PatternError(wanted, pattern=self.pattern, offset=self.offset, code=self.code, detail=self.detail)

    @property
    def caret(self) -> str:
        """Two lines: the pattern (on one line) and a caret under the offending character."""
        line = self.pattern.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        return f"{line}\n{' ' * self.offset}^"

    def __str__(self) -> str:
        head = self.message if not self.detail else f"{self.message} ({self.detail})"
        return f"{head} at character {self.offset + 1}\n{self.caret}"


@dataclass(frozen=True, slots=True)
class PatternWarning:
    """Something AWS may reject or treat differently; accepted in lenient mode (§2.4, §10 Q5)."""

    message: str
    offset: int

    def __str__(self) -> str:
        return f"warning at character {self.offset + 1}: {self.message}"
