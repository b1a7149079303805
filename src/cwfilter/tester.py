"""The offline twin of ``aws logs test-metric-filter`` (spec §7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from .metric import MetricFilter, MetricFilterError
from .pattern import compile

MAX_MESSAGES = 50


def test_metric_filter(
    filter_pattern: str,
    log_event_messages: Sequence[str],
    *,
    event_number_base: Literal[0, 1] = 1,
    metric_filter: MetricFilter | None = None,
    enforce_limits: bool = True,
    json_prefix_scan: bool = False,
) -> dict[str, Any]:
    """The TestMetricFilter response for these messages: ``{"matches": [...]}``, matches in
    input order with ``eventNumber``, ``eventMessage`` and ``extractedValues``.

    ``eventNumber`` counts from 1 as the AWS CLI shows it (the API Reference examples count
    from 0; spec §7.2, Q16). With ``metric_filter`` the response also has ``metricValues``:
    what each event contributes to the metric (value, dimensions, or why nothing).
    Request limits (1–50 messages, each non-empty) are AWS's; ``enforce_limits=False`` lifts them.
    ``json_prefix_scan``: see ``cwfilter.compile``.
    """
    pattern = compile(filter_pattern, json_prefix_scan=json_prefix_scan, api="TestMetricFilter")
    if enforce_limits:
        _check_messages(log_event_messages)
    matches = []
    for number, message in enumerate(log_event_messages, event_number_base):
        extracted = pattern.extract(message)
        if extracted is not None:
            matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": extracted})
    response: dict[str, Any] = {"matches": matches}
    if metric_filter is not None:
        values = []
        for number, message in enumerate(log_event_messages, event_number_base):
            obs = metric_filter.observe(message)
            values.append(
                {
                    "eventNumber": number,
                    "matched": obs.matched,
                    "value": obs.value,
                    "dimensions": dict(obs.dimensions),
                    "reason": obs.reason,
                }
            )
        response["metric"] = {
            "metricName": metric_filter.metric_name,
            "metricNamespace": metric_filter.namespace,
            "unit": metric_filter.unit,
        }
        response["metricValues"] = values
    return response


def _check_messages(messages: Sequence[str]) -> None:
    if not 1 <= len(messages) <= MAX_MESSAGES:
        bound = "greater than or equal to 1" if not messages else f"less than or equal to {MAX_MESSAGES}"
        raise MetricFilterError(
            f"1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: "
            f"Member must have length {bound}"
        )
    for i, message in enumerate(messages, 1):
        if not message:
            raise MetricFilterError(
                f"1 validation error detected: Value '' at 'logEventMessages.{i}.member' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"
            )


test_metric_filter.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
