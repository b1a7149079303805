"""Alarm sets — metric, metric-math and composite alarms together — from the shapes users have:
a PutMetricAlarm or PutCompositeAlarm request, an ``aws cloudwatch describe-alarms`` output
(``MetricAlarms`` and ``CompositeAlarms``), a CloudFormation template (``AWS::CloudWatch::Alarm``
and ``AWS::CloudWatch::CompositeAlarm``; ``Ref``/``GetAtt .Arn`` of an alarm and ``Fn::Sub`` over
them are resolved) or Terraform (``aws_cloudwatch_metric_alarm``, ``aws_cloudwatch_composite_alarm``;
``${aws_cloudwatch_metric_alarm.x.alarm_name}`` / ``.arn`` / ``.id`` in a rule are resolved)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..alarm.composite import CompositeAlarm
from ..alarm.model import Alarm, AlarmValidationError
from .alarms import _alarm, _check_resolved, alarms_from_describe, is_describe_alarms
from .cloudformation import TemplateResolver, load_template, resources_of_type
from .errors import ConfigError, shape_errors
from .files import config_json, read_config_text, wrong_kind

_DEFAULT_REGION = "us-east-1"
_DEFAULT_ACCOUNT = "123456789012"
_COMPOSITE_FIELDS = (
    "AlarmName", "AlarmRule", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions",
    "InsufficientDataActions", "ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod",
)  # fmt: skip
_METRIC_FIELDS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods",
    "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile",
    "Unit", "Metrics", "ThresholdMetricId",
)  # fmt: skip


@dataclass
class AlarmSet:
    """Metric (and math) alarms and composite alarms, each by alarm name."""

    alarms: dict[str, Alarm] = field(default_factory=dict)
    composites: dict[str, CompositeAlarm] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Every alarm's name, metric alarms first."""
        return [*self.alarms, *self.composites]

    def add(self, other: AlarmSet) -> None:
        """Take ``other``'s alarms in; an alarm name defined twice is an error."""
        for name in other.names():
            if name in self.alarms or name in self.composites:
                raise ConfigError(f"alarm {name!r} is defined twice")
        self.alarms.update(other.alarms)
        self.composites.update(other.composites)


def composite_from_request(request: Mapping[str, Any], where: str, **overrides: Any) -> CompositeAlarm:
    """``CompositeAlarm.from_put_composite_alarm``, its validation error as a ``ConfigError`` naming ``where``."""
    try:
        return CompositeAlarm.from_put_composite_alarm(request, **overrides)
    except AlarmValidationError as exc:
        raise ConfigError(f"{where}: {exc.aws_exception or exc.code}: {exc.message}") from None


def alarm_set_from_describe(doc: Mapping[str, Any], where: str = "describe-alarms", **overrides: Any) -> AlarmSet:
    """Every metric and composite alarm of a ``describe-alarms`` output."""
    out = AlarmSet()
    if doc.get("MetricAlarms"):
        out.alarms = alarms_from_describe(doc, where, **overrides)
    for i, entry in enumerate(doc.get("CompositeAlarms") or []):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: CompositeAlarms[{i}] is not a JSON object")
        c = composite_from_request(entry, f"{where} CompositeAlarms[{i}]", **overrides)
        out.composites[c.name] = c
    if not out.names():
        raise ConfigError(f"{where}: the describe-alarms output lists no alarm")
    return out


class _AlarmRefs:
    """Resolves what a template's alarms are referred to by: ``Ref`` (the alarm's name) and
    ``Fn::GetAtt [id, Arn]`` (its ARN), alone or inside ``Fn::Sub``; anything else goes to
    ``TemplateResolver``."""

    def __init__(self, doc: Mapping[str, Any], resolve: TemplateResolver, region: str, account_id: str) -> None:
        self.resolve = resolve
        self.arns: dict[str, str] = {}
        for kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            for logical_id, props in resources_of_type(doc, kind):
                name = props.get("AlarmName")
                name = resolve(name, f"resource {logical_id} AlarmName") if name is not None else logical_id
                resolve.values.setdefault(logical_id, name)
                arn = f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name}"
                self.arns[logical_id] = resolve.values[f"{logical_id}.Arn"] = arn
                resolve.attributes[logical_id] = {"Arn": arn}

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, Mapping) and set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            parts = target.split(".", 1) if isinstance(target, str) else list(target)
            if len(parts) == 2 and parts[1] == "Arn" and parts[0] in self.arns:
                return self.arns[parts[0]]
        return self.resolve(value, where)


