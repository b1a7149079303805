"""The one base of every error cwfilter raises on purpose, so that a caller can catch them all.

Every error has the same two attributes, each with one meaning:

- ``code``: cwfilter's stable identifier of the kind of error (``E_SYNTAX``, ``E_CONFIG``...),
  for programs to branch on. It is never AWS's code.
- ``aws_exception``: the error code AWS answers with for the same request
  (``InvalidParameterException``, ``ValidationError``...), or ``None`` when no AWS call
  corresponds (a file that cannot be read, a replay in strict mode).

The classes keep a second, built-in base where callers rely on it (``ValueError`` for invalid
input, ``RuntimeError`` for failures while running).
"""

from __future__ import annotations


class CwfilterError(Exception):
    """Base of ``PatternError``, ``MetricFilterError``, ``ConfigError``, ``AlarmValidationError``,
    ``ReplayError`` and ``S3Error``."""

    code: str = "E_CWFILTER"
    aws_exception: str | None = None
