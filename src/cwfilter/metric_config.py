"""Metric filters from the shapes users already have: a PutMetricFilter request
(``aws logs put-metric-filter --cli-input-json``), ``AWS::Logs::MetricFilter`` resources in
a CloudFormation template (JSON or YAML), and Terraform ``aws_cloudwatch_log_metric_filter``
resources (``.tf.json`` or simple HCL)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import CwfilterError
from .metric import MetricFilter, MetricFilterError


class ConfigError(CwfilterError, ValueError):
    """A configuration file that cannot be read as a metric filter, with where and why."""

    code = "E_CONFIG"


def _required(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj or obj[key] is None:
        raise ConfigError(f"{where}: missing required field '{key}'")
    return obj[key]


# ------------------------------------------------------------------ PutMetricFilter


def from_put_metric_filter(request: Mapping[str, Any] | str) -> MetricFilter:
    """A PutMetricFilter request (dict or JSON text) → ``MetricFilter``."""
    if isinstance(request, str):
        try:
            request = json.loads(request)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"PutMetricFilter request is not valid JSON: {exc}") from None
    if not isinstance(request, Mapping):
        raise ConfigError("PutMetricFilter request must be a JSON object")
    where = "PutMetricFilter request"
    transformations = _required(request, "metricTransformations", where)
    if not isinstance(transformations, list) or len(transformations) != 1:
        raise MetricFilterError(
            f"1 validation error detected: Value '{transformations}' at 'metricTransformations' failed to satisfy "
            "constraint: Member must have length less than or equal to 1"
            if isinstance(transformations, list) and transformations
            else f"{where}: metricTransformations must hold exactly one transformation"
        )
    t = transformations[0]
    return MetricFilter(
        _required(request, "filterPattern", where),
        metric_name=_required(t, "metricName", where + " metricTransformations[0]"),
        namespace=_required(t, "metricNamespace", where + " metricTransformations[0]"),
        value=str(_required(t, "metricValue", where + " metricTransformations[0]")),
        default_value=t.get("defaultValue"),
        dimensions=t.get("dimensions"),
        unit=t.get("unit"),
        name=request.get("filterName"),
        log_group_name=request.get("logGroupName"),
    )


# ------------------------------------------------------------------ CloudFormation

_INTRINSIC_TAGS = [
    "Ref", "Condition", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
    "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs", "Transform", "ToJsonString", "Length",
]  # fmt: skip


def _yaml_load(text: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(tag: str):  # type: ignore[no-untyped-def]
        key = "Ref" if tag in ("Ref", "Condition") else f"Fn::{tag}"

        def build(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
                if tag == "GetAtt" and isinstance(value, str):
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
            return {key: value}

        return build

    for tag in _INTRINSIC_TAGS:
        Loader.add_constructor(f"!{tag}", construct(tag))
    return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass


def load_template(text: str) -> dict[str, Any]:
    """A CloudFormation template from JSON or YAML text (short-form intrinsics understood)."""
    stripped = text.lstrip()
    try:
        doc = json.loads(text) if stripped.startswith("{") else _yaml_load(text)
    except Exception as exc:  # yaml and json raise many types; all mean "not a template"
        raise ConfigError(f"not a valid JSON or YAML template: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ConfigError("not a CloudFormation template: no Resources section")
    return doc


class TemplateResolver:
    """Resolves the intrinsic functions that can be resolved offline: Ref to a parameter
    (given or default), to a pseudo parameter (region, account) or to an ``AWS::SNS::Topic``
    (its ARN), and Fn::Sub over those. Anything else is reported, not guessed."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any] | None,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        self.values: dict[str, Any] = {"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": "aws"}
        for name, spec in (template.get("Parameters") or {}).items():
            if isinstance(spec, Mapping) and "Default" in spec:
                self.values[name] = spec["Default"]
        self.values.update(parameters or {})
        for logical_id, resource in (template.get("Resources") or {}).items():
            if isinstance(resource, Mapping) and resource.get("Type") == "AWS::SNS::Topic":
                name = (resource.get("Properties") or {}).get("TopicName")
                name = name if isinstance(name, str) else logical_id
                self.values.setdefault(logical_id, f"arn:aws:sns:{region}:{account_id}:{name}")

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, Mapping) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                if arg in self.values:
                    return self.values[arg]
                raise ConfigError(f"{where}: cannot resolve Ref {arg!r} offline; pass it as a parameter")
            if fn == "Fn::Sub":
                text, local = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
                names = {**self.values, **{k: self(v, where) for k, v in local.items()}}

                def sub(m: re.Match[str]) -> str:
                    if m.group(1).startswith("!"):
                        return "${" + m.group(1)[1:] + "}"
                    if m.group(1) in names:
                        return str(names[m.group(1)])
                    raise ConfigError(f"{where}: cannot resolve ${{{m.group(1)}}} in Fn::Sub offline")

                return re.sub(r"\$\{([^}]+)\}", sub, text)
            if fn.startswith("Fn::") or fn == "Condition":
                raise ConfigError(f"{where}: cannot resolve {fn} offline")
        if isinstance(value, list):
            return [self(v, where) for v in value]
        return value


