"""Metric filters: a pattern plus a metric transformation, turning log events into
observations, then the per-minute CloudWatch datapoints AWS would publish (spec §6).

Timestamps: each sample is stamped with the *log event's* timestamp (§6.5, [INF], Q18),
which for CloudTrail delivered to CloudWatch Logs is the record's ``eventTime``; samples
are aggregated per minute (floor of the timestamp) and per metric identity
(namespace, name, dimensions, unit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

import orjson

from ..errors import CwfilterError
from ..pattern import FilterPattern, PatternError, ast, compile
from ..pattern.jsoncode import selector_getter
from ..pattern.message import Message, load_object, number_text
from ..pattern.syntax import parse_selector
from ..times import Timestamp, epoch_ms
from .accumulate import Accumulator
from .datapoints import Datapoints, MetricKey

MAX_DIMENSIONS = 3
STANDARD_UNITS = frozenset(
    [
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ]
)
_NAME_FORBIDDEN = re.compile(r"[:*$]")
_FIELD_REF = re.compile(r"\$([A-Za-z0-9_\-]+)")

DefaultValueMode = Literal["per_event", "per_minute"]


class MetricFilterError(CwfilterError, ValueError):
    """A metric filter AWS would reject (``InvalidParameterException``), with AWS's message."""

    code = "E_METRIC_FILTER"
    aws_exception = "InvalidParameterException"


def _constraint(value: Any, member: str, constraint: str) -> MetricFilterError:
    return MetricFilterError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    )


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class Observation:
    """What one log event contributes: a sample (``value`` not ``None``) or nothing, and why."""

    matched: bool
    value: float | None
    dimensions: tuple[tuple[str, str], ...] = ()
    reason: Literal["matched", "defaultValue", "no match", "value not numeric"] = "matched"


def _number(value: Any) -> float | None:
    """A metric value from an extracted value: JSON numbers and numeric strings (§6.2, [INF])."""
    t = type(value)
    try:
        if t is int or t is float or (t is str and ast.NUMBER_RE.fullmatch(value)):
            number = float(value)
        else:
            return None
    except OverflowError:  # an integer beyond a double
        return None
    return number if math.isfinite(number) else None  # CloudWatch takes no infinite sample


def _text(value: Any) -> str | None:
    """A dimension value from an extracted value: strings and numbers; anything else is absent."""
    t = type(value)
    if t is str:
        return cast(str, value)
    if t is int or t is float:
        return number_text(value)
    return None


@dataclass(frozen=True)
class _Reference:
    """A ``$...`` reference in a metric value or dimension, resolved against a match."""

    text: str
    json_get: Callable[[dict[str, Any]], list[Any]] | None = None
    field_name: str | None = None
    position: int | None = None

    def resolve(self, doc: dict[str, Any] | None, fields: dict[str, str] | None) -> Any:
        if self.json_get is not None:
            found = self.json_get(doc) if doc is not None else []
            return found[0] if found else None
        if fields is None:
            return None
        if self.position is not None:  # $N: the N-th field, named or not (§6.2, Q13)
            values = list(fields.values())
            return values[self.position - 1] if self.position <= len(values) else None
        return fields.get(f"${self.field_name}")


