"""Metric filters from API shapes: a PutMetricFilter request (``aws logs put-metric-filter
--cli-input-json``) and the output of ``aws logs describe-metric-filters``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..metric import DefaultValueMode, MetricFilter, MetricFilterError
from ..pattern import compile
from .errors import ConfigError, required


def from_put_metric_filter(
    request: Mapping[str, Any] | str,
    *,
    json_prefix_scan: bool = False,
    default_value_mode: DefaultValueMode = "per_event",
) -> MetricFilter:
    """A PutMetricFilter request (dict or JSON text) → ``MetricFilter``; the keywords are the
    options a request cannot carry (see ``cwfilter.compile`` and ``MetricFilter``)."""
    if isinstance(request, str):
        try:
            request = json.loads(request)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"PutMetricFilter request is not valid JSON: {exc}") from None
    if not isinstance(request, Mapping):
        raise ConfigError("PutMetricFilter request must be a JSON object")
    where = "PutMetricFilter request"
    transformations = required(request, "metricTransformations", where)
    if not isinstance(transformations, list) or len(transformations) != 1:
        raise MetricFilterError(
            f"1 validation error detected: Value '{transformations}' at 'metricTransformations' failed to satisfy "
            "constraint: Member must have length less than or equal to 1"
            if isinstance(transformations, list) and transformations
            else f"{where}: metricTransformations must hold exactly one transformation"
        )
    t = transformations[0]
    inner = where + " metricTransformations[0]"
    text = required(request, "filterPattern", where)
    return MetricFilter(
        compile(text, json_prefix_scan=json_prefix_scan, api="PutMetricFilter") if isinstance(text, str) else text,
        metric_name=required(t, "metricName", inner),
        namespace=required(t, "metricNamespace", inner),
        value=str(required(t, "metricValue", inner)),
        default_value=t.get("defaultValue"),
        dimensions=t.get("dimensions"),
        unit=t.get("unit"),
        name=request.get("filterName"),
        log_group_name=request.get("logGroupName"),
        default_value_mode=default_value_mode,
    )


def is_describe_metric_filters(doc: Any) -> bool:
    """Whether ``doc`` is the output of ``aws logs describe-metric-filters``."""
    return isinstance(doc, dict) and isinstance(doc.get("metricFilters"), list)


def from_describe_metric_filters(doc: Mapping[str, Any], fallback_name: str = "filter") -> dict[str, MetricFilter]:
    """Every metric filter of a ``describe-metric-filters`` output, by ``filterName`` (each entry
    is a PutMetricFilter request plus ``creationTime``)."""
    out: dict[str, MetricFilter] = {}
    for i, entry in enumerate(doc["metricFilters"]):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"metricFilters[{i}] is not a JSON object")
        mf = from_put_metric_filter(entry)
        out[mf.name or f"{fallback_name}[{i}]"] = mf
    if not out:
        raise ConfigError("the describe-metric-filters output lists no metric filter")
    return out