def resources_of_type(doc: Mapping[str, Any], resource_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(logical ID, Properties) of every resource of ``resource_type`` in a loaded template."""
    for logical_id, resource in doc["Resources"].items():
        if isinstance(resource, Mapping) and resource.get("Type") == resource_type:
            yield logical_id, resource.get("Properties") or {}


def from_cloudformation(
    template: Mapping[str, Any] | str, *, parameters: Mapping[str, Any] | None = None
) -> dict[str, MetricFilter]:
    """Every ``AWS::Logs::MetricFilter`` of a template, by logical ID."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    resolve = TemplateResolver(doc, parameters)
    out: dict[str, MetricFilter] = {}
    for logical_id, props in resources_of_type(doc, "AWS::Logs::MetricFilter"):
        where = f"resource {logical_id}"
        transformations = _required(props, "MetricTransformations", where)
        if not isinstance(transformations, list) or len(transformations) != 1:
            raise ConfigError(f"{where}: MetricTransformations must hold exactly one transformation")
        t = transformations[0]
        dims = {
            resolve(d["Key"], where): resolve(d["Value"], where) for d in (t.get("Dimensions") or [])
        }
        log_group = props.get("LogGroupName")
        try:
            log_group = resolve(log_group, where)
        except ConfigError:
            log_group = json.dumps(log_group)  # informational only; not needed to evaluate
        default = resolve(t.get("DefaultValue"), where)
        out[logical_id] = MetricFilter(
            resolve(_required(props, "FilterPattern", where), where),
            metric_name=resolve(_required(t, "MetricName", where), where),
            namespace=resolve(_required(t, "MetricNamespace", where), where),
            value=str(resolve(_required(t, "MetricValue", where), where)),
            default_value=None if default is None else float(default),
            dimensions=dims or None,
            unit=resolve(t.get("Unit"), where),
            name=resolve(props.get("FilterName"), where) or logical_id,
            log_group_name=log_group,
        )
    if not out:
        raise ConfigError("the template has no AWS::Logs::MetricFilter resource")
    return out


# ------------------------------------------------------------------ Terraform


def from_terraform(source: Mapping[str, Any] | str) -> dict[str, MetricFilter]:
    """Every ``aws_cloudwatch_log_metric_filter`` resource, by resource name, from Terraform
    JSON (``.tf.json``) or HCL text (literal values only; interpolations are reported)."""
    if isinstance(source, str):
        doc = json.loads(source) if source.lstrip().startswith("{") else _hcl_resources(source)
    else:
        doc = dict(source)
    resources = (doc.get("resource") or {}).get("aws_cloudwatch_log_metric_filter") or {}
    out: dict[str, MetricFilter] = {}
    for name, body in resources.items():
        where = f"aws_cloudwatch_log_metric_filter.{name}"
        t = _required(body, "metric_transformation", where)
        if isinstance(t, list):
            if len(t) != 1:
                raise ConfigError(f"{where}: exactly one metric_transformation block is allowed")
            t = t[0]
        for key, value in [("pattern", body.get("pattern")), *t.items()]:
            if isinstance(value, str) and "${" in value:
                raise ConfigError(f"{where}: {key} uses an interpolation (${{...}}) that cannot be resolved offline")
        default = t.get("default_value")
        out[name] = MetricFilter(
            _required(body, "pattern", where),
            metric_name=_required(t, "name", where),
            namespace=_required(t, "namespace", where),
            value=str(_required(t, "value", where)),
            default_value=None if default in (None, "") else float(default),
            dimensions=t.get("dimensions"),
            unit=t.get("unit"),
            name=body.get("name", name),
            log_group_name=body.get("log_group_name"),
        )
    if not out:
        raise ConfigError("no aws_cloudwatch_log_metric_filter resource found")
    return out


_HCL_TOKEN = re.compile(
    r'\s+|#[^\n]*|//[^\n]*|/\*.*?\*/'  # skipped
    r'|(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_\-.]*)|(?P<punct>[{}=\[\],:])',
    re.S,
)


def _hcl_resources(text: str) -> dict[str, Any]:
    """The ``resource`` blocks of simple HCL: strings, numbers, maps, nested blocks."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _HCL_TOKEN.match(text, pos)
        if not m:
            raise ConfigError(f"cannot read HCL at character {pos + 1}: {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup:
            tokens.append((m.lastgroup, m.group(m.lastgroup)))
    i = 0

    def value() -> Any:
        nonlocal i
        kind, tok = tokens[i]
        i += 1
        if kind == "str":
            return json.loads(tok)
        if kind == "num":
            return float(tok)
        if tok == "{":
            return body("}")
        if tok == "[":
            items = []
            while tokens[i][1] != "]":
                items.append(value())
                if tokens[i][1] == ",":
                    i += 1
            i += 1
            return items
        return tok  # a bare reference such as aws_cloudwatch_log_group.x.name

    def body(close: str | None) -> dict[str, Any]:
        nonlocal i
        out: dict[str, Any] = {}
        while i < len(tokens) and tokens[i][1] != close:
            kind, key = tokens[i]
            key = json.loads(key) if kind == "str" else key
            i += 1
            if tokens[i][1] in ("=", ":"):
                i += 1
                out[key] = value()
            else:  # a block: labels, then { ... }
                labels = []
                while tokens[i][1] != "{":
                    labels.append(json.loads(tokens[i][1]) if tokens[i][0] == "str" else tokens[i][1])
                    i += 1
                i += 1
                node = out.setdefault(key, {})
                for label in labels[:-1]:
                    node = node.setdefault(label, {})
                block = body("}")
                if labels:
                    node[labels[-1]] = block
                else:
                    out[key] = block if key not in out or out[key] == {} else [out[key], block]
            if i < len(tokens) and tokens[i][1] == ",":
                i += 1
        i += 1
        return out

    try:
        return body(None)
    except IndexError:
        raise ConfigError("unexpected end of HCL text (unbalanced braces?)") from None


# ------------------------------------------------------------------ files


def read_config_text(path: str | Path) -> tuple[Path, str]:
    """A configuration file's path and text; a ``ConfigError`` naming it when it cannot be read."""
    p = Path(path)
    try:
        return p, p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {p}: {exc}") from None


def config_json(p: Path, text: str) -> Any:
    """The JSON document of a configuration file whose text is a JSON object, ``None`` for any
    other text (YAML, HCL); a ``ConfigError`` naming the file when the JSON is invalid."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p}: invalid JSON: {exc}") from None


def load_metric_filters(path: str | Path, *, parameters: Mapping[str, Any] | None = None) -> dict[str, MetricFilter]:
    """Metric filters from a file: a PutMetricFilter JSON request, a CloudFormation template
    (JSON/YAML), or Terraform (``.tf`` / ``.tf.json``), recognised by content."""
    p, text = read_config_text(path)
    if p.name.endswith((".tf", ".tf.json")):
        return from_terraform(text)
    doc = config_json(p, text)
    if doc is not None:
        if isinstance(doc, dict) and "filterPattern" in doc:
            mf = from_put_metric_filter(doc)
            return {mf.name or p.stem: mf}
        if isinstance(doc, dict) and "resource" in doc:
            return from_terraform(doc)
        return from_cloudformation(doc, parameters=parameters)
    return from_cloudformation(text, parameters=parameters)
