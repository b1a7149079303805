"""The exact text CloudWatch writes: Java-style doubles, dates, StateReason and
StateReasonData (alarms.md §4.3–4.4 as revised by §11.1–11.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

INITIAL_REASON = "Unchecked: Initial alarm creation"  # a new alarm's StateReason
OPERATOR_PHRASES = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
# §11.1: from this many supporting datapoints on, a reason states the count first and lists only the
# newest few in a second sentence. K >= 5 is observed; K = 4 is unresolved and stays inline.
LONG_REASON_FROM = 5
LONG_REASON_LISTED = 5  # how many (newest) datapoints the long wording lists


def java_double(value: float) -> str:
    """``Double.toString``: shortest round-trip digits, always a decimal point, and
    scientific notation with ``E`` for |v| ≥ 10^7 or < 10^-3 (``1.0``, ``8.60604416E8``)."""
    v = float(value)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "-0.0" if str(v).startswith("-") else "0.0"
    sign = "-" if v < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(v))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    point = len(digits) + int(exponent)  # position of the decimal point within `digits`
    if 1e-3 <= abs(v) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{point - 1}"


def reason_date(epoch_ms: int) -> str:
    """``dd/MM/yy HH:mm:ss`` in UTC, as StateReason prints datapoint timestamps."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def aws_time(epoch_ms: int) -> str:
    """``yyyy-MM-ddTHH:mm:ss.SSS+0000`` (StateReasonData, SNS messages)."""
    dt = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}+0000"


def _noun(count: int, singular: str = "datapoint") -> str:
    return f"{count} {singular}{'' if count == 1 else 's'}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def insufficient_data_reason(n: int) -> str:
    return f"Insufficient Data: {_noun(n)} {_was(n)} unknown."


def threshold_reason(
    *,
    new_state: str,
    supporting: list[tuple[int, float]],
    real_count: int,
    fills: int,
    fill_kind: str | None,
    n: int,
    m: int,
    m_explicit: bool,
    operator: str,
    threshold: float,
) -> str:
    """The ``Threshold Crossed: ...`` reason of a transition to ALARM or OK.

    ``supporting`` are the real evaluated datapoints (slot start, value) that support the new
    state, newest first; ``fills`` the missing datapoints treated as ``fill_kind``
    (``Breaching``/``NonBreaching``), counted only for breaching/notBreaching alarms. From
    ``LONG_REASON_FROM`` supporting datapoints on, the count comes first and only the newest
    ``LONG_REASON_LISTED`` are listed, in a second sentence (§11.1).
    """
    fill = _fill_clause(fills, fill_kind)
    if real_count == 0:
        return f"Threshold Crossed: no datapoints were received for {n} period{'' if n == 1 else 's'}{fill}."
    if not supporting:
        return f"Threshold Crossed: {_noun(real_count)} {_was(real_count)} received for {n} periods{fill}."
    k = len(supporting)
    negation = "" if new_state == "ALARM" else "not "
    crossed = f"{negation}{OPERATOR_PHRASES[operator]} the threshold ({java_double(threshold)})"
    counted = f"{k} out of the last {n} datapoints" if m_explicit else _noun(k)
    if k >= LONG_REASON_FROM:
        text = (f"{counted} were {crossed}. The most recent datapoints which crossed the threshold: "
                f"[{_listed(supporting[:LONG_REASON_LISTED])}]{fill}")  # fmt: skip
    else:
        text = f"{counted} [{_listed(supporting)}] {_was(k)} {crossed}{fill}"
    if m_explicit:
        minimum = m if new_state == "ALARM" else n - m + 1
        direction = "OK -> ALARM" if new_state == "ALARM" else "ALARM -> OK"
        text += f" (minimum {_noun(minimum)} for {direction} transition)"
    return f"Threshold Crossed: {text}."


def _listed(datapoints: Sequence[tuple[int, float]]) -> str:
    """``value (dd/MM/yy HH:mm:ss), ...`` in the order given (newest first)."""
    return ", ".join(f"{java_double(v)} ({reason_date(t)})" for t, v in datapoints)


def _fill_clause(fills: int, fill_kind: str | None) -> str:
    if not fills or not fill_kind:
        return ""
    return f" and {fills} missing datapoint{'' if fills == 1 else 's'} {_was(fills)} treated as [{fill_kind}]"


def reason_data(
    *,
    new_state: str,
    query_ms: int,
    statistic_key: str | None,
    statistic: str,
    unit: str | None,
    period: int,
    threshold: float,
    evaluated: Sequence[tuple[int, float | None, float | None]],
) -> dict[str, Any]:
    """StateReasonData: ``evaluated`` lists (slot start, value or None, sampleCount) newest first.

    A value without a sample count (a metric-math alarm's) is listed without ``sampleCount`` [INF].
    ``evaluatedDatapoints`` holds every evaluated entry, except for a transition to OK, where it
    holds only the newest (the deciding) one (§11.2); ``recentDatapoints`` and ``startDate``
    always describe every real evaluated datapoint.
    """
    real = [(t, v, c) for t, v, c in evaluated if v is not None]
    data: dict[str, Any] = {"version": "1.0", "queryDate": aws_time(query_ms)}
    if real:
        data["startDate"] = aws_time(min(t for t, _, _ in real))
    if unit:
        data["unit"] = unit
    if statistic_key:
        data[statistic_key] = statistic
    data["period"] = period
    data["recentDatapoints"] = [v for _, v, _ in reversed(real)]
    data["threshold"] = float(threshold)
    data["evaluatedDatapoints"] = [
        {"timestamp": aws_time(t), "sampleCount": float(c), "value": v}
        if v is not None and c is not None
        else {"timestamp": aws_time(t), "value": v}
        if v is not None
        else {"timestamp": aws_time(t)}
        for t, v, c in (evaluated[:1] if new_state == "OK" else evaluated)
    ]
    return data


# -- composite alarms (§12.1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def long_date(epoch_ms: int) -> str:
    """``Wednesday 3 March, 2021 10:15:03 UTC``: English names, day without a leading zero, no
    milliseconds (a composite alarm's StateReason, [OBS])."""
    dt = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return f"{_WEEKDAYS[dt.weekday()]} {dt.day} {_MONTHS[dt.month - 1]}, {dt.year} {dt:%H:%M:%S} UTC"


def child_transition_reason(child_arn: str, state: str, epoch_ms: int) -> str:
    """A composite alarm's StateReason when a child's transition changed its state [OBS, 3 captures]."""
    return f"{child_arn} transitioned to {state} at {long_date(epoch_ms)}"


def creation_reason(composite_arn: str, state: str) -> str:
    """A composite alarm's StateReason on its first evaluation, at creation [DOC]."""
    return f"{composite_arn} was created and its alarm rule evaluates to {state}"


def triggering_alarms(children: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """A composite alarm's StateReasonData: ``children`` as (ARN, state, state timestamp) [OBS]."""
    return {"triggeringAlarms": [{"arn": arn, "state": {"value": state, "timestamp": aws_time(ms)}}
                                 for arn, state, ms in children]}  # fmt: skip
