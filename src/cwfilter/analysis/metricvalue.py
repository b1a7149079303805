"""Can a metric filter's value count a rule's required events? Per spec §6.2, a match whose
``metricValue`` selector is absent or not numeric publishes no datapoint, so an alarm on the
metric never hears of it. For each required event the value is decided from the CloudTrail
catalogue: a numeric literal always counts; a ``$.selector`` counts where the catalogue says
every record of the event holds a number there (S3's ``additionalEventData.bytesTransferredIn``),
cannot count where CloudTrail never writes the field (``$.value``) or writes a string or an
object there, and is otherwise *assumed* (the catalogue cannot tell: said, never hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..cloudtrail import NUMBER, OBJECT, facts
from ..pattern import ast
from ..rules import Rule, find_rule
from .cloudtrail import in_schema
from .cover import RequiredEvent, required_events

Counts = Literal["counts", "cannot", "assumed"]


@dataclass(frozen=True)
class ValueVerdict:
    """Whether the value is a number on every record of one required event, and why."""

    event: RequiredEvent
    counts: Counts
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"event": self.event.label, "counts": self.counts, "reason": self.reason}


def metric_value(value: str, rule: Rule | str) -> tuple[ValueVerdict, ...]:
    """One verdict per required event of ``rule`` for the metric value ``value`` (``"1"``,
    ``"$.additionalEventData.bytesTransferredIn"``, ``"$.value"`` ...)."""
    rule = find_rule(rule) if isinstance(rule, str) else rule
    return tuple(_verdict(value.strip(), event) for event in required_events(rule))


def _verdict(value: str, event: RequiredEvent) -> ValueVerdict:
    if ast.NUMBER_RE.fullmatch(value):
        return ValueVerdict(event, "counts", f"the literal {value}")
    path = _path(value)
    if path is None:
        return ValueVerdict(event, "assumed", f"{value} is not a $.selector of members the catalogue reads")
    if not in_schema(path):
        return ValueVerdict(event, "cannot", f"CloudTrail records have no field {'.'.join(path)}")
    if not event.real:
        return ValueVerdict(event, "assumed", f"the catalogue does not describe {event.label} records")
    kinds = {_kind(facts(e), path) for e in event.real}
    name = event.real[0].name
    if kinds == {"number"}:
        return ValueVerdict(event, "counts", f"{value} is a number in every {name} record")
    wrong = sorted(kinds - {"number", "unknown"})
    if wrong:
        return ValueVerdict(event, "cannot", f"{value} is {' or '.join(wrong)} in {name} records, not a number")
    return ValueVerdict(event, "assumed", f"the catalogue cannot say whether {name} records hold a number at {value}")


def _path(value: str) -> tuple[str, ...] | None:
    if not value.startswith("$.") or len(value) == 2:
        return None
    parts = tuple(value[2:].split("."))
    return parts if all(p and p.replace("_", "").replace("-", "").isalnum() for p in parts) else None


def _kind(known: dict[tuple[str, ...], Any], path: tuple[str, ...]) -> str:
    value = known.get(path)
    if value is NUMBER:
        return "number"
    if value is OBJECT:
        return "an object"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "a string"
    return "unknown"  # PRESENT (a string or a number), or not known to be written
