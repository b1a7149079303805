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
        return ValueVerdict(event, "assumed", f"{value} is a number (not a selector the catalogue reads)")
    if not in_schema(path):
        return ValueVerdict(event, "cannot", f"{value}: CloudTrail records have no field {'.'.join(path)}")
    if not event.real:
        return ValueVerdict(event, "assumed", f"{value} is a number (the catalogue does not describe these records)")
    kinds = {_kind(facts(e), path) for e in event.real}
    name = event.real[0].name
    if kinds == {"number"}:
        return ValueVerdict(event, "counts", f"{value} is a number in every {name} record")
    wrong = sorted(kinds - {"number", "unknown"})
    if wrong:
        return ValueVerdict(event, "cannot", f"{value} is {' or '.join(wrong)} in {name} records, not a number")
    return ValueVerdict(event, "assumed", f"{value} is a number (the catalogue cannot say so for these records)")


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


@dataclass(frozen=True)
class Counting:
    """Whether the filters that cover a rule's events publish a number for each: ``cannot``
    names the events no covering filter can count (with why), ``assumed`` the events counted
    only on an assumption the catalogue cannot check."""

    cannot: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()


def counting(filters: list[tuple[Any, list[str]]], rule: Rule | str) -> Counting:
    """``filters``: each filter's coverage (``analysis.coverage``) and its metric values. An
    event counts when a filter that COVERS it has a value that is a number on its records."""
    rule = find_rule(rule) if isinstance(rule, str) else rule
    verdicts = [(cov, [metric_value(v, rule) for v in values]) for cov, values in filters]
    cannot: dict[str, list[str]] = {}
    assumed: dict[str, list[str]] = {}
    for i, event in enumerate(required_events(rule)):
        found = [vs[i] for cov, per_value in verdicts if cov.events[i].status == "COVERED" for vs in per_value]
        if not found or any(v.counts == "counts" for v in found):
            continue
        guess = next((v.reason for v in found if v.counts == "assumed"), None)
        (assumed if guess else cannot).setdefault(guess or found[0].reason, []).append(event.label)
    return Counting(_grouped(cannot), _grouped(assumed))


def _grouped(reasons: dict[str, list[str]]) -> tuple[str, ...]:
    """``reason (event, event, ...)``, one line per reason."""
    return tuple(f"{reason} ({', '.join(labels)})" for reason, labels in reasons.items())
