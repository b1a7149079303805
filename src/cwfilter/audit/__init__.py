"""Audit an account, a template or a snapshot for the CIS CloudWatch rules (CWL-012 and the
catalogue): one account model, checks that run the deployed patterns, findings with reasons."""

from .checks import audit, check
from .findings import FAIL, NO_DATA, PASS, REASONS, WARNING, Finding
from .iac import IacError
from .live import read_live
from .model import (
    Account,
    AlarmRecord,
    EventSelectors,
    Location,
    MetricFilterRecord,
    Subscription,
    Trail,
    Transformation,
)
from .snapshot import SnapshotError, read_snapshot, write_snapshot
from .templates import read_template

__all__ = [
    "FAIL",
    "NO_DATA",
    "PASS",
    "REASONS",
    "WARNING",
    "Account",
    "AlarmRecord",
    "EventSelectors",
    "Finding",
    "IacError",
    "Location",
    "MetricFilterRecord",
    "SnapshotError",
    "Subscription",
    "Trail",
    "Transformation",
    "audit",
    "check",
    "read_live",
    "read_snapshot",
    "read_template",
    "write_snapshot",
]  # fmt: skip
