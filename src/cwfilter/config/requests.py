"""Metric filters from API shapes: a PutMetricFilter request (``aws logs put-metric-filter
--cli-input-json``) and the output of ``aws logs describe-metric-filters``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..metric import DefaultValueMode, MetricFilter, MetricFilterError
from .errors import ConfigError, required
from .model import DEFAULT_REGION, MetricFilterResource, Transformation


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
    for key, at in (
        ("filterPattern", where),
        ("metricName", inner),
        ("metricNamespace", inner),
        ("metricValue", inner),
    ):
        required(request if at == where else t, key, at)
    return filter_from_api(request).metric_filter(
        json_prefix_scan=json_prefix_scan, default_value_mode=default_value_mode
    )


def filter_from_api(raw: Mapping[str, Any], region: str = DEFAULT_REGION) -> MetricFilterResource:
    """The model of one metric filter in the API's shape (a PutMetricFilter request, or an entry
    of ``describe-metric-filters``), values as given."""
    return MetricFilterResource(
        name=raw.get("filterName") or "",
        log_group=raw.get("logGroupName") or "",
        region=region,
        pattern=raw.get("filterPattern", ""),
        transformations=[
            Transformation(t.get("metricName", ""), t.get("metricNamespace", ""), str(t.get("metricValue", "")),
                           t.get("defaultValue"), dict(t.get("dimensions") or {}), t.get("unit"))
            for t in raw.get("metricTransformations") or [] if isinstance(t, Mapping)
        ],
    )  # fmt: skip


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
