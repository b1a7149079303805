"""The one base of every error cwfilter raises on purpose, so that a caller can catch them all.

Every error has the same two attributes, each with one meaning:

- ``code``: cwfilter's stable identifier of the kind of error (``E_SYNTAX``, ``E_CONFIG``...),
  for programs to branch on. It is never AWS's code.
- ``aws_exception``: the error code AWS answers with for the same request
  (``InvalidParameterException``, ``ValidationError``...), or ``None`` when no AWS call
  corresponds (a file that cannot be read, a replay in strict mode).

The classes keep a second, built-in base where callers rely on it (``ValueError`` for invalid
input, ``RuntimeError`` for failures while running).

The whole public tree, each class importable from here (and from its room, as before):

- ``CwfilterError`` (``E_CWFILTER``)
  - ``PatternError`` (``E_SYNTAX``, ``E_LENGTH``...: ``pattern.errors``), ``ValueError``
  - ``MetricFilterError`` (``E_METRIC_FILTER``), ``ValueError``
  - ``ConfigError`` (``E_CONFIG``), ``ValueError``
    - ``IacError`` (``E_TEMPLATE``: a template the audit cannot read)
    - ``SnapshotError`` (``E_SNAPSHOT``: a folder that is not a snapshot)
  - ``AlarmValidationError`` (``E_ALARM``, ``E_UNSUPPORTED``), ``ValueError``
  - ``ScopeError`` (``E_SCOPE``: ``--since``/``--until``/accounts/regions), ``ValueError``
  - ``RemediationError`` (``E_REMEDIATE``), ``ValueError``
  - ``StateError`` (``E_STATE``: ``watch``'s state file unreadable, damaged or another's), ``ValueError``
  - ``RenderError`` (``E_RENDER``: a result asked for in a format it lacks, a failing query), ``ValueError``
  - ``TooComplex`` (``E_TOO_COMPLEX``: a pattern's normal form over its cap), ``ValueError``
  - ``CannotCut`` (``E_CANNOT_CUT``: a large document that cannot be read in pieces), ``ValueError``
  - ``ReplayError`` (``E_REPLAY``: ``strict`` stopped the replay), ``RuntimeError``
  - ``ClusterError`` (``E_CLUSTER``: a Dask cluster), ``RuntimeError``
  - ``S3Error`` (``E_S3``), ``RuntimeError``
  - ``AwsCallError`` (``E_AWS``: an AWS call that failed, named; ``aws_exception`` is AWS's code), ``RuntimeError``
  - ``TooLong`` (``E_TOO_LONG``: a named file or standard input longer than its kind may be), ``OSError``

Exceptions that only carry control inside one room are private (``_Name``) and never reach a
caller. The subclasses are imported from their rooms on first use, so that importing this
module costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


class CwfilterError(Exception):
    """Base of every error cwfilter raises on purpose (the tree above)."""

    code: str = "E_CWFILTER"
    aws_exception: str | None = None


# The subclasses, each from its room on first use (``lazy.exports`` reads this block).
if TYPE_CHECKING:
    from .alarm.model import AlarmValidationError as AlarmValidationError
    from .analysis.normal_form import TooComplex as TooComplex
    from .aws.clients import AwsCallError as AwsCallError
    from .config.errors import ConfigError as ConfigError
    from .config.errors import IacError as IacError
    from .config.errors import SnapshotError as SnapshotError
    from .live.state import StateError as StateError
    from .metric.filter import MetricFilterError as MetricFilterError
    from .pattern.errors import PatternError as PatternError
    from .remediate.planner import RemediationError as RemediationError
    from .replayer.cluster import ClusterError as ClusterError
    from .replayer.results import ReplayError as ReplayError
    from .report.base import RenderError as RenderError
    from .sources.bounded import TooLong as TooLong
    from .sources.large import CannotCut as CannotCut
    from .sources.s3 import S3Error as S3Error
    from .sources.scope import ScopeError as ScopeError


def __getattr__(name: str) -> Any:
    from .lazy import exports, load_name

    if name == "__all__":
        return sorted(["CwfilterError", *exports(__name__)])
    return load_name(__name__, exports(__name__), globals(), name)


def __dir__() -> list[str]:
    from .lazy import exports

    return sorted({*globals(), *exports(__name__)})
