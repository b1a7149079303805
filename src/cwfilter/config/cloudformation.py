"""CloudFormation templates (JSON or YAML): loading with the short-form intrinsic tags mapped
as cfn-flip maps them, the intrinsics that resolve offline, and ``AWS::Logs::MetricFilter``
resources → metric filters."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from ..metric import MetricFilter
from .errors import ConfigError, required
from .limits import check_shape, check_yaml_node

# Tags that keep their name as the key (cfn-flip's UNCONVERTED_SUFFIXES); every other ``!Tag``
# becomes ``Fn::Tag``.
_UNPREFIXED = ("Ref", "Condition")


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags: ``!Ref x`` → ``{"Ref": "x"}``, ``!Condition c``
    → ``{"Condition": "c"}``, ``!GetAtt a.b`` → ``{"Fn::GetAtt": ["a", "b"]}``, any other
    ``!Name v`` → ``{"Fn::Name": v}``."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = suffix if suffix in _UNPREFIXED else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kind
        raise ConfigError(f"bad tag !{suffix}")
    return {key: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(text: str, path: str | None = None) -> dict[str, Any]:
    """A CloudFormation template from JSON or YAML text, short-form tags mapped (parsed, not
    resolved); ``path`` names the file in errors. A ``ConfigError`` unless it has Resources."""
    where = f"{path}: " if path else ""
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else _load_yaml(text, where)
    except (json.JSONDecodeError, yaml.YAMLError, ValueError) as exc:  # a bad date is a ValueError
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{where}not a valid JSON or YAML template: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}values nested too deeply to read") from None
    check_shape(doc, where)
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ConfigError(f"{where}not a CloudFormation template: no Resources section")
    return doc


def _load_yaml(text: str, where: str) -> Any:
    """A YAML template, its composed nodes checked (``check_yaml_node``: nesting, aliases
    expanded) before any value is built."""
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_yaml_node(node, where)
        _no_duplicate_keys(node, where)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _no_duplicate_keys(node: yaml.Node, where: str) -> None:
    """A YAML template in which a mapping repeats a key is refused, with the line of the repeated
    key (PyYAML would keep the last one silently). ``aws cloudformation deploy`` refuses it too
    ("found duplicate key", brentley/container-demo#11), the console's Designer as well; which
    value the service would keep is not documented."""
    stack, seen_nodes = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in keys:
                        raise ConfigError(f"{where}line {key.start_mark.line + 1}: duplicate key {key.value!r} "
                                          "(aws cloudformation deploy refuses a template that repeats a key)")  # fmt: skip
                    keys.add(key.value)
                stack.extend((key, value))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


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
            ((fn, arg),) = value.items()
            if fn == "Ref":
                if arg in self.values:
                    return self.values[arg]
                raise ConfigError(f"{where}: cannot resolve Ref {arg!r} offline; pass it as a parameter")
            if fn == "Fn::Sub":
                return self._sub(arg, where)
            if fn.startswith("Fn::") or fn == "Condition":
                raise ConfigError(f"{where}: cannot resolve {fn} offline")
        if isinstance(value, list):
            return [self(v, where) for v in value]
        return value

    def _sub(self, arg: Any, where: str) -> str:
        text, local = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
        names = {**self.values, **{k: self(v, where) for k, v in local.items()}}

        def sub(m: re.Match[str]) -> str:
            if m.group(1).startswith("!"):
                return "${" + m.group(1)[1:] + "}"
            if m.group(1) in names:
                return str(names[m.group(1)])
            raise ConfigError(f"{where}: cannot resolve ${{{m.group(1)}}} in Fn::Sub offline")

        return re.sub(r"\$\{([^}]+)\}", sub, text)


def resources_of_type(doc: Mapping[str, Any], resource_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(logical ID, Properties) of every resource of ``resource_type`` in a loaded template."""
    resources = doc.get("Resources")
    if not isinstance(resources, Mapping):
        raise ConfigError("not a CloudFormation template: no Resources section")
    for logical_id, resource in resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == resource_type:
            yield logical_id, resource.get("Properties") or {}


def from_cloudformation(
    template: Mapping[str, Any] | str, *, parameters: Mapping[str, Any] | None = None
) -> dict[str, MetricFilter]:
    """Every ``AWS::Logs::MetricFilter`` of a template, by logical ID."""
    doc = load_template(template) if isinstance(template, str) else dict(template)
    resolve = TemplateResolver(doc, parameters)
    out = {
        logical_id: _metric_filter(logical_id, props, resolve)
        for logical_id, props in resources_of_type(doc, "AWS::Logs::MetricFilter")
    }
    if not out:
        raise ConfigError("the template has no AWS::Logs::MetricFilter resource")
    return out


def _metric_filter(logical_id: str, props: Mapping[str, Any], resolve: TemplateResolver) -> MetricFilter:
    where = f"resource {logical_id}"
    transformations = required(props, "MetricTransformations", where)
    if not isinstance(transformations, list) or len(transformations) != 1:
        raise ConfigError(f"{where}: MetricTransformations must hold exactly one transformation")
    t = transformations[0]
    dims = {resolve(d["Key"], where): resolve(d["Value"], where) for d in (t.get("Dimensions") or [])}
    log_group = props.get("LogGroupName")
    try:
        log_group = resolve(log_group, where)
    except ConfigError:
        log_group = json.dumps(log_group)  # informational only; not needed to evaluate
    default = resolve(t.get("DefaultValue"), where)
    return MetricFilter(
        resolve(required(props, "FilterPattern", where), where),
        metric_name=resolve(required(t, "MetricName", where), where),
        namespace=resolve(required(t, "MetricNamespace", where), where),
        value=str(resolve(required(t, "MetricValue", where), where)),
        default_value=None if default is None else float(default),
        dimensions=dims or None,
        unit=resolve(t.get("Unit"), where),
        name=resolve(props.get("FilterName"), where) or logical_id,
        log_group_name=log_group,
    )