def alarm_set_from_cloudformation(
    template: Mapping[str, Any] | str,
    *,
    parameters: Mapping[str, Any] | None = None,
    region: str = _DEFAULT_REGION,
    account_id: str = _DEFAULT_ACCOUNT,
) -> AlarmSet:
    """Every ``AWS::CloudWatch::Alarm`` and ``AWS::CloudWatch::CompositeAlarm`` of a template, by
    alarm name (AlarmName defaults to the logical ID)."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    refs = _AlarmRefs(doc, TemplateResolver(doc, parameters, region=region, account_id=account_id), region, account_id)
    out = AlarmSet()
    for kind, fields in (
        ("AWS::CloudWatch::Alarm", _METRIC_FIELDS),
        ("AWS::CloudWatch::CompositeAlarm", _COMPOSITE_FIELDS),
    ):
        for logical_id, props in resources_of_type(doc, kind):
            where = f"resource {logical_id}"
            request = {k: refs(props[k], f"{where} {k}") for k in fields if k in props}
            _check_resolved(request)
            request["AlarmName"] = refs.resolve.values[logical_id]
            for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold"):
                if isinstance(request.get(key), str):
                    request[key] = float(request[key])
            if isinstance(request.get("ActionsEnabled"), str):
                request["ActionsEnabled"] = request["ActionsEnabled"].lower() == "true"
            if kind == "AWS::CloudWatch::Alarm":
                alarm = _alarm(request, where, region=region, account_id=account_id)
                out.alarms[alarm.name] = alarm
            else:
                c = composite_from_request(request, where, region=region, account_id=account_id)
                out.composites[c.name] = c
    if not out.names():
        raise ConfigError("the template has no AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm resource")
    return out


_TF_REF = re.compile(r"\$\{(aws_cloudwatch_(?:metric|composite)_alarm)\.([A-Za-z0-9_-]+)\.(alarm_name|arn|id)\}")
_TF_COMPOSITE = {
    "alarm_name": "AlarmName", "alarm_rule": "AlarmRule", "alarm_description": "AlarmDescription",
    "actions_enabled": "ActionsEnabled", "alarm_actions": "AlarmActions", "ok_actions": "OKActions",
    "insufficient_data_actions": "InsufficientDataActions",
}  # fmt: skip


def _tf_composite(
    attributes: Mapping[str, Any], name: str, refs: Mapping[tuple[str, str], tuple[str, str]]
) -> dict[str, Any]:
    """An ``aws_cloudwatch_composite_alarm`` as a PutCompositeAlarm request; ``refs``: each alarm
    resource's (name, ARN)."""

    def sub(m: re.Match[str]) -> str:
        found = refs.get((m.group(1), m.group(2)))
        return m.group(0) if found is None else found[1 if m.group(3) == "arn" else 0]

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            return _TF_REF.sub(sub, value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    request: dict[str, Any] = {api: resolve(attributes[key]) for key, api in _TF_COMPOSITE.items() if key in attributes}
    request.setdefault("AlarmName", name)
    for block in _blocks(attributes.get("actions_suppressor")):
        request["ActionsSuppressor"] = resolve(block.get("alarm"))
        request["ActionsSuppressorWaitPeriod"] = block.get("wait_period")
        request["ActionsSuppressorExtensionPeriod"] = block.get("extension_period")
    unresolved = [v for v in _strings(request) if "${" in v]
    if unresolved:
        raise ConfigError(f"aws_cloudwatch_composite_alarm.{name}: cannot resolve {unresolved[0]!r} offline")
    return request


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [value] if isinstance(value, dict) else [v for v in value or [] if isinstance(v, dict)]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)


