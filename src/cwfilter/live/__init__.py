"""Live: a metric filter and its alarm on log events as they arrive (``cwfilter watch``).

The rooms: ``engine`` (the window and the once-a-minute evaluation, by the alarm room's one
evaluator), ``lines`` (lines → events at their time, read as replay reads them), ``follow``
(standard input and ``tail -F``), ``logs`` (a CloudWatch Logs group), ``bucket`` (new CloudTrail
objects in S3), ``deliver`` (output, SNS, commands), ``state`` (``--state``), ``clock`` and
``run`` (the loop)."""

from .clock import Clock, ManualClock, WallClock
from .deliver import Delivery
from .engine import Change, Counts, MinuteClosed, Watch
from .inputs import sources_for
from .lines import LineEvents
from .run import Runner
from .state import StateError, load, restore, save, snapshot

__all__ = [
    "Change",
    "Clock",
    "Counts",
    "Delivery",
    "LineEvents",
    "ManualClock",
    "MinuteClosed",
    "Runner",
    "StateError",
    "WallClock",
    "Watch",
    "load",
    "restore",
    "save",
    "snapshot",
    "sources_for",
]