class MetricFilter:
    """A CloudWatch Logs metric filter: pattern + metric transformation (PutMetricFilter).

    ``value`` is a number (``"1"``), ``$.selector`` (JSON patterns) or ``$name`` / ``$N``
    (space-delimited patterns). Invalid combinations raise ``MetricFilterError`` with AWS's
    message; an invalid pattern raises ``PatternError``. A filter pickles as its definition
    (``definition``), and a process unpickles one definition into one filter, compiled once.
    """

    def __init__(
        self,
        pattern: str | FilterPattern,
        *,
        metric_name: str,
        namespace: str,
        value: str = "1",
        default_value: float | None = None,
        dimensions: Mapping[str, str] | None = None,
        unit: str | None = None,
        name: str | None = None,
        log_group_name: str | None = None,
        default_value_mode: DefaultValueMode = "per_event",
    ) -> None:
        self.pattern = pattern if isinstance(pattern, FilterPattern) else compile(pattern, api="PutMetricFilter")
        self.metric_name = metric_name
        self.namespace = namespace
        self.value = str(value)
        self.default_value = None if default_value is None else float(default_value)
        self.dimensions = dict(dimensions or {})
        self.unit = unit
        self.name = name
        self.log_group_name = log_group_name
        self.default_value_mode = default_value_mode
        self.warnings: list[str] = []
        p = self.pattern
        self.definition: tuple[Any, ...] = (
            (p.text, p.strict, p.json_prefix_scan), metric_name, namespace, self.value, self.default_value, tuple(self.dimensions.items()),
            unit, name, log_group_name, default_value_mode,
        )  # fmt: skip
        self._validate()
        self._value_ref = self._reference(self.value, "metricValue") if self.value.startswith("$") else None
        self._constant = None if self._value_ref else float(self.value)
        self._dimension_refs = [(k, self._reference(v, f"dimension {k}")) for k, v in self.dimensions.items()]
        family = self.pattern.family
        self._needs_doc = family == "json" and (self._value_ref is not None or bool(self._dimension_refs))
        self._needs_fields = family == "space" and (self._value_ref is not None or bool(self._dimension_refs))

    # -- validation (spec §6.1–6.4)
    def _validate(self) -> None:
        member = "metricTransformations.1.member"
        for attr, label in (("metric_name", "metricName"), ("namespace", "metricNamespace")):
            text = getattr(self, attr)
            if not text or len(text) > 255:
                raise _constraint(text, f"{member}.{label}", "Member must have length between 1 and 255")
            if _NAME_FORBIDDEN.search(text):
                raise _constraint(text, f"{member}.{label}", "Member must satisfy regular expression pattern: [^:*$]*")
        if len(self.value) > 100:
            raise _constraint(self.value, f"{member}.metricValue", "Member must have length less than or equal to 100")
        if not self.value.startswith("$") and not ast.NUMBER_RE.fullmatch(self.value):
            raise MetricFilterError(
                f"Invalid metric value '{self.value}': use a number, or $ followed by a field of the pattern "
                "($.field for JSON patterns, $name or $N for space-delimited ones)"
            )
        if self.default_value is not None and not math.isfinite(self.default_value):
            raise MetricFilterError(f"Invalid default value {self.default_value}: it must be a finite number")
        if self.unit is not None and self.unit not in STANDARD_UNITS:
            raise _constraint(
                self.unit,
                f"{member}.unit",
                f"Member must satisfy enum value set: [{', '.join(sorted(STANDARD_UNITS))}]",
            )
        if self.dimensions:
            if self.pattern.family not in ("json", "space"):
                raise MetricFilterError("The specified filter pattern does not support dimensions")
            if self.default_value is not None:
                raise MetricFilterError(
                    "Invalid metric transformation: dimensions and default value are mutually exclusive properties"
                )
            if len(self.dimensions) > MAX_DIMENSIONS:
                raise _constraint(
                    self.dimensions,
                    f"{member}.dimensions",
                    f"Member must have length less than or equal to {MAX_DIMENSIONS}",
                )
            for key, ref in self.dimensions.items():
                if not key.strip() or not key.isascii() or key.startswith(":") or len(key) > 255:
                    raise MetricFilterError(
                        f"Invalid dimension name '{key}': ASCII, at least one non-whitespace character, not starting with ':'"
                    )
                if not ref.startswith("$"):
                    raise MetricFilterError(
                        f"Invalid dimension value '{ref}' for '{key}': a dimension value is a field reference ($.field or $name)"
                    )

    def _reference(self, text: str, what: str) -> _Reference:
        family = self.pattern.family
        if text.startswith(("$.", "$[")):
            if family != "json":
                raise MetricFilterError(f"Invalid {what} '{text}': $.selector references need a JSON filter pattern")
            try:
                selector = parse_selector(text)
            except PatternError as exc:
                raise MetricFilterError(f"Invalid {what} '{text}': {exc.detail or exc.message}") from None
            if selector.wildcards:
                self.warnings.append(f"{what} {text} has a wildcard: the first element found is used")
            if not _pattern_mentions(self.pattern.ast, selector):
                self.warnings.append(f"{what} {text} is not tested by the pattern; AWS advises `{text} = *` (§6.2)")
            return _Reference(text, json_get=selector_getter(selector))
        m = _FIELD_REF.fullmatch(text)
        if not m:
            raise MetricFilterError(f"Invalid {what} '{text}': expected $.selector, $name or $N")
        if family != "space":
            raise MetricFilterError(
                f"Invalid {what} '{text}': $name and $N references need a space-delimited filter pattern"
            )
        name = m.group(1)
        if name.isdigit():
            return _Reference(text, position=int(name))
        slots = self.pattern.ast.slots  # type: ignore[union-attr]
        if not any(isinstance(s, ast.Field) and s.name == name for s in slots):
            self.warnings.append(f"{what} {text} names no field of the pattern")
        return _Reference(text, field_name=name)

    # -- evaluation
    def observe(self, message: Message) -> Observation:
        """What one log event's message contributes to the metric (spec §6.6)."""
        doc: dict[str, Any] | None = None
        fields: dict[str, str] | None = None
        if self._needs_doc:
            doc = load_object(message, prefix_scan=self.pattern.json_prefix_scan)
            matched = doc is not None and self.pattern.matches_object(doc)
        elif self._needs_fields:
            fields = self.pattern.extract(message)
            matched = fields is not None
        else:
            matched = self.pattern.matches(message)
        if not matched:
            if self.default_value is not None:
                return Observation(False, self.default_value, (), "defaultValue")
            return Observation(False, None, (), "no match")
        return self._matched(doc, fields)

    def _matched(self, doc: dict[str, Any] | None, fields: dict[str, str] | None) -> Observation:
        found = self._value_ref.resolve(doc, fields) if self._value_ref is not None else None
        return self.matched_observation(found, [ref.resolve(doc, fields) for _, ref in self._dimension_refs])

    def matched_observation(self, value: Any = None, dimensions: Sequence[Any] = ()) -> Observation:
        """The observation of a matched event whose value reference found ``value`` and whose
        dimension references found ``dimensions`` (in the order of ``self.dimensions``; ``None``
        for nothing found); a constant metric value ignores ``value``. For callers that read
        the references themselves (replay's fast decoder reads them from its records)."""
        if self._value_ref is None:
            number: float | None = self._constant
        else:
            number = _number(value)
            if number is None:
                return Observation(True, None, (), "value not numeric")
        dims = []
        for (key, _), found in zip(self._dimension_refs, dimensions):
            text = _text(found)
            if text is not None:  # a dimension is published only when found (§6.4, Q15)
                dims.append((key, text))
        return Observation(True, number, tuple(sorted(dims)), "matched")

    @property
    def references(self) -> tuple[str, ...]:
        """The ``$.`` references of the metric value and dimensions, in that order."""
        return tuple(r for r in (self.value, *self.dimensions.values()) if r.startswith(("$.", "$[")))

    def metric_key(self, dimensions: tuple[tuple[str, str], ...] = ()) -> MetricKey:
        """The identity of the metric this filter publishes, with these dimensions."""
        return MetricKey(self.namespace, self.metric_name, dimensions, self.unit)

    def observe_object(self, record: dict[str, Any]) -> Observation:
        """``observe`` for a message already parsed as a JSON object (one parse per record)."""
        if self.pattern.family != "json":
            return self.observe(orjson.dumps(record))
        if not self.pattern.matches_object(record):
            if self.default_value is not None:
                return Observation(False, self.default_value, (), "defaultValue")
            return Observation(False, None, (), "no match")
        return self._matched(record, None)

    def accumulator(self) -> Accumulator:
        """An empty, mergeable aggregate of this filter's observations."""
        return Accumulator(self)

    def apply(self, events: Iterable[tuple[Timestamp, Message]]) -> Datapoints:
        """Aggregate ``(timestamp, message)`` events into per-minute datapoints.

        ``default_value_mode="per_event"`` (spec §6.3/§6.6) emits the default once per
        non-matching event; ``"per_minute"`` (alarms.md §1.2, Q8) once per minute that had
        events but no match. ``Sum`` is the same either way when the default is 0.
        """
        acc = self.accumulator()
        for timestamp, message in events:
            acc.add(epoch_ms(timestamp), self.observe(message))
        return acc.datapoints()

    # -- shapes users already have
    def as_put_metric_filter(self) -> dict[str, Any]:
        """The PutMetricFilter request (``aws logs put-metric-filter --cli-input-json``)."""
        transformation: dict[str, Any] = {
            "metricName": self.metric_name,
            "metricNamespace": self.namespace,
            "metricValue": self.value,
        }
        if self.default_value is not None:
            transformation["defaultValue"] = self.default_value
        if self.dimensions:
            transformation["dimensions"] = dict(self.dimensions)
        if self.unit is not None:
            transformation["unit"] = self.unit
        request: dict[str, Any] = {}
        if self.log_group_name:
            request["logGroupName"] = self.log_group_name
        if self.name:
            request["filterName"] = self.name
        request["filterPattern"] = self.pattern.text
        request["metricTransformations"] = [transformation]
        return request

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled, (self.definition,))

    def __repr__(self) -> str:
        return f"<MetricFilter {self.namespace}/{self.metric_name} value={self.value} pattern={self.pattern.text!r}>"


@lru_cache(maxsize=16)
def _unpickled(definition: tuple[Any, ...]) -> MetricFilter:
    """The filter a pickled ``definition`` describes: built once per process (a replay's worker
    is sent the filter with every batch), its pattern from ``compile``'s cache."""
    (text, strict, prefix_scan), metric_name, namespace, value, default_value, dimensions, unit, name, group, mode = (
        definition
    )
    pattern = compile(text, strict=strict, json_prefix_scan=prefix_scan, api="PutMetricFilter")
    return MetricFilter(
        pattern, metric_name=metric_name, namespace=namespace, value=value, default_value=default_value,
        dimensions=dict(dimensions), unit=unit, name=name, log_group_name=group, default_value_mode=mode,
    )  # fmt: skip


def _pattern_mentions(pattern: ast.Pattern, selector: ast.Selector) -> bool:
    def walk(e: ast.JsonExpr) -> bool:
        if isinstance(e, (ast.And, ast.Or)):
            return any(walk(i) for i in e.items)
        return e.selector == selector

    return isinstance(pattern, ast.JsonPattern) and walk(pattern.expr)
