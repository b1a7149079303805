"""Configuration files → metric filters, the format recognised by name (Terraform) or content:
a PutMetricFilter request, a ``describe-metric-filters`` output, a CloudFormation template
(JSON or YAML) or Terraform (``.tf`` / ``.tf.json``)."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..metric import MetricFilter
from .cloudformation import load_template
from .cloudformation_resources import from_cloudformation
from .errors import ConfigError, shape_errors
from .limits import check_size, load_json
from .requests import from_describe_metric_filters, from_put_metric_filter, is_describe_metric_filters
from .terraform_resources import from_terraform


def read_config_text(path: str | Path) -> tuple[Path, str]:
    """A configuration file's path and text; a ``ConfigError`` naming it when it cannot be read."""
    p = Path(path)
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            raise ConfigError(f"cannot read {p}: not a regular file")
        check_size(str(p), info.st_size)
        return p, p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {p}: {exc}") from None


def config_json(p: Path, text: str) -> Any:
    """The JSON document of a configuration file whose text is a JSON object or array, ``None`` for any
    other text (YAML, HCL); a ``ConfigError`` naming the file when the JSON is invalid."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    return load_json(text, f"{p}: ")


def looks_like(doc: Any) -> str:
    """What a JSON configuration document is, for an error that says what was given instead."""
    if not isinstance(doc, dict):
        return f"a JSON {type(doc).__name__.replace('list', 'array')}"
    known = [("MetricAlarms", "`aws cloudwatch describe-alarms` output (give it to --alarm)"),
             ("AlarmName", "a PutMetricAlarm request (give it to --alarm)"),
             ("metricFilters", "`aws logs describe-metric-filters` output"),
             ("filterPattern", "a PutMetricFilter request"), ("Resources", "a CloudFormation template"),
             ("resource", "Terraform JSON"), ("Records", "a CloudTrail log file (give it to replay or match)"),
             ("trailList", "`aws cloudtrail describe-trails` output (give the folder to audit --snapshot)")]  # fmt: skip
    for key, what in known:
        if key in doc:
            return what
    keys = ", ".join(sorted(doc)[:6]) or "none"
    return f"a JSON object with keys {keys}"


def wrong_kind(p: Path, doc: Any, wanted: str) -> ConfigError:
    """The error for a JSON file of another kind than ``wanted``."""
    if isinstance(doc, dict) and "Resources" in doc and not isinstance(doc["Resources"], dict):
        return ConfigError(f"{p}: a CloudFormation template's Resources must be a mapping of resources, "
                           f"not {looks_like(doc['Resources'])}")  # fmt: skip
    return ConfigError(f"{p}: not {wanted}; this looks like {looks_like(doc)}")


_FILTER_KINDS = ("a metric filter file (a PutMetricFilter request, `aws logs describe-metric-filters` output, "
                 "a CloudFormation template or Terraform)")  # fmt: skip


def load_metric_filters(path: str | Path, *, parameters: Mapping[str, Any] | None = None) -> dict[str, MetricFilter]:
    """Metric filters from a file, by name: a PutMetricFilter JSON request, an ``aws logs
    describe-metric-filters`` output, a CloudFormation template (JSON/YAML), or Terraform
    (``.tf`` / ``.tf.json``)."""
    p, text = read_config_text(path)
    with shape_errors(str(p), "metric filter configuration"):
        return _metric_filters(p, text, parameters)


def _metric_filters(p: Path, text: str, parameters: Mapping[str, Any] | None) -> dict[str, MetricFilter]:
    if p.name.endswith((".tf", ".tf.json")):
        return from_terraform(text, str(p))
    doc = config_json(p, text)
    if doc is None:
        return from_cloudformation(load_template(text, str(p)), parameters=parameters)
    if isinstance(doc, dict) and "filterPattern" in doc:
        mf = from_put_metric_filter(doc)
        return {mf.name or p.stem: mf}
    if is_describe_metric_filters(doc):
        return from_describe_metric_filters(doc, p.stem)
    if isinstance(doc, dict) and "resource" in doc:
        return from_terraform(doc, str(p))
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise wrong_kind(p, doc, _FILTER_KINDS)
    return from_cloudformation(load_template(text, str(p)), parameters=parameters)