def alarm_set_from_terraform(
    text: str, path: str | None = None, *, region: str = _DEFAULT_REGION, account_id: str = _DEFAULT_ACCOUNT
) -> AlarmSet:
    """Every ``aws_cloudwatch_metric_alarm`` and ``aws_cloudwatch_composite_alarm`` of a Terraform file."""
    from .terraform import load_terraform
    from .terraform_resources import _alarm as tf_metric_alarm  # the model's reading of the same resource

    resources = load_terraform(text, path)
    refs: dict[tuple[str, str], tuple[str, str]] = {}
    for r in resources:
        if r.type in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"):
            name = str(r.attributes.get("alarm_name") or r.name)
            refs[(r.type, r.name)] = (name, f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name}")
    out = AlarmSet()
    for r in resources:
        where = f"{path + ': ' if path else ''}{r.type}.{r.name}"
        if r.type == "aws_cloudwatch_metric_alarm":
            request = tf_metric_alarm(dict(r.attributes), r.name)
            request["OKActions"] = list(r.attributes.get("ok_actions") or [])
            request["InsufficientDataActions"] = list(r.attributes.get("insufficient_data_actions") or [])
            alarm = _alarm(request, where, region=region, account_id=account_id)
            out.alarms[alarm.name] = alarm
        elif r.type == "aws_cloudwatch_composite_alarm":
            c = composite_from_request(_tf_composite(r.attributes, r.name, refs), where, region=region,
                                       account_id=account_id)  # fmt: skip
            out.composites[c.name] = c
    if not out.names():
        raise ConfigError(f"{path or 'Terraform'}: no aws_cloudwatch_metric_alarm or aws_cloudwatch_composite_alarm")
    return out


def load_alarm_set(
    path: str | Path, *, parameters: Mapping[str, Any] | None = None, region: str | None = None,
    account_id: str | None = None,
) -> AlarmSet:  # fmt: skip
    """Metric, math and composite alarms from a file: a PutMetricAlarm or PutCompositeAlarm JSON
    request, a ``describe-alarms`` output, a CloudFormation template or Terraform (``.tf``, ``.tf.json``)."""
    p, text = read_config_text(path)
    with shape_errors(str(p), "alarm configuration"):
        return _alarm_set(p, text, parameters, region, account_id)


def _alarm_set(
    p: Path, text: str, parameters: Mapping[str, Any] | None, region: str | None, account_id: str | None
) -> AlarmSet:
    overrides = {k: v for k, v in (("region", region), ("account_id", account_id)) if v}
    where = dict(region=region or _DEFAULT_REGION, account_id=account_id or _DEFAULT_ACCOUNT)
    if p.name.endswith((".tf", ".tf.json")):
        return alarm_set_from_terraform(text, str(p), **where)
    doc = config_json(p, text)
    if isinstance(doc, dict) and "AlarmRule" in doc:
        c = composite_from_request(doc, str(p), **overrides)
        return AlarmSet(composites={c.name: c})
    if isinstance(doc, dict) and "AlarmName" in doc:
        alarm = _alarm(doc, str(p), **overrides)
        return AlarmSet(alarms={alarm.name: alarm})
    if isinstance(doc, dict) and (is_describe_alarms(doc) or isinstance(doc.get("CompositeAlarms"), list)):
        return alarm_set_from_describe(doc, str(p), **overrides)
    if doc is not None and not isinstance(doc.get("Resources") if isinstance(doc, dict) else None, dict):
        raise wrong_kind(p, doc, "an alarm file (a PutMetricAlarm or PutCompositeAlarm request, `aws cloudwatch "
                         "describe-alarms` output, a CloudFormation template or Terraform)")  # fmt: skip
    template = doc if doc is not None else load_template(text, str(p))
    return alarm_set_from_cloudformation(template, parameters=parameters, **where)
