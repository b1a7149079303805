"""Audit an account, a template or a snapshot for the CIS CloudWatch rules (CWL-012 and the
catalogue): checks that run the deployed patterns over the one account model
(``cwfilter.config.model``, read by ``cwfilter.config`` or live by ``cwfilter.aws``), and
findings with reasons that carry the objects their chain found."""

from typing import TYPE_CHECKING, Any

from ..config.errors import IacError, SnapshotError
from ..config.model import (
    Account,
    AlarmResource,
    EventSelectors,
    Location,
    LogGroup,
    MetricFilterResource,
    Subscription,
    Topic,
    Trail,
    Transformation,
)
from ..lazy import exports, load_name
from .checks import audit, check
from .findings import FAIL, NO_DATA, PASS, REASONS, WARNING, Chain, Finding

if TYPE_CHECKING:
    from ..aws import read_live
    from ..config import read_snapshot, read_template, write_snapshot


def __getattr__(name: str) -> Any:
    """The readers, from the rooms that hold them (the block above; loaded on first use)."""
    return load_name(__name__, exports(__name__), globals(), name)


__all__ = [
    "FAIL",
    "NO_DATA",
    "PASS",
    "REASONS",
    "WARNING",
    "Account",
    "AlarmResource",
    "Chain",
    "EventSelectors",
    "Finding",
    "IacError",
    "Location",
    "LogGroup",
    "MetricFilterResource",
    "SnapshotError",
    "Subscription",
    "Topic",
    "Trail",
    "Transformation",
    "audit",
    "check",
    "read_live",
    "read_snapshot",
    "read_template",
    "write_snapshot",
]  # fmt: skip
