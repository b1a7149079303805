"""Secrets never reach the terminal: every message the command writes to standard error has
the user information of URLs (``http://user:password@host``), AWS access key IDs, values
given after ``secret``/``token``/``password`` names and presigned-URL signatures masked
(an ``AWS_ENDPOINT_URL`` with a password in it is echoed by botocore's errors). Standard
output is data (matched records, reports) and is written as it is."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_KEYWORD = re.compile(
    r"(?i)(?<![.$\w-])([\w-]*(?:secret|token|password|passwd|credential|signature)[\w-]*)(\"?[:=]\s*['\"]?)"
    r"([^\s'\",;&}]+)"
)
_SECRETS = (
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@"), r"\1***@"),
    (re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b"), r"\1****************"),
    # key=value and "key": "value" where the key names a secret (not a $.selector of a pattern)
    (_KEYWORD, r"\1\2***"),
)


def redact(text: str) -> str:
    """``text`` with what looks like a secret masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class _Redacting:
    """A text stream that masks secrets in what is written to it (and is otherwise the stream)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def redacted_stderr() -> Iterator[None]:
    """Standard error with secrets masked, for the duration of a command."""
    original = sys.stderr
    sys.stderr = _Redacting(original)  # type: ignore[assignment,unused-ignore]
    try:
        yield
    finally:
        sys.stderr = original
